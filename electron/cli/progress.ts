/**
 * Import progress on stderr: one line redrawn in place on a terminal; a plain line
 * per file start and end otherwise (logs, CI); nothing in quiet mode.
 */
import { basename } from 'node:path';
import type { RunProgress } from '../engine/import/run-import.ts';
import type { CliStream } from './io.ts';
import { formatBytes, formatClock, formatCount, plural } from './format.ts';

const REDRAW_MS = 100;

export class ProgressView {
  private readonly out: CliStream;
  private readonly mode: 'tty' | 'lines' | 'quiet';
  private readonly sizes: number[];
  private readonly totalBytes: number;
  private readonly started = performance.now();
  /** Bytes and packets+entries of files already finished. */
  private doneBytes = 0;
  private doneItems = 0;
  private curBytes = 0;
  private curItems = 0;
  private lastDraw = 0;
  private lineShown = false;
  private fileStarted = 0;

  constructor(out: CliStream, sizes: number[], quiet: boolean) {
    this.out = out;
    this.mode = quiet ? 'quiet' : out.isTTY ? 'tty' : 'lines';
    this.sizes = sizes;
    this.totalBytes = sizes.reduce((a, b) => a + b, 0);
  }

  /** Feed a progress event from runImport. */
  update(p: RunProgress): void {
    if (this.mode === 'quiet') return;
    const name = basename(p.path);
    const tag = `[${p.index + 1}/${p.count}]`;
    if (p.phase === 'start') {
      this.curBytes = 0;
      this.curItems = 0;
      this.fileStarted = performance.now();
      if (this.mode === 'lines') this.out.write(`importing ${tag} ${name} (${formatBytes(this.sizes[p.index] ?? p.bytesTotal)})\n`);
      else this.draw(tag, name, true);
      return;
    }
    if (p.phase === 'done') {
      this.doneBytes += this.sizes[p.index] ?? p.bytesTotal;
      this.doneItems += p.packets + p.entries;
      this.curBytes = 0;
      this.curItems = 0;
      if (this.mode === 'lines') {
        const secs = (performance.now() - this.fileStarted) / 1000;
        const what = p.entries > 0 ? plural(p.entries, 'entry', 'entries') : p.packets > 0 ? plural(p.packets, 'packet') : 'nothing read';
        this.out.write(`done      ${tag} ${name}: ${what} in ${secs.toFixed(1)} s\n`);
      } else {
        this.draw(tag, name, true);
      }
      return;
    }
    // bytesRead counts the file as stored (compressed for .gz), like our sizes.
    this.curBytes = Math.min(p.bytesRead, this.sizes[p.index] ?? p.bytesRead);
    this.curItems = p.packets + p.entries;
    if (this.mode === 'tty') this.draw(tag, name, false);
  }

  /** Print a message without garbling the progress line. */
  note(text: string): void {
    this.clear();
    this.out.write(`${text}\n`);
  }

  /** Remove the progress line (before the summary). */
  finish(): void {
    this.clear();
  }

  private clear(): void {
    if (this.mode === 'tty' && this.lineShown) {
      this.out.write('\r\x1b[2K');
      this.lineShown = false;
    }
  }

  private draw(tag: string, name: string, force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const elapsed = (now - this.started) / 1000;
    const bytes = this.doneBytes + this.curBytes;
    const items = this.doneItems + this.curItems;
    const pct = this.totalBytes > 0 ? Math.floor((bytes / this.totalBytes) * 100) : 0;
    let line = `${tag} ${name}  ${formatBytes(bytes)} / ${formatBytes(this.totalBytes)} (${pct}%)`;
    if (elapsed >= 0.5) {
      line += `  ${formatCount(items / elapsed)} pkt/s`;
      const rate = bytes / elapsed;
      if (rate > 0 && bytes < this.totalBytes) line += `  ETA ${formatClock((this.totalBytes - bytes) / rate)}`;
    }
    // A pseudo-terminal may report 0 columns: fall back to a common width.
    const width = (this.out.columns && this.out.columns > 20 ? this.out.columns : 100) - 1;
    if (line.length > width) line = `${line.slice(0, Math.max(0, width - 1))}…`;
    this.out.write(`\r\x1b[2K${line}`);
    this.lineShown = true;
  }
}
