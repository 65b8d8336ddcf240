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

/**
 * The values of the given custom properties on an element (the document root by
 * default), each with a fallback for when the property is not defined.
 */
export function useCssColors<K extends string>(properties: Readonly<Record<K, [name: string, fallback: string]>>, element?: HTMLElement | null): Record<K, string> {
  const themeKey = useThemeKey();
  const json = JSON.stringify(properties);
  const [colors, setColors] = useState<Record<K, string>>(() => readColors(properties, element ?? null));
  useEffect(() => {
    setColors(readColors(JSON.parse(json) as Record<K, [string, string]>, element ?? null));
  }, [json, themeKey, element]);
  return colors;
}

function readColors<K extends string>(properties: Readonly<Record<K, [string, string]>>, element: HTMLElement | null): Record<K, string> {
  const style = getComputedStyle(element ?? document.documentElement);
  const out = {} as Record<K, string>;
  for (const key of Object.keys(properties) as K[]) {
    const [name, fallback] = properties[key];
    const value = style.getPropertyValue(name).trim();
    out[key] = value === '' ? fallback : value;
  }
  return out;
}
