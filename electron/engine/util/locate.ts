/**
 * Find worker scripts and resource files both when the engine runs from source (Node 24
 * runs the .ts files directly: CLI, tests, web host) and when electron-vite has bundled
 * it into out/main/ (the desktop app), where module-relative paths no longer hold.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * URL of the worker `name` (without extension): `./<name>.ts` next to the calling
 * module (`base` = its import.meta.url) when running from source, else the bundled
 * `./<name>.js` that electron.config.ts emits next to out/main/index.js.
 */
export function workerUrl(name: string, base: string): URL {
  const source = new URL(`./${name}.ts`, base);
  if (existsSync(fileURLToPath(source))) return source;
  // The bundler may move the caller into out/main/chunks/: look beside it and one up.
  for (const rel of [`./${name}.js`, `../${name}.js`]) {
    const u = new URL(rel, base);
    if (existsSync(fileURLToPath(u))) return u;
  }
  return new URL(`./${name}.js`, base);
}

/**
 * Path of a file under the repository's `resources/` folder. `fromSource` is the path
 * relative to the calling module in the source tree; in the bundle (out/main/*.js or
 * out/main/chunks/*.js) the folder is two or three levels up.
 */
export function resourceUrl(relative: string, fromSource: string, base: string): URL {
  const source = new URL(fromSource, base);
  if (existsSync(fileURLToPath(source))) return source;
  for (const rel of [`../../resources/${relative}`, `../../../resources/${relative}`]) {
    const u = new URL(rel, base);
    if (existsSync(fileURLToPath(u))) return u;
  }
  return new URL(`../../resources/${relative}`, base);
}
