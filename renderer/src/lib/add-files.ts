/**
 * Hands files the investigator dropped or picked to the engine, whichever shell runs
 * the page: the desktop app imports them in place by path (originals are never
 * copied or changed); a browser cannot know paths, so it uploads them to the web
 * host, which stores and hashes them in the case folder and imports them there.
 */
import type { ApiClient, UploadProgress } from './api-client.ts';

export type { UploadProgress };

export interface AddFilesResult {
  importId: string;
  /** How the files reached the engine. */
  via: 'paths' | 'upload';
}

/** Whether this shell can receive dropped files at all. */
export function canAddFiles(client: ApiClient): boolean {
  return client.transport === 'electron' || client.upload !== undefined;
}

/**
 * Start importing `files` into the open case, creating a case first when none is
 * open. Throws an Error whose message is fit to show.
 */
export async function addFiles(
  client: ApiClient,
  files: File[],
  options: { hasCase: boolean; onUploadProgress?: (p: UploadProgress) => void },
): Promise<AddFilesResult> {
  if (files.length === 0) throw new Error('No files were dropped.');
  const paths = files.map((f) => client.pathForFile(f));
  const allPaths = paths.every((p): p is string => p !== null);

  if (!allPaths && client.upload === undefined) {
    const missing = files.filter((_, i) => paths[i] === null).map((f) => f.name);
    throw new Error(`The desktop app could not tell where ${missing.join(', ')} is stored; drop files from a local folder.`);
  }
  if (!options.hasCase) await client.call('case.create', {});
  if (allPaths) {
    const { importId } = await client.call('import.start', { paths });
    return { importId, via: 'paths' };
  }

  if (client.upload === undefined) throw new Error('This window cannot upload files.');
  const result = await client.upload(files, options.onUploadProgress);
  return { importId: result.importId, via: 'upload' };
}
