/**
 * Test helpers for the web host: raw HTTP requests (node:http, so the Host header and
 * the path can be anything) and an SSE reader that lets a test await an event.
 */
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json(): unknown;
}

/** One request with exactly the given path and headers. */
export function raw(port: number, opts: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers, setHost: opts.headers?.Host === undefined }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) as unknown });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads /api/events and resolves waiters when a matching event arrives (or already has). */
export class SseReader {
  readonly events: SseEvent[] = [];
  private waiters: Array<{ match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }> = [];
  private close: () => void = () => {};

  /** Connect; resolves once the stream is open (so no later event is missed). */
  static open(port: number, token: string): Promise<SseReader> {
    const reader = new SseReader();
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: `/api/events?token=${encodeURIComponent(token)}` }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`events: HTTP ${res.statusCode}`));
          res.resume();
          return;
        }
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            reader.frame(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        });
        resolve(reader);
      });
      req.on('error', reject);
      reader.close = () => req.destroy();
      req.end();
    });
  }

  private frame(text: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of text.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length === 0) return;
    const e = { event, data: JSON.parse(data.join('\n')) as unknown };
    this.events.push(e);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(e)) return true;
      w.resolve(e);
      return false;
    });
  }

  /** The first event (past or future) that matches. */
  next(match: (e: SseEvent) => boolean): Promise<SseEvent> {
    const seen = this.events.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  end(): void {
    this.close();
  }
}
