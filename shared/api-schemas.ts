/**
 * Param schemas for every API method. A shell validates what arrives over its
 * transport against these before any engine code sees it: the renderer is not trusted
 * to send well-formed params, and a browser talking to the web host even less so.
 * Each schema is typed by its method's params, so a contract change that the schema
 * does not follow fails to compile.
 */
import { z } from 'zod';
import type { ApiMethod, ApiParams } from './api.ts';
import { API_MAX_LIMIT } from './model.ts';

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

const rowQuery = z.strictObject({
  input: z.int().min(1).optional(),
  search: z.string().max(500).optional(),
  offset: z.int().min(0).optional(),
  limit: z.int().min(1).max(API_MAX_LIMIT).optional(),
});

export const PARAM_SCHEMAS: { readonly [M in ApiMethod]: z.ZodType<ApiParams<M>> } = {
  'app.version': noParams,
  'case.open': z.strictObject({ path: absolutePath }),
  'case.summary': noParams,
  'import.start': z.strictObject({ paths: z.array(absolutePath).min(1).max(MAX_PATHS) }),
  'import.cancel': z.strictObject({ importId: z.string().min(1).max(200) }),
  'inputs.list': noParams,
  'dns.query': rowQuery,
  'tls.query': rowQuery,
  'http.query': rowQuery,
  'hosts.list': rowQuery,
  'anomalies.list': rowQuery,
};

/** Human-readable list of what is wrong with some params. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
