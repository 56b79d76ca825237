/**
 * Spend over time as stacked bars, one series per group. ECharts is imported piecemeal (core,
 * bar chart, grid, tooltip, legend, canvas) and this module is loaded lazily, so the charting code
 * stays out of the initial download.
 */
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { formatMoney } from '../lib/money';
import { formatPeriod } from '../lib/time';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface ChartSeries {
  name: string;
  /** One value per category (bucket); USD as numbers, for drawing only. */
  values: number[];
}

export interface SpendChartProps {
  /** Bucket starts (ISO instants). */
  categories: string[];
  series: ChartSeries[];
  granularity: string;
  height?: number;
}

const PALETTE = ['#0e7490', '#f59e0b', '#6366f1', '#10b981', '#ef4444', '#8b5cf6', '#14b8a6', '#f97316', '#64748b', '#ec4899', '#84cc16', '#a3a3a3'];

export default function SpendChart({ categories, series, granularity, height = 300 }: SpendChartProps) {
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
    c.setOption(
      {
        color: PALETTE,
        animation: false,
        grid: { left: 64, right: 16, top: 36, bottom: 28 },
        legend: { type: 'scroll', top: 0, textStyle: { fontSize: 12 } },
        tooltip: {
          trigger: 'axis',
          axisPointer: { type: 'shadow' },
          valueFormatter: (v: unknown) => formatMoney(typeof v === 'number' ? v : Number(v)),
        },
        xAxis: { type: 'category', data: categories.map((p) => formatPeriod(p, granularity)), axisTick: { alignWithLabel: true } },
        yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatMoney(v) } },
        series: series.map((s) => ({ name: s.name, type: 'bar', stack: 'spend', data: s.values, barMaxWidth: 36, emphasis: { focus: 'series' } })),
      },
      { notMerge: true },
    );
  }, [categories, series, granularity]);

  return <div ref={el} className="chart" style={{ height }} data-testid="spend-chart" role="img" aria-label="Spend over time" />;
}
