import { useState } from 'react';
import type { BodyPreview, DnsRow, EvidenceDetail, EvidenceKind, FlowRow, HeaderList, HttpDetail, HttpRow, TlsRow } from '../../../../shared/model.ts';
import { CopyButton } from '../../components/copy-button.tsx';
import { QueryBoundary } from '../../components/states.tsx';
import { UtcTime } from '../../components/utc-time.tsx';
import { useApiQuery } from '../../lib/api-context.tsx';
import { dnsRcodeName, dnsTypeName, formatBytes, formatCount, formatEndpoint, formatIsoUtc, tlsVersionName } from '../../lib/format.ts';
import { evidenceHref } from '../../lib/router.tsx';
import { describeRow } from './columns.tsx';
import { DecodeTreeView, Marked } from './decode-tree.tsx';

/** Everything about one row, and exactly where in which file it came from. */
export function DetailPane({ kind, id, onClose }: { kind: EvidenceKind; id: number; onClose(): void }) {
  const query = useApiQuery('evidence.get', { kind, id });
  return (
    <aside className="detail-pane" data-testid="evidence-detail" aria-label="Selected record">
      <div className="detail-close">
        <button type="button" className="button button--quiet button--small" onClick={onClose} data-testid="detail-close">
          Close
        </button>
      </div>
      <QueryBoundary query={query} what="this record" compact>
        {(detail) => <DetailBody detail={detail} />}
      </QueryBoundary>
    </aside>
  );
}

