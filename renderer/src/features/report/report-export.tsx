/**
 * The "Export PDF…" button and what came of it. The desktop asks where to save in its
 * own dialog (closing it is not an error); the web host writes the PDF into the case's
 * reports folder and answers a link to download it.
 */
import { useState } from 'react';
import type { ReportExportSaved, ReportRequest } from '../../../../shared/report.ts';
import { useCase } from '../../lib/api-context.tsx';
import { formatBytes } from '../../lib/format.ts';

type ExportState = { status: 'idle' } | { status: 'exporting' } | { status: 'saved'; saved: ReportExportSaved } | { status: 'error'; message: string };

export function useReportExport(request: ReportRequest): { state: ExportState; start(): void } {
  const { client } = useCase();
  const [state, setState] = useState<ExportState>({ status: 'idle' });
  const start = (): void => {
    if (client === null || state.status === 'exporting') return;
    setState({ status: 'exporting' });
    client.call('report.export', request).then(
      (r) => setState(r.cancelled ? { status: 'idle' } : { status: 'saved', saved: r }),
      (e: unknown) => setState({ status: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
  };
  return { state, start };
}

export function ExportButton({ state, onExport, disabled }: { state: ExportState; onExport: () => void; disabled: boolean }) {
  const busy = state.status === 'exporting';
  return (
    <button type="button" className="button button--primary" onClick={onExport} disabled={disabled || busy} aria-busy={busy} data-testid="report-export">
      {busy ? 'Printing PDF…' : 'Export PDF…'}
    </button>
  );
}

export function ExportOutcome({ state }: { state: ExportState }) {
  if (state.status === 'idle') return null;
  if (state.status === 'exporting') {
    return (
      <p className="rp-outcome" role="status" data-testid="report-exporting">
        Printing the report and attaching the evidence manifest…
      </p>
    );
  }
  if (state.status === 'error') {
    return (
      <p className="rp-outcome rp-outcome--error" role="alert" data-testid="report-export-error">
        The report could not be exported: {state.message}
      </p>
    );
  }
  const s = state.saved;
  return (
    <div className="rp-outcome rp-outcome--saved" role="status" data-testid="report-exported">
      {s.downloadUrl === null ? (
        <p>
          Saved <span className="mono">{s.path}</span>
        </p>
      ) : (
        <p>
          <a className="button" href={s.downloadUrl} download={s.fileName} data-testid="report-download">
            Download {s.fileName}
          </a>
        </p>
      )}
      <p className="small">
        {formatBytes(s.bytes)}, {s.findings} {s.findings === 1 ? 'finding' : 'findings'}, printed in {(s.tookMs / 1000).toFixed(1)} s.
      </p>
      <p className="small">
        PDF SHA-256 <span className="hash">{s.sha256}</span>
      </p>
      <p className="small">
        Evidence manifest SHA-256 <span className="hash">{s.manifestSha256}</span>
      </p>
    </div>
  );
}
