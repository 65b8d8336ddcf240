import { describe, expect, it } from 'vitest';
import { formatDuration, formatTick, formatUtc, tickStep, timeScale, timeTicks, toMs, toX } from '../../../../renderer/src/features/timeline/time-scale.ts';

const T0 = Date.UTC(2020, 3, 21, 9, 0, 0); // 2020-04-21T09:00:00Z

describe('time scale', () => {
  it('maps instants to pixels and back', () => {
    const s = timeScale(T0, T0 + 60_000, 100, 700);
    expect(toX(s, T0)).toBe(100);
    expect(toX(s, T0 + 30_000)).toBe(400);
    expect(toX(s, T0 + 60_000)).toBe(700);
    expect(toMs(s, 250)).toBe(T0 + 15_000);
  });

  it('widens an empty range instead of dividing by zero', () => {
    const s = timeScale(T0, T0, 0, 100);
    expect(s.toMs - s.fromMs).toBe(1000);
    expect(Number.isFinite(toX(s, T0 + 500))).toBe(true);
  });
});

describe('ticks', () => {
  it('picks the smallest round step giving at most the wanted number of intervals', () => {
    expect(tickStep(60 * 60_000, 6)).toBe(10 * 60_000); // an hour in ≤6 intervals: every 10 min
    expect(tickStep(60 * 60_000, 5)).toBe(15 * 60_000); // 12 min is not round: every 15 min
    expect(tickStep(10_000, 10)).toBe(1000);
    expect(tickStep(450, 5)).toBe(100);
    expect(tickStep(3 * 86_400_000, 4)).toBe(86_400_000);
  });

  it('puts ticks on round UTC instants within the range, the first and day changes with a date', () => {
    const ticks = timeTicks(Date.UTC(2020, 3, 21, 23, 52, 10), Date.UTC(2020, 3, 22, 0, 21, 0), 6);
    expect(ticks.map((t) => new Date(t.ms).toISOString())).toEqual([
      '2020-04-21T23:55:00.000Z',
      '2020-04-22T00:00:00.000Z',
      '2020-04-22T00:05:00.000Z',
      '2020-04-22T00:10:00.000Z',
      '2020-04-22T00:15:00.000Z',
      '2020-04-22T00:20:00.000Z',
    ]);
    expect(ticks.map((t) => t.label)).toEqual(['04-21 23:55', '04-22 00:00', '00:05', '00:10', '00:15', '00:20']);
  });

  it('shows seconds and milliseconds only when the step needs them', () => {
    expect(formatTick(T0 + 5000, 5000, false)).toBe('09:00:05');
    expect(formatTick(T0 + 250, 50, false)).toBe('09:00:00.250');
    expect(formatTick(T0, 2 * 86_400_000, true)).toBe('2020-04-21');
  });

  it('returns no ticks for an empty or reversed range', () => {
    expect(timeTicks(T0, T0, 5)).toEqual([]);
    expect(timeTicks(T0 + 1, T0, 5)).toEqual([]);
  });
});

describe('formatting', () => {
  it('writes full UTC instants with milliseconds', () => {
    expect(formatUtc(T0 + 1250)).toBe('2020-04-21 09:00:01.250 UTC');
    expect(formatUtc(Number.NaN)).toBe('—');
  });

  it('writes durations at a sensible precision without "60 s"', () => {
    expect(formatDuration(450)).toBe('450 ms');
    expect(formatDuration(3200)).toBe('3.2 s');
    expect(formatDuration(59_600)).toBe('1 min');
    expect(formatDuration(80 * 60_000)).toBe('1 h 20 min');
    expect(formatDuration(26 * 3_600_000)).toBe('1 d 2 h');
    expect(formatDuration(-1)).toBe('—');
  });
});
