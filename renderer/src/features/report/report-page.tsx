import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import type { ReportModel } from '../../../../shared/report.ts';
import { ReportDocument } from './report-document.tsx';
import { signalError, signalReady, waitForModel } from './report-source.ts';
import './report.css';

/** Draws the report once a host has handed over its model, then signals the printer. */
export function ReportPage({ onModel, waiting }: { onModel?: (m: ReportModel) => void; waiting?: ReactNode }) {
  const [model, setModel] = useState<ReportModel | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    waitForModel().then(
      (m) => {
        if (!live) return;
        document.title = m.cover.title;
        onModel?.(m);
        setModel(m);
      },
      (e: unknown) => {
        if (!live) return;
        setError(e instanceof Error ? e.message : String(e));
        signalError(e);
      },
    );
    return () => {
      live = false;
    };
  }, [onModel]);

  useEffect(() => {
    // Effects run after React has committed the document to the DOM: what the printer sees is complete.
    if (model !== null) signalReady().catch(signalError);
  }, [model]);

  if (error !== null) return <p role="alert">The report cannot be drawn: {error}</p>;
  if (model === null) return <>{waiting ?? <p className="report-waiting">Waiting for report data…</p>}</>;
  return <ReportDocument model={model} />;
}
