/** Schema migrations of a case database: apply pending ones, refuse cases whose history differs from the code's. */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations/index.ts';

/** Thrown when a case's recorded migrations do not match this build (edited, unknown or newer). */
export class CaseSchemaError extends Error {
  override name = 'CaseSchemaError';
}

/** SHA-256 (hex) of a migration's exact SQL text: what schema_migrations records. */
export function migrationHash(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

interface AppliedRow {
  version: number;
  name: string;
  sha256: string;
}

const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  sha256     TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT`;

function ledgerExists(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined;
}

/** Migrations recorded in the case, in order (empty for a fresh database). */
export function appliedMigrations(db: Database.Database): AppliedRow[] {
  if (!ledgerExists(db)) return [];
  return db.prepare('SELECT version, name, sha256 FROM schema_migrations ORDER BY version').all() as AppliedRow[];
}

/**
 * Compare the case's migration ledger with the code's. Returns the migrations still
 * to apply; throws CaseSchemaError if any applied one differs or is unknown.
 */
export function pendingMigrations(db: Database.Database, where: string, migrations: readonly Migration[] = MIGRATIONS): Migration[] {
  const applied = appliedMigrations(db);
  for (const row of applied) {
    const code = migrations.find((m) => m.version === row.version);
    if (!code) {
      throw new CaseSchemaError(
        `${where}: the case was written by a newer Telltale (it has schema migration ${row.version} "${row.name}", this build knows up to ${migrations.length}); upgrade Telltale to open it`,
      );
    }
    const expected = migrationHash(code.sql);
    if (row.sha256 !== expected) {
      throw new CaseSchemaError(
        `${where}: schema migration ${row.version} "${row.name}" recorded in the case has SHA-256 ${row.sha256}, but this build's migration has ${expected}; the case was written by a different build of Telltale and is not opened to avoid misreading it`,
      );
    }
  }
  const done = new Set(applied.map((r) => r.version));
  return migrations.filter((m) => !done.has(m.version));
}

/**
 * Apply pending migrations up to `upTo` (default: all), each in its own transaction,
 * recording version, name, SHA-256 and time. Returns the versions applied.
 */
export function migrate(db: Database.Database, where: string, upTo = Infinity, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const pending = pendingMigrations(db, where, migrations).filter((m) => m.version <= upTo);
  const appliedNow: number[] = [];
  for (const m of pending) {
    db.transaction(() => {
      db.exec(CREATE_LEDGER);
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES (?, ?, ?, ?)')
        .run(m.version, m.name, migrationHash(m.sql), new Date().toISOString());
      db.pragma(`user_version = ${m.version}`);
    })();
    appliedNow.push(m.version);
  }
  return appliedNow;
}
