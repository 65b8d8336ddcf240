/**
 * Migration 4: what the case keeps of HTTP response bodies (see
 * electron/engine/protocols/http-body.ts). A compressed response is kept as sent, with
 * its content codings in response_body_encoding, and decoded when read; a large media
 * body is not kept: response_body is NULL and response_body_sha256 holds the SHA-256 of
 * the bytes the original capture still has. Rows written before this migration have
 * both columns NULL: their bodies are decoded, as they always were. Released
 * migrations are immutable: change the schema with a new numbered migration.
 */
export const name = 'response-bodies';

export const sql = `
ALTER TABLE http ADD COLUMN response_body_encoding TEXT;
ALTER TABLE http ADD COLUMN response_body_sha256 TEXT
  CHECK (response_body_sha256 IS NULL OR (length(response_body_sha256) = 64 AND response_body IS NULL));
`;
