/**
 * The web host end to end with the real engine: uploads of corpus captures over HTTP,
 * the import awaited on the SSE stream (no sleeps), queries checked against tshark's
 * truth, and the guards: token, Host header, Origin, traversal, params, upload limits.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEventPayload, ApiMethod, ApiParams, ApiResponse, ApiResult } from '../../shared/api.ts';
import { contentSecurityPolicy } from '../../shared/csp.ts';
import type { HttpRow, TlsRow, UploadResult } from '../../shared/model.ts';
import { startHost } from '../../electron/host/server.ts';
import type { RunningHost } from '../../electron/host/server.ts';
import { CORPUS, truth } from '../unit/api/corpus-case.ts';
import { SseReader, raw } from './host-client.ts';

const TLS = 'zeek__tls12-chrome-34-google.pcap';
const PIPELINED = 'zeek__http-pipelined-requests.pcap';
const GZIP = 'zeek__http-get-gzip.pcap';
const MAX_UPLOAD = 200 * 1024;

let dir: string;
let host: RunningHost;
let sse: SseReader;

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function corpusBytes(file: string): Buffer {
  return readFileSync(join(CORPUS, file));
}

async function call<M extends ApiMethod>(method: M, params?: ApiParams<M>, token = host.token): Promise<{ status: number; body: ApiResponse<ApiResult<M>> }> {
  const res = await fetch(`${host.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Telltale-Token': token },
    body: params === undefined ? '' : JSON.stringify(params),
  });
  return { status: res.status, body: (await res.json()) as ApiResponse<ApiResult<M>> };
}

async function result<M extends ApiMethod>(method: M, params?: ApiParams<M>): Promise<ApiResult<M>> {
  const { body } = await call(method, params);
  if (!body.ok) throw new Error(`${method}: ${body.error.code}: ${body.error.message}`);
  return body.result;
}

async function uploadRaw(name: string, bytes: Buffer): Promise<{ status: number; body: ApiResponse<UploadResult> }> {
  const res = await fetch(`${host.origin}/api/upload`, {
    method: 'POST',
    headers: { 'X-Telltale-Token': host.token, 'X-Filename': encodeURIComponent(name), 'Content-Type': 'application/octet-stream' },
    body: new Uint8Array(bytes),
  });
  return { status: res.status, body: (await res.json()) as ApiResponse<UploadResult> };
}

/** The final progress event of an import, awaited on the event stream. */
async function importDone(importId: string): Promise<ApiEventPayload<'import.progress'>> {
  const e = await sse.next((ev) => {
    if (ev.event !== 'import.progress') return false;
    const p = ev.data as ApiEventPayload<'import.progress'>;
    return p.importId === importId && p.state !== 'queued' && p.state !== 'running';
  });
  return e.data as ApiEventPayload<'import.progress'>;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'telltale-host-'));
  const renderer = join(dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Telltale test page</title>');
  writeFileSync(join(renderer, 'assets', 'app-abc123.js'), 'console.log("app");');
  writeFileSync(join(renderer, '.env'), 'HIDDEN=1');
  writeFileSync(join(dir, 'secret.txt'), 'TOP SECRET');
  mkdirSync(join(dir, 'work'));
  host = await startHost({ port: 0, workDir: join(dir, 'work'), rendererDir: renderer, maxUploadBytes: MAX_UPLOAD });
  sse = await SseReader.open(host.port, host.token);
});

