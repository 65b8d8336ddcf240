/**
 * Param schemas for every API method. A shell validates what arrives over its
 * transport against these before any engine code sees it: the renderer is not trusted
 * to send well-formed params, and a browser talking to the web host even less so.
 * Each schema is typed by its method's params, so a contract change that the schema
 * does not follow fails to compile.
 */
import { z } from 'zod';
import type { ApiMethod, ApiParams } from './api.ts';
import { API_MAX_LIMIT, MAX_TIMELINE_BUCKETS } from './model.ts';

const MAX_PATH = 4096;
const MAX_PATHS = 10_000;

/** POSIX absolute, Windows drive-absolute, or UNC: the main process has no useful cwd for a relative one. */
function looksAbsolute(p: string): boolean {
  if (p.startsWith('/')) return true;
  if (p.startsWith('\\\\')) return true;
  const drive = p.charCodeAt(0) | 0x20;
  return p.length >= 3 && drive >= 0x61 && drive <= 0x7a && p[1] === ':' && (p[2] === '\\' || p[2] === '/');
}

const absolutePath = z
  .string()
  .min(1)
  .max(MAX_PATH)
  .refine((p) => !p.includes('\0'), 'path contains a NUL character')
  .refine(looksAbsolute, 'path must be absolute');

const noParams = z.undefined();

const limit = z.int().min(1).max(API_MAX_LIMIT);
const rowId = z.int().min(1).max(Number.MAX_SAFE_INTEGER);
const offset = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

const rowQueryShape = {
  input: rowId.optional(),
  search: z.string().max(500).optional(),
  offset: offset.optional(),
  limit: limit.optional(),
};
const rowQuery = z.strictObject(rowQueryShape);

/** Epoch ms (a finite number) or an ISO 8601 UTC string like the API sends. */
const instant = z.union([
  z.number().finite().min(-8.64e15).max(8.64e15),
  z.string().max(40).regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/, 'expected an ISO 8601 time such as 2024-05-01T12:00:00.123Z'),
]);

const evidenceKind = z.enum(['http', 'dns', 'tls', 'flow', 'anomaly']);

function hasControl(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** One line of the report's cover: it also goes into the running header and the PDF's metadata. */
const coverText = z.string().min(1).max(200).refine((t) => !hasControl(t), 'contains a control character');
/** A device under investigation as the investigator names it: a MAC or an IP address. */
const deviceAddress = z.string().min(1).max(64).regex(/^[0-9A-Fa-f:.%-]+$/, 'expected a MAC or IP address');

const reportShape = {
  title: coverText.optional(),
  investigator: coverText.optional(),
  organisation: coverText.optional(),
  homeCountry: z.string().regex(/^[A-Za-z]{2}$/, 'expected a two-letter ISO country code').optional(),
  redactBystanders: z.boolean().optional(),
  devices: z.array(deviceAddress).max(256).optional(),
};

/** Redaction needs the devices under investigation, and devices mean nothing without it (as in the CLI). */
function checkRedaction(p: { redactBystanders?: boolean; devices?: string[] }, ctx: z.RefinementCtx): void {
  const n = p.devices?.length ?? 0;
  if (p.redactBystanders === true && n === 0) ctx.addIssue({ code: 'custom', path: ['devices'], message: 'redaction needs at least one device under investigation' });
  if (p.redactBystanders !== true && n > 0) ctx.addIssue({ code: 'custom', path: ['devices'], message: 'devices are named only with redactBystanders' });
}

const browsingMode = z.enum(['incognito', 'normal']);

export const PARAM_SCHEMAS: { readonly [M in ApiMethod]: z.ZodType<ApiParams<M>> } = {
  'app.version': noParams,
  'case.create': z.strictObject({ path: absolutePath.optional(), title: z.string().min(1).max(200).optional() }),
  'case.open': z.strictObject({ path: absolutePath }),
  'case.info': noParams,
  'case.recent': noParams,
  'import.start': z.strictObject({ paths: z.array(absolutePath).min(1).max(MAX_PATHS) }),
  'import.cancel': z.strictObject({ importId: z.string().min(1).max(200) }),
  'import.list': noParams,
  'overview.get': z.strictObject({ limit: z.int().min(1).max(100).optional() }),
  'timeline.get': z.strictObject({
    from: instant.optional(),
    to: instant.optional(),
    bucketMs: z.number().finite().positive().max(1e13).optional(),
    buckets: z.int().min(1).max(MAX_TIMELINE_BUCKETS).optional(),
    input: rowId.optional(),
    maxLanes: z.int().min(0).max(200).optional(),
    maxEventsPerLane: z.int().min(0).max(5000).optional(),
  }),
  'evidence.query': z.strictObject({
    kind: evidenceKind,
    text: z.string().max(500).optional(),
    host: z.string().min(1).max(300).optional(),
    ip: z.string().min(1).max(64).optional(),
    from: instant.optional(),
    to: instant.optional(),
    input: rowId.optional(),
    offset: offset.optional(),
    limit: limit.optional(),
    sort: z.strictObject({ by: z.enum(['ts', 'host', 'src', 'dst', 'size']), dir: z.enum(['asc', 'desc']) }).optional(),
  }),
  'evidence.get': z.strictObject({ kind: evidenceKind, id: rowId }),
  'hosts.list': z.strictObject({ ...rowQueryShape, sort: z.enum(['bytes', 'flows', 'requests', 'ip', 'first']).optional() }),
  'anomalies.list': rowQuery,
  'destinations.list': z.strictObject({
    ...rowQueryShape,
    country: z.string().min(1).max(8).optional(),
    sort: z.enum(['requests', 'bytes', 'leaks', 'host']).optional(),
  }),
  'identifiers.list': rowQuery,
  'devices.list': rowQuery,
  'accounts.list': rowQuery,
  'entities.links': z.strictObject({
    entity: z.enum(['device', 'account', 'identifier']),
    id: rowId,
    offset: offset.optional(),
    limit: limit.optional(),
  }),
  'leaks.list': z.strictObject({ ...rowQueryShape, mode: browsingMode.optional(), host: z.string().min(1).max(300).optional() }),
  'modes.list': noParams,
  'modes.set': z.union([
    z.strictObject({ mode: browsingMode, input: rowId }),
    z.strictObject({ mode: browsingMode, from: instant, to: instant }),
  ]),
  'modes.remove': z.strictObject({ id: rowId }),
  'compare.get': noParams,
  'report.get': z.strictObject(reportShape).superRefine(checkRedaction),
  'report.export': z
    .strictObject({
      ...reportShape,
      outPath: z.string().min(1).max(MAX_PATH).refine((p) => !p.includes('\0'), 'path contains a NUL character').optional(),
    })
    .superRefine(checkRedaction),
};

/** Human-readable list of what is wrong with some params. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
