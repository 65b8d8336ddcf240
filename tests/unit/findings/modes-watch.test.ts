import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addModeLabel, listModeLabels, modeResolver, ModeLabelError, parseModeArg, removeModeLabel, setModeLabels,
} from '../../../electron/engine/findings/modes.ts';
import { classifyWatch, getWatchList, parseWatchList, setWatchList } from '../../../electron/engine/findings/watch.ts';
import { CaseStore } from '../../../electron/engine/store/case-store.ts';
import { nsFromIso } from '../../../electron/engine/util/time.ts';
import { tempDir } from '../store/records-fixture.ts';

function storeWithInputs(names: string[]): CaseStore {
  const store = CaseStore.open(join(tempDir(), 'c.db'), { create: true });
  for (const n of names) store.addInput(join('/captures', n));
  return store;
}

describe('mode labels', () => {
  it('parses CLI labels for inputs and ISO windows', () => {
    expect(parseModeArg('incognito:phone-incognito.pcapng')).toEqual({ mode: 'incognito', input: 'phone-incognito.pcapng' });
    expect(parseModeArg('normal:C:\\caps\\a.pcap')).toEqual({ mode: 'normal', input: 'C:\\caps\\a.pcap' });
    expect(parseModeArg('Normal:2020-04-21T09:00:00Z/2020-04-21T09:15:00.5Z'))
      .toEqual({ mode: 'normal', from: '2020-04-21T09:00:00Z', to: '2020-04-21T09:15:00.5Z' });
    for (const bad of ['incognito', 'private:a.pcap', 'normal:', ':a.pcap']) expect(() => parseModeArg(bad)).toThrow(ModeLabelError);
  });

  it('stores labels and resolves a record’s mode: input labels first, then windows, else unlabelled', () => {
    const store = storeWithInputs(['a.pcap', 'b.har', 'c.pcap']);
    const from = nsFromIso('2020-01-01T10:00:00Z') as bigint;
    const to = nsFromIso('2020-01-01T11:00:00Z') as bigint;
    setModeLabels(store.db, [
      { mode: 'incognito', input: 'b.har' },
      { mode: 'normal', input: '/captures/a.pcap' },
      { mode: 'incognito', from: '2020-01-01T10:00:00Z', to: '2020-01-01T11:00:00Z' },
      { mode: 'normal', input: 'missing.pcap' },
    ]);
    expect(listModeLabels(store.db)).toHaveLength(4);
    const m = modeResolver(store.db);
    expect(m.labelled).toBe(true);
    expect(m.modeOf(2, 0n)).toBe('incognito');
    expect(m.modeOf(1, from)).toBe('normal');
    expect(m.modeOf(3, from)).toBe('incognito');
    expect(m.modeOf(3, to + 1n)).toBe('unlabelled');
    expect(m.unmatched.map((l) => l.inputRef)).toEqual(['missing.pcap']);
    // The SQL form agrees with modeOf.
    const q = m.sql('i', 't');
    const sqlMode = (i: number, t: bigint): string => store.db.prepare(`SELECT ${q.expr} FROM (SELECT ? AS i, ? AS t)`).pluck().get(...q.params, i, t) as string;
    for (const [i, t] of [[2, 0n], [1, from], [3, from], [3, to + 1n]] as Array<[number, bigint]>) expect(sqlMode(i, t)).toBe(m.modeOf(i, t));
    store.close();
  });

  it('adds, removes and refuses bad labels without touching the others', () => {
    const store = storeWithInputs(['a.pcap']);
    addModeLabel(store.db, { mode: 'normal', input: 1 });
    expect(() => addModeLabel(store.db, { mode: 'normal', input: 9 })).toThrow(/no input 9/);
    expect(() => addModeLabel(store.db, { mode: 'normal', from: '2020-01-02T00:00:00Z', to: '2020-01-01T00:00:00Z' })).toThrow(/ends before/);
    expect(() => setModeLabels(store.db, [{ mode: 'incognito', input: 1 }, { mode: 'normal', from: 'yesterday', to: 'today' }])).toThrow(/ISO/);
    // A failed replace keeps the old labels.
    expect(listModeLabels(store.db).map((l) => [l.mode, l.inputId])).toEqual([['normal', 1]]);
    const [only] = listModeLabels(store.db);
    expect(removeModeLabel(store.db, only.id)).toEqual([]);
    expect(modeResolver(store.db).labelled).toBe(false);
    expect(modeResolver(store.db).sql('i', 't').expr).toBe("'unlabelled'");
    store.close();
  });
});

describe('watch list', () => {
  it('parses one value per line with comments, and classifies each', () => {
    const list = parseWatchList('\uFEFF# planted on 21 April\nhttps://www.aidshilfe.de/hiv-test\n\nhiv test anonymous\n  alice.example@xiaomi.com  \n+49 151 2345 6789\nwww.bbc.com/news\nhiv test anonymous\n');
    expect(list).toEqual([
      { value: 'https://www.aidshilfe.de/hiv-test', kind: 'url' },
      { value: 'hiv test anonymous', kind: 'word' },
      { value: 'alice.example@xiaomi.com', kind: 'email' },
      { value: '+49 151 2345 6789', kind: 'phone' },
      { value: 'www.bbc.com/news', kind: 'url' },
    ]);
    expect(classifyWatch('example.com')).toBe('word');
  });

  it('is kept in the case', () => {
    const store = storeWithInputs([]);
    setWatchList(store.db, parseWatchList('a word\nb@example.org'), 'test');
    expect(getWatchList(store.db)).toEqual([{ value: 'a word', kind: 'word' }, { value: 'b@example.org', kind: 'email' }]);
    setWatchList(store.db, [], null);
    expect(getWatchList(store.db)).toEqual([]);
    store.close();
  });
});
