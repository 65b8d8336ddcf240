/**
 * JSON export of a case (format "telltale-export", version 1; every field is
 * documented in docs/export-format.md and kept stable). Records are streamed from the
 * store page by page and written in large chunks, so a huge case never becomes one
 * string in memory. The file is written beside the target and renamed into place,
 * and its SHA-256 goes into the case's custody log.
 */
import { createHash } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { checkExportTarget } from './target-guard.ts';
import type { CaseStore, InputRow } from '../store/case-store.ts';
import { TOOL_NAME, TOOL_VERSION } from '../store/tool-info.ts';
import { isoFromNs } from '../util/time.ts';
import { linkTypeName } from './link-type-names.ts';
import { findingsSections, type FindingsCounts } from './findings-export.ts';
import { rrTypeName } from './rr-types.ts';

export const EXPORT_FORMAT = 'telltale-export';
export const EXPORT_VERSION = 1;

export interface JsonExportResult {
  /** Absolute path of the written file. */
  path: string;
  sha256: string;
  bytes: number;
  counts: { inputs: number; dns: number; tls: number; http: number; names: number; hosts: number; anomalies: number } & Partial<FindingsCounts>;
}

/** Bytes are handed to the file in chunks of about this size. */
const CHUNK = 256 * 1024;

class HashingWriter {
  bytes = 0;
  private readonly fh: FileHandle;
  private readonly hash = createHash('sha256');
  private parts: string[] = [];
  private pending = 0;

  constructor(fh: FileHandle) {
    this.fh = fh;
  }

  /** Queue text; returns a promise only when a chunk had to be written (await it). */
  write(s: string): Promise<void> | undefined {
    this.parts.push(s);
    this.pending += s.length;
    return this.pending >= CHUNK ? this.drain() : undefined;
  }

