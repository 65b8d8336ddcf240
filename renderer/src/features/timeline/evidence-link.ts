/**
 * Which evidence row a timeline mark opens. The link itself is the shell's
 * `evidenceHref(kind, id)` (lib/router.tsx), of the form
 *
 *   #/evidence?kind=<http|dns|tls|flow|anomaly>&id=<row id>
 *
 * where kind and id are exactly the params of `evidence.get`.
 */
import type { EvidenceKind, TimelineEvent } from '../../../../shared/model.ts';

/**
 * The evidence row a timeline event opens: its own row for DNS, TLS, HTTP and flows;
 * for a leak, the HTTP exchange it was found in (given by the engine as `evidence`),
 * or null when the engine did not say.
 */
export function eventEvidence(ev: TimelineEvent): { kind: EvidenceKind; id: number } | null {
  if (ev.evidence) return ev.evidence;
  if (ev.kind === 'leak') return null;
  return { kind: ev.kind, id: ev.id };
}
