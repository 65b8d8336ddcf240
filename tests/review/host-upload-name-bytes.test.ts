/**
 * Review: sanitizeFileName caps a name at 120 characters, but file systems cap a name
 * at 255 bytes. A capture named with CJK letters (3 bytes each in UTF-8) passes the
 * sanitiser at 360 bytes and the upload fails with ENAMETOOLONG instead of being stored.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sanitizeFileName } from '../../electron/host/upload.ts';
import { startHost } from '../../electron/host/server.ts';
import type { RunningHost } from '../../electron/host/server.ts';
import { raw } from '../integration/host-client.ts';

const longName = `${'抓'.repeat(150)}.pcap`;

describe('upload file names and the 255-byte limit', () => {
  let work: string;
  let host: RunningHost;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tt-review-name-'));
    host = await startHost({ workDir: work, rendererDir: join(work, 'no-renderer'), casePath: join(work, 'c', 'case.db') });
  });
  afterAll(async () => {
    await host.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('sanitised names fit in 255 UTF-8 bytes', () => {
    expect(Buffer.byteLength(sanitizeFileName(longName))).toBeLessThanOrEqual(255);
  });

  it('a long non-Latin name is stored, not refused with a server error', async () => {
    const res = await raw(host.port, {
      method: 'POST',
      path: '/api/upload',
      headers: { Host: `127.0.0.1:${host.port}`, 'x-telltale-token': host.token, 'X-Filename': encodeURIComponent(longName), 'Content-Type': 'application/octet-stream' },
      body: Buffer.from('not a capture'),
    });
    expect(res.status, res.body.toString()).toBe(200);
    expect(readdirSync(host.engine.filesDir()).length).toBe(1);
  });
});
