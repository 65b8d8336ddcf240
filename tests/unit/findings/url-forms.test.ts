import { describe, expect, it } from 'vitest';
import {
  displayUrl, forEachHostToken, isRootOnly, parseUrlLike, safeDecode, urlKey, urlPathKey, urlsInText, wordTokens,
} from '../../../electron/engine/findings/url-forms.ts';

function key(s: string, bare = false): string | null {
  const u = parseUrlLike(s, bare);
  return u === null ? null : urlKey(u);
}

describe('URL forms', () => {
  it('gives every spelling of one request target the same key', () => {
    const k = key('https://www.google.com/search?q=asylum+lawyer+berlin');
    expect(k).toBe('www.google.com/search?q=asylum lawyer berlin');
    for (const s of [
      'http://www.google.com/search?q=asylum%20lawyer%20berlin',
      '//WWW.Google.com:443/search?q=asylum+lawyer+berlin#results',
      'https://www.google.com/search/?q=asylum+lawyer+berlin',
    ]) expect(key(s)).toBe(k);
    expect(key('www.google.com/search?q=asylum+lawyer+berlin', true)).toBe(k);
    expect(key('https://www.google.com/search?q=other')).not.toBe(k);
  });

  it('keeps non-default ports and decodes the path', () => {
    expect(key('http://a.example:8080/x%20y/')).toBe('a.example:8080/x y');
    expect(key('http://a.example:80/')).toBe('a.example');
    expect(urlPathKey(parseUrlLike('https://a.example/p?q=1') as never)).toBe('a.example/p');
  });

  it('refuses what is not a URL', () => {
    for (const s of ['hello', 'http://', 'https://exa mple.com/', 'mailto:a@b.c', '1.5/2', 'http://-bad.example/']) expect(key(s, true)).toBeNull();
    // Without a scheme a host needs a letter TLD and a path to be a URL.
    expect(parseUrlLike('www.bbc.com/news', true)).not.toBeNull();
    expect(parseUrlLike('www.bbc.com/news')).toBeNull();
  });

  it('knows a root-only URL says no more than its host', () => {
    expect(isRootOnly(parseUrlLike('https://www.google.com/') as never)).toBe(true);
    expect(isRootOnly(parseUrlLike('https://www.google.com') as never)).toBe(true);
    expect(isRootOnly(parseUrlLike('https://www.google.com/?q=x') as never)).toBe(false);
  });

  it('shows URLs with a scheme', () => {
    expect(displayUrl(parseUrlLike('www.bbc.com/news?x=1', true) as never)).toBe('https://www.bbc.com/news?x=1');
    expect(displayUrl(parseUrlLike('http://[2001:db8::1]:8080/a') as never)).toBe('http://[2001:db8::1]:8080/a');
  });

  it('finds URLs written inside text, with their positions', () => {
    const text = 'visited "https://en.wikipedia.org/wiki/Right_of_asylum", then http://a.example/x.';
    const found = urlsInText(text);
    expect(found.map((f) => text.slice(f.start, f.end))).toEqual(['https://en.wikipedia.org/wiki/Right_of_asylum', 'http://a.example/x']);
  });

  it('finds host names and words in text', () => {
    const hosts: string[] = [];
    forEachHostToken('ref=www.bbc.com&t=1.5&x=.foo.example.', (h) => hosts.push(h));
    expect(hosts).toEqual(['www.bbc.com', 'foo.example']);
    expect(wordTokens('HIV+test, anonymous').map((t) => t.t)).toEqual(['hiv', 'test', 'anonymous']);
    expect(wordTokens('Straße über').map((t) => t.t)).toEqual(['straße', 'über']);
  });

  it('percent-decodes without throwing on broken escapes', () => {
    expect(safeDecode('a%20b')).toBe('a b');
    expect(safeDecode('100%25')).toBe('100%');
    expect(safeDecode('%E0%A4%A and %41')).toBe('%E0%A4%A and A');
  });
});