function DetailBody({ detail }: { detail: EvidenceDetail }) {
  const { row, source } = detail;
  return (
    <div className="detail-body">
      <h3 className="detail-title" data-testid="detail-title">
        {describeRow(row)}
      </h3>
      <section className="detail-section evidence-pointer" data-testid="evidence-pointer" aria-label="Evidence pointer">
        <h4>Evidence pointer</h4>
        <dl className="facts">
          <dt>File</dt>
          <dd className="break" title={source.path} data-testid="pointer-file">
            {source.fileName}
            {source.format !== null && <span className="muted small"> ({source.format.toUpperCase()})</span>}
          </dd>
          {source.frame !== null && (
            <>
              <dt>Frame</dt>
              <dd className="num" data-testid="pointer-frame">
                {formatCount(source.frame)}
              </dd>
            </>
          )}
          {source.entry !== null && (
            <>
              <dt>HAR entry</dt>
              <dd className="num" data-testid="pointer-entry">
                {source.entry} <span className="muted small">(0-based index in log.entries)</span>
              </dd>
            </>
          )}
          <dt>Time</dt>
          <dd>
            <UtcTime iso={source.ts} />
          </dd>
          <dt>SHA-256</dt>
          <dd className="hash-full">
            {source.sha256 === null ? (
              <span className="muted">not recorded</span>
            ) : (
              <>
                <code className="hash" data-testid="pointer-sha256">
                  {source.sha256}
                </code>
                <CopyButton value={source.sha256} label="Copy" />
              </>
            )}
          </dd>
        </dl>
      </section>
      {row.kind === 'http' && detail.http !== null && <HttpDetailView row={row} http={detail.http} />}
      {row.kind === 'dns' && <DnsDetail row={row} />}
      {row.kind === 'tls' && <TlsDetail row={row} />}
      {row.kind === 'flow' && <FlowDetail row={row} />}
      {row.kind === 'anomaly' && (
        <section className="detail-section">
          <h4>What the parser reported</h4>
          <dl className="facts">
            <dt>Layer</dt>
            <dd>{row.layer}</dd>
            <dt>Error</dt>
            <dd>{row.error}</dd>
          </dl>
          <p className="muted small">The import carried on past this point with what it could read.</p>
        </section>
      )}
      {detail.related.length > 0 && (
        <section className="detail-section">
          <h4>Related records</h4>
          <ul className="related-list" data-testid="related">
            {detail.related.map((r) => (
              <li key={`${r.kind}:${r.id}`}>
                <a href={evidenceHref(r.kind, r.id)}>
                  <span className="badge">{r.kind.toUpperCase()}</span> {r.label}
                </a>
                {r.ts !== null && <span className="muted small"> {formatIsoUtc(r.ts)} UTC</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function Endpoints({ row }: { row: HttpRow | DnsRow | TlsRow | FlowRow }) {
  return (
    <>
      <dt>Client</dt>
      <dd className="mono">{formatEndpoint(row.srcIp, row.srcPort)}</dd>
      <dt>Server</dt>
      <dd className="mono">{formatEndpoint(row.dstIp, row.dstPort)}</dd>
    </>
  );
}

function HttpDetailView({ row, http }: { row: HttpRow; http: HttpDetail }) {
  return (
    <>
      <section className="detail-section">
        <h4>Exchange</h4>
        <dl className="facts">
          <dt>Request</dt>
          <dd className="break">
            {row.method} {row.host ?? ''}
            {row.uri} <span className="muted small">{row.version}</span>
          </dd>
          <dt>Response</dt>
          <dd>
            {row.status === null ? <span className="muted">none seen</span> : `${row.status} ${row.reason ?? ''}`}
            {row.responseTs !== null && (
              <span className="muted small">
                {' '}
                at {formatIsoUtc(row.responseTs)} UTC{row.responseFrame !== null && `, frame ${formatCount(row.responseFrame)}`}
              </span>
            )}
          </dd>
          <Endpoints row={row} />
          <dt>Source</dt>
          <dd>{row.source === 'har' ? 'HAR entry' : 'reassembled TCP stream'}</dd>
          {row.truncated && (
            <>
              <dt>Capture</dt>
              <dd className="inline-error">Part of this exchange was not captured.</dd>
            </>
          )}
        </dl>
      </section>
      <section className="detail-section">
        <h4>Raw request</h4>
        <pre className="raw" data-testid="raw-request">
          <Marked text={http.rawRequestHead} highlights={http.highlights} />
        </pre>
      </section>
      {http.queryDecode !== null && (
        <section className="detail-section">
          <h4>Query string, decoded</h4>
          <DecodeTreeView tree={http.queryDecode} highlights={http.highlights} label="Decoded query string" />
        </section>
      )}
      {http.requestBody !== null && <BodySection title="Request body" body={http.requestBody} highlights={http.highlights} testId="request-body" />}
      {http.requestDecode !== null && (
        <section className="detail-section">
          <h4>Request body, decoded</h4>
          <DecodeTreeView tree={http.requestDecode} highlights={http.highlights} label="Decoded request body" />
        </section>
      )}
      <HeadersSection title="Request headers" headers={http.requestHeaders} />
      {http.responseHeaders !== null && <HeadersSection title="Response headers" headers={http.responseHeaders} />}
      {http.responseBody !== null && <BodySection title="Response body" body={http.responseBody} highlights={[]} testId="response-body" />}
    </>
  );
}

function HeadersSection({ title, headers }: { title: string; headers: HeaderList }) {
  return (
    <section className="detail-section">
      <h4>
        {title} <span className="muted small">({headers.length})</span>
      </h4>
      {headers.length === 0 ? (
        <p className="muted small">none</p>
      ) : (
        <table className="table table--compact headers-table">
          <tbody>
            {headers.map(([name, value], i) => (
              <tr key={`${i}:${name}`}>
                <th scope="row" className="mono">
                  {name}
                </th>
                <td className="mono break">{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function BodySection({ title, body, highlights, testId }: { title: string; body: BodyPreview; highlights: Array<{ value: string }>; testId: string }) {
  const [mode, setMode] = useState<'text' | 'hex'>(body.text !== null ? 'text' : 'hex');
  return (
    <section className="detail-section" data-testid={testId}>
      <h4>
        {title}{' '}
        <span className="muted small num">
          {formatBytes(body.size)}
          {body.wireSize !== body.size && ` (${formatBytes(body.wireSize)} on the wire${body.contentEncoding !== null ? `, ${body.contentEncoding}` : ''})`}
          {body.contentType !== null && ` · ${body.contentType}`}
        </span>
      </h4>
      {body.sha256 !== null && (
        <p className="muted small" data-testid={`${testId}-not-kept`}>
          Not kept in the case (media): the original capture holds these bytes, from the response frame on.{' '}
          SHA&#8209;256{' '}
          <code className="num">{body.sha256}</code>
        </p>
      )}
      {body.text !== null && (
        <div className="segmented" role="group" aria-label={`${title} view`}>
          <button type="button" aria-pressed={mode === 'text'} onClick={() => setMode('text')}>
            Text
          </button>
          <button type="button" aria-pressed={mode === 'hex'} onClick={() => setMode('hex')}>
            Hex
          </button>
        </div>
      )}
      {body.sha256 === null && (
        <pre className="raw raw--body">{mode === 'text' && body.text !== null ? <Marked text={body.text} highlights={highlights} /> : hexDump(body.hex)}</pre>
      )}
      {(body.previewTruncated || body.captureTruncated || body.decodeError !== null) && (
        <p className="muted small">
          {body.previewTruncated && 'Only the beginning is shown. '}
          {body.captureTruncated && 'The capture itself lost part of this body. '}
          {body.decodeError !== null && `Decoding stopped early: ${body.decodeError}.`}
        </p>
      )}
    </section>
  );
}

/** "0000  47 45 54 20 …  GET …" lines from lower-case hex. */
function hexDump(hex: string): string {
  const lines: string[] = [];
  for (let off = 0; off < hex.length; off += 32) {
    const chunk = hex.slice(off, off + 32);
    const bytes: string[] = [];
    let ascii = '';
    for (let i = 0; i < chunk.length; i += 2) {
      const b = parseInt(chunk.slice(i, i + 2), 16);
      bytes.push(chunk.slice(i, i + 2));
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    lines.push(`${(off / 2).toString(16).padStart(6, '0')}  ${bytes.join(' ').padEnd(47, ' ')}  ${ascii}`);
  }
  return lines.join('\n');
}

function DnsDetail({ row }: { row: DnsRow }) {
  return (
    <section className="detail-section">
      <h4>DNS {row.response ? 'response' : 'query'}</h4>
      <dl className="facts">
        <dt>Name</dt>
        <dd className="mono break">{row.qname}</dd>
        <dt>Type</dt>
        <dd>{dnsTypeName(row.qtype)}</dd>
        <dt>Transaction</dt>
        <dd className="mono">0x{row.txid.toString(16).padStart(4, '0')}</dd>
        {row.response && (
          <>
            <dt>Result</dt>
            <dd>{dnsRcodeName(row.rcode)}</dd>
          </>
        )}
        <dt>Over</dt>
        <dd>
          {row.transport.toUpperCase()}
          {row.flavor === 'mdns' && ' (multicast DNS)'}
        </dd>
        <Endpoints row={row} />
      </dl>
      {row.answers.length > 0 && (
        <table className="table table--compact" data-testid="dns-answers">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col" className="col-num">TTL</th>
              <th scope="col">Data</th>
            </tr>
          </thead>
          <tbody>
            {row.answers.map((a, i) => (
              <tr key={i}>
                <td className="mono break">{a.name}</td>
                <td>{dnsTypeName(a.type)}</td>
                <td className="col-num num">{formatCount(a.ttl)}</td>
                <td className="mono break">{a.data}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function TlsDetail({ row }: { row: TlsRow }) {
  return (
    <section className="detail-section">
      <h4>{row.transport === 'quic' ? 'QUIC Initial' : 'TLS'} ClientHello</h4>
      <dl className="facts">
        <dt>Server name</dt>
        <dd className="mono break" data-testid="detail-sni">
          {row.sni ?? <span className="muted">none sent</span>}
        </dd>
        <dt>ALPN</dt>
        <dd>{row.alpn.length === 0 ? '—' : row.alpn.join(', ')}</dd>
        <dt>Versions offered</dt>
        <dd>{(row.versions.length > 0 ? row.versions : [row.legacyVersion]).map(tlsVersionName).join(', ')}</dd>
        <dt>Server chose</dt>
        <dd>
          {row.serverVersion === null ? <span className="muted">no ServerHello seen</span> : tlsVersionName(row.serverVersion)}
          {row.serverCipher !== null && <span className="mono small"> cipher 0x{row.serverCipher.toString(16).padStart(4, '0')}</span>}
          {row.serverFrame !== null && <span className="muted small"> (frame {formatCount(row.serverFrame)})</span>}
        </dd>
        <dt>JA4</dt>
        <dd className="mono break">{row.ja4 ?? '—'}</dd>
        {row.quicVersion !== null && (
          <>
            <dt>QUIC version</dt>
            <dd className="mono">0x{row.quicVersion.toString(16).padStart(8, '0')}</dd>
          </>
        )}
        <dt>Cipher suites</dt>
        <dd className="num">{formatCount(row.ciphers.length)} offered</dd>
        <dt>Extensions</dt>
        <dd className="mono small break">{row.extensions.join(', ')}</dd>
        <Endpoints row={row} />
      </dl>
    </section>
  );
}

function FlowDetail({ row }: { row: FlowRow }) {
  return (
    <section className="detail-section">
      <h4>{row.proto.toUpperCase()} conversation</h4>
      <dl className="facts">
        <Endpoints row={row} />
        <dt>Protocol</dt>
        <dd>{row.app === null ? <span className="muted">not recognised</span> : row.app.toUpperCase()}</dd>
        <dt>Server names</dt>
        <dd className="break">{row.names.length === 0 ? <span className="muted">none seen</span> : row.names.join(', ')}</dd>
        <dt>First – last</dt>
        <dd>
          <UtcTime iso={row.ts} label={false} /> – <UtcTime iso={row.lastTs} />
        </dd>
        <dt>Client sent</dt>
        <dd className="num">
          {formatCount(row.packetsUp)} packets, {formatBytes(row.bytesUp)}
        </dd>
        <dt>Server sent</dt>
        <dd className="num">
          {formatCount(row.packetsDown)} packets, {formatBytes(row.bytesDown)}
        </dd>
        {row.gapBytes > 0 && (
          <>
            <dt>Not captured</dt>
            <dd className="num inline-error">{formatBytes(row.gapBytes)} missing from the stream</dd>
          </>
        )}
        {(row.srcMac !== null || row.dstMac !== null) && (
          <>
            <dt>MAC addresses</dt>
            <dd className="mono small">
              {row.srcMac ?? '—'} → {row.dstMac ?? '—'}
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}
