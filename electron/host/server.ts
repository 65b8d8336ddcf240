/**
 * The web host: the built renderer and the Engine API over HTTP, for a browser on this
 * machine (or, when asked explicitly, on the lab network). Plain node:http:
 *
 *   GET  /…              the renderer (CSP header, no directory traversal)
 *   POST /api/<method>   JSON params → shared/dispatch (the same validation as IPC)
 *   GET  /api/events     Server-Sent Events: import.progress, case.changed
 *   POST /api/upload     files into the case folder, then imported
 *   GET  /api/download/<name>?token=…   a report written by report.export
 *
 * Every request must name this server in its Host header; API requests must carry the
 * per-server token (docs/web-host.md).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiFailure } from '../../shared/api.ts';
import type { ApiErrorCode, ApiHandlers, ApiResponse } from '../../shared/api.ts';
import { contentSecurityPolicy } from '../../shared/csp.ts';
import { isApiMethod } from '../../shared/channels.ts';
import { dispatch } from '../../shared/dispatch.ts';
import { CaseEngine } from '../engine/api/case-engine.ts';
import { REPORT_PAGE } from '../engine/report/bundle.ts';
import { TOOL_NAME, TOOL_VERSION } from '../engine/store/tool-info.ts';
import { DEFAULT_MAX_UPLOAD } from './limits.ts';
import { TOKEN_HEADER, hostChecker, newToken, originAllowed, tokenMatches } from './guard.ts';
import { DOWNLOAD_PREFIX, hostReportExport, reportFileIn, sendReportFile } from './report-export.ts';
import { EventHub } from './sse.ts';
import { rendererRoot, resolveStatic, sendFile } from './static-files.ts';
import { UploadError, receiveUpload } from './upload.ts';

const MAX_JSON_BODY = 1024 * 1024;

export interface HostOptions {
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one. */
  port?: number;
  /** Case to open (created when missing); without it a fresh case folder under `workDir`. */
  casePath?: string | null;
  /** Where new cases go (the CLI passes its working directory). */
  workDir: string;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** Largest upload accepted, bytes. */
  maxUploadBytes?: number;
  /** Fixed token (tests); default a fresh random one. */
  token?: string;
  /**
   * Folder with the built report page for report.export (default: the served renderer
   * when it has report.html, so the app and its report come from one build; else see
   * engine/report/bundle.ts).
   */
  reportBundleDir?: string;
  /** Browser that prints reports (default: TELLTALE_CHROMIUM or the system's Chromium). */
  chromium?: string;
}

export interface RunningHost {
  /** Base URL, e.g. http://127.0.0.1:7411 */
  origin: string;
  /** URL to open: origin plus ?token=… */
  url: string;
  token: string;
  port: number;
  host: string;
  engine: CaseEngine;
  /** False when out/renderer is missing: the API works, the page explains how to build it. */
  rendererBuilt: boolean;
  /** Stop accepting, end event streams, cancel imports, close the case. */
  close(): Promise<void>;
}

const STATUS: Readonly<Record<ApiErrorCode, number>> = {
  'invalid-params': 400,
  forbidden: 403,
  'not-implemented': 501,
  'no-case': 409,
  'not-found': 404,
  failed: 500,
};

