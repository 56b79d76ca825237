/**
 * The Reconciliation page's two charts, loaded lazily like the spend chart: a provider's billed
 * vs observed spend per day (bars side by side), and coverage over time (lines, percent). ECharts
 * is imported piecemeal; values are numbers for drawing only — the page's figures stay exact.
 */
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { formatMoney } from '../lib/money';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface LineSeries {
  name: string;
  /** One per category; null where there is nothing to measure. */
  values: (number | null)[];
}

export interface ReconChartProps {
  /** Day or week labels (YYYY-MM-DD). */
  categories: string[];
  series: LineSeries[];
  kind: 'money' | 'percent';
  label: string;
  testId: string;
  height?: number;
}

const PALETTE = ['#0e7490', '#f59e0b', '#6366f1', '#10b981', '#ef4444', '#8b5cf6'];

export default function ReconChart({ categories, series, kind, label, testId, height = 240 }: ReconChartProps) {
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
    const format = kind === 'money' ? (v: number) => formatMoney(v) : (v: number) => `${v}%`;
    c.setOption(
      {
        color: PALETTE,
        animation: false,
        grid: { left: 64, right: 16, top: 36, bottom: 28 },
        legend: { type: 'scroll', top: 0, textStyle: { fontSize: 12 } },
        tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (v === null || v === undefined ? '—' : format(Number(v))) },
        xAxis: { type: 'category', data: categories, axisTick: { alignWithLabel: true } },
        yAxis: kind === 'percent' ? { type: 'value', min: 0, max: 100, axisLabel: { formatter: format } } : { type: 'value', axisLabel: { formatter: format } },
        series: series.map((s) => (kind === 'money' ? { name: s.name, type: 'bar', data: s.values, barMaxWidth: 24 } : { name: s.name, type: 'line', data: s.values, connectNulls: false, symbolSize: 6 })),
      },
      { notMerge: true },
    );
  }, [categories, series, kind]);

  return <div ref={el} className="chart" style={{ height }} data-testid={testId} role="img" aria-label={label} />;
}