  async drain(): Promise<void> {
    if (this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.pending = 0;
    this.hash.update(buf);
    this.bytes += buf.length;
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, off, buf.length - off);
      off += bytesWritten;
    }
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

function hex(n: number, width: number): string {
  return `0x${n.toString(16).padStart(width, '0')}`;
}

function hexOrNull(n: number | null, width: number): string | null {
  return n === null ? null : hex(n, width);
}

/** Indent a pretty-printed JSON value to sit at nesting level 1. */
function nested(v: unknown): string {
  return JSON.stringify(v, null, 2).replace(/\n/g, '\n  ');
}

interface InputRef {
  file: string;
  digits: number;
  har: boolean;
}

/**
 * Write the case to `outPath` as telltale-export JSON and log 'export.json' (path and
 * SHA-256) in the custody log. Refuses to write over the case file itself.
 */
export async function exportJson(store: CaseStore, outPath: string): Promise<JsonExportResult> {
  const target = checkExportTarget(store, outPath, 'export');
  const inputs = store.inputs();
  const refs = new Map<number, InputRef>();
  for (const i of inputs) {
    refs.set(i.id, { file: i.fileName, digits: i.tsDigits ?? 9, har: i.format === 'har' });
  }
  const ref = (id: number | null): InputRef => (id !== null ? refs.get(id) : undefined) ?? { file: `input-${id}`, digits: 9, har: false };
  const ts = (ns: bigint, r: InputRef): string => isoFromNs(ns, r.digits);

  const tmp = `${target}.partial-${process.pid}`;
  const fh = await open(tmp, 'w');
  const w = new HashingWriter(fh);
  const counts: JsonExportResult['counts'] = { inputs: inputs.length, dns: 0, tls: 0, http: 0, names: 0, hosts: 0, anomalies: 0 };
  try {
    const meta = store.meta();
    const custody = store.custodyLog();
    const chain = store.verifyCustody();
    const head = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      tool: { name: TOOL_NAME, version: TOOL_VERSION, node: process.version },
      exportedAt: new Date().toISOString(),
      case: {
        id: meta.caseId,
        title: meta.title,
        created: meta.created,
        createdWith: meta.createdWith,
        path: store.path,
        custody: {
          chainOk: chain.ok,
          entries: custody.map((c) => ({ id: c.id, at: c.at, action: c.action, detail: c.detail, tool: c.tool, hash: c.hash })),
        },
      },
    };
    await w.write('{\n');
    for (const [k, v] of Object.entries(head)) await w.write(`  ${JSON.stringify(k)}: ${nested(v)},\n`);

    const section = async <T>(name: string, rows: Iterable<T>, toJson: (r: T) => unknown, last = false): Promise<number> => {
      await w.write(`  ${JSON.stringify(name)}: [`);
      let n = 0;
      for (const r of rows) {
        const p = w.write(`${n === 0 ? '\n' : ',\n'}    ${JSON.stringify(toJson(r))}`);
        if (p) await p;
        n++;
      }
      await w.write(`${n ? '\n  ]' : ']'}${last ? '\n' : ',\n'}`);
      return n;
    };

    await section('inputs', inputs, inputJson);
    counts.dns = await section('dns', store.iterDns(), (r) => {
      const i = ref(r.input);
      return {
        ts: ts(r.ts, i),
        name: r.qname,
        qtype: rrTypeName(r.qtype),
        response: r.response,
        rcode: r.rcode,
        answers: r.answers.map((a) => ({ name: a.name, type: rrTypeName(a.type), ttl: a.ttl, data: a.data })),
        transport: r.transport,
        flavor: r.flavor,
        id: r.id,
        src: r.srcIp,
        srcPort: r.srcPort,
        dst: r.dstIp,
        dstPort: r.dstPort,
        input: i.file,
        ...pointer(r.frame, r.entry ?? null),
      };
    });

    counts.tls = await section('tls', store.iterTls(), (r) => {
      const i = ref(r.input);
      return {
        ts: ts(r.ts, i),
        sni: r.sni,
        alpn: r.alpn,
        ja4: r.ja4,
        versions: r.versions.map((v) => hex(v, 4)),
        legacyVersion: hex(r.legacyVersion, 4),
        transport: r.transport,
        quicVersion: hexOrNull(r.quicVersion, 8),
        serverVersion: hexOrNull(r.serverVersion, 4),
        serverCipher: hexOrNull(r.serverCipher, 4),
        serverFrame: r.serverFrame,
        src: r.srcIp,
        srcPort: r.srcPort,
        dst: r.dstIp,
        dstPort: r.dstPort,
        input: i.file,
        ...pointer(r.frame, r.entry ?? null),
      };
    });

    counts.http = await section('http', store.iterHttp(), (r) => {
      const i = ref(r.input);
      const o: Record<string, unknown> = {
        ts: ts(r.ts, i),
        method: r.method,
        host: r.host,
        uri: r.uri,
      };
      if (r.status !== null) o.status = r.status;
      if (r.reason !== null) o.reason = r.reason;
      o.version = r.version;
      o.source = r.source;
      o.input = i.file;
      Object.assign(o, pointer(r.frame, r.entry ?? null));
      o.src = r.srcIp || null;
      o.srcPort = r.srcPort || null;
      o.dst = r.dstIp || null;
      o.dstPort = r.dstPort || null;
      if (r.serverIp) o.serverIp = r.serverIp;
      o.requestBodyBytes = r.requestBodyLen;
      o.responseBodyBytes = r.responseBodyLen;
      if (r.responseBodyEncoding) o.responseBodyEncoding = r.responseBodyEncoding;
      if (r.responseBodySha256) o.responseBodySha256 = r.responseBodySha256;
      o.truncated = r.truncated;
      if (r.responseTs !== null) o.responseTs = ts(r.responseTs, i);
      if (r.responseFrame !== null) o.responseFrame = r.responseFrame;
      return o;
    });

    counts.names = await section('names', store.iterNames(), (r) => {
      const i = ref(r.input);
      return {
        ts: ts(r.ts, i),
        name: r.name,
        ip: r.ip,
        mac: r.mac,
        source: r.source,
        vendorClass: r.vendorClass ?? null,
        input: i.file,
        ...pointer(r.frame, r.entry ?? null),
      };
    });

    counts.hosts = await section('hosts', groupHosts(store, ref), (h) => h);
    counts.anomalies = await section('anomalies', store.iterAnomalies(), (a) => ({
      input: ref(a.input).file,
      frame: a.frame,
      layer: a.layer,
      error: a.error,
    }));
    Object.assign(counts, await findingsSections(store.db, inputs, section, async (k, v) => {
      await w.write(`  ${JSON.stringify(k)}: ${nested(v)},\n`);
    }));
    await w.write(`  "counts": ${JSON.stringify(counts)}\n}\n`);
    await w.drain();
    await fh.sync();
    await fh.close();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
  await rename(tmp, target);
  const sha256 = w.digest();
  store.appendCustody('export.json', { path: target, sha256, bytes: w.bytes, counts });
  return { path: target, sha256, bytes: w.bytes, counts };
}

function inputJson(i: InputRow): Record<string, unknown> {
  const digits = i.tsDigits ?? 9;
  const o: Record<string, unknown> = {
    file: i.fileName,
    path: i.path,
    sha256: i.sha256,
    size: i.size,
    format: i.format,
    gzip: i.gzip,
    linkTypes: i.linkTypes,
    linkTypeNames: i.linkTypes.map(linkTypeName),
    tsDigits: i.tsDigits,
  };
  if (i.format === 'har') o.entries = i.entries;
  else o.packets = i.packets;
  o.firstTs = i.firstTs === null ? null : isoFromNs(i.firstTs, digits);
  o.lastTs = i.lastTs === null ? null : isoFromNs(i.lastTs, digits);
  o.anomalies = i.anomalies;
  o.status = i.status;
  o.producer = i.producer;
  if (i.error !== null) o.error = i.error;
  return o;
}

/** Capture records point at a 1-based frame, HAR records at a 0-based entry. */
function pointer(frame: number | null, entry: number | null): { frame: number | null } | { entry: number } {
  return frame === null && entry !== null ? { entry } : { frame };
}

/** One object per IP with its names; host links arrive sorted by ip, so grouping is a single pass. */
function* groupHosts(store: CaseStore, ref: (id: number | null) => InputRef): Generator<Record<string, unknown>> {
  let ip: string | null = null;
  let names: string[] = [];
  let links: Array<Record<string, unknown>> = [];
  const emit = (): Record<string, unknown> => ({ ip, names: [...new Set(names)].sort(), links });
  for (const h of store.iterHosts()) {
    if (h.ip !== ip) {
      if (ip !== null) yield emit();
      ip = h.ip;
      names = [];
      links = [];
    }
    names.push(h.name);
    const i = ref(h.input);
    links.push({
      name: h.name,
      source: h.source,
      count: h.count,
      firstTs: isoFromNs(h.firstTs, i.digits),
      input: h.input === null ? null : i.file,
      ...pointer(h.frame, h.entry),
    });
  }
  if (ip !== null) yield emit();
}
