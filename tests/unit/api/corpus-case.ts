/**
 * A case filled by really importing corpus captures through CaseEngine (worker thread
 * and all), plus their tshark truth sidecars, for the API query tests.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiEventPayload } from '../../../shared/api.ts';
import { CaseEngine } from '../../../electron/engine/api/case-engine.ts';

export const CORPUS = join(import.meta.dirname, '../../fixtures/corpus');

export interface Truth {
  packet_count: number;
  capinfos: Record<string, string>;
  tcp_conversations: number;
  size_bytes: number;
  first_timestamp_epoch: string;
  last_timestamp_epoch: string;
  min_timestamp_epoch: string;
  max_timestamp_epoch: string;
  tls_sni: string[];
  tls_clienthello_count: number;
  dns_message_count: number;
  dns_query_names: string[];
  dns_messages: Array<{ frame: number; response: boolean; qry_name: string[] }>;
  http_request_count: number;
  http_requests: Array<{ frame: number; method: string; host: string; uri: string; version: string }>;
}

/** The tshark truth of a corpus file. */
export function truth(file: string): Truth {
  return JSON.parse(readFileSync(join(CORPUS, `${file}.truth.json`), 'utf8')) as Truth;
}

/** "1398362902.697485000" → ISO with `digits` fractional digits, by string arithmetic only. */
export function isoFromEpochText(epoch: string, digits: number): string {
  const [sec, frac = ''] = epoch.split('.');
  const base = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
  return `${base}.${frac.padEnd(9, '0').slice(0, digits)}Z`;
}

export interface CorpusCase {
  engine: CaseEngine;
  dir: string;
  events: Array<{ event: string; payload: unknown }>;
  /** inputs.id of each imported file, by file name. */
  inputOf: Map<string, number>;
  cleanup(): Promise<void>;
}

/** A new case in a temp folder with `files` imported; resolves when the import is over. */
export async function corpusCase(files: string[]): Promise<CorpusCase> {
  const dir = mkdtempSync(join(tmpdir(), 'telltale-api-'));
  const events: CorpusCase['events'] = [];
  const engine = new CaseEngine({ emit: (event, payload) => events.push({ event, payload }), casesDir: dir });
  engine.createCase(null);
  engine.startImport(files.map((f) => ({ path: join(CORPUS, f) })));
  await engine.importsIdle();
  const inputOf = new Map<string, number>();
  for (const input of engine.caseInfo().inputs) inputOf.set(input.fileName, input.id);
  return {
    engine,
    dir,
    events,
    inputOf,
    async cleanup() {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The last import.progress event of an import. */
export function lastProgress(events: CorpusCase['events'], importId?: string): ApiEventPayload<'import.progress'> | undefined {
  const progress = events
    .filter((e) => e.event === 'import.progress')
    .map((e) => e.payload as ApiEventPayload<'import.progress'>)
    .filter((p) => importId === undefined || p.importId === importId);
  return progress[progress.length - 1];
}
