/**
 * The runtime side of the shared contract: names, the method guard, and dispatch's
 * handling of unknown methods and JSON round trips.
 */
import { describe, expect, it } from 'vitest';
import type { ApiHandlers } from '../../../shared/api.ts';
import { API_EVENTS, API_METHODS, BRIDGE_NAMES, isApiMethod } from '../../../shared/channels.ts';
import { dispatch } from '../../../shared/dispatch.ts';

describe('channels', () => {
  it('gives every method a distinct camelCase bridge name', () => {
    const names = API_METHODS.map((m) => BRIDGE_NAMES[m]);
    expect(new Set(names).size).toBe(API_METHODS.length);
    for (const name of names) expect(name).toMatch(/^[a-z][A-Za-z]+$/);
  });

  it('names methods area.verb and lists the pushed events', () => {
    for (const method of API_METHODS) expect(method).toMatch(/^[a-z]+\.[a-z]+$/);
    expect(API_EVENTS).toEqual(['import.progress', 'case.changed']);
  });

  it('recognises methods and nothing else', () => {
    expect(isApiMethod('case.open')).toBe(true);
    for (const other of ['case.delete', '', 'constructor', '__proto__', 'toString', 42, null, undefined]) {
      expect(isApiMethod(other)).toBe(false);
    }
  });
});

describe('dispatch', () => {
  const handlers = Object.fromEntries(API_METHODS.map((m) => [m, () => Promise.resolve({ from: m })])) as unknown as ApiHandlers;

  it('answers an unknown method with not-implemented, never calling a handler', async () => {
    expect(await dispatch(handlers, 'case.delete', undefined)).toMatchObject({ ok: false, error: { code: 'not-implemented' } });
    expect(await dispatch(handlers, 'toString', undefined)).toMatchObject({ ok: false, error: { code: 'not-implemented' } });
  });

  it('accepts params that went through JSON, as they do behind the web host', async () => {
    const params = JSON.parse(JSON.stringify({ kind: 'http', input: 2, text: 'data_list', offset: 0, limit: 100 })) as unknown;
    expect(await dispatch(handlers, 'evidence.query', params)).toEqual({ ok: true, result: { from: 'evidence.query' } });
  });

  it('accepts Windows and UNC absolute paths', async () => {
    for (const path of ['C:\\cases\\phone.telltale', 'd:/cases/phone.telltale', '\\\\server\\share\\phone.telltale']) {
      expect(await dispatch(handlers, 'case.open', { path }), path).toMatchObject({ ok: true });
    }
  });

  it('names the offending field in invalid-params errors', async () => {
    const response = await dispatch(handlers, 'import.start', { paths: ['/a.pcap', 'b.pcap'] });
    expect(response).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    if (!response.ok) expect(response.error.message).toContain('paths.1');
  });
});
