/**
 * The last step of every report PDF, whichever Chromium printed it: attach the
 * evidence manifest (/EmbeddedFiles, and /AF with relationship Data so archival
 * readers know what it is) and set the document information (title, subject,
 * keywords, author, creator). The printer's bytes are kept as they are and the changes
 * appended as an incremental update, so the tagged structure and the outline Chromium
 * wrote are not re-serialised.
 */
import { AFRelationship, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRef, PDFString } from '@cantoo/pdf-lib';

export interface PdfFinish {
  manifest: { name: string; bytes: Uint8Array; description: string };
  title: string;
  subject: string;
  keywords: string[];
  /** Investigator (and organisation); null leaves Author unset. */
  author: string | null;
  /** "telltale 0.1.0". */
  creator: string;
  /** Producer line, e.g. "telltale 0.1.0 via Chromium 156.0.8078.79". */
  producer: string;
  /** Time the report was generated (document dates and the attachment's dates). */
  date: Date;
}

/** The printed PDF with the manifest attached and its metadata set. */
export async function finishPdf(printed: Uint8Array, f: PdfFinish): Promise<Uint8Array> {
  const doc = await PDFDocument.load(printed, { forIncrementalUpdate: true, updateMetadata: false });
  doc.setTitle(f.title, { showInWindowTitleBar: true });
  doc.setSubject(f.subject);
  doc.setKeywords(f.keywords);
  if (f.author !== null) doc.setAuthor(f.author);
  doc.setCreator(f.creator);
  doc.setProducer(f.producer);
  doc.setModificationDate(f.date);
  await doc.attach(f.manifest.bytes, f.manifest.name, {
    mimeType: 'application/json',
    description: f.manifest.description,
    creationDate: f.date,
    modificationDate: f.date,
    afRelationship: AFRelationship.Data,
  });
  return doc.commit();
}

/** The attachments of a PDF by name (for checks and tests). */
export async function pdfAttachments(pdf: Uint8Array): Promise<Map<string, Uint8Array>> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const out = new Map<string, Uint8Array>();
  for (const a of doc.getAttachments()) out.set(a.name, a.data);
  return out;
}

/**
 * Titles of a PDF's outline (bookmarks) with the 1-based page each points to; the first
 * entry wins when two share a title. Chromium writes explicit destinations
 * ([page /XYZ x y z]); other forms are skipped.
 */
export async function outlinePages(pdf: Uint8Array): Promise<Map<string, number>> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const pageIndex = new Map<string, number>();
  doc.getPages().forEach((p, i) => pageIndex.set(p.ref.toString(), i + 1));
  const out = new Map<string, number>();
  const root = doc.catalog.lookupMaybe(PDFName.of('Outlines'), PDFDict);
  const seen = new Set<string>();
  const walk = (first: unknown): void => {
    let ref = first instanceof PDFRef ? first : undefined;
    while (ref !== undefined && !seen.has(ref.toString())) {
      seen.add(ref.toString());
      const item = doc.context.lookupMaybe(ref, PDFDict);
      if (item === undefined) return;
      const t = item.lookup(PDFName.of('Title'));
      const dest = item.lookup(PDFName.of('Dest'));
      if ((t instanceof PDFString || t instanceof PDFHexString) && dest instanceof PDFArray && dest.size() > 0) {
        const page = pageIndex.get(dest.get(0).toString());
        const title = t.decodeText().replace(/\s+/g, ' ').trim();
        if (page !== undefined && !out.has(title)) out.set(title, page);
      }
      walk(item.get(PDFName.of('First')));
      const next = item.get(PDFName.of('Next'));
      ref = next instanceof PDFRef ? next : undefined;
    }
  };
  if (root !== undefined) walk(root.get(PDFName.of('First')));
  return out;
}