const SECURITY_HEADERS: ReadonlyArray<[string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
  ['X-Frame-Options', 'DENY'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
];

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: ApiErrorCode, message: string): void {
  sendJson(res, status, { ok: false, error: { code, message } } satisfies ApiResponse<never>);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

/** Read a JSON body (at most MAX_JSON_BODY); an empty body is `undefined` params. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BODY) throw new ApiFailure('invalid-params', `request body over ${MAX_JSON_BODY} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiFailure('invalid-params', 'request body is not valid JSON');
  }
}

/** True when the raw request target holds a '.' or '..' segment, plain or percent-encoded. */
function hasDotSegment(target: string): boolean {
  const path = target.split(/[?#]/, 1)[0] ?? '';
  return path.split('/').some((seg) => /^(\.|%2e){1,2}$/i.test(seg));
}

const NOT_BUILT_PAGE = `Telltale web host: the renderer has not been built.

Run "npm run build" in the Telltale checkout, then reload this page.
The API under /api/ works without it.
`;

/** Start the host; resolves once it listens. */
export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const bindHost = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const maxUpload = opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD;
  const hub = new EventHub();
  const engine = new CaseEngine({ emit: (event, payload) => hub.send(event, payload), casesDir: opts.workDir });
  if (opts.casePath !== undefined && opts.casePath !== null) {
    if (existsSync(opts.casePath)) engine.openCase(opts.casePath);
    else engine.createCase(opts.casePath);
  } else {
    engine.createCase(null);
  }
  const root = rendererRoot(opts.rendererDir);
  const csp = contentSecurityPolicy('production');

  const handlers: ApiHandlers = {
    ...engine.api(),
    'app.version': () => Promise.resolve({ name: TOOL_NAME, version: TOOL_VERSION, electron: null, chrome: null, node: process.versions.node }),
    // A browser names files on its own machine, not on this one: it uploads them instead.
    'import.start': () => Promise.reject(new ApiFailure('forbidden', 'import.start: the web host imports uploaded files only (POST /api/upload)')),
    'report.export': hostReportExport({
      engine,
      token,
      bundleDir: opts.reportBundleDir ?? (root !== null && existsSync(join(root, REPORT_PAGE)) ? root : undefined),
      executablePath: opts.chromium,
    }),
  };

  let checkHost: (header: string | undefined) => boolean = () => false;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
    res.setHeader('Content-Security-Policy', csp);
    const hostHeader = req.headers.host;
    if (!checkHost(hostHeader)) {
      sendError(res, 403, 'forbidden', `Host header ${JSON.stringify(hostHeader ?? '')} does not name this server`);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://host.invalid');
    const path = url.pathname;
    if (!path.startsWith('/api/') && path !== '/api') {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        sendText(res, 405, 'method not allowed\n');
        return;
      }
      if (root === null) {
        sendText(res, 503, NOT_BUILT_PAGE);
        return;
      }
      // The URL parser has already folded '..' away; the raw target shows what was asked.
      const file = hasDotSegment(req.url ?? '') ? null : resolveStatic(root, path);
      if (file === null) {
        sendText(res, 404, 'not found\n');
        return;
      }
      sendFile(res, file, req.method === 'HEAD');
      return;
    }

    if (!originAllowed(req.headers.origin, hostHeader)) {
      sendError(res, 403, 'forbidden', `requests from ${req.headers.origin ?? ''} are not accepted`);
      return;
    }
    if (path === '/api/events') {
      if (req.method !== 'GET') {
        sendError(res, 405, 'invalid-params', 'GET /api/events');
        return;
      }
      // EventSource cannot send headers, so this one route takes the token in the query.
      if (!tokenMatches(token, url.searchParams.get('token'))) {
        sendError(res, 403, 'forbidden', 'missing or wrong token');
        return;
      }
      hub.attach(res);
      return;
    }
    if (path.startsWith(DOWNLOAD_PREFIX)) {
      download(req, res, url, path.slice(DOWNLOAD_PREFIX.length));
      return;
    }
    if (!tokenMatches(token, req.headers[TOKEN_HEADER])) {
      sendError(res, 403, 'forbidden', 'missing or wrong token');
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendError(res, 405, 'invalid-params', `${req.method ?? ''} ${path}: API calls are POST`);
      return;
    }
    if (path === '/api/upload') {
      await upload(req, res);
      return;
    }
    const method = path.slice('/api/'.length);
    if (!isApiMethod(method)) {
      sendError(res, 404, 'not-implemented', `unknown API method ${JSON.stringify(method)}`);
      return;
    }
    let params: unknown;
    try {
      params = await readJson(req);
    } catch (e) {
      sendError(res, 400, 'invalid-params', e instanceof Error ? e.message : String(e));
      return;
    }
    const response = await dispatch(handlers, method, params);
    sendJson(res, response.ok ? 200 : STATUS[response.error.code], response);
  }

  /** A report file from the open case's reports folder; like the event stream, a link carries the token in its query. */
  function download(req: IncomingMessage, res: ServerResponse, url: URL, rawName: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendError(res, 405, 'invalid-params', `${req.method ?? ''} ${DOWNLOAD_PREFIX}: downloads are GET`);
      return;
    }
    if (!tokenMatches(token, url.searchParams.get('token'))) {
      sendError(res, 403, 'forbidden', 'missing or wrong token');
      return;
    }
    let dir: string;
    try {
      dir = engine.reportsDir();
    } catch (e) {
      sendError(res, 409, 'no-case', e instanceof Error ? e.message : String(e));
      return;
    }
    // The raw target shows an encoded '..' or '/' that the URL parser would not.
    const file = hasDotSegment(req.url ?? '') ? null : reportFileIn(dir, rawName);
    if (file === null) {
      sendError(res, 404, 'not-found', 'no such report in this case');
      return;
    }
    sendReportFile(res, file, req.method === 'HEAD');
  }

  async function upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let dir: string;
    try {
      dir = engine.filesDir();
    } catch (e) {
      sendError(res, 409, 'no-case', e instanceof Error ? e.message : String(e));
      return;
    }
    try {
      const files = await receiveUpload(req, { dir, maxBytes: maxUpload });
      const importId = engine.startImport(files.map((f) => ({ path: f.path, name: f.originalName, size: f.size })));
      sendJson(res, 200, { ok: true, result: { importId, files } });
    } catch (e) {
      if (e instanceof UploadError) {
        if (e.status === 413) res.setHeader('Connection', 'close');
        sendError(res, e.status, e.status === 413 || e.status === 400 ? 'invalid-params' : 'failed', e.message);
        return;
      }
      // Unexpected errors can name server paths: log them here, send the client a plain message.
      console.error('telltale serve: upload failed:', e);
      if (!res.headersSent && !req.destroyed) sendError(res, 500, 'failed', 'the upload could not be stored (see the server log)');
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      console.error('telltale serve: request failed:', e);
      if (!res.headersSent) sendError(res, 500, 'failed', 'internal error (see the server log)');
      else res.destroy();
    });
  });
  // Long uploads must not hit the default per-request timeout.
  server.requestTimeout = 0;

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, bindHost, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  checkHost = hostChecker(bindHost, port);
  // A wildcard bind is reached from this machine through loopback.
  const urlHost = bindHost === '0.0.0.0' ? '127.0.0.1' : bindHost === '::' || bindHost === '[::]' ? '[::1]' : bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  const origin = `http://${urlHost}:${port}`;
  return {
    origin,
    url: `${origin}/?token=${token}`,
    token,
    port,
    host: bindHost,
    engine,
    rendererBuilt: root !== null,
    async close() {
      hub.close();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await engine.close();
    },
  };
}
