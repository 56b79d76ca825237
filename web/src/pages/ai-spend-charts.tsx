/**
 * The All AI spend page's charts, loaded lazily like the other ECharts pages: spend over time
 * stacked by category, and a horizontal bar breakdown (by category or team). Values are numbers
 * for drawing only — the page's figures stay exact decimal strings.
 */
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { formatMoney } from '../lib/money';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface AiSpendChartProps {
  /** Trend: period labels; breakdown: the keys (categories, teams). */
  categories: string[];
  series: { name: string; values: number[] }[];
  kind: 'trend' | 'breakdown';
  label: string;
  testId: string;
  height?: number;
}

const PALETTE = ['#0e7490', '#f59e0b', '#6366f1', '#10b981', '#ef4444', '#8b5cf6', '#64748b', '#db2777', '#84cc16', '#0891b2'];

export default function AiSpendChart({ categories, series, kind, label, testId, height = 260 }: AiSpendChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    const node = el.current;
    if (!c || !node) return;
    node.dataset['rendered'] = 'false';
    c.off('finished');
    c.on('finished', () => {
      node.dataset['rendered'] = 'true';
    });
    const money = (v: unknown) => formatMoney(Number(v));
    const trend = kind === 'trend';
    c.setOption(
      {
        color: PALETTE,
        animation: false,
        grid: trend ? { left: 64, right: 16, top: 36, bottom: 28 } : { left: 130, right: 24, top: 8, bottom: 24 },
        legend: trend ? { type: 'scroll', top: 0, textStyle: { fontSize: 12 } } : { show: false },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: money },
        xAxis: trend ? { type: 'category', data: categories } : { type: 'value', axisLabel: { formatter: money } },
        yAxis: trend ? { type: 'value', axisLabel: { formatter: money } } : { type: 'category', data: categories, inverse: true },
        series: series.map((s) => ({ name: s.name, type: 'bar', stack: trend ? 'spend' : undefined, data: s.values, barMaxWidth: trend ? 28 : 18, colorBy: trend ? 'series' : 'data' })),
      },
      { notMerge: true },
    );
  }, [categories, series, kind]);

  return <div ref={el} className="chart" style={{ height }} data-testid={testId} role="img" aria-label={label} />;
}
