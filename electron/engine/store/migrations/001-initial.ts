/**
 * Migration 1: the first case schema. Released migrations are immutable: their
 * SHA-256 is recorded in every case, and a case whose recorded hash differs from
 * this text is refused. Change the schema with a new numbered migration instead.
 */
export const name = 'initial';

export const sql = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE inputs (
  id               INTEGER PRIMARY KEY,
  path             TEXT NOT NULL,
  file_name        TEXT NOT NULL,
  size             INTEGER,
  sha256           TEXT,
  format           TEXT CHECK (format IN ('pcap', 'pcapng', 'har')),
  gzip             INTEGER NOT NULL DEFAULT 0 CHECK (gzip IN (0, 1)),
  link_types       TEXT NOT NULL DEFAULT '[]',
  ts_digits        INTEGER,
  packets          INTEGER NOT NULL DEFAULT 0,
  entries          INTEGER NOT NULL DEFAULT 0,
  first_ts_ns      INTEGER,
  last_ts_ns       INTEGER,
  anomalies        INTEGER NOT NULL DEFAULT 0,
  commented_frames INTEGER NOT NULL DEFAULT 0,
  error            TEXT,
  producer         TEXT,
  status           TEXT NOT NULL DEFAULT 'importing'
                   CHECK (status IN ('importing', 'done', 'failed', 'cancelled')),
  added_at         TEXT NOT NULL,
  finished_at      TEXT
) STRICT;

CREATE TABLE custody_log (
  id        INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  action    TEXT NOT NULL,
  detail    TEXT NOT NULL DEFAULT '{}',
  tool      TEXT NOT NULL,
  host      TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
) STRICT;

CREATE TRIGGER custody_log_no_update BEFORE UPDATE ON custody_log
BEGIN
  SELECT RAISE(ABORT, 'custody_log is append-only');
END;

CREATE TRIGGER custody_log_no_delete BEFORE DELETE ON custody_log
BEGIN
  SELECT RAISE(ABORT, 'custody_log is append-only');
END;

CREATE TABLE flows (
  id          INTEGER PRIMARY KEY,
  input_id    INTEGER NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
  proto       TEXT NOT NULL CHECK (proto IN ('tcp', 'udp')),
  src_ip      TEXT NOT NULL,
  src_port    INTEGER NOT NULL,
  dst_ip      TEXT NOT NULL,
  dst_port    INTEGER NOT NULL,
  src_mac     TEXT,
  dst_mac     TEXT,
  first_frame INTEGER NOT NULL,
  first_ts_ns INTEGER NOT NULL,
  last_ts_ns  INTEGER NOT NULL,
  packets_up  INTEGER NOT NULL,
  packets_down INTEGER NOT NULL,
  bytes_up    INTEGER NOT NULL,
  bytes_down  INTEGER NOT NULL,
  app         TEXT,
  gap_bytes   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX flows_time ON flows(first_ts_ns);
CREATE INDEX flows_input_frame ON flows(input_id, first_frame);
CREATE INDEX flows_dst ON flows(dst_ip);

CREATE TABLE dns (
  id        INTEGER PRIMARY KEY,
  input_id  INTEGER NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
  frame     INTEGER,
  entry     INTEGER,
  ts_ns     INTEGER NOT NULL,
  src_ip    TEXT NOT NULL,
  src_port  INTEGER NOT NULL,
  dst_ip    TEXT NOT NULL,
  dst_port  INTEGER NOT NULL,
  transport TEXT NOT NULL,
  flavor    TEXT NOT NULL,
  txid      INTEGER NOT NULL,
  response  INTEGER NOT NULL CHECK (response IN (0, 1)),
  opcode    INTEGER NOT NULL,
  rcode     INTEGER,
  qname     TEXT NOT NULL,
  qtype     INTEGER NOT NULL,
  answers   TEXT NOT NULL DEFAULT '[]'
) STRICT;
CREATE INDEX dns_time ON dns(ts_ns);
CREATE INDEX dns_qname ON dns(qname);
CREATE INDEX dns_input_frame ON dns(input_id, frame);

CREATE TABLE tls (
  id             INTEGER PRIMARY KEY,
  input_id       INTEGER NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
  frame          INTEGER,
  entry          INTEGER,
  ts_ns          INTEGER NOT NULL,
  src_ip         TEXT NOT NULL,
  src_port       INTEGER NOT NULL,
  dst_ip         TEXT NOT NULL,
  dst_port       INTEGER NOT NULL,
  transport      TEXT NOT NULL CHECK (transport IN ('tcp', 'quic')),
  sni            TEXT,
  alpn           TEXT NOT NULL DEFAULT '[]',
  versions       TEXT NOT NULL DEFAULT '[]',
  legacy_version INTEGER NOT NULL,
  ciphers        TEXT NOT NULL DEFAULT '[]',
  extensions     TEXT NOT NULL DEFAULT '[]',
  ja4            TEXT,
  quic_version   INTEGER,
  server_version INTEGER,
  server_cipher  INTEGER,
  server_frame   INTEGER
) STRICT;
CREATE INDEX tls_time ON tls(ts_ns);
CREATE INDEX tls_sni ON tls(sni);
CREATE INDEX tls_input_frame ON tls(input_id, frame);

CREATE TABLE http (
  id                  INTEGER PRIMARY KEY,
  input_id            INTEGER NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
  frame               INTEGER,
  entry               INTEGER,
  ts_ns               INTEGER NOT NULL,
  src_ip              TEXT NOT NULL,
  src_port            INTEGER NOT NULL,
  dst_ip              TEXT NOT NULL,
  dst_port            INTEGER NOT NULL,
  source              TEXT NOT NULL CHECK (source IN ('tcp', 'har')),
  method              TEXT NOT NULL,
  host                TEXT,
  uri                 TEXT NOT NULL,
  version             TEXT NOT NULL,
  request_headers     TEXT NOT NULL DEFAULT '[]',
  request_body        BLOB,
  request_body_codec  TEXT CHECK (request_body_codec IN ('raw', 'br')),
  request_body_len    INTEGER NOT NULL DEFAULT 0,
  request_body_size   INTEGER NOT NULL DEFAULT 0,
  status              INTEGER,
  reason              TEXT,
  response_headers    TEXT,
  response_body       BLOB,
  response_body_codec TEXT CHECK (response_body_codec IN ('raw', 'br')),
  response_body_len   INTEGER NOT NULL DEFAULT 0,
  response_body_size  INTEGER NOT NULL DEFAULT 0,
  response_frame      INTEGER,
  response_ts_ns      INTEGER,
  truncated           INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1)),
  server_ip           TEXT
) STRICT;
CREATE INDEX http_time ON http(ts_ns);
CREATE INDEX http_host ON http(host);
CREATE INDEX http_input_frame ON http(input_id, frame);

