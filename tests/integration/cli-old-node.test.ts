/**
 * `bin/telltale.js` must explain itself on a Node older than 24 (the machine's own Node,
 * before `npx` picks the pinned one) instead of failing while loading. It runs where such
 * a Node is on the machine (CI's Debian Node 20) and says so where there is none.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'telltale.js');

function olderNode(): string | null {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    const r = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    if (r.status === 0 && Number(r.stdout.trim().split('.')[0]) < 24) return candidate;
  }
  return null;
}

describe('the CLI launcher on an older Node', () => {
  const node = olderNode();
  it.skipIf(node === null)('says which Node it needs and how to get it, exit code 1', () => {
    const r = spawnSync(node as string, [CLI, '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('telltale needs Node.js 24 or newer');
    expect(r.stderr).toContain('npx telltale');
  });
});
