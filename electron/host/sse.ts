/** Server-Sent Events: pushed API events to every connected browser tab. */
import type { ServerResponse } from 'node:http';

const HEARTBEAT_MS = 15_000;
/** A client this far behind is dropped rather than buffered without bound; its EventSource reconnects. */
const MAX_BUFFERED = 8 * 1024 * 1024;

export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly timer: NodeJS.Timeout;
  private nextId = 1;

  constructor() {
    this.timer = setInterval(() => this.comment('ping'), HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Start an event stream on `res`; it stays open until the client leaves or the hub closes. */
  attach(res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n: connected\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  /** Send one event to every client. */
  send(event: string, payload: unknown): void {
    const frame = `id: ${this.nextId++}\nevent: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const res of this.clients) {
      if (res.writableLength > MAX_BUFFERED) {
        res.destroy();
        this.clients.delete(res);
        continue;
      }
      res.write(frame);
    }
  }

  get size(): number {
    return this.clients.size;
  }

  private comment(text: string): void {
    for (const res of this.clients) res.write(`: ${text}\n\n`);
  }

  /** End every stream and stop the heartbeat. */
  close(): void {
    clearInterval(this.timer);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
