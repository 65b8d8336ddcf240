/**
 * The renderer's Content-Security-Policy. The same page runs in Electron and behind
 * the web host and shows data taken from untrusted captures, so it may load nothing
 * but its own bundle: no remote origin, no inline script, no eval, no frames, no
 * plugins, no form posts. `renderer/index.html` carries the production policy in a
 * <meta> (a unit test keeps the two equal); the shells also send it as a header.
 */

export type CspMode = 'production' | 'development';

const PRODUCTION: ReadonlyArray<[directive: string, sources: string[]]> = [
  ['default-src', ["'none'"]],
  ['script-src', ["'self'"]],
  ['style-src', ["'self'"]],
  // Vite inlines small images and fonts as data: URLs.
  ['img-src', ["'self'", 'data:']],
  ['font-src', ["'self'", 'data:']],
  ['connect-src', ["'self'"]],
  ['worker-src', ["'self'"]],
  ['object-src', ["'none'"]],
  ['frame-src', ["'none'"]],
  ['base-uri', ["'none'"]],
  ['form-action', ["'none'"]],
];

/**
 * Vite's dev server injects CSS as <style> elements, an inline React refresh
 * preamble and a hot-reload websocket; none of that exists in a built renderer.
 */
const DEVELOPMENT_EXTRA: Readonly<Record<string, string[]>> = {
  'script-src': ["'unsafe-inline'"],
  'style-src': ["'unsafe-inline'"],
  'connect-src': ['ws://localhost:*', 'ws://127.0.0.1:*'],
};

/** The policy as one header value. */
export function contentSecurityPolicy(mode: CspMode = 'production'): string {
  return PRODUCTION.map(([directive, sources]) => {
    const extra = mode === 'development' ? (DEVELOPMENT_EXTRA[directive] ?? []) : [];
    return `${directive} ${[...sources, ...extra].join(' ')}`;
  }).join('; ');
}
