/** The ordered list of case-schema migrations. Add a migration = one new numbered file + one line here. */
import * as m001 from './001-initial.ts';
import * as m002 from './002-findings.ts';
import * as m003 from './003-view-summaries.ts';
import * as m004 from './004-response-bodies.ts';

export interface Migration {
  /** 1, 2, 3 …: contiguous, applied in order. */
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: m001.name, sql: m001.sql },
  { version: 2, name: m002.name, sql: m002.sql },
  { version: 3, name: m003.name, sql: m003.sql },
  { version: 4, name: m004.name, sql: m004.sql },
];
