/**
 * Before the end-to-end tests: make sure the renderer bundle is current (build it when
 * out/renderer is missing or older than the renderer and shared sources), copy it
 * into a fresh temporary folder (a rebuild of out/renderer while the tests run would
 * otherwise swap the page's chunks under it), and start the real web host there,
 * serving that copy. Its URL reaches the tests as TELLTALE_E2E_URL. The function it
 * returns stops the host and removes the folder.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const RENDERER_DIR = join(ROOT, 'out', 'renderer');
const RENDERER_OUT = join(RENDERER_DIR, 'index.html');
const SOURCES = [join(ROOT, 'renderer'), join(ROOT, 'shared')];

/** Newest modification time under a folder, in ms. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.isFile()) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Node 24 runs the TypeScript CLI; the runner's own Node is used when it is new enough. */
function nodeBinary(): string {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 24) return process.execPath;
  const pinned = join(ROOT, 'node_modules', 'node', 'bin', 'node');
  if (existsSync(pinned)) return pinned;
  throw new Error(`the web host needs Node 24; this is ${process.version} and node_modules/node is missing`);
}

function buildRendererIfStale(node: string): void {
  const forced = process.env.TELLTALE_E2E_REBUILD === '1';
  const stale = !existsSync(RENDERER_OUT) || SOURCES.some((dir) => newestMtime(dir) > statSync(RENDERER_OUT).mtimeMs);
  if (!forced && !stale) return;
  const cli = join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const result = spawnSync(node, [cli, 'build', '-c', 'electron.config.ts'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`building the renderer failed (exit ${result.status ?? result.signal})`);
}

/** Start `telltale serve --port 0` and resolve with the URL it prints. */
function startHost(node: string, cwd: string, renderer: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const args = [join(ROOT, 'bin', 'telltale.js'), 'serve', '--port', '0', '--renderer', renderer];
    const child = spawn(node, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the web host printed no URL within 60 s\nstdout: ${out}\nstderr: ${err}`));
    }, 60_000);
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const match = /^Open (http:\/\/\S+)$/m.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    });
    child.stderr?.on('data', (chunk: string) => {
      err += chunk;
      if (process.env.TELLTALE_E2E_VERBOSE === '1') process.stderr.write(chunk);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the web host exited before it was ready (${code ?? signal})\nstdout: ${out}\nstderr: ${err}`));
    });
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const node = nodeBinary();
  buildRendererIfStale(node);
  const dir = mkdtempSync(join(tmpdir(), 'telltale-e2e-'));
  const renderer = join(dir, 'renderer');
  cpSync(RENDERER_DIR, renderer, { recursive: true });
  const { child, url } = await startHost(node, dir, renderer);
  process.env.TELLTALE_E2E_URL = url;
  process.env.TELLTALE_E2E_DIR = dir;
  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
