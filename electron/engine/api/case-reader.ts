/**
 * The read side the API queries share: the open store, the timestamp precision of
 * each input, and a result cache keyed by SQLite's data_version so repeated views of
 * an unchanged case (zooming back out, switching tabs) cost nothing. Whether the case's
 * view summaries may be used is decided once per version too.
 */
import type Database from 'better-sqlite3';
import type { CaseStore } from '../store/case-store.ts';
import { viewSummariesCurrent } from '../store/view-summaries.ts';
import type { DigitsOf } from './rows.ts';

const CACHE_ENTRIES = 64;

export class CaseReader {
  readonly store: CaseStore;
  readonly db: Database.Database;
  private readonly digits = new Map<number, number>();
  private readonly cache = new Map<string, unknown>();
  private cacheVersion = -1;
  private readonly derivedAt = new Map<string, number>();
  /** Bumped by writes through this connection, which data_version does not count. */
  private localWrites = 0;

  constructor(store: CaseStore) {
    this.store = store;
    this.db = store.db;
  }

  /** Fractional digits of an input's timestamps (6 when unknown). */
  readonly digitsOf: DigitsOf = (input) => {
    let d = this.digits.get(input);
    if (d === undefined) {
      this.loadDigits();
      d = this.digits.get(input) ?? 6;
    }
    return d;
  };

  /** The finest precision among the inputs, for values that span several. */
  caseDigits(): number {
    this.loadDigits();
    let max = 0;
    for (const d of this.digits.values()) max = Math.max(max, d);
    return max === 0 ? 6 : max;
  }

  private loadDigits(): void {
    const rows = this.db.prepare('SELECT id, ts_digits FROM inputs WHERE ts_digits IS NOT NULL').all() as Array<{ id: number; ts_digits: number }>;
    for (const r of rows) this.digits.set(r.id, r.ts_digits);
  }

  /** Tell the cache that this connection wrote (labels, findings). */
  noteWrite(): void {
    this.localWrites++;
  }

  /** Counter that changes whenever any connection commits to the case. */
  version(): number {
    return (this.db.pragma('data_version', { simple: true }) as number) * 1_000_000 + this.localWrites;
  }

  private sync(): void {
    const v = this.version();
    if (v !== this.cacheVersion) {
      this.cache.clear();
      this.cacheVersion = v;
    }
  }

  /** `compute()` once per case version and key. */
  cached<T>(key: string, compute: () => T): T {
    this.sync();
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const value = compute();
    if (this.cache.size >= CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, value);
    return value;
  }

  /** What `cached(key, …)` holds for this case version, if anything. */
  peek<T>(key: string): T | undefined {
    this.sync();
    return this.cache.get(key) as T | undefined;
  }

  /** True when the case's view summaries were built from exactly the records it holds now. */
  summariesCurrent(): boolean {
    return this.cached('view-summaries-current', () => viewSummariesCurrent(this.db));
  }

  /** Run `build` unless it already ran for this case version (for derived TEMP tables). */
  derived(key: string, build: () => void): void {
    const v = this.version();
    if (this.derivedAt.get(key) === v) return;
    build();
    // Building a TEMP table does not change the case, so the version read before still holds.
    this.derivedAt.set(key, v);
  }

  /** True when the case has a table of that name (findings tables arrive with a later migration). */
  hasTable(name: string): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) !== undefined;
  }
}
