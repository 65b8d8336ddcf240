/** Grouped bar charts of the comparison: incognito and normal side by side per metric. */
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { formatBytes, formatCount } from '../../lib/format.ts';
import { useCssColors } from '../timeline/use-css-colors.ts';
import { chartData } from './comparison.ts';
import type { MetricFormat, MetricRow } from './comparison.ts';

const COLOR_PROPS = {
  incognito: ['--lb-incognito', '#6b3fb8'],
  normal: ['--lb-normal', '#1f6aa5'],
  axis: ['--tl-axis', '#66707d'],
  grid: ['--tl-grid', 'rgba(127, 127, 127, 0.18)'],
  surface: ['--surface', '#ffffff'],
  text: ['--text', '#1d232b'],
} as const satisfies Record<string, [string, string]>;

function formatValue(format: MetricFormat, v: number): string {
  if (format === 'bytes') return formatBytes(v);
  if (format === 'ratio') return `${v}%`;
  return formatCount(v);
}

export function CompareChart({ rows, format, width, title }: { rows: readonly MetricRow[]; format: MetricFormat; width: number; title: string }) {
  const colors = useCssColors(COLOR_PROPS);
  const data = chartData(rows, format);
  if (data.length === 0 || width <= 0) return null;
  const height = 44 + data.length * 46;
  return (
    <figure className="cmp-chart" data-testid={`compare-chart-${format}`}>
      <figcaption className="cmp-chart-title">{title}</figcaption>
      <BarChart width={width} height={height} data={data} layout="vertical" margin={{ top: 4, right: 48, bottom: 4, left: 8 }} barGap={2} barCategoryGap="22%">
        <CartesianGrid stroke={colors.grid} horizontal={false} />
        <XAxis
          type="number"
          stroke={colors.axis}
          tick={{ fill: colors.axis, fontSize: 11 }}
          tickFormatter={(v: number) => formatValue(format, v)}
          domain={format === 'ratio' ? [0, 100] : [0, 'auto']}
          allowDecimals={false}
        />
        <YAxis type="category" dataKey="label" width={150} stroke={colors.axis} tick={{ fill: colors.text, fontSize: 12 }} />
        <Tooltip
          isAnimationActive={false}
          cursor={{ fill: colors.grid }}
          formatter={(v) => formatValue(format, Number(v))}
          contentStyle={{ background: colors.surface, border: `1px solid ${colors.grid}`, borderRadius: 6, fontSize: 12 }}
          labelStyle={{ color: colors.text, fontWeight: 600 }}
        />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="normal" name="Normal" fill={colors.normal} isAnimationActive={false} label={{ position: 'right', fill: colors.axis, fontSize: 11, formatter: (v: unknown) => formatValue(format, Number(v)) }} />
        <Bar dataKey="incognito" name="Incognito" fill={colors.incognito} isAnimationActive={false} label={{ position: 'right', fill: colors.axis, fontSize: 11, formatter: (v: unknown) => formatValue(format, Number(v)) }} />
      </BarChart>
    </figure>
  );
}
