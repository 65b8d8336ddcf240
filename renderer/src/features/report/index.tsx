/**
 * The report route (#/report): the evidence report as the PDF will show it, drawn by
 * the same document component the printers load, from report.get. Beside it, what the
 * cover says and whether bystanders are masked; "Export PDF…" prints it through the
 * shell (the desktop's save dialog, or a download from the web host).
 */
import { useEffect, useMemo, useState } from 'react';
import type { MouseEvent } from 'react';
import { useApiQuery, useCase } from '../../lib/api-context.tsx';
import { ErrorState, LoadingState } from '../../components/states.tsx';
import { View } from '../../components/view.tsx';
import { ReportDocument } from './report-document.tsx';
import { ExportButton, ExportOutcome, useReportExport } from './report-export.tsx';
import { ReportOptionsForm } from './report-options.tsx';
import { EMPTY_DRAFT, reportRequest } from './report-request.ts';
import type { ReportDraft } from './report-request.ts';
import './report.css';
import './report-view.css';

/** Typing in the form redraws the preview once the typing pauses, not at every key. */
const PREVIEW_DELAY_MS = 400;

function useSettled<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

/**
 * The document's table of contents links to its own sections (#summary, …), which the
 * app's hash router would read as views: scroll to the section instead.
 */
function followContentsLink(e: MouseEvent<HTMLDivElement>): void {
  const link = (e.target as Element).closest('a[href^="#"]');
  const href = link?.getAttribute('href') ?? '';
  if (link === null || href.startsWith('#/')) return;
  e.preventDefault();
  const target = e.currentTarget.querySelector(`[id="${CSS.escape(href.slice(1))}"]`);
  target?.scrollIntoView({ block: 'start' });
}

export default function ReportView() {
  const { case: caseState } = useCase();
  const [draft, setDraft] = useState<ReportDraft>(EMPTY_DRAFT);
  const request = useMemo(() => reportRequest(draft), [draft]);
  const previewRequest = useSettled(request, PREVIEW_DELAY_MS);
  const preview = useApiQuery('report.get', previewRequest);
  const exporter = useReportExport(request);
  const findings = caseState.status === 'ready' && caseState.info.features.findings;
  const state = preview.state;

  return (
    <View
      title="Report"
      testId="view-report"
      description="The evidence report as it will be printed. Export PDF… writes it with the evidence manifest attached."
      actions={<ExportButton state={exporter.state} onExport={exporter.start} disabled={state.status !== 'ready'} />}
    >
      <div className="rp-layout">
        <aside className="rp-side">
          <ReportOptionsForm draft={draft} onChange={setDraft} findings={findings} />
          <ExportOutcome state={exporter.state} />
        </aside>
        <div className="rp-preview" aria-busy={state.status === 'loading' || (state.status === 'ready' && state.refreshing)} data-testid="report-preview">
          {state.status === 'loading' && <LoadingState what="report preview" />}
          {state.status === 'error' && state.data === null && <ErrorState what="the report preview" error={state.error} onRetry={preview.reload} />}
          {state.data !== null && (
            <>
              {state.status === 'error' && <ErrorState what="the updated preview" error={state.error} onRetry={preview.reload} compact />}
              <p className="rp-note small">
                Preview. The evidence manifest&rsquo;s SHA-256 shown here is provisional: the PDF&rsquo;s manifest also names the browser that prints it, so
                its hash is set when the PDF is written.
              </p>
              <div className="rp-paper" onClick={followContentsLink}>
                <ReportDocument model={state.data} />
              </div>
            </>
          )}
        </div>
      </div>
    </View>
  );
}
