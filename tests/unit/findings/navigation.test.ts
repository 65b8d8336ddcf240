import { describe, expect, it } from 'vitest';
import { registrableDomain } from '../../../electron/engine/enrich/domains.ts';
import { htmlResponse, isNavigation, navigationByHeaders, searchWords } from '../../../electron/engine/findings/navigation.ts';
import { parseUrlLike } from '../../../electron/engine/findings/url-forms.ts';

const HTML_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('isNavigation', () => {
  it('asks for the response only when the request headers leave it open', () => {
    const asked: string[] = [];
    const res = (): Array<[string, string]> => {
      asked.push('response');
      return [['Content-Type', 'image/png']];
    };
    expect(isNavigation('GET', [['Sec-Fetch-Dest', 'document'], ['Accept', HTML_ACCEPT]], res)).toBe(true);
    expect(isNavigation('GET', [['Accept', 'image/avif,*/*']], res)).toBe(false);
    expect(asked).toEqual([]);
    expect(navigationByHeaders([['Accept', HTML_ACCEPT]])).toBeNull();
    expect(isNavigation('GET', [['Accept', HTML_ACCEPT]], res)).toBe(false);
    expect(asked).toEqual(['response']);
    expect(htmlResponse(null)).toBe(true);
    expect(htmlResponse([['content-type', ' Application/XHTML+XML ']])).toBe(true);
  });

  it('follows Sec-Fetch-Dest, then Sec-Fetch-Mode', () => {
    expect(isNavigation('GET', [['Sec-Fetch-Dest', 'document'], ['Accept', HTML_ACCEPT]])).toBe(true);
    expect(isNavigation('GET', [['Sec-Fetch-Dest', 'iframe'], ['Sec-Fetch-Mode', 'navigate'], ['Accept', HTML_ACCEPT]])).toBe(false);
    expect(isNavigation('GET', [['sec-fetch-mode', 'navigate']])).toBe(true);
    expect(isNavigation('GET', [['Sec-Fetch-Dest', 'image'], ['Accept', 'image/avif,*/*']])).toBe(false);
  });

  it('falls back to Accept, and then wants an HTML response', () => {
    expect(isNavigation('GET', [['Accept', HTML_ACCEPT]])).toBe(true);
    expect(isNavigation('GET', [['Accept', HTML_ACCEPT]], [['Content-Type', 'text/html; charset=utf-8']])).toBe(true);
    expect(isNavigation('GET', [['Accept', HTML_ACCEPT]], [['Content-Type', 'application/x-shockwave-flash']])).toBe(false);
    expect(isNavigation('GET', [['Accept', HTML_ACCEPT]], () => [['Content-Type', 'application/ocsp-response']])).toBe(false);
    expect(isNavigation('GET', [['Accept', '*/*']])).toBe(false);
    expect(isNavigation('GET', [['Accept', HTML_ACCEPT], ['X-Requested-With', 'XMLHttpRequest']])).toBe(false);
    expect(isNavigation('PUT', [['Sec-Fetch-Dest', 'document']])).toBe(false);
    expect(isNavigation('GET', [])).toBe(false);
  });
});

function words(url: string): string[] {
  const u = parseUrlLike(url);
  if (u === null) throw new Error(url);
  return searchWords(u, registrableDomain(u.host));
}

describe('searchWords', () => {
  it('reads the engines’ own parameters', () => {
    expect(words('https://www.google.com/search?q=asylum+lawyer+berlin&client=ms-android')).toEqual(['asylum lawyer berlin']);
    expect(words('https://www.google.de/search?q=hiv%20test')).toEqual(['hiv test']);
    expect(words('https://www.baidu.com/s?wd=%E5%A4%A9%E6%B0%94')).toEqual(['天气']);
    expect(words('https://search.yahoo.com/search?p=weather+berlin')).toEqual(['weather berlin']);
    expect(words('https://yandex.ru/search/?text=pogoda&lr=213')).toEqual(['pogoda']);
    // Not the engine's parameter: q on Baidu is not the search.
    expect(words('https://www.baidu.com/s?q=x&wd=real+words')).toEqual(['real words']);
  });

  it('reads generic parameters on any page whose path contains /search', () => {
    expect(words('https://shop.example/en/search?query=red+shoes&page=2')).toEqual(['red shoes']);
    expect(words('https://shop.example/products?q=red+shoes')).toEqual([]);
  });

  it('skips empty, one-character and numeric values', () => {
    expect(words('https://www.google.com/search?q=')).toEqual([]);
    expect(words('https://www.google.com/search?q=a')).toEqual([]);
    expect(words('https://shop.example/search?k=123')).toEqual([]);
  });
});
