/** Who wrote a case or an export: tool name and version, and the machine it ran on (for the custody log). */
import { hostname, platform, arch, release, userInfo } from 'node:os';
import pkg from '../../../package.json' with { type: 'json' };

export const TOOL_NAME = 'telltale';
export const TOOL_VERSION: string = pkg.version;

/** "telltale 0.1.0": the tool column of the custody log. */
export function toolString(): string {
  return `${TOOL_NAME} ${TOOL_VERSION}`;
}

export interface HostInfo {
  hostname: string;
  user: string | null;
  platform: string;
  arch: string;
  osRelease: string;
  node: string;
  pid: number;
}

let cachedHost: HostInfo | null = null;

/** The machine and account doing the work; computed once per process. */
export function hostInfo(): HostInfo {
  if (cachedHost) return cachedHost;
  let user: string | null = null;
  // userInfo throws when the uid has no passwd entry (containers): the log must still be written.
  try { user = userInfo().username; } catch { user = null; }
  cachedHost = {
    hostname: hostname(),
    user,
    platform: platform(),
    arch: arch(),
    osRelease: release(),
    node: process.version,
    pid: process.pid,
  };
  return cachedHost;
}
