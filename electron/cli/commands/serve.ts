/**
 * `telltale serve`: the web host. Serves the built renderer and the Engine API on
 * 127.0.0.1 (unless --host says otherwise) and prints the URL with its token; runs
 * until interrupted.
 */
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_UPLOAD } from '../../host/limits.ts';
import { isLoopback, isWildcard } from '../../host/guard.ts';
import { EXIT_OK, EXIT_USAGE, message, UsageError, type CliCommand, type CliIo } from '../io.ts';

const DEFAULT_PORT = 7411;
const REPO_ROOT = resolve(import.meta.dirname, '../../..');

const HELP = `Usage: telltale serve [--port N] [--case case.db] [--host 127.0.0.1] [--max-upload SIZE]

Serve Telltale to a web browser: the app (built with "npm run build") and its API.
Files are added by upload from the page and stored next to the case.

Options:
  -p, --port <n>        Port (default ${DEFAULT_PORT}; 0 picks a free one).
  -c, --case <file>     Case to open, or to create if it does not exist. Default: a new
                        case in a fresh folder telltale-<UTC time>/ under the current
                        directory. Uploads go to <case name>.files/ beside the case.
      --host <addr>     Address to listen on (default 127.0.0.1, this machine only).
                        Anything else must be given explicitly and makes the app
                        reachable from the network (guarded by the URL's token).
      --max-upload <n>  Largest upload, e.g. 500M, 8G (default 8G).
      --renderer <dir>  Built renderer to serve (default out/renderer of the checkout).
  -h, --help            Show this help.

Open the printed URL: it carries the token the page needs to use the API.`;

/** "500M" → bytes (binary units, as file sizes are shown by most systems). */
export function parseSize(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(text.trim());
  if (!m) return null;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const n = Math.floor(Number(m[1]) * mult);
  return n > 0 ? n : null;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((done) => {
    const on = (sig: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      done(sig);
    };
    const onInt = (): void => on('SIGINT');
    const onTerm = (): void => on('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

export async function runServe(args: string[], io: CliIo, stop: () => Promise<string> = untilSignal): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        port: { type: 'string', short: 'p' },
        case: { type: 'string', short: 'c' },
        host: { type: 'string' },
        'max-upload': { type: 'string' },
        renderer: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError(message(e));
  }
  const { values } = parsed;
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  let port = DEFAULT_PORT;
  if (values.port !== undefined) {
    if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) throw new UsageError(`--port: not a port number: ${values.port}`);
    port = Number(values.port);
  }
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') throw new UsageError('--host: empty address');
  let maxUpload = DEFAULT_MAX_UPLOAD;
  if (values['max-upload'] !== undefined) {
    const n = parseSize(values['max-upload']);
    if (n === null) throw new UsageError(`--max-upload: not a size: ${values['max-upload']}`);
    maxUpload = n;
  }
  const rendererDir = values.renderer !== undefined ? resolve(io.cwd, values.renderer) : join(REPO_ROOT, 'out', 'renderer');

  let running;
  try {
    // The host (engine API, HTTP server) is loaded only when serving: other commands start faster.
    const { startHost } = await import('../../host/server.ts');
    running = await startHost({
      host,
      port,
      casePath: values.case !== undefined ? resolve(io.cwd, values.case) : null,
      workDir: io.cwd,
      rendererDir,
      maxUploadBytes: maxUpload,
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE') io.stderr.write(`telltale serve: port ${port} is in use; choose another with --port (0 picks a free one)\n`);
    else if (code === 'EADDRNOTAVAIL') io.stderr.write(`telltale serve: ${host} is not an address of this machine\n`);
    else io.stderr.write(`telltale serve: ${message(e)}\n`);
    return EXIT_USAGE;
  }
  if (!isLoopback(host)) {
    io.stderr.write(`telltale serve: WARNING: listening on ${host}, not just this machine. Anyone who can reach port ${running.port} ` +
      'and has the URL below (with its token) can read and add to this case.\n');
  }
  if (!running.rendererBuilt) {
    io.stderr.write(`telltale serve: the app is not built (${rendererDir} is missing): run "npm run build" first. The API works meanwhile.\n`);
  }
  const casePath = running.engine.casePath ?? '';
  const lines = [`Telltale is serving case ${casePath}`, `Uploads are stored in ${running.engine.filesDir()}`, `Open ${running.url}`];
  if (isWildcard(host)) lines.push(`From another machine: http://${hostname()}:${running.port}/?token=${running.token}`);
  lines.push('Press Ctrl-C to stop.');
  io.stdout.write(`${lines.join('\n')}\n`);

  const signal = await stop();
  io.stderr.write(`telltale serve: ${signal}, stopping (running imports are cancelled; what they read stays in the case)\n`);
  await running.close();
  return EXIT_OK;
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'serve the app and its API to a web browser (127.0.0.1 by default)',
  help: HELP,
  run: (args, io) => runServe(args, io),
};
