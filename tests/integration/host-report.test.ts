/**
 * The evidence report through the web host: a corpus capture uploaded and imported,
 * report.get answering its model, report.export printing the PDF with the system
 * Chromium into the case's reports folder (never over a file: -1, -2 …), and the
 * download route serving it as an attachment, to the token holder only and nothing
 * outside that folder. The PDF is checked with poppler's pdftotext against the
 * capture's SHA-256 computed here.
 *
 * Needs Chromium and poppler-utils; without them the suite is skipped and says why.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEventPayload, ApiMethod, ApiParams, ApiResponse, ApiResult } from '../../shared/api.ts';
import type { ReportExportSaved } from '../../shared/report.ts';
import type { UploadResult } from '../../shared/model.ts';
import { buildReportBundle } from '../../electron/engine/report/bundle.ts';
import { findChromium } from '../../electron/engine/report/chromium.ts';
import { startHost } from '../../electron/host/server.ts';
import type { RunningHost } from '../../electron/host/server.ts';
import { attachmentDisposition } from '../../electron/host/report-export.ts';
import { CORPUS, truth } from '../unit/api/corpus-case.ts';
import { SseReader, raw } from './host-client.ts';

const CAPTURE = 'zeek__tls12-chrome-34-google.pcap';

function missingTools(): string | null {
  try {
    findChromium();
  } catch (e) {
    return (e as Error).message;
  }
  if (spawnSync('pdftotext', ['-v']).error !== undefined) return 'pdftotext not found (Debian: apt-get install poppler-utils)';
  return null;
}

const missing = missingTools();
if (missing !== null) console.warn(`host report tests skipped: ${missing}`);

let dir = '';
let host: RunningHost;
let sse: SseReader;

async function call<M extends ApiMethod>(method: M, params?: ApiParams<M>): Promise<{ status: number; body: ApiResponse<ApiResult<M>> }> {
  const res = await fetch(`${host.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Telltale-Token': host.token },
    body: params === undefined ? '' : JSON.stringify(params),
  });
  return { status: res.status, body: (await res.json()) as ApiResponse<ApiResult<M>> };
}

async function result<M extends ApiMethod>(method: M, params?: ApiParams<M>): Promise<ApiResult<M>> {
  const { body } = await call(method, params);
  if (!body.ok) throw new Error(`${method}: ${body.error.code}: ${body.error.message}`);
  return body.result;
}

async function exported(params: ApiParams<'report.export'>): Promise<ReportExportSaved> {
  const r = await result('report.export', params);
  if (r.cancelled) throw new Error('the web host never cancels an export');
  return r;
}

function pdfText(file: string): string {
  const r = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pdftotext: ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  if (missing !== null) return;
  dir = mkdtempSync(join(tmpdir(), 'telltale-host-report-'));
  const bundle = await buildReportBundle(join(dir, 'bundle'));
  const renderer = join(dir, 'renderer');
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Telltale test page</title>');
  mkdirSync(join(dir, 'work'));
  host = await startHost({ port: 0, workDir: join(dir, 'work'), rendererDir: renderer, reportBundleDir: bundle });
  sse = await SseReader.open(host.port, host.token);
  const res = await fetch(`${host.origin}/api/upload`, {
    method: 'POST',
    headers: { 'X-Telltale-Token': host.token, 'X-Filename': CAPTURE, 'Content-Type': 'application/octet-stream' },
    body: new Uint8Array(readFileSync(join(CORPUS, CAPTURE))),
  });
  const upload = (await res.json()) as ApiResponse<UploadResult>;
  if (!upload.ok) throw new Error(upload.error.message);
  const importId = upload.result.importId;
  await sse.next((e) => {
    const p = e.data as ApiEventPayload<'import.progress'>;
    return e.event === 'import.progress' && p.importId === importId && p.state !== 'queued' && p.state !== 'running';
  });
  await host.engine.idle();
}, 180_000);

afterAll(async () => {
  sse?.end();
  await host?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing !== null)('report through the web host', () => {
  const sha = (): string => createHash('sha256').update(readFileSync(join(CORPUS, CAPTURE))).digest('hex');

  it('answers report.get with the model of the open case', async () => {
    const m = await result('report.get', { title: 'Lab case 7' });
    expect(m.cover.title).toBe('Lab case 7');
    expect(m.inputs.map((i) => [i.file, i.sha256])).toEqual([[CAPTURE, sha()]]);
  });

  it('exports a PDF into the reports folder and serves it for download', async () => {
    const r = await exported({ title: 'Lab case 7', investigator: 'A. Investigator' });
    const reports = host.engine.reportsDir();
    expect(r.fileName).toBe('Lab-case-7-report.pdf');
    expect(r.path).toBe(join(reports, r.fileName));
    expect(r.downloadUrl).toBe(`/api/download/Lab-case-7-report.pdf?token=${encodeURIComponent(host.token)}`);
    const onDisk = readFileSync(r.path);
    expect(onDisk.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(createHash('sha256').update(onDisk).digest('hex')).toBe(r.sha256);

    const download = await raw(host.port, { path: r.downloadUrl as string });
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toBe('attachment; filename="Lab-case-7-report.pdf"; filename*=UTF-8\'\'Lab-case-7-report.pdf');
    expect(download.headers['cache-control']).toBe('no-store');
    expect(download.body.equals(onDisk)).toBe(true);

    const saved = join(dir, 'downloaded.pdf');
    writeFileSync(saved, download.body);
    const text = pdfText(saved).replace(/\s+/g, ' ');
    expect(text).toContain(sha());
    expect(text).toContain('Lab case 7');
    expect(text).toContain('A. Investigator');
    // A name the capture's TLS hello carried, from tshark's reading of the file.
    expect(truth(CAPTURE).tls_sni.some((sni) => text.includes(sni))).toBe(true);
    expect(text).toContain(r.manifestSha256);
  }, 180_000);

  it('never writes over a report: the same name gets -1, and the first file stays as it was', async () => {
    const reports = host.engine.reportsDir();
    const before = readFileSync(join(reports, 'Lab-case-7-report.pdf'));
    const again = await exported({ title: 'Lab case 7', outPath: '../../escape/Lab-case-7-report' });
    expect(again.fileName).toBe('Lab-case-7-report-1.pdf');
    expect(again.path).toBe(join(reports, 'Lab-case-7-report-1.pdf'));
    expect(readFileSync(join(reports, 'Lab-case-7-report.pdf')).equals(before)).toBe(true);
    expect(existsSync(join(dir, 'escape'))).toBe(false);
    expect(readdirSync(reports).sort()).toEqual(['Lab-case-7-report-1.pdf', 'Lab-case-7-report.pdf']);
  }, 180_000);

  it('serves downloads only to the token holder and only from the reports folder', async () => {
    const reports = host.engine.reportsDir();
    const token = encodeURIComponent(host.token);
    writeFileSync(join(reports, 'notes.txt'), 'not a report');
    writeFileSync(join(host.engine.filesDir(), 'secret.pdf'), '%PDF-1.7 not a report of this case');
    // A path that leaves /api/download/ once the URL is parsed is an API call without the token header: 403.
    const refused: Array<[string, number[]]> = [
      ['/api/download/Lab-case-7-report.pdf', [403]],
      ['/api/download/Lab-case-7-report.pdf?token=wrong', [403]],
      [`/api/download/notes.txt?token=${token}`, [404]],
      [`/api/download/missing.pdf?token=${token}`, [404]],
      [`/api/download/..%2Fcase.files%2Fsecret.pdf?token=${token}`, [404]],
      [`/api/download/%2e%2e/case.files/secret.pdf?token=${token}`, [403, 404]],
      [`/api/download/../case.files/secret.pdf?token=${token}`, [403, 404]],
      [`/api/download/.hidden.pdf?token=${token}`, [404]],
      [`/api/download/%E0%A4%A.pdf?token=${token}`, [404]],
    ];
    for (const [path, statuses] of refused) {
      const r = await raw(host.port, { path });
      expect(statuses, `${path} answered ${r.status}`).toContain(r.status);
      expect(r.body.toString('latin1'), path).not.toContain('%PDF');
    }
    const post = await raw(host.port, { method: 'POST', path: `/api/download/Lab-case-7-report.pdf?token=${token}` });
    expect(post.status).toBe(405);
    const head = await raw(host.port, { method: 'HEAD', path: `/api/download/Lab-case-7-report.pdf?token=${token}` });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('refuses bad report params with 400 before printing anything', async () => {
    const reports = host.engine.reportsDir();
    const before = readdirSync(reports).sort();
    for (const params of [{ redactBystanders: true }, { title: 'a\u0007b' }, { outPath: 'x\0.pdf' }]) {
      const { status, body } = await call('report.export', params as never);
      expect(status).toBe(400);
      expect(body).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    }
    expect(readdirSync(reports).sort()).toEqual(before);
  });
});

describe('without a browser to print with', () => {
  it('says what to install and leaves nothing in the reports folder', async () => {
    const work = mkdtempSync(join(tmpdir(), 'telltale-host-report-nochrome-'));
    const bundle = join(work, 'bundle');
    mkdirSync(bundle);
    // The printer checks for the page before it starts the browser; this one is never loaded.
    writeFileSync(join(bundle, 'report.html'), '<!doctype html>');
    const bare = await startHost({ port: 0, workDir: work, rendererDir: join(work, 'no-renderer'), reportBundleDir: bundle, chromium: join(work, 'no-such-chromium') });
    try {
      const res = await fetch(`${bare.origin}/api/report.export`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Telltale-Token': bare.token },
        body: JSON.stringify({ title: 'No browser' }),
      });
      const body = (await res.json()) as ApiResponse<unknown>;
      expect(res.status).toBe(500);
      expect(body).toMatchObject({ ok: false, error: { code: 'failed' } });
      if (!body.ok) expect(body.error.message).toContain('Install Chromium');
      const reports = bare.engine.reportsDir();
      expect(existsSync(reports) ? readdirSync(reports) : []).toEqual([]);
    } finally {
      await bare.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('attachment names', () => {
  it('gives an ASCII stand-in and the exact UTF-8 name', () => {
    expect(attachmentDisposition('Fall "Ü" (1).pdf')).toBe('attachment; filename="Fall ___ (1).pdf"; filename*=UTF-8\'\'Fall%20%22%C3%9C%22%20%281%29.pdf');
  });
});
