/**
 * Resolved colours of CSS custom properties, for the drawing surfaces that cannot use
 * var() themselves: a canvas, and recharts, which writes colours into SVG attributes.
 * Re-read when the theme attribute on <html> changes, so light and dark stay right.
 */
import { useEffect, useState } from 'react';

/** The theme attribute's current value; changes when the user switches theme. */
export function useThemeKey(): string {
  const [key, setKey] = useState(() => document.documentElement.dataset.theme ?? '');
  useEffect(() => {
    const root = document.documentElement;
    const observer = new MutationObserver(() => setKey(root.dataset.theme ?? ''));
    observer.observe(root, { attributes: true, attributeFilter: ['data-theme', 'class'] });
    // prefers-color-scheme also changes what 'system' resolves to.
    const query = window.matchMedia('(prefers-color-scheme: dark)');
    const onChange = (): void => setKey(`${root.dataset.theme ?? ''}:${query.matches ? 'd' : 'l'}`);
    query.addEventListener('change', onChange);
    return () => {
      observer.disconnect();
      query.removeEventListener('change', onChange);
    };
  }, []);
  return key;
}

/** The values of the given custom properties on the document root, each with a fallback for when it is not defined. */
export function useCssColors<K extends string>(properties: Readonly<Record<K, [name: string, fallback: string]>>): Record<K, string> {
  const themeKey = useThemeKey();
  const json = JSON.stringify(properties);
  const [colors, setColors] = useState<Record<K, string>>(() => readColors(properties));
  useEffect(() => {
    setColors(readColors(JSON.parse(json) as Record<K, [string, string]>));
  }, [json, themeKey]);
  return colors;
}

function readColors<K extends string>(properties: Readonly<Record<K, [string, string]>>): Record<K, string> {
  const style = getComputedStyle(document.documentElement);
  const out = {} as Record<K, string>;
  for (const key of Object.keys(properties) as K[]) {
    const [name, fallback] = properties[key];
    const value = style.getPropertyValue(name).trim();
    out[key] = value === '' ? fallback : value;
  }
  return out;
}
