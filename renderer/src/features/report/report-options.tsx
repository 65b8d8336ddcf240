/**
 * The choices an investigator makes before exporting: what the cover says, the home
 * country (which decides what counts as abroad), and whether data of devices not under
 * investigation is masked. The devices come from devices.list.
 */
import { API_MAX_LIMIT } from '../../../../shared/model.ts';
import type { DeviceRow } from '../../../../shared/model.ts';
import { useApiQuery } from '../../lib/api-context.tsx';
import { isNotImplemented } from '../../lib/api-context.tsx';
import { deviceAddress, homeCountryValid } from './report-request.ts';
import type { ReportDraft } from './report-request.ts';

function TextField({ id, label, value, onChange, hint, invalid, maxLength = 200 }: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  hint?: string;
  invalid?: boolean;
  maxLength?: number;
}) {
  return (
    <div className="rp-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        value={value}
        maxLength={maxLength}
        aria-invalid={invalid === true}
        aria-describedby={hint === undefined ? undefined : `${id}-hint`}
        data-testid={id}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint !== undefined && (
        <p className={`rp-hint${invalid === true ? ' rp-hint--error' : ''}`} id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

function deviceText(d: DeviceRow): string {
  const names = [...d.hostnames.slice(0, 1), ...d.macs.slice(0, 1), ...d.ips.slice(0, 2)];
  return names.length === 0 ? d.label : `${d.label} (${names.join(', ')})`;
}

function DeviceChoice({ draft, onChange }: { draft: ReportDraft; onChange: (d: ReportDraft) => void }) {
  const devices = useApiQuery('devices.list', { limit: API_MAX_LIMIT });
  const state = devices.state;
  if (state.status === 'loading') return <p className="rp-hint">Loading devices…</p>;
  if (state.status === 'error' && state.data === null) {
    return (
      <p className="rp-hint" data-testid="report-devices-unavailable">
        {isNotImplemented(state.error) ? 'Redaction needs the findings analysis, which this case does not have.' : `Devices could not be loaded: ${state.error.message}`}
      </p>
    );
  }
  const rows = (state.data?.rows ?? []).filter((d) => deviceAddress(d) !== null);
  if (rows.length === 0) return <p className="rp-hint">The analysis found no devices with an address to name.</p>;
  const chosen = new Set(draft.devices);
  const toggle = (address: string, on: boolean): void => {
    const next = new Set(chosen);
    if (on) next.add(address);
    else next.delete(address);
    onChange({ ...draft, devices: [...next] });
  };
  return (
    <fieldset className="rp-devices" disabled={!draft.redact}>
      <legend>Devices under investigation</legend>
      {rows.map((d) => {
        const address = deviceAddress(d) as string;
        return (
          <label key={d.id} className="rp-check">
            <input type="checkbox" checked={chosen.has(address)} onChange={(e) => toggle(address, e.target.checked)} data-testid="report-device" value={address} />
            <span>{deviceText(d)}</span>
          </label>
        );
      })}
      {draft.redact && chosen.size === 0 && (
        <p className="rp-hint rp-hint--error" role="status">
          Choose at least one device: until then nothing is masked.
        </p>
      )}
    </fieldset>
  );
}

/** The form beside the preview. */
export function ReportOptionsForm({ draft, onChange, findings }: { draft: ReportDraft; onChange: (d: ReportDraft) => void; findings: boolean }) {
  const set = (patch: Partial<ReportDraft>): void => onChange({ ...draft, ...patch });
  const homeOk = homeCountryValid(draft.homeCountry);
  return (
    <form className="rp-options" aria-label="Report options" data-testid="report-options" onSubmit={(e) => e.preventDefault()}>
      <TextField id="report-title" label="Title" value={draft.title} onChange={(title) => set({ title })} hint="Empty: the case title." />
      <TextField id="report-investigator" label="Investigator" value={draft.investigator} onChange={(investigator) => set({ investigator })} />
      <TextField id="report-organisation" label="Organisation" value={draft.organisation} onChange={(organisation) => set({ organisation })} />
      <TextField
        id="report-home-country"
        label="Home country"
        value={draft.homeCountry}
        maxLength={2}
        onChange={(homeCountry) => set({ homeCountry })}
        invalid={!homeOk}
        hint={homeOk ? 'Two-letter ISO code, e.g. DE: destinations elsewhere are reported as abroad.' : 'Enter a two-letter ISO code such as DE, or nothing.'}
      />
      <div className="rp-field">
        <label className="rp-check">
          <input type="checkbox" checked={draft.redact} disabled={!findings} onChange={(e) => set({ redact: e.target.checked })} data-testid="report-redact" />
          <span>Mask data of bystanders</span>
        </label>
        <p className="rp-hint">Identifiers, destinations and findings of devices that are not under investigation are masked in the report and its manifest.</p>
        {findings && <DeviceChoice draft={draft} onChange={onChange} />}
      </div>
    </form>
  );
}
