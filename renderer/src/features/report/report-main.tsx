// Entry of renderer/report.html: the stand-alone report page that the printers load.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ReportPage } from './report-page.tsx';

const container = document.getElementById('report-root');
if (container === null) throw new Error('report.html has no #report-root element');

document.body.classList.add('report-print');
createRoot(container).render(
  <StrictMode>
    <ReportPage />
  </StrictMode>,
);
