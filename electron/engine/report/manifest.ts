/**
 * The evidence manifest: a JSON file attached inside the report PDF that lists the
 * inputs with their hashes, every finding with its pointer and decode chain, and the
 * versions of the tool, the printer and the reference databases. Its SHA-256 is
 * printed in the report. It holds no wall-clock time and no machine path, so the same
 * inputs, labels and options give the same bytes, and the same hash, every time.
 */
import { createHash } from 'node:crypto';
import { MANIFEST_FILE_NAME, type ReportManifestRef, type ReportModel } from '../../../shared/report.ts';

export const MANIFEST_FORMAT = 'telltale-evidence-manifest';
export const MANIFEST_VERSION = 1;

export interface ManifestFile {
  /** The manifest as an object (what `bytes` encodes). */
  manifest: Record<string, unknown>;
  bytes: Buffer;
  sha256: string;
  ref: ReportManifestRef;
}

/** The manifest of a report model (its generation time and manifest reference are not part of it). */
export function buildManifest(model: ReportModel, printer: string | null): ManifestFile {
  const manifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    tool: { name: model.cover.tool.name, version: model.cover.tool.version, printer },
    report: {
      title: model.cover.title,
      investigator: model.cover.investigator,
      organisation: model.cover.organisation,
      hasFindings: model.hasFindings,
    },
    inputs: model.inputs.map((i) => ({
      file: i.file,
      size: i.size,
      format: i.format,
      sha256: i.sha256,
      firstTs: i.from,
      lastTs: i.to,
      items: i.items,
      mode: i.mode,
      status: i.status,
    })),
    labels: model.methodology.modes,
    databases: model.methodology.databases,
    redaction:
      model.redaction === null
        ? null
        : {
            devices: model.redaction.devices,
            maskedFindings: model.redaction.maskedFindings,
            maskedDestinations: model.redaction.maskedDestinations,
            maskedIdentifiers: model.redaction.maskedIdentifiers,
          },
    findings: model.findings.map((f) => ({
      id: f.id,
      ts: f.ts,
      kind: f.kind,
      identifierType: f.identifierType,
      value: f.value,
      destination: {
        host: f.destination.host,
        ip: f.destination.ip,
        country: f.destination.country,
        asn: f.destination.asn,
        org: f.destination.org,
        operator: f.destination.operator,
        category: f.destination.category,
      },
      mode: f.mode,
      severity: f.severity,
      input: f.pointer.input,
      ...(f.pointer.frame !== null ? { frame: f.pointer.frame } : { entry: f.pointer.entry }),
      chain: f.chain,
      excerpt: f.excerpt,
      redacted: f.redacted,
    })),
    counts: {
      inputs: model.inputs.length,
      findings: model.findings.length,
      destinations: model.appendix.destinations.length,
      identifiers: model.appendix.identifiers.length,
      anomalies: model.appendix.anomalies.total,
    },
  };
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { manifest, bytes, sha256, ref: { fileName: MANIFEST_FILE_NAME, sha256, bytes: bytes.length } };
}

/** The model with its manifest reference filled in. */
export function withManifest(model: ReportModel, m: ManifestFile): ReportModel {
  return { ...model, manifest: m.ref };
}
