/**
 * A linear time scale in UTC and the tick marks of the timeline's axis. Written here
 * rather than taken from d3-scale because the timeline needs only this much, and the
 * tick steps must land on round UTC instants (an investigator compares them with the
 * capture's timestamps, which are UTC).
 */
import { formatMsUtc } from '../../lib/format.ts';

export interface TimeScale {
  fromMs: number;
  toMs: number;
  /** Pixel range the time range maps onto. */
  x0: number;
  x1: number;
}

/** A scale over [fromMs, toMs] → [x0, x1]; an empty range is widened to one second so nothing divides by zero. */
export function timeScale(fromMs: number, toMs: number, x0: number, x1: number): TimeScale {
  if (!(toMs > fromMs)) toMs = fromMs + 1000;
  if (!(x1 > x0)) x1 = x0 + 1;
  return { fromMs, toMs, x0, x1 };
}

/** Pixel position of an instant. */
export function toX(scale: TimeScale, ms: number): number {
  return scale.x0 + ((ms - scale.fromMs) / (scale.toMs - scale.fromMs)) * (scale.x1 - scale.x0);
}

/** Instant at a pixel position (not clamped). */
export function toMs(scale: TimeScale, x: number): number {
  return scale.fromMs + ((x - scale.x0) / (scale.x1 - scale.x0)) * (scale.toMs - scale.fromMs);
}

export function clamp(value: number, lo: number, hi: number): number {
  return value < lo ? lo : value > hi ? hi : value;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Round steps from a millisecond to a year; each one divides the next larger unit evenly. */
const STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 90 * DAY, 365 * DAY,
];

export interface TimeTick {
  ms: number;
  /** Short label: the time of day, with the date where the day changes or on the first tick. */
  label: string;
}

/** The smallest round step that cuts the range into at most `maxTicks` intervals. */
export function tickStep(spanMs: number, maxTicks: number): number {
  const wanted = spanMs / Math.max(1, maxTicks);
  for (const step of STEPS) if (step >= wanted) return step;
  return Math.ceil(wanted / (365 * DAY)) * 365 * DAY;
}

/**
 * Ticks on round UTC instants inside [fromMs, toMs]. Steps of a week or more are
 * aligned to the Unix epoch day, which is good enough for an axis and avoids calendar
 * arithmetic.
 */
export function timeTicks(fromMs: number, toMs: number, maxTicks: number): TimeTick[] {
  if (!(toMs > fromMs) || maxTicks < 1) return [];
  const step = tickStep(toMs - fromMs, maxTicks);
  const first = Math.ceil(fromMs / step) * step;
  const ticks: TimeTick[] = [];
  let previousDay = Number.NaN;
  for (let ms = first; ms <= toMs; ms += step) {
    const day = Math.floor(ms / DAY);
    const withDate = day !== previousDay;
    previousDay = day;
    ticks.push({ ms, label: formatTick(ms, step, withDate) });
  }
  return ticks;
}

/** Label of one tick: precision follows the step so neighbouring labels differ. */
export function formatTick(ms: number, step: number, withDate: boolean): string {
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const date = iso.slice(5, 10);
  let time: string;
  if (step >= DAY) return iso.slice(0, 10);
  if (step >= MINUTE) time = iso.slice(11, 16);
  else if (step >= SECOND) time = iso.slice(11, 19);
  else time = iso.slice(11, 23);
  return withDate ? `${date} ${time}` : time;
}

/** Full UTC instant for tooltips: "2020-04-21 09:00:01.250 UTC". */
export function formatUtc(ms: number): string {
  return formatMsUtc(ms);
}

/** A duration in words for range captions: "1 h 20 min", "3.2 s", "450 ms". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < SECOND) return `${Math.round(ms)} ms`;
  if (ms < 10 * SECOND) return `${(ms / SECOND).toFixed(1)} s`;
  // Round once, at the precision shown, so "59.6 s" reads "1 min" and never "60 s".
  const seconds = Math.round(ms / SECOND);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return pair(Math.floor(seconds / 60), 'min', seconds % 60, 's');
  const minutes = Math.round(seconds / 60);
  if (minutes < 24 * 60) return pair(Math.floor(minutes / 60), 'h', minutes % 60, 'min');
  const hours = Math.round(minutes / 60);
  return pair(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

function pair(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small === 0 ? `${big} ${bigUnit}` : `${big} ${bigUnit} ${small} ${smallUnit}`;
}