afterAll(async () => {
  sse?.end();
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('uploads and queries', () => {
  it('imports an uploaded capture and finds its SNI', async () => {
    const bytes = corpusBytes(TLS);
    const up = await uploadRaw('chrome google.pcap', bytes);
    expect(up.status).toBe(200);
    if (!up.body.ok) throw new Error(up.body.error.message);
    const [stored] = up.body.result.files;
    expect(stored).toMatchObject({ originalName: 'chrome google.pcap', storedName: 'chrome google.pcap', size: bytes.length, sha256: sha256(bytes) });
    expect(stored?.path.startsWith(host.engine.filesDir())).toBe(true);

    const done = await importDone(up.body.result.importId);
    expect(done.state).toBe('done');
    expect(done.files[0]).toMatchObject({ name: 'chrome google.pcap', state: 'done', packets: truth(TLS).packet_count });

    const tls = await result('evidence.query', { kind: 'tls' });
    expect(tls.rows.map((r) => (r as TlsRow).sni)).toEqual(truth(TLS).tls_sni);
    const info = await result('case.info');
    const input = info.inputs.find((i) => i.id === done.files[0]?.inputId);
    expect(input).toMatchObject({ fileName: 'chrome google.pcap', sha256: sha256(bytes), size: bytes.length, status: 'done', format: 'pcap' });
    const overview = await result('overview.get', {});
    expect(overview.topDestinations.find((d) => d.name === truth(TLS).tls_sni[0])?.tls).toBe(truth(TLS).tls_clienthello_count);
  });

  it('imports a multipart upload and lists its HTTP requests as tshark does', async () => {
    const form = new FormData();
    form.append('note', 'a plain field is ignored');
    form.append('file', new Blob([new Uint8Array(corpusBytes(PIPELINED))]), 'pipelined.pcap');
    const res = await fetch(`${host.origin}/api/upload`, { method: 'POST', headers: { 'X-Telltale-Token': host.token }, body: form });
    const body = (await res.json()) as ApiResponse<UploadResult>;
    expect(res.status).toBe(200);
    if (!body.ok) throw new Error(body.error.message);
    expect(body.result.files.map((f) => f.storedName)).toEqual(['pipelined.pcap']);
    expect(body.result.files[0]?.sha256).toBe(sha256(corpusBytes(PIPELINED)));
    const done = await importDone(body.result.importId);
    expect(done.state).toBe('done');
    const input = done.files[0]?.inputId ?? -1;

    const http = await result('evidence.query', { kind: 'http', input });
    expect(http.rows.map((r) => {
      const h = r as HttpRow;
      return { frame: h.frame, method: h.method, host: h.host, uri: h.uri, version: h.version };
    })).toEqual(truth(PIPELINED).http_requests);

    const timeline = await result('timeline.get', { input, buckets: 30 });
    expect(timeline.buckets.reduce((a, b) => a + b.http, 0)).toBe(truth(PIPELINED).http_request_count);
    expect(timeline.destinations.map((l) => l.key)).toContain('www.mozilla.org');

    const detail = await result('evidence.get', { kind: 'http', id: http.rows[0]?.id ?? 0 });
    expect(detail.source).toMatchObject({ fileName: 'pipelined.pcap', frame: truth(PIPELINED).http_requests[0]?.frame });
  });

  it('stores a second upload of the same name under a new name and leaves the first untouched', async () => {
    const first = join(host.engine.filesDir(), 'chrome google.pcap');
    const before = sha256(readFileSync(first));
    // A capture not uploaded before: the same evidence twice would be refused as a duplicate.
    const other = corpusBytes(GZIP);
    const up = await uploadRaw('chrome google.pcap', other);
    if (!up.body.ok) throw new Error(up.body.error.message);
    expect(up.body.result.files[0]?.storedName).toBe('chrome google-1.pcap');
    expect(sha256(readFileSync(first))).toBe(before);
    expect(sha256(readFileSync(join(host.engine.filesDir(), 'chrome google-1.pcap')))).toBe(sha256(other));
    expect((await importDone(up.body.result.importId)).state).toBe('done');
  });

  it('refuses to import the same evidence twice, whatever its name', async () => {
    const up = await uploadRaw('again.pcap', corpusBytes(GZIP));
    if (!up.body.ok) throw new Error(up.body.error.message);
    const done = await importDone(up.body.result.importId);
    expect(JSON.stringify(done)).toMatch(/same SHA-256 as input/);
  });

  it('sanitises uploaded names', async () => {
    const up = await uploadRaw('../../evil/..\\x:y*.pcap', corpusBytes(TLS));
    if (!up.body.ok) throw new Error(up.body.error.message);
    const stored = up.body.result.files[0]?.storedName ?? '';
    expect(stored).toBe('x_y_.pcap');
    expect(readdirSync(host.engine.filesDir())).toContain(stored);
    await importDone(up.body.result.importId);
  });

  it('refuses an upload over the size limit and keeps nothing of it', async () => {
    const before = readdirSync(host.engine.filesDir()).sort();
    const res = await raw(host.port, {
      method: 'POST',
      path: '/api/upload',
      headers: { 'X-Telltale-Token': host.token, 'X-Filename': 'big.pcap', 'Content-Type': 'application/octet-stream' },
      body: Buffer.alloc(MAX_UPLOAD + 1),
    });
    expect(res.status).toBe(413);
    expect(readdirSync(host.engine.filesDir()).sort()).toEqual(before);
    // Without a Content-Length the limit is enforced while streaming.
    const chunked = await raw(host.port, {
      method: 'POST',
      path: '/api/upload',
      headers: { 'X-Telltale-Token': host.token, 'X-Filename': 'big.pcap', 'Transfer-Encoding': 'chunked' },
      body: Buffer.alloc(MAX_UPLOAD + 1),
    });
    expect(chunked.status).toBe(413);
    expect(readdirSync(host.engine.filesDir()).sort()).toEqual(before);
  });

  it('imports uploads only: import.start with server paths is refused', async () => {
    const { status, body } = await call('import.start', { paths: [join(CORPUS, TLS)] });
    expect(status).toBe(403);
    expect(body).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});

describe('guards', () => {
  it('refuses API calls and the event stream without the right token', async () => {
    expect((await call('case.info', undefined, 'wrong')).status).toBe(403);
    expect((await call('case.info', undefined, '')).status).toBe(403);
    const res = await raw(host.port, { path: '/api/events?token=wrong' });
    expect(res.status).toBe(403);
    const upload = await raw(host.port, { method: 'POST', path: '/api/upload', headers: { 'X-Filename': 'a.pcap' }, body: 'x' });
    expect(upload.status).toBe(403);
  });

  it('refuses a Host header that does not name this server (DNS rebinding)', async () => {
    for (const hostHeader of ['evil.example', `evil.example:${host.port}`, `127.0.0.1:${host.port + 1}`, `127.0.0.1.nip.io:${host.port}`]) {
      const api = await raw(host.port, { method: 'POST', path: '/api/case.info', headers: { Host: hostHeader, 'X-Telltale-Token': host.token } });
      expect(api.status, hostHeader).toBe(403);
      const page = await raw(host.port, { path: '/', headers: { Host: hostHeader } });
      expect(page.status, hostHeader).toBe(403);
    }
    const ok = await raw(host.port, { method: 'POST', path: '/api/case.info', headers: { Host: `localhost:${host.port}`, 'X-Telltale-Token': host.token } });
    expect(ok.status).toBe(200);
  });

  it('refuses calls from another origin', async () => {
    const res = await raw(host.port, {
      method: 'POST',
      path: '/api/case.info',
      headers: { 'X-Telltale-Token': host.token, Origin: 'http://evil.example' },
    });
    expect(res.status).toBe(403);
  });

  it('answers bad params with 400 and the schema message', async () => {
    const bad = await call('evidence.query', { kind: 'packets' } as unknown as ApiParams<'evidence.query'>);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    if (!bad.body.ok) expect(bad.body.error.message).toMatch(/^evidence\.query: kind: /);
    const notJson = await raw(host.port, { method: 'POST', path: '/api/case.info', headers: { 'X-Telltale-Token': host.token }, body: '{oops' });
    expect(notJson.status).toBe(400);
    const unknown = await raw(host.port, { method: 'POST', path: '/api/case.delete', headers: { 'X-Telltale-Token': host.token } });
    expect(unknown.status).toBe(404);
  });
});

describe('static files', () => {
  it('serves the renderer with the CSP header and content types', async () => {
    const page = await raw(host.port, { path: '/' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(contentSecurityPolicy('production'));
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body.toString()).toContain('Telltale test page');
    const js = await raw(host.port, { path: '/assets/app-abc123.js' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await raw(host.port, { path: '/assets/missing.js' })).status).toBe(404);
    expect((await raw(host.port, { method: 'POST', path: '/index.html' })).status).toBe(405);
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/%2E%2E/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/..%5csecret.txt',
    '/.env',
    '/%00index.html',
  ])('answers 404 for %s', async (path) => {
    const res = await raw(host.port, { path });
    expect(res.status).toBe(404);
    expect(res.body.toString()).not.toMatch(/SECRET|HIDDEN/);
  });
});

describe('serving an existing case, without a built renderer', () => {
  it('opens the case given with --case and explains how to build the app', async () => {
    const casePath = host.engine.casePath ?? '';
    const second = await startHost({ port: 0, workDir: join(dir, 'work'), rendererDir: join(dir, 'not-built'), casePath });
    try {
      expect(second.rendererBuilt).toBe(false);
      const page = await raw(second.port, { path: '/' });
      expect(page.status).toBe(503);
      expect(page.body.toString()).toContain('npm run build');
      const res = await fetch(`${second.origin}/api/case.info`, { method: 'POST', headers: { 'X-Telltale-Token': second.token } });
      const body = (await res.json()) as ApiResponse<ApiResult<'case.info'>>;
      expect(body.ok && body.result.path).toBe(casePath);
      expect(body.ok && body.result.inputs.length).toBeGreaterThanOrEqual(2);
    } finally {
      await second.close();
    }
    expect(existsSync(casePath)).toBe(true);
  });
});
