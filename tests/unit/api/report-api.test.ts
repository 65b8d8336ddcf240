/**
 * report.get through CaseEngine's API and the contract's dispatch, on the phone
 * scenario imported for real: the model carries the planted leaks, the input's hash
 * as computed here, the cover as asked, and bystander redaction as chosen. Also the
 * report options and file names the shells print with.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiHandlers } from '../../../shared/api.ts';
import { dispatch } from '../../../shared/dispatch.ts';
import type { ReportModel } from '../../../shared/report.ts';
import { CaseEngine } from '../../../electron/engine/api/case-engine.ts';
import { reportFileName, reportOptionsOf } from '../../../electron/engine/api/report-api.ts';
import { ANALYTICS, PHONE, PLANTED, writeScenarioPcapng } from '../../../tools/synth/scenario-phone.ts';

let dir: string;
let engine: CaseEngine;
let capture: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'telltale-report-api-'));
  capture = writeScenarioPcapng(dir, 'normal');
  engine = new CaseEngine({ emit: () => {}, casesDir: dir });
  engine.createCase(join(dir, 'phone', 'case.db'), 'Phone 2020');
  engine.startImport([{ path: capture }]);
  await engine.idle();
});

afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function reportGet(params: unknown): Promise<ReportModel> {
  const r = await dispatch(engine.api() as ApiHandlers, 'report.get', params);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as ReportModel;
}

describe('report.get', () => {
  it('answers the report model of the open case: the input hash and every planted leak', async () => {
    const m = await reportGet({});
    expect(m.format).toBe('telltale-report');
    expect(m.cover.title).toBe('Phone 2020');
    expect(m.inputs.map((i) => i.sha256)).toEqual([createHash('sha256').update(readFileSync(capture)).digest('hex')]);
    const values = new Set(m.findings.map((f) => f.value));
    for (const url of PLANTED.leakedUrls.normal) expect(values).toContain(url);
    for (const search of PLANTED.leakedSearches.normal) expect(values).toContain(search);
    expect(m.findings.find((f) => f.value === PLANTED.leakedUrls.normal[0])?.destination.host).toBe(ANALYTICS.host);
    // It survives the trip through JSON that every shell makes.
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  it('puts the cover as asked and judges "abroad" from the home country', async () => {
    const m = await reportGet({ title: 'Case 2020-17', investigator: 'A. Investigator', organisation: 'DPA', homeCountry: 'de' });
    expect(m.cover).toMatchObject({ title: 'Case 2020-17', investigator: 'A. Investigator', organisation: 'DPA' });
    const leak = m.findings.find((f) => f.value === PLANTED.leakedUrls.normal[0]);
    expect(leak?.destination.country).toBe('SG');
    expect(leak?.abroad).toBe(true);
    expect((await reportGet({})).findings.find((f) => f.value === PLANTED.leakedUrls.normal[0])?.abroad).toBeNull();
  });

  it('masks what does not belong to the devices under investigation', async () => {
    const kept = await reportGet({ redactBystanders: true, devices: [PHONE.mac] });
    expect(kept.redaction?.devices).toEqual([PHONE.mac]);
    expect(kept.findings.filter((f) => f.redacted)).toEqual([]);
    const masked = await reportGet({ redactBystanders: true, devices: ['192.168.1.200'] });
    expect(masked.findings.length).toBeGreaterThan(0);
    expect(masked.findings.every((f) => f.redacted && !f.value.includes(PLANTED.leakedUrls.normal[0] as string))).toBe(true);
    expect(masked.redaction?.maskedFindings).toBe(masked.findings.length);
  });

  it('refuses inconsistent redaction params before the engine sees them', async () => {
    for (const params of [{ redactBystanders: true }, { devices: [PHONE.mac] }, { homeCountry: 'Germany' }]) {
      const r = await dispatch(engine.api() as ApiHandlers, 'report.get', params);
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    }
  });

  it('says no-case when no case is open', async () => {
    const empty = new CaseEngine({ emit: () => {}, casesDir: dir });
    try {
      expect(await dispatch(empty.api() as ApiHandlers, 'report.get', {})).toMatchObject({ ok: false, error: { code: 'no-case' } });
    } finally {
      await empty.close();
    }
  });
});

describe('what the shells print with', () => {
  it('maps the params to the report options the CLI uses', () => {
    expect(reportOptionsOf({})).toEqual({ title: null, investigator: null, organisation: null, homeCountry: null, redactDevices: null });
    expect(reportOptionsOf({ title: 'T', homeCountry: 'sg', redactBystanders: true, devices: ['10.0.0.5'] })).toEqual({
      title: 'T',
      investigator: null,
      organisation: null,
      homeCountry: 'SG',
      redactDevices: ['10.0.0.5'],
    });
    expect(engine.reportOptions({ investigator: 'X' })).toMatchObject({ casePath: join(dir, 'phone', 'case.db'), fileName: 'Phone-2020-report.pdf' });
  });

  it('names report files in plain characters', () => {
    expect(reportFileName('Case 2020/17: Ünïcode & more')).toBe('Case-2020-17-Unicode-more-report.pdf');
    expect(reportFileName('../../etc/passwd')).toBe('etc-passwd-report.pdf');
    expect(reportFileName('   ')).toBe('evidence-report.pdf');
    expect(reportFileName(null)).toBe('evidence-report.pdf');
    expect(reportFileName('x'.repeat(300))).toBe(`${'x'.repeat(60)}-report.pdf`);
  });

  it('keeps exported reports beside the case, apart from its uploads', () => {
    expect(engine.reportsDir()).toBe(join(dir, 'phone', 'case.reports'));
    expect(engine.filesDir()).toBe(join(dir, 'phone', 'case.files'));
  });
});
