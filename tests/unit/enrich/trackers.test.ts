import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  TRACKER_CATEGORIES,
  TrackerIndex,
  bundledTrackers,
  classifyHost,
  validateEntry,
} from '../../../electron/engine/enrich/trackers.ts';

const listFile = new URL('../../../resources/trackers/trackers.json', import.meta.url);
const raw = JSON.parse(readFileSync(listFile, 'utf8')) as { version: string; entries: Array<Record<string, unknown>> };

function entry(domain: string, category: string, operator = 'Op'): Record<string, unknown> {
  return { domain, category, operator, country: 'US', source: 'https://example.org/list', checked: true };
}

describe('bundled list', () => {
  it('has no invalid or duplicate entries, and cites an https source for each', () => {
    const index = bundledTrackers();
    expect(index.rejected).toEqual([]);
    expect(index.size).toBe(raw.entries.length);
    expect(index.size).toBeGreaterThanOrEqual(100);
    expect(index.size).toBeLessThanOrEqual(250);
    for (const e of index.entries()) expect(e.source).toMatch(/^https:\/\//);
  });

  it('uses every category', () => {
    const used = new Set(bundledTrackers().entries().map((e) => e.category));
    expect([...used].sort()).toEqual([...TRACKER_CATEGORIES].sort());
  });

  // Hosts named in the task brief and in the cited reports; each must be classified.
  it.each([
    ['sa.api.intl.miui.com', 'Xiaomi'],
    ['tracking.miui.com', 'Xiaomi'],
    ['data.mistat.intl.xiaomi.com', 'Xiaomi'],
    ['anything.xiaomi.net', 'Xiaomi'],
    ['metrics1.data.hicloud.com', 'Huawei'],
    ['grs.dbankcloud.com', 'Huawei'],
    ['diagmon-serviceapi.samsungdm.com', 'Samsung'],
    ['dc.dqa.samsung.com', 'Samsung'],
    ['obus-dc2-cn.heytapmobi.com', 'OPPO'],
    ['log-eap.coloros.com', 'OPPO'],
    ['asia-stsdk.vivoglobal.com', 'vivo'],
    ['ire-oneid.shalltry.com', 'Transsion'],
    ['app-measurement.com', 'Google'],
    ['firebaselogging-pa.googleapis.com', 'Google'],
    ['www.google-analytics.com', 'Google'],
    ['ad.doubleclick.net', 'Google'],
    ['settings.crashlytics.com', 'Google'],
    ['graph.facebook.com', 'Meta'],
    ['app.adjust.com', 'Adjust'],
    ['t.appsflyer.com', 'AppsFlyer'],
    ['api2.branch.io', 'Branch'],
    ['abtest-ali-tokyo-01.saas.sensorsdata.cn', 'Sensors'],
    ['ulogs.umeng.com', 'Umeng'],
    ['api-js.mixpanel.com', 'Mixpanel'],
    ['api.segment.io', 'Segment'],
    ['api2.amplitude.com', 'Amplitude'],
    ['o123.ingest.sentry.io', 'Sentry'],
    ['notify.bugsnag.com', 'Bugsnag'],
    ['report.appmetrica.yandex.net', 'AppMetrica'],
  ])('%s → %s', (host, operator) => {
    const m = classifyHost(host);
    expect(m, host).not.toBeNull();
    expect(m?.operator).toContain(operator);
  });
});

describe('classifyHost', () => {
  const index = new TrackerIndex([
    entry('facebook.com', 'social', 'Meta'),
    entry('graph.facebook.com', 'analytics', 'Meta'),
    entry('intl.miui.com', 'vendor-telemetry', 'Xiaomi'),
    entry('sa.api.intl.miui.com', 'analytics', 'Xiaomi'),
    entry('co.uk', 'cdn', 'Nobody'),
  ]);

  it('picks the longest matching suffix', () => {
    expect(index.classify('graph.facebook.com')?.category).toBe('analytics');
    expect(index.classify('v19.graph.facebook.com')?.category).toBe('analytics');
    expect(index.classify('www.facebook.com')?.category).toBe('social');
    expect(index.classify('facebook.com')?.domain).toBe('facebook.com');
    expect(index.classify('sa.api.intl.miui.com')?.category).toBe('analytics');
    expect(index.classify('x.sa.api.intl.miui.com')?.domain).toBe('sa.api.intl.miui.com');
    expect(index.classify('api.intl.miui.com')?.domain).toBe('intl.miui.com');
  });

  it('matches whole labels only', () => {
    expect(index.classify('notgraph.facebook.com')?.domain).toBe('facebook.com');
    expect(index.classify('myfacebook.com')).toBeNull();
    expect(index.classify('facebook.com.evil.example')).toBeNull();
  });

  it('normalises case and the root dot, and ignores IP literals and junk', () => {
    expect(index.classify('GRAPH.Facebook.COM.')?.category).toBe('analytics');
    expect(index.classify('31.13.64.35')).toBeNull();
    expect(index.classify('[2a03:2880::1]')).toBeNull();
    expect(index.classify('')).toBeNull();
    expect(index.classify('bad host')).toBeNull();
    expect(index.classify('uk')).toBeNull();
  });

  it('reports the source and operator of the matching entry', () => {
    const m = index.classify('www.facebook.com');
    expect(m).toEqual({
      category: 'social',
      operator: 'Meta',
      country: 'US',
      domain: 'facebook.com',
      source: 'https://example.org/list',
      note: null,
      checked: true,
    });
  });
});

describe('validateEntry', () => {
  it('refuses malformed entries with a reason', () => {
    expect(validateEntry(entry('Example.com', 'analytics'))).toMatch(/lower-case/);
    expect(validateEntry(entry('example.com.', 'analytics'))).toMatch(/lower-case/);
    expect(validateEntry(entry('example.com', 'spyware'))).toMatch(/category/);
    expect(validateEntry(entry('8.8.8.8', 'cdn'))).toMatch(/dotted host/);
    expect(validateEntry({ ...entry('example.com', 'cdn'), country: 'USA' })).toMatch(/country/);
    expect(validateEntry({ ...entry('example.com', 'cdn'), source: 'my notes' })).toMatch(/source/);
    expect(validateEntry({ ...entry('example.com', 'cdn'), checked: 'yes' })).toMatch(/checked/);
    expect(validateEntry(null)).toMatch(/object/);
    const dup = new TrackerIndex([entry('a.example', 'cdn'), entry('a.example', 'social')]);
    expect(dup.size).toBe(1);
    expect(dup.rejected[0].reason).toMatch(/duplicate/);
  });
});
