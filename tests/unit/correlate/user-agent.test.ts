import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUserAgent } from '../../../electron/engine/correlate/user-agent.ts';
import { PHONE } from '../../../tools/synth/scenario-phone.ts';

const CORPUS = resolve(import.meta.dirname, '../../fixtures/corpus');

/** The User-Agent of the first request of a corpus HAR. */
function harUa(file: string): string {
  const har = JSON.parse(readFileSync(join(CORPUS, file), 'utf8').replace(/^\uFEFF/, '')) as { log: { entries: Array<{ request: { headers: Array<{ name: string; value: string }> } }> } };
  const h = har.log.entries[0].request.headers.find((x) => x.name.toLowerCase() === 'user-agent');
  if (!h) throw new Error(`${file}: no User-Agent`);
  return h.value;
}

describe('parseUserAgent', () => {
  it('reads model, Android version and browser of the scenario phone', () => {
    expect(parseUserAgent(PHONE.userAgent)).toEqual({
      os: 'android', osVersion: '11', model: PHONE.model, form: 'mobile', browser: 'MiuiBrowser', browserVersion: '12.13.2-gn',
    });
  });

  it('reads Android models with and without a Build token, and not the reduced UA placeholder', () => {
    expect(parseUserAgent('Mozilla/5.0 (Linux; Android 13; SM-S901B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Mobile Safari/537.36'))
      .toMatchObject({ os: 'android', osVersion: '13', model: 'SM-S901B', browser: 'Chrome', form: 'mobile' });
    expect(parseUserAgent('Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36'))
      .toMatchObject({ os: 'android', osVersion: '10', model: null });
    expect(parseUserAgent('Dalvik/2.1.0 (Linux; U; Android 9; Pixel 3 Build/PQ3A.190801.002)'))
      .toMatchObject({ os: 'android', osVersion: '9', model: 'Pixel 3', browser: 'Dalvik' });
  });

  it('reads iOS devices and versions', () => {
    expect(parseUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 14_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0.3 Mobile/15E148 Safari/604.1'))
      .toEqual({ os: 'ios', osVersion: '14.4', model: 'iPhone', form: 'mobile', browser: 'Safari', browserVersion: '14.0.3' });
    expect(parseUserAgent('Mozilla/5.0 (iPad; CPU OS 12_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/74.0 Mobile/15E148 Safari/605.1'))
      .toMatchObject({ os: 'ipados', osVersion: '12.2', model: 'iPad', browser: 'Chrome' });
  });

  it('reads desktop systems from the corpus HARs', () => {
    expect(parseUserAgent(harUa('mitmproxy__firefox.har'))).toMatchObject({ os: 'macos', browser: 'Firefox', form: 'desktop', model: null });
    expect(parseUserAgent(harUa('mitmproxy__chrome.har'))).toMatchObject({ os: 'macos', browser: 'Chrome' });
    expect(parseUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0'))
      .toMatchObject({ os: 'windows', osVersion: '10.0', browser: 'Firefox', browserVersion: '115.0' });
    expect(parseUserAgent('Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:20.0) Gecko/20100101 Firefox/20.0')).toMatchObject({ os: 'linux', browser: 'Firefox' });
  });

  it('says nothing it cannot read', () => {
    expect(parseUserAgent('')).toEqual({ os: null, osVersion: null, model: null, form: null, browser: null, browserVersion: null });
    expect(parseUserAgent('curl/8.4.0')).toMatchObject({ os: null, browser: 'curl', browserVersion: '8.4.0' });
    expect(parseUserAgent('Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0 Safari/537.36').browser).toBeNull();
  });
});
