/**
 * The report page bundle (renderer/report.html and its scripts) that the Chromium
 * printer loads. A release has it in out/renderer/ (`npm run build`). A working tree
 * may not, or may hold one older than the report sources: then it is built with Vite
 * into out/report-page/, once, and reused while the sources do not change.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');
const PAGE = 'report.html';

/** Files whose change makes a built report page stale. */
const SOURCES = ['renderer/report.html', 'renderer/src/features/report', 'renderer/src/features/map/world.ts', 'renderer/src/features/map/country-codes.ts', 'shared/report.ts'];

function newestMtime(path: string): number {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of readdirSync(path)) max = Math.max(max, newestMtime(join(path, name)));
  return max;
}

function sourcesMtime(): number {
  return Math.max(...SOURCES.map((s) => newestMtime(join(ROOT, s))));
}

/** True when `dir` holds a report page at least as new as the sources (or the sources are not here: a release). */
function fresh(dir: string): boolean {
  const page = join(dir, PAGE);
  if (!existsSync(page)) return false;
  const src = sourcesMtime();
  return src === 0 || statSync(page).mtimeMs >= src;
}

/** Build the report page with Vite into `outDir` (replacing what is there); resolves with `outDir`. */
export async function buildReportBundle(outDir: string): Promise<string> {
  // Vite and the React plugin are build tools: loaded only when a bundle has to be made.
  const { build } = await import('vite');
  const { default: react } = await import('@vitejs/plugin-react');
  await build({
    root: join(ROOT, 'renderer'),
    base: './',
    configFile: false,
    logLevel: 'error',
    plugins: [react()],
    build: {
      outDir,
      emptyOutDir: true,
      reportCompressedSize: false,
      rolldownOptions: { input: { report: join(ROOT, 'renderer', PAGE) } },
    },
  });
  return outDir;
}

/**
 * The folder holding report.html: `TELLTALE_REPORT_BUNDLE` when set, else the app's
 * build when it is current, else a build made now into out/report-page/.
 */
export async function reportBundleDir(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env.TELLTALE_REPORT_BUNDLE;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!existsSync(join(fromEnv, PAGE))) throw new Error(`TELLTALE_REPORT_BUNDLE=${fromEnv} has no ${PAGE}`);
    return fromEnv;
  }
  const app = join(ROOT, 'out', 'renderer');
  if (fresh(app)) return app;
  const own = join(ROOT, 'out', 'report-page');
  if (fresh(own)) return own;
  return buildReportBundle(own);
}

export const REPORT_PAGE = PAGE;
