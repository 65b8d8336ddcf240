/**
 * The built renderer, served read-only: a request path maps to a file inside the
 * renderer folder or to nothing. Decoded paths with `..`, backslashes, NUL or hidden
 * segments are refused, and the resolved real path must stay inside the folder, so a
 * symlink cannot lead out of it either.
 */
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** Content-Type for a file name (octet-stream when unknown, which nosniff keeps inert). */
export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export interface StaticFile {
  path: string;
  size: number;
  contentType: string;
  /** Vite's content-hashed assets never change under the same name. */
  immutable: boolean;
}

/** The renderer folder, or null when it has not been built. */
export function rendererRoot(dir: string): string | null {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return null;
  return realpathSync(dir);
}

/**
 * The file a URL path names inside `root`, or null (missing, outside, hidden, not a
 * regular file). The app routes in the URL's hash, so no other path needs index.html.
 */
export function resolveStatic(root: string, urlPath: string): StaticFile | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return null;
  const rel = segments.join('/');
  const candidate = rel === '' ? join(root, 'index.html') : resolve(root, rel);
  return regularFileInside(root, candidate);
}

function regularFileInside(root: string, path: string): StaticFile | null {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return null;
  }
  if (!real.startsWith(root + sep)) return null;
  const st = statSync(real, { throwIfNoEntry: false });
  if (st === undefined || !st.isFile()) return null;
  return {
    path: real,
    size: st.size,
    contentType: contentTypeFor(real),
    immutable: real.startsWith(join(root, 'assets') + sep),
  };
}

/** Stream a resolved file (headers other than type, length and caching are the caller's). */
export function sendFile(res: ServerResponse, file: StaticFile, headOnly: boolean): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', file.contentType);
  res.setHeader('Content-Length', file.size);
  res.setHeader('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (headOnly) {
    res.end();
    return;
  }
  const stream = createReadStream(file.path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
