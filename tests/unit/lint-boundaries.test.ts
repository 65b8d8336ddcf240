/**
 * The runtime boundaries of eslint.config.js, exercised through ESLint's Node API on
 * in-memory snippets placed (by file path) in each folder: each forbidden import must
 * be reported, and the imports each folder legitimately needs must not be.
 */
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const BOUNDARY_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax']);

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: repoRoot });
});

/** Boundary violations ESLint reports for `code` as if it were the file at `filePath`. */
async function boundaryViolations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  if (result === undefined) throw new Error('ESLint returned no result');
  const fatal = result.messages.filter((m) => m.fatal === true);
  if (fatal.length > 0) throw new Error(`parse error in snippet: ${fatal[0]?.message}`);
  return result.messages.filter((m) => m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId)).map((m) => m.message);
}

const cases: Array<{ folder: string; file: string; forbidden: string[]; allowed: string[] }> = [
  {
    folder: 'electron/engine',
    file: 'electron/engine/capture/snippet.ts',
    forbidden: [
      "import { app } from 'electron';",
      "import type { WebContents } from 'electron';",
      "export { ipcMain } from 'electron';",
      "import { ipcRenderer } from 'electron/renderer';",
      "import { bindIpc } from '../../main/ipc.ts';",
      "import { App } from '../../../renderer/src/app/App.tsx';",
      "const e = await import('electron'); void e;",
      "const e = require('electron'); void e;",
    ],
    allowed: [
      "import { readFile } from 'node:fs/promises'; void readFile;",
      "import type { RecordSink } from '../records.ts'; export type S = RecordSink;",
      "import type { ApiMethods } from '../../../shared/api.ts'; export type M = ApiMethods;",
    ],
  },
  {
    folder: 'shared',
    file: 'shared/snippet.ts',
    forbidden: [
      "import { readFileSync } from 'node:fs';",
      "import { join } from 'path';",
      "import { createHash } from 'crypto';",
      "import { readFile } from 'fs/promises';",
      "import { app } from 'electron';",
      "import type { DnsRecord } from '../electron/engine/records.ts';",
      "import { bindIpc } from '../electron/main/ipc.ts';",
      "import { App } from '../renderer/src/app/App.tsx';",
      "const fs = await import('node:fs'); void fs;",
    ],
    allowed: [
      "import { z } from 'zod'; export const s = z.string();",
      "import type { ApiMethods } from './api.ts'; export type M = ApiMethods;",
      "import type { ElectronThing } from './electron-free-name.ts'; export type E = ElectronThing;",
    ],
  },
  {
    folder: 'renderer',
    file: 'renderer/src/features/snippet.tsx',
    forbidden: [
      "import { readFileSync } from 'node:fs';",
      "import { EventEmitter } from 'events';",
      "import { ipcRenderer } from 'electron';",
      "import type { DnsRecord } from '../../../electron/engine/records.ts';",
      "import { importFile } from '../../../electron/engine/import/import-file.ts';",
      "const m = await import('../../../electron/engine/records.ts'); void m;",
    ],
    allowed: [
      "import { useState } from 'react'; export const u = useState;",
      "import type { DnsRow } from '../../../shared/model.ts'; export type R = DnsRow;",
      "import { detectClient } from '../lib/api-client.ts'; export const c = detectClient;",
    ],
  },
  {
    folder: 'electron/preload',
    file: 'electron/preload/snippet.ts',
    forbidden: [
      "import { readFileSync } from 'node:fs';",
      "import { join } from 'path';",
      "import { importFile } from '../engine/import/import-file.ts';",
    ],
    allowed: [
      "import { contextBridge } from 'electron'; export const b = contextBridge;",
      "import { API_METHODS } from '../../shared/channels.ts'; export const m = API_METHODS;",
    ],
  },
];

describe('runtime boundaries in eslint.config.js', () => {
  for (const { folder, file, forbidden, allowed } of cases) {
    describe(folder, () => {
      it.each(forbidden)('reports %s', async (code) => {
        expect(await boundaryViolations(file, code)).not.toEqual([]);
      });
      it.each(allowed)('accepts %s', async (code) => {
        expect(await boundaryViolations(file, code)).toEqual([]);
      });
    });
  }

  it('leaves the main process free to use Electron and Node', async () => {
    const code = "import { app } from 'electron';\nimport { join } from 'node:path';\nexport const x = [app, join];";
    expect(await boundaryViolations('electron/main/snippet.ts', code)).toEqual([]);
  });
});
