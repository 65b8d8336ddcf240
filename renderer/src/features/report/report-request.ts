/**
 * The report view's choices and the report.get / report.export params they make.
 * Empty fields are left out (the engine then uses the case title and no names), and a
 * redaction without a chosen device is not sent: the engine would refuse it.
 */
import type { DeviceRow } from '../../../../shared/model.ts';
import type { ReportRequest } from '../../../../shared/report.ts';

export interface ReportDraft {
  title: string;
  investigator: string;
  organisation: string;
  homeCountry: string;
  redact: boolean;
  /** Addresses of the devices under investigation (one per device, see deviceAddress). */
  devices: string[];
}

export const EMPTY_DRAFT: ReportDraft = { title: '', investigator: '', organisation: '', homeCountry: '', redact: false, devices: [] };

/** The address that names a device to the redaction: the engine widens it to all of the device's addresses. */
export function deviceAddress(d: Pick<DeviceRow, 'macs' | 'ips'>): string | null {
  return d.macs[0] ?? d.ips[0] ?? null;
}

/** True when the home country field holds a usable ISO code (or nothing). */
export function homeCountryValid(text: string): boolean {
  const t = text.trim();
  return t === '' || /^[A-Za-z]{2}$/.test(t);
}

/** The params for report.get and report.export. */
export function reportRequest(d: ReportDraft): ReportRequest {
  const r: ReportRequest = {};
  const title = d.title.trim();
  const investigator = d.investigator.trim();
  const organisation = d.organisation.trim();
  const home = d.homeCountry.trim();
  if (title !== '') r.title = title;
  if (investigator !== '') r.investigator = investigator;
  if (organisation !== '') r.organisation = organisation;
  if (home !== '' && homeCountryValid(home)) r.homeCountry = home.toUpperCase();
  if (d.redact && d.devices.length > 0) {
    r.redactBystanders = true;
    r.devices = [...d.devices].sort();
  }
  return r;
}
