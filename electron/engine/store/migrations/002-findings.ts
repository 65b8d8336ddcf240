/**
 * Migration 2: findings. Inputs to the analysis that the investigator sets (mode labels,
 * watch list) and what the analysis derives from the records (destinations,
 * identifiers and their observations, devices, accounts and their links, visited pages,
 * leaks), plus a log of analysis runs with the enrichment databases they used.
 * Derived tables are emptied and rebuilt by every run (electron/engine/findings);
 * mode_labels, watch_values and analysis_runs are kept. Released migrations are
 * immutable: change the schema with a new numbered migration.
 */
export const name = 'findings';

export const sql = `
CREATE TABLE mode_labels (
  id         INTEGER PRIMARY KEY,
  mode       TEXT NOT NULL CHECK (mode IN ('incognito', 'normal')),
  input_id   INTEGER REFERENCES inputs(id) ON DELETE CASCADE,
  input_ref  TEXT,
  start_ns   INTEGER,
  end_ns     INTEGER,
  created_at TEXT NOT NULL,
  CHECK ((input_id IS NOT NULL OR input_ref IS NOT NULL) <> (start_ns IS NOT NULL AND end_ns IS NOT NULL)),
  CHECK (start_ns IS NULL OR end_ns >= start_ns)
) STRICT;

CREATE TABLE watch_values (
  id       INTEGER PRIMARY KEY,
  value    TEXT NOT NULL,
  kind     TEXT NOT NULL CHECK (kind IN ('url', 'email', 'phone', 'word')),
  source   TEXT,
  added_at TEXT NOT NULL
) STRICT;

CREATE TABLE analysis_runs (
  id          INTEGER PRIMARY KEY,
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
  tool        TEXT NOT NULL,
  duration_ms INTEGER,
  databases   TEXT NOT NULL DEFAULT '[]',
  options     TEXT NOT NULL DEFAULT '{}',
  counts      TEXT NOT NULL DEFAULT '{}',
  comparison  TEXT NOT NULL DEFAULT '{}',
  error       TEXT
) STRICT;

CREATE TABLE destinations (
  id               INTEGER PRIMARY KEY,
  key              TEXT NOT NULL UNIQUE,
  ip               TEXT,
  host             TEXT,
  names            TEXT NOT NULL DEFAULT '[]',
  scope            TEXT,
  country          TEXT,
  whois_country    TEXT,
  asn              INTEGER,
  org              TEXT,
  domain           TEXT,
  category         TEXT,
  operator         TEXT,
  operator_country TEXT,
  flows            INTEGER NOT NULL DEFAULT 0,
  requests         INTEGER NOT NULL DEFAULT 0,
  bytes_out        INTEGER NOT NULL DEFAULT 0,
  bytes_in         INTEGER NOT NULL DEFAULT 0,
  leaks            INTEGER NOT NULL DEFAULT 0,
  identifiers      INTEGER NOT NULL DEFAULT 0,
  first_ts_ns      INTEGER,
  last_ts_ns       INTEGER
) STRICT;
CREATE INDEX destinations_ip ON destinations(ip);

CREATE TABLE identifiers (
  id           INTEGER PRIMARY KEY,
  value        TEXT NOT NULL UNIQUE,
  kind         TEXT NOT NULL,
  kinds        TEXT NOT NULL DEFAULT '[]',
  scope        TEXT NOT NULL CHECK (scope IN ('device', 'account', 'other')),
  basis        TEXT NOT NULL CHECK (basis IN ('key', 'shape', 'value')),
  keys         TEXT NOT NULL DEFAULT '[]',
  observations INTEGER NOT NULL,
  requests     INTEGER NOT NULL,
  first_ts_ns  INTEGER NOT NULL,
  last_ts_ns   INTEGER NOT NULL,
  inputs       TEXT NOT NULL DEFAULT '[]',
  modes        TEXT NOT NULL DEFAULT '[]',
  sessions     INTEGER NOT NULL,
  destinations TEXT NOT NULL DEFAULT '[]',
  persistent   INTEGER NOT NULL CHECK (persistent IN (0, 1)),
  persistence  TEXT NOT NULL DEFAULT '[]'
) STRICT;

CREATE TABLE identifier_observations (
  id            INTEGER PRIMARY KEY,
  identifier_id INTEGER NOT NULL REFERENCES identifiers(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  http_id       INTEGER NOT NULL REFERENCES http(id) ON DELETE CASCADE,
  input_id      INTEGER NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
  frame         INTEGER,
  entry         INTEGER,
  ts_ns         INTEGER NOT NULL,
  key           TEXT,
  chain         TEXT NOT NULL,
  location      TEXT NOT NULL CHECK (location IN ('query', 'body', 'header', 'cookie')),
  dest_host     TEXT,
  dest_ip       TEXT,
  mode          TEXT NOT NULL,
  endpoint      TEXT NOT NULL,
  occurrences   INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX identifier_observations_identifier ON identifier_observations(identifier_id, ts_ns);
CREATE INDEX identifier_observations_http ON identifier_observations(http_id);

CREATE TABLE devices (
  id          INTEGER PRIMARY KEY,
  key         TEXT NOT NULL UNIQUE,
  label       TEXT NOT NULL,
  macs        TEXT NOT NULL DEFAULT '[]',
  ips         TEXT NOT NULL DEFAULT '[]',
  names       TEXT NOT NULL DEFAULT '[]',
  user_agents TEXT NOT NULL DEFAULT '[]',
  model       TEXT,
  os          TEXT,
  os_version  TEXT,
  browser     TEXT,
  form        TEXT,
  endpoints   TEXT NOT NULL DEFAULT '[]',
  first_ts_ns INTEGER,
  last_ts_ns  INTEGER,
  requests    INTEGER NOT NULL DEFAULT 0,
  flows       INTEGER NOT NULL DEFAULT 0,
  bytes_out   INTEGER NOT NULL DEFAULT 0,
  inputs      TEXT NOT NULL DEFAULT '[]',
  modes       TEXT NOT NULL DEFAULT '[]'
) STRICT;

CREATE TABLE device_identifiers (
  device_id     INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  identifier_id INTEGER NOT NULL REFERENCES identifiers(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  observations  INTEGER NOT NULL,
  PRIMARY KEY (device_id, identifier_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE accounts (
  id          INTEGER PRIMARY KEY,
  label       TEXT NOT NULL,
  first_ts_ns INTEGER,
  last_ts_ns  INTEGER,
  requests    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE account_identifiers (
  account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  identifier_id INTEGER NOT NULL REFERENCES identifiers(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (account_id, identifier_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE device_accounts (
  device_id   INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  requests    INTEGER NOT NULL,
  first_ts_ns INTEGER NOT NULL,
  last_ts_ns  INTEGER NOT NULL,
  PRIMARY KEY (device_id, account_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE device_account_evidence (
  id         INTEGER PRIMARY KEY,
  device_id  INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  http_id    INTEGER NOT NULL REFERENCES http(id) ON DELETE CASCADE,
  input_id   INTEGER NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
  frame      INTEGER,
  entry      INTEGER,
  ts_ns      INTEGER NOT NULL
) STRICT;
CREATE INDEX device_account_evidence_pair ON device_account_evidence(device_id, account_id, ts_ns);

CREATE TABLE pages (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('url', 'site')),
  value       TEXT NOT NULL,
  host        TEXT,
  domain      TEXT,
  mode        TEXT NOT NULL,
  source      TEXT NOT NULL,
  first_ts_ns INTEGER NOT NULL,
  input_id    INTEGER REFERENCES inputs(id) ON DELETE CASCADE,
  frame       INTEGER,
  entry       INTEGER,
  http_id     INTEGER REFERENCES http(id) ON DELETE CASCADE,
  covered     INTEGER NOT NULL DEFAULT 0 CHECK (covered IN (0, 1)),
  leaks       INTEGER NOT NULL DEFAULT 0,
  UNIQUE (kind, value, mode)
) STRICT;

CREATE TABLE leaks (
  id            INTEGER PRIMARY KEY,
  ts_ns         INTEGER NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('url', 'search', 'identifier', 'watch', 'visited-host', 'third-party-url')),
  value         TEXT NOT NULL,
  chain         TEXT NOT NULL,
  excerpt       TEXT,
  location      TEXT NOT NULL CHECK (location IN ('query', 'body', 'header', 'cookie')),
  header        TEXT,
  match         TEXT NOT NULL CHECK (match IN ('exact', 'contained')),
  other_chains  TEXT NOT NULL DEFAULT '[]',
  http_id       INTEGER NOT NULL REFERENCES http(id) ON DELETE CASCADE,
  input_id      INTEGER NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
  frame         INTEGER,
  entry         INTEGER,
  mode          TEXT NOT NULL,
  page          TEXT,
  page_domain   TEXT,
  dest_host     TEXT,
  dest_ip       TEXT,
  dest_domain   TEXT,
  country       TEXT,
  whois_country TEXT,
  asn           INTEGER,
  org           TEXT,
  category      TEXT,
  operator      TEXT,
  identifier_id INTEGER REFERENCES identifiers(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE INDEX leaks_time ON leaks(ts_ns);
CREATE INDEX leaks_mode ON leaks(mode, kind);
CREATE INDEX leaks_dest ON leaks(dest_host);
CREATE INDEX leaks_http ON leaks(http_id);
`;
