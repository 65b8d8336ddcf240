/**
 * electron-vite build of the three Electron bundles into out/: main (ESM, Node), the
 * preload (CommonJS, because sandboxed preloads cannot be ES modules) and the renderer.
 * Run as `electron-vite build -c electron.config.ts`; building needs no Electron binary.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { contentSecurityPolicy } from './shared/csp.ts';

const root = import.meta.dirname;

/**
 * Native and large Node packages the main process loads from node_modules at run time
 * instead of bundling. electron-vite only externalizes `dependencies` by itself, and
 * this project keeps everything in devDependencies.
 */
const MAIN_EXTERNAL = ['better-sqlite3'];

/** During `electron-vite dev`, relax the <meta> CSP for what Vite's dev server injects. */
function devCsp(): Plugin {
  const production = contentSecurityPolicy('production');
  return {
    name: 'telltale:dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace(production, contentSecurityPolicy('development'));
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      externalizeDeps: { include: MAIN_EXTERNAL },
      rolldownOptions: {
        // The engine's worker threads are separate entries so they land next to
        // index.js, where util/locate.ts workerUrl() finds them in the bundle.
        input: {
          index: resolve(root, 'electron/main/index.ts'),
          'import-worker': resolve(root, 'electron/engine/import/import-worker.ts'),
          'analysis-worker': resolve(root, 'electron/engine/api/analysis-worker.ts'),
          'dissect-worker': resolve(root, 'electron/engine/import/dissect-worker.ts'),
          'hash-worker': resolve(root, 'electron/engine/import/hash-worker.ts'),
          'checkpoint-worker': resolve(root, 'electron/engine/store/checkpoint-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // A sandboxed preload can require only 'electron': everything else is bundled.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react(), devCsp()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: {
        input: { index: resolve(root, 'renderer/index.html'), report: resolve(root, 'renderer/report.html') },
      },
    },
  },
});
