/**
 * What every printer of the report shares: paper, margins, and the running header and
 * footer Chromium draws in the margins (Playwright's page.pdf and Electron's
 * printToPDF take the same templates). Templates are rendered apart from the page, so
 * they carry their own font and size; `pageNumber` and `totalPages` are filled in by
 * Chromium.
 */

/** Page margins in millimetres: room for the header and the footer. */
export const MARGINS_MM = { top: 20, bottom: 18, left: 16, right: 16 } as const;

const FONT = "font-family:'Liberation Sans','DejaVu Sans',Arial,sans-serif;font-size:7.5pt;color:#5a6470;";

/** Escape text for an HTML template. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The running header: case title left, what the document is right. */
export function headerTemplate(title: string): string {
  const t = title.length > 90 ? `${title.slice(0, 89)}…` : title;
  return `<div style="${FONT}width:100%;margin:0 ${MARGINS_MM.left}mm;display:flex;justify-content:space-between;border-bottom:0.4pt solid #c9d0d8;padding-bottom:1.5mm;"><span>${escapeHtml(t)}</span><span>Telltale evidence report</span></div>`;
}

/** The footer: page X of Y, and the start of the manifest hash that ties every page to the evidence. */
export function footerTemplate(manifestSha256: string): string {
  return `<div style="${FONT}width:100%;margin:0 ${MARGINS_MM.left}mm;display:flex;justify-content:space-between;"><span>Evidence manifest SHA-256 ${escapeHtml(manifestSha256.slice(0, 16))}…</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`;
}

/** Expression (evaluated in the report page) giving the table of contents' heading texts as a JSON array. */
export const TOC_HEADINGS_SCRIPT = "JSON.stringify(Array.from(document.querySelectorAll('[data-toc-page]'), (e) => e.getAttribute('data-toc-page')))";

/**
 * Expression that writes page numbers into the table of contents. Chromium cannot
 * number a table of contents by itself, so the report is printed once, the pages of
 * the headings are read from that print's outline, and the numbers filled in before
 * the final print; they sit in a fixed-width slot, so the layout does not move.
 */
export function setTocPagesScript(pages: Readonly<Record<string, number>>): string {
  return `(() => { const p = ${JSON.stringify(pages)}; let n = 0; for (const e of document.querySelectorAll('[data-toc-page]')) { const v = p[e.getAttribute('data-toc-page')]; if (v !== undefined) { e.textContent = String(v); n++; } } return n; })()`;
}

/** Page numbers of the table of contents' headings, from the outline pages of a first print. */
export function tocPages(headings: readonly string[], outline: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of headings) {
    const page = outline.get(h.replace(/\s+/g, ' ').trim());
    if (page !== undefined) out[h] = page;
  }
  return out;
}