CREATE TABLE names (
  id           INTEGER PRIMARY KEY,
  input_id     INTEGER NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
  frame        INTEGER,
  entry        INTEGER,
  ts_ns        INTEGER NOT NULL,
  ip           TEXT,
  mac          TEXT,
  name         TEXT NOT NULL,
  source       TEXT NOT NULL CHECK (source IN ('dhcp', 'mdns', 'nbns', 'nrb')),
  vendor_class TEXT
) STRICT;
CREATE INDEX names_time ON names(ts_ns);
CREATE INDEX names_ip ON names(ip);
CREATE INDEX names_input_frame ON names(input_id, frame);

CREATE TABLE hosts (
  id             INTEGER PRIMARY KEY,
  ip             TEXT NOT NULL,
  name           TEXT NOT NULL,
  source         TEXT NOT NULL
                 CHECK (source IN ('dns', 'sni', 'http', 'dhcp', 'mdns', 'nbns', 'nrb', 'har')),
  first_ts_ns    INTEGER NOT NULL,
  count          INTEGER NOT NULL,
  first_input_id INTEGER REFERENCES inputs(id) ON DELETE SET NULL,
  first_frame    INTEGER,
  first_entry    INTEGER,
  UNIQUE (ip, name, source)
) STRICT;
CREATE INDEX hosts_name ON hosts(name);

CREATE TABLE anomalies (
  id       INTEGER PRIMARY KEY,
  input_id INTEGER NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
  frame    INTEGER,
  layer    TEXT NOT NULL,
  error    TEXT NOT NULL
) STRICT;
CREATE INDEX anomalies_input_frame ON anomalies(input_id, frame);

CREATE TABLE secrets (
  id        INTEGER PRIMARY KEY,
  input_id  INTEGER NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
  type      INTEGER NOT NULL,
  type_name TEXT NOT NULL,
  data      BLOB NOT NULL
) STRICT;
CREATE INDEX secrets_input ON secrets(input_id);

CREATE TABLE har_pages (
  id       INTEGER PRIMARY KEY,
  input_id INTEGER NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
  page_id  TEXT NOT NULL,
  title    TEXT NOT NULL,
  ts_ns    INTEGER NOT NULL
) STRICT;
CREATE INDEX har_pages_input ON har_pages(input_id);
`;
