/**
 * `telltale serve` as a command: it creates a case in a fresh folder, prints a URL
 * that works (token included), refuses bad options, and stops cleanly.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runServe } from '../../electron/cli/commands/serve.ts';
import { runCli } from '../../electron/cli/main.ts';
import type { CliIo } from '../../electron/cli/io.ts';

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function io(cwd: string): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, cwd, stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } };
}

describe('telltale serve', () => {
  it('serves a new case from a fresh folder and prints a URL that carries the token', async () => {
    dir = mkdtempSync(join(tmpdir(), 'telltale-serve-'));
    const term = io(dir);
    let answer: unknown = null;
    const code = await runServe(['--port', '0', '--renderer', join(dir, 'none')], term, async () => {
      const url = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(term.out.join(''))?.[1] ?? '';
      const { origin, searchParams } = new URL(url);
      const res = await fetch(`${origin}/api/case.info`, { method: 'POST', headers: { 'X-Telltale-Token': searchParams.get('token') ?? '' } });
      answer = await res.json();
      return 'SIGTERM';
    });
    expect(code).toBe(0);
    const printed = term.out.join('');
    const casePath = /serving case (\S+)/.exec(printed)?.[1] ?? '';
    expect(casePath.startsWith(join(dir, 'telltale-'))).toBe(true);
    expect(casePath.endsWith('/case.db')).toBe(true);
    expect(existsSync(casePath)).toBe(true);
    expect(printed).toContain(`Uploads are stored in ${casePath.replace(/case\.db$/, 'case.files')}`);
    expect(answer).toMatchObject({ ok: true, result: { path: casePath, inputs: [] } });
    expect(term.err.join('')).toContain('npm run build');
    expect(term.err.join('')).not.toContain('WARNING');
  });

  it.each([
    [['--port', 'eighty']],
    [['--port', '70000']],
    [['--max-upload', 'lots']],
    [['--host', '']],
    [['--frobnicate']],
  ])('refuses %j', async (args) => {
    dir = mkdtempSync(join(tmpdir(), 'telltale-serve-'));
    const term = io(dir);
    expect(await runCli(['serve', ...args], term)).toBe(1);
    expect(term.err.join('')).toMatch(/telltale serve: /);
  });

  it('is listed in the command help', async () => {
    dir = mkdtempSync(join(tmpdir(), 'telltale-serve-'));
    const term = io(dir);
    expect(await runCli(['--help'], term)).toBe(0);
    expect(term.out.join('')).toMatch(/serve\s+serve the app/);
  });
});
