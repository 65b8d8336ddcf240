/**
 * Loaded with `node --import` into the process being measured (the Telltale CLI): at
 * exit it writes the process's peak resident set (VmHWM, which covers every thread,
 * the import worker included) and its CPU time to the file named by
 * TELLTALE_BENCH_PROBE. It changes nothing else in the measured process.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env.TELLTALE_BENCH_PROBE;

function vmHwmKb(): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'latin1'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

if (out) {
  process.on('exit', () => {
    const cpu = process.cpuUsage();
    const usage = process.resourceUsage();
    writeFileSync(out, JSON.stringify({
      vmHwmKb: vmHwmKb(),
      maxRssKb: usage.maxRSS,
      userMs: cpu.user / 1000,
      systemMs: cpu.system / 1000,
    }));
  });
}
