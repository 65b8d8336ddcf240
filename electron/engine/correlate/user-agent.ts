/**
 * A small User-Agent reader: device model and OS for Android and iOS, OS for desktops,
 * and the browser. Hand-written rather than a library because the question is narrow
 * (which phone, which OS) and must be explainable in a report: ua-parser-js is AGPL
 * from version 2 and both it and similar packages are large regex tables with a
 * history of ReDoS fixes, which an evidence tool that runs on hostile input avoids.
 * Every rule below reads one documented token of the UA string.
 */

export interface UserAgentInfo {
  /** 'android', 'ios', 'ipados', 'windows', 'macos', 'linux', 'chromeos', or null. */
  os: string | null;
  osVersion: string | null;
  /** Device model as the UA names it ('Redmi Note 9 Pro', 'iPhone', 'SM-G991B'), or null. */
  model: string | null;
  /** 'mobile', 'tablet', 'desktop', or null when the UA does not say. */
  form: 'mobile' | 'tablet' | 'desktop' | null;
  /** Browser or app token ('MiuiBrowser', 'Chrome', 'Firefox', 'Safari', 'okhttp' …), or null. */
  browser: string | null;
  browserVersion: string | null;
}

/** Browser tokens, most specific first: a MIUI browser UA also says Chrome and Safari. */
const BROWSERS = ['MiuiBrowser', 'SamsungBrowser', 'HuaweiBrowser', 'UCBrowser', 'YaBrowser', 'OPR', 'Edg', 'EdgA', 'EdgiOS',
  'Vivaldi', 'Brave', 'DuckDuckGo', 'FxiOS', 'CriOS', 'Firefox', 'Chrome', 'okhttp', 'Dalvik', 'CFNetwork', 'curl', 'Wget',
  'python-requests'];

const NAMES: Record<string, string> = { OPR: 'Opera', Edg: 'Edge', EdgA: 'Edge', EdgiOS: 'Edge', FxiOS: 'Firefox', CriOS: 'Chrome' };

function token(ua: string, name: string): string | null {
  const i = ua.indexOf(`${name}/`);
  if (i === -1) return null;
  // The token must start a word: 'Chrome/' inside 'HeadlessChrome/' is a different browser.
  if (i > 0 && /[A-Za-z]/.test(ua[i - 1])) return null;
  let e = i + name.length + 1;
  while (e < ua.length && ua[e] !== ' ' && ua[e] !== ';' && ua[e] !== ')') e++;
  return ua.slice(i + name.length + 1, e);
}

/** The parenthesised comment after 'Mozilla/5.0', split at ';'. */
function comment(ua: string): string[] {
  const open = ua.indexOf('(');
  const close = open === -1 ? -1 : ua.indexOf(')', open);
  if (open === -1 || close === -1) return [];
  return ua.slice(open + 1, close).split(';').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Read a User-Agent header. Unknown parts stay null; never throws. */
export function parseUserAgent(ua: string): UserAgentInfo {
  const info: UserAgentInfo = { os: null, osVersion: null, model: null, form: null, browser: null, browserVersion: null };
  if (typeof ua !== 'string' || ua.length === 0) return info;
  const s = ua.length > 1024 ? ua.slice(0, 1024) : ua;
  const parts = comment(s);

  const android = parts.findIndex((p) => p.startsWith('Android'));
  if (android !== -1) {
    info.os = 'android';
    const v = /^Android[ /]?([\d.]+)/.exec(parts[android]);
    info.osVersion = v ? v[1] : null;
    // The model is the part that carries "Build/…", or else the last part after the
    // version and the optional language tag ('Linux; Android 10; K' in reduced UAs).
    const build = parts.find((p) => p.includes(' Build/') || p.startsWith('Build/'));
    let model: string | null = null;
    if (build) model = build.slice(0, build.indexOf('Build/')).trim();
    else {
      for (let i = android + 1; i < parts.length; i++) {
        const p = parts[i];
        if (/^[a-z]{2}(?:[-_][a-zA-Z]{2})?$/.test(p) || p === 'U' || p === 'wv') continue;
        model = p;
        break;
      }
    }
    // Chrome's reduced UA hides the model behind a single 'K'.
    info.model = model && model !== 'K' && model.length > 0 ? model : null;
    info.form = s.includes('Mobile') ? 'mobile' : 'tablet';
  } else if (parts.some((p) => p === 'iPhone' || p === 'iPad' || p === 'iPod' || p.startsWith('iPhone') || p.startsWith('iPad'))) {
    const dev = parts.find((p) => p.startsWith('iPhone') || p.startsWith('iPad') || p.startsWith('iPod')) ?? null;
    info.model = dev;
    info.os = dev !== null && dev.startsWith('iPad') ? 'ipados' : 'ios';
    const v = /(?:iPhone )?OS (\d+(?:_\d+)*)/.exec(s);
    info.osVersion = v ? v[1].replaceAll('_', '.') : null;
    info.form = info.os === 'ipados' ? 'tablet' : 'mobile';
  } else if (parts.some((p) => p.startsWith('Windows'))) {
    info.os = 'windows';
    const v = /Windows NT ([\d.]+)/.exec(s);
    info.osVersion = v ? v[1] : null;
    info.form = 'desktop';
  } else if (parts.some((p) => p.startsWith('Macintosh') || p.includes('Mac OS X'))) {
    info.os = 'macos';
    const v = /Mac OS X (\d+(?:[._]\d+)*)/.exec(s);
    info.osVersion = v ? v[1].replaceAll('_', '.') : null;
    info.form = 'desktop';
  } else if (parts.some((p) => p.startsWith('CrOS'))) {
    info.os = 'chromeos';
    info.form = 'desktop';
  } else if (parts.some((p) => p.startsWith('X11') || p.startsWith('Linux'))) {
    info.os = 'linux';
    info.form = 'desktop';
  }

  for (const b of BROWSERS) {
    const v = token(s, b);
    if (v !== null) {
      info.browser = NAMES[b] ?? b;
      info.browserVersion = v.length > 0 ? v : null;
      break;
    }
  }
  if (info.browser === null && s.includes('Safari/') && token(s, 'Version') !== null) {
    info.browser = 'Safari';
    info.browserVersion = token(s, 'Version');
  }
  return info;
}
