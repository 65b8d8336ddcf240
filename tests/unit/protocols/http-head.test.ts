/** HTTP head splitting (parseHead), against the plain statement of its rules. */
import { describe, expect, it } from 'vitest';
import { parseHead, type ParsedHead } from '../../../electron/engine/protocols/http-head.ts';
import { prng } from '../../../tools/synth/packets.ts';

/**
 * The rules as plainly as they can be written: split at LF, drop one CR at the end of
 * each line, stop at the first empty line, fold lines that start with a space or tab
 * into the previous value, split the others at their first colon and trim both sides.
 * parseHead does the same in one pass with offsets; the two must agree on every input.
 */
function reference(text: string): ParsedHead {
  const strip = (s: string): string => (s.endsWith('\r') ? s.slice(0, -1) : s);
  const lines = text.split('\n');
  const headers: Array<[string, string]> = [];
  let badLines = 0;
  for (const raw of lines.slice(1)) {
    const line = strip(raw);
    if (line === '') break;
    if ((line[0] === ' ' || line[0] === '\t') && headers.length > 0) {
      const last = headers[headers.length - 1];
      last[1] = `${last[1]} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      badLines++;
      continue;
    }
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { startLine: strip(lines[0]), headers, badLines };
}

describe('parseHead', () => {
  it('splits a usual head into its start line and trimmed headers', () => {
    const h = parseHead('GET /a HTTP/1.1\r\nHost: example.com\r\nX-Id:  42 \r\nbroken line\r\nUser-Agent: t/1\r\n  folded\r\n\r\nbody: no');
    expect(h).toEqual({
      startLine: 'GET /a HTTP/1.1',
      headers: [['Host', 'example.com'], ['X-Id', '42'], ['User-Agent', 't/1 folded']],
      badLines: 1,
    });
  });

  it('agrees with the plain rules on random heads full of spaces, tabs, CRs, colons and Unicode spaces', () => {
    // Characters chosen to hit every branch: line ends, folds, empty names, spaces
    // String#trim removes (NBSP, ideographic space, BOM, VT) and ones it keeps (\x01).
    const alphabet = ['a', 'B', ':', ' ', ' ', '\t', '\r', '\n', '\n', '\u00a0', '\u3000', '\ufeff', '\v', '\x01', 'é', '-'];
    for (let seed = 1; seed <= 3000; seed++) {
      const r = prng(seed);
      const len = Math.floor(r() * 80);
      let text = '';
      for (let i = 0; i < len; i++) text += alphabet[Math.floor(r() * alphabet.length)];
      expect(parseHead(text), `seed ${seed}: ${JSON.stringify(text)}`).toEqual(reference(text));
    }
  });
});
