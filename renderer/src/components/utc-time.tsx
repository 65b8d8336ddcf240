import { formatIsoUtc, formatMsUtc } from '../lib/format.ts';

/** A UTC time in a <time> element, labelled UTC, with tabular figures. */
export function UtcTime({ iso, ms, label = true }: { iso?: string | null; ms?: number | null; label?: boolean }) {
  if (iso !== undefined && iso !== null) {
    return (
      <time className="num" dateTime={iso}>
        {formatIsoUtc(iso)}
        {label && <span className="utc-label"> UTC</span>}
      </time>
    );
  }
  if (ms !== undefined && ms !== null) {
    const text = formatMsUtc(ms);
    return (
      <time className="num" dateTime={new Date(ms).toISOString()}>
        {label ? text : text.replace(/ UTC$/, '')}
      </time>
    );
  }
  return <span className="muted">—</span>;
}

/** "from – to UTC" for a span. */
export function UtcSpan({ from, to }: { from: string; to: string }) {
  const a = formatIsoUtc(from);
  const b = formatIsoUtc(to);
  // Same day: the second time needs no date.
  const sameDay = a.slice(0, 10) === b.slice(0, 10);
  return (
    <span className="num utc-span">
      <time dateTime={from}>{a}</time> – <time dateTime={to}>{sameDay ? b.slice(11) : b}</time>
      <span className="utc-label"> UTC</span>
    </span>
  );
}
