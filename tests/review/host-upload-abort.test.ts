/**
 * Review: an upload whose client disconnects half-way must leave nothing in the case
 * folder and start no import (a truncated capture is not evidence).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost } from '../../electron/host/server.ts';
import type { RunningHost } from '../../electron/host/server.ts';

describe('aborted upload', () => {
  let work: string;
  let host: RunningHost;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tt-review-abort-'));
    host = await startHost({ workDir: work, rendererDir: join(work, 'no-renderer'), casePath: join(work, 'c', 'case.db') });
  });
  afterAll(async () => {
    await host.close();
    rmSync(work, { recursive: true, force: true });
  });

  for (const chunked of [false, true]) {
    it(`leaves no partial file (${chunked ? 'chunked' : 'content-length'})`, async () => {
      const name = chunked ? 'cut-chunked.pcap' : 'cut.pcap';
      const sock = connect(host.port, '127.0.0.1');
      await new Promise<void>((r) => sock.once('connect', () => r()));
      const head = [
        'POST /api/upload HTTP/1.1',
        `Host: 127.0.0.1:${host.port}`,
        `x-telltale-token: ${host.token}`,
        `X-Filename: ${name}`,
        chunked ? 'Transfer-Encoding: chunked' : 'Content-Length: 100000',
        '',
        '',
      ].join('\r\n');
      const part = Buffer.alloc(5000, 0x41);
      sock.write(head);
      sock.write(chunked ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]) : part);
      // Wait until the server has created the file, then cut the connection.
      const dir = host.engine.filesDir();
      await new Promise<void>((r) => {
        const poll = (): void => {
          if (existsSync(dir) && readdirSync(dir).includes(name)) r();
          else setImmediate(poll);
        };
        poll();
      });
      const closed = new Promise<void>((r) => sock.once('close', () => r()));
      sock.destroy();
      await closed;
      // The server discards on the request's error; wait for that to settle.
      await new Promise<void>((r) => {
        const poll = (): void => {
          if (!readdirSync(dir).includes(name)) r();
          else setTimeout(poll, 10);
        };
        poll();
        setTimeout(r, 2000);
      });
      expect(readdirSync(dir)).not.toContain(name);
    });
  }
});
