/**
 * `telltale report --case case.db --pdf report.pdf`: print a case's evidence report.
 * The report options are shared with `analyze --pdf` (REPORT_PARSE_OPTIONS,
 * reportOptions, writeReportPdf) so both commands take the same flags.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ReportOptions } from '../../engine/report/model.ts';
import { CaseStore, isCaseFile } from '../../engine/store/case-store.ts';
import { formatBytes, plural } from '../format.ts';
import { EXIT_OK, EXIT_USAGE, message, UsageError, type CliCommand, type CliIo } from '../io.ts';

/** parseArgs options of the report flags (merge into a command's own options). */
export const REPORT_PARSE_OPTIONS = {
  title: { type: 'string' },
  investigator: { type: 'string' },
  organisation: { type: 'string' },
  'home-country': { type: 'string' },
  'redact-bystanders': { type: 'boolean', default: false },
  device: { type: 'string', multiple: true },
} as const;

/** Help lines of the report flags. */
export const REPORT_OPTIONS_HELP = `  --title <text>        Report title (default: the case title).
  --investigator <name> Investigator named on the cover and as the PDF's author.
  --organisation <name> Organisation named on the cover.
  --home-country <CC>   ISO country code of the investigation: destinations
                        elsewhere are reported as abroad.
  --redact-bystanders   Mask identifiers and destinations of devices that are not
                        under investigation; name those with --device.
  --device <mac|ip>     A device under investigation (repeat for several).`;

export interface ReportFlagValues {
  title?: string;
  investigator?: string;
  organisation?: string;
  'home-country'?: string;
  'redact-bystanders'?: boolean;
  device?: string[];
}

/** Report options from parsed flags; throws UsageError for inconsistent ones. */
export function reportOptions(v: ReportFlagValues): ReportOptions {
  const devices = v.device ?? [];
  if (v['redact-bystanders'] === true && devices.length === 0) throw new UsageError('--redact-bystanders needs at least one --device <mac|ip> (the devices under investigation)');
  if (v['redact-bystanders'] !== true && devices.length > 0) throw new UsageError('--device is used with --redact-bystanders');
  const home = v['home-country'];
  if (home !== undefined && !/^[A-Za-z]{2}$/.test(home)) throw new UsageError(`--home-country: '${home}' is not a two-letter ISO country code`);
  return {
    title: v.title ?? null,
    investigator: v.investigator ?? null,
    organisation: v.organisation ?? null,
    homeCountry: home?.toUpperCase() ?? null,
    redactDevices: v['redact-bystanders'] === true ? devices : null,
  };
}

/** Print the report of an open case to `pdfPath`; returns the summary line for the command's output. */
export async function writeReportPdf(store: CaseStore, pdfPath: string, opts: ReportOptions): Promise<string> {
  // Loaded only when a PDF is printed: playwright-core and the report code are heavy,
  // and `analyze` without --pdf should not pay for them at start-up.
  const { exportReportPdf } = await import('../../engine/report/chromium.ts');
  const r = await exportReportPdf(store, pdfPath, opts);
  return `PDF report: ${r.path} (${formatBytes(r.bytes)}, ${plural(r.findings, 'finding')}, ${(r.tookMs / 1000).toFixed(1)} s, sha256 ${r.sha256})\n` +
    `Evidence manifest (attached): sha256 ${r.manifestSha256}`;
}

const HELP = `Usage: telltale report --case case.db --pdf report.pdf [options]

Print the evidence report of a case as PDF: summary, methodology, inputs with their
SHA-256, charts, every finding with its decode chain and evidence pointer, appendix.
An evidence manifest (JSON) is attached inside the PDF and its SHA-256 printed in it.
Printing needs Chromium (Debian: apt-get install chromium) or TELLTALE_CHROMIUM.

Options:
  -c, --case <file>     The case database (from telltale analyze).
  -o, --pdf <file>      The PDF to write.
${REPORT_OPTIONS_HELP}
  -h, --help            Show this help.`;

async function run(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        case: { type: 'string', short: 'c' },
        pdf: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h', default: false },
        ...REPORT_PARSE_OPTIONS,
      },
    });
  } catch (e) {
    throw new UsageError(message(e));
  }
  const v = parsed.values;
  if (v.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  if (v.case === undefined) throw new UsageError('report needs --case <case.db>');
  if (v.pdf === undefined) throw new UsageError('report needs --pdf <report.pdf>');
  const casePath = resolve(io.cwd, v.case);
  if (!existsSync(casePath)) throw new UsageError(`${casePath}: no such case`);
  if (!isCaseFile(casePath)) throw new UsageError(`${casePath}: not a Telltale case`);
  const opts = reportOptions(v);
  const store = CaseStore.open(casePath);
  try {
    io.stdout.write(`${await writeReportPdf(store, resolve(io.cwd, v.pdf), opts)}\n`);
  } catch (e) {
    io.stderr.write(`telltale report: ${message(e)}\n`);
    return EXIT_USAGE;
  } finally {
    store.close();
  }
  return EXIT_OK;
}

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'print the evidence report of a case as PDF (manifest attached)',
  help: HELP,
  run,
};
