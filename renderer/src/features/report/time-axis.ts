/**
 * Ticks for a UTC time axis in the printed report: a step from a fixed ladder so the
 * labels land on round clock times, and labels that say as much as the span needs.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const STEPS = [
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY,
];

export interface AxisTick {
  ms: number;
  label: string;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Round-number ticks between fromMs and toMs, at most about `maxTicks` of them. */
export function timeTicks(fromMs: number, toMs: number, maxTicks = 7): AxisTick[] {
  const span = Math.max(toMs - fromMs, 1);
  let step = STEPS[STEPS.length - 1];
  for (const s of STEPS) {
    if (span / s <= maxTicks) {
      step = s;
      break;
    }
  }
  const crossesDays = new Date(fromMs).toISOString().slice(0, 10) !== new Date(toMs).toISOString().slice(0, 10) || step >= DAY;
  const ticks: AxisTick[] = [];
  for (let t = Math.ceil(fromMs / step) * step; t <= toMs; t += step) {
    const d = new Date(t);
    const clock = step < MINUTE ? `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` : `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    ticks.push({ ms: t, label: step >= DAY ? day : crossesDays ? `${day.slice(5)} ${clock}` : clock });
  }
  return ticks;
}

/** "2020-04-21 09:00:05.123456 UTC" from an ISO string, keeping every digit it has. */
export function utcText(iso: string | null): string {
  if (iso === null) return '—';
  return `${iso.replace('T', ' ').replace(/Z$/, '')} UTC`;
}
