/**
 * Review finding: dhcp.ts emits a NameRecord with name '' for a message that has a
 * vendor class but no host name (documented). Android 10+ phones send option 60 and
 * no option 12 by default. entities.ts then labels the device with `dhcp?.name`, which is
 * '' (not nullish), so the device gets an empty label instead of its MAC or address;
 * the export also lists a nameless `names[]` entry for it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAnalysis } from '../../electron/engine/findings/analysis.ts';
import { iterDevices } from '../../electron/engine/findings/queries.ts';
import { importFile } from '../../electron/engine/import/import-file.ts';
import { CaseStore } from '../../electron/engine/store/case-store.ts';
import { ACK, PSH, SYN, ethIp, pcapFile, tcp } from './review-bytes.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const PHONE_MAC = Buffer.from([0x02, 0, 0, 0, 0, 0x0a]);

/** DHCPDISCOVER (RFC 2131/2132) from PHONE_MAC with option 60 and no option 12. */
function dhcpDiscover(): Buffer {
  const bootp = Buffer.alloc(236);
  bootp[0] = 1;
  bootp[1] = 1;
  bootp[2] = 6;
  bootp.writeUInt32BE(0xdeadbeef, 4);
  PHONE_MAC.copy(bootp, 28);
  const vc = Buffer.from('android-dhcp-13', 'ascii');
  const opts = Buffer.concat([
    Buffer.from([0x63, 0x82, 0x53, 0x63]),
    Buffer.from([53, 1, 1]),
    Buffer.from([60, vc.length]), vc,
    Buffer.from([255]),
  ]);
  const payload = Buffer.concat([bootp, opts]);
  const h = Buffer.alloc(8);
  h.writeUInt16BE(68, 0);
  h.writeUInt16BE(67, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return ethIp('0.0.0.0', '255.255.255.255', 17, Buffer.concat([h, payload]), PHONE_MAC, Buffer.alloc(6, 0xff));
}

describe('review: device label with a nameless DHCP record', () => {
  it('never labels a device with an empty string', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-dhcp-label-'));
    dirs.push(dir);
    const C = '192.168.1.23';
    const S = '203.0.113.80';
    const req = Buffer.from('GET / HTTP/1.1\r\nHost: a.example\r\n\r\n');
    const pcap = join(dir, 'phone.pcap');
    writeFileSync(pcap, pcapFile([
      dhcpDiscover(),
      tcp(C, 40000, S, 80, 1000, 0, SYN),
      tcp(S, 80, C, 40000, 5000, 1001, SYN | ACK),
      tcp(C, 40000, S, 80, 1001, 5001, ACK | PSH, req),
    ]));
    const store = CaseStore.open(join(dir, 'case.db'), { create: true });
    try {
      const id = store.addInput(pcap);
      store.finishInput(id, await importFile(pcap, id, store, { pipeline: false }));
      await runAnalysis(store);
      const devices = [...iterDevices(store.db)];
      const phone = devices.find((d) => d.macs.includes('02:00:00:00:00:0a'));
      expect(phone).toBeDefined();
      expect(phone?.label).not.toBe('');
    } finally {
      store.close();
    }
  });
});
