import type { ReportComparison } from '../../../../shared/report.ts';

const WIDTH = 680;
const LABEL_WIDTH = 150;
const RIGHT = 60;
const BAR = 12;
const GAP = 4;
const GROUP_GAP = 12;

const COLOUR: Record<string, string> = { incognito: '#6a3d9a', normal: '#1f78b4' };

/** Findings per kind, one bar per mode side by side: incognito versus normal at a glance. */
export function ComparisonChart({ comparison }: { comparison: ReportComparison }) {
  const rows = [...comparison.kinds.map((k) => ({ key: k.kind, label: k.label, get: (m: ReportComparison['modes'][number]) => m.byKind[k.kind] ?? 0 })),
    { key: '_dest', label: 'destinations', get: (m: ReportComparison['modes'][number]) => m.destinations },
    { key: '_ctry', label: 'countries', get: (m: ReportComparison['modes'][number]) => m.countries.length }];
  const modes = comparison.modes;
  const groupHeight = modes.length * BAR + (modes.length - 1) * GAP;
  const top = 8;
  const height = top + rows.length * (groupHeight + GROUP_GAP) + 22;
  const max = Math.max(1, ...rows.flatMap((r) => modes.map((m) => r.get(m))));
  const x0 = LABEL_WIDTH;
  const width = WIDTH - RIGHT - x0;

  return (
    <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label="Incognito versus normal comparison" data-testid="report-comparison">
      {rows.map((r, i) => {
        const y = top + i * (groupHeight + GROUP_GAP);
        return (
          <g key={r.key}>
            <text x={x0 - 8} y={y + groupHeight / 2 + 3} fontSize={9} textAnchor="end" fill="#1b1f24">
              {r.label}
            </text>
            {modes.map((m, j) => {
              const v = r.get(m);
              const w = (v / max) * width;
              const by = y + j * (BAR + GAP);
              return (
                <g key={m.mode}>
                  <rect x={x0} y={by} width={Math.max(w, 0.8)} height={BAR} fill={COLOUR[m.mode]} />
                  <text x={x0 + Math.max(w, 0.8) + 4} y={by + BAR - 2.5} fontSize={8.5} fill="#1b1f24">
                    {v}
                  </text>
                </g>
              );
            })}
          </g>
        );
      })}
      <line x1={x0} x2={x0} y1={top - 4} y2={height - 20} stroke="#5a6470" strokeWidth={0.8} />
      {modes.map((m, j) => (
        <g key={`l-${m.mode}`}>
          <rect x={x0 + j * 110} y={height - 14} width={12} height={10} fill={COLOUR[m.mode]} />
          <text x={x0 + j * 110 + 16} y={height - 5.5} fontSize={8.5}>
            {m.mode}
          </text>
        </g>
      ))}
    </svg>
  );
}
