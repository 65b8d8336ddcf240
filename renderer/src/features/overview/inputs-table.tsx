import type { InputInfo } from '../../../../shared/model.ts';
import { CopyButton } from '../../components/copy-button.tsx';
import { UtcSpan } from '../../components/utc-time.tsx';
import { formatBytes, formatCount, shortHash } from '../../lib/format.ts';
import { hrefFor } from '../../lib/router.tsx';

const FORMAT_NAMES: Record<string, string> = { pcap: 'PCAP', pcapng: 'PCAPNG', har: 'HAR' };

/** Every input with what makes it evidence: format, size, time span, SHA-256. */
export function InputsTable({ inputs }: { inputs: InputInfo[] }) {
  return (
    <div className="table-scroll">
      <table className="table" data-testid="inputs-table">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Format</th>
            <th scope="col" className="col-num">Size</th>
            <th scope="col">Time span (UTC)</th>
            <th scope="col">SHA-256</th>
            <th scope="col" className="col-num">Packets / entries</th>
            <th scope="col" className="col-num">Anomalies</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {inputs.map((input) => (
            <tr key={input.id} data-testid="input-row" data-file={input.fileName} data-status={input.status}>
              <th scope="row" className="input-name" title={input.path}>
                {input.fileName}
                {input.producer !== null && <span className="muted small block">{input.producer}</span>}
              </th>
              <td>
                {input.format === null ? <span className="muted">not recognised</span> : FORMAT_NAMES[input.format]}
                {input.gzip && <span className="muted small"> (gzip)</span>}
              </td>
              <td className="col-num num">{formatBytes(input.size)}</td>
              <td>{input.span === null ? <span className="muted">—</span> : <UtcSpan from={input.span.from} to={input.span.to} />}</td>
              <td className="hash-cell">
                {input.sha256 === null ? (
                  <span className="muted">{input.status === 'importing' ? 'hashing…' : '—'}</span>
                ) : (
                  <>
                    <code className="hash" title={input.sha256} data-testid="input-sha256" data-sha256={input.sha256}>
                      {shortHash(input.sha256, 10)}
                    </code>
                    <CopyButton value={input.sha256} label="Copy" testId="copy-sha256" />
                  </>
                )}
              </td>
              <td className="col-num num" data-testid="input-records">
                {input.format === 'har' ? `${formatCount(input.harEntries)} entries` : `${formatCount(input.packets)} packets`}
              </td>
              <td className="col-num num">
                {input.anomalies > 0 ? (
                  <a href={hrefFor('evidence', { kind: 'anomaly', input: input.id })}>{formatCount(input.anomalies)}</a>
                ) : (
                  '0'
                )}
              </td>
              <td>
                <span className={`status-pill status-pill--${input.status}`}>{input.status}</span>
                {input.mode !== null && <span className={`badge badge--${input.mode}`}>{input.mode}</span>}
                {input.error !== null && (
                  <span className="inline-error block small" data-testid="input-error">
                    {input.error}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
