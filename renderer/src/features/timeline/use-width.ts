import { useLayoutEffect, useState } from 'react';

/**
 * Content width of an element in CSS pixels, following resizes (0 until the element
 * exists). Returns a callback ref, so an element that appears only after loading is
 * still measured.
 */
export function useWidth(): [ref: (el: HTMLElement | null) => void, width: number] {
  const [el, setEl] = useState<HTMLElement | null>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    if (el === null) return;
    setWidth(Math.floor(el.clientWidth));
    const observer = new ResizeObserver((entries) => {
      for (const entry of entries) setWidth(Math.floor(entry.contentRect.width));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [el]);
  return [setEl, width];
}
