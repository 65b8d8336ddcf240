/**
 * The report route (#/report): the same document the PDF is printed from, as a
 * preview inside the app. The desktop shell hands the model over the way the printers
 * do (injectReportModel in electron/main/report-print.ts); until then the view says
 * what it is waiting for.
 */
import { View } from '../../components/view.tsx';
import { ReportPage } from './report-page.tsx';

export default function ReportView() {
  return (
    <View title="Report" testId="view-report" description="Preview of the evidence report (File → Export report… writes the PDF).">
      <ReportPage
        waiting={
          <p className="report-waiting" data-testid="report-waiting">
            The report is built by the engine when you export it: choose File → Export report… (or run <code>telltale report --case … --pdf …</code>).
            Its preview appears here at the same time.
          </p>
        }
      />
    </View>
  );
}
