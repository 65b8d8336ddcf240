#!/usr/bin/env node
// Launcher for the Telltale CLI. The CLI is TypeScript that Node runs natively
// (type stripping), which needs Node 24; this file must stay plain JavaScript so
// older Nodes can at least print why they cannot run it.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `telltale needs Node.js 24 or newer, but this is Node ${process.version}.\n` +
      'From the Telltale checkout, run it as "npx telltale ..." or "npm run cli -- ...":\n' +
      'both use the Node 24 pinned in node_modules.\n',
  );
  process.exit(1);
}
// Cache compiled code between runs (main thread and, through the environment, the
// import workers): it more than halves start-up, which dominates small imports.
// Default imports only: a named import of a function older Nodes lack would fail at
// link time, before the version check above could explain anything.
import nodeModule from 'node:module';
import path from 'node:path';
import os from 'node:os';
if (!process.env.NODE_COMPILE_CACHE) process.env.NODE_COMPILE_CACHE = path.join(os.tmpdir(), 'telltale-compile-cache');
nodeModule.enableCompileCache?.(process.env.NODE_COMPILE_CACHE);
const { runCli } = await import('../electron/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
