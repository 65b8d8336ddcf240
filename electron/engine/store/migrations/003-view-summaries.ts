/**
 * Migration 3: what the first views of a case need without reading every record.
 * A covering index lets the views' passes over HTTP exchanges skip the bodies stored
 * in the rows (on a 1 GB capture the http table is 80 % of the file). The summary
 * tables are derived from the records by every findings analysis run, in its
 * transaction (electron/engine/store/view-summaries.ts); view_summaries holds the stamp
 * of the records they were built from, and a reader uses them only while the case
 * still has that stamp. Released migrations are immutable: change the schema with a
 * new numbered migration.
 */
export const name = 'view-summaries';

/**
 * The covering index, also used by CaseStore: maintaining it row by row cost the thread
 * that owns the case about 0.7 s of CPU per GB of real web traffic, so an import drops
 * it and builds it again at its end (about 0.2 s for that case), and a case opened for
 * writing rebuilds it if an interrupted import left it missing.
 */
export const HTTP_VIEW_INDEX = `CREATE INDEX IF NOT EXISTS http_view ON http(ts_ns, input_id, src_ip, dst_ip, source, host,
  request_body_size, response_body_size, response_ts_ns)`;

export const sql = `
${HTTP_VIEW_INDEX};

CREATE TABLE view_summaries (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  stamp       TEXT NOT NULL,
  built_at    TEXT NOT NULL,
  duration_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE summary_hosts (
  ip          TEXT NOT NULL,
  input_id    INTEGER NOT NULL,
  flows       INTEGER NOT NULL,
  requests    INTEGER NOT NULL,
  packets     INTEGER NOT NULL,
  bytes_up    INTEGER NOT NULL,
  bytes_down  INTEGER NOT NULL,
  first_ts_ns INTEGER NOT NULL,
  last_ts_ns  INTEGER NOT NULL,
  PRIMARY KEY (ip, input_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE summary_names (
  name        TEXT PRIMARY KEY,
  http        INTEGER NOT NULL,
  tls         INTEGER NOT NULL,
  dns         INTEGER NOT NULL,
  first_ts_ns INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE summary_protocols (
  app     TEXT PRIMARY KEY,
  flows   INTEGER NOT NULL,
  packets INTEGER NOT NULL,
  bytes   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE summary_client_macs (
  ip  TEXT PRIMARY KEY,
  mac TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE timeline_keys (
  id  INTEGER PRIMARY KEY,
  key TEXT NOT NULL
) STRICT;

CREATE TABLE timeline_chunks (
  id     INTEGER PRIMARY KEY,
  events INTEGER NOT NULL CHECK (events > 0),
  data   BLOB NOT NULL
) STRICT;
`;
