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
  /** The group-by values this series stands for; absent for "other". */
  group?: (string | null)[];
}

export interface SpendChartProps {
  /** Bucket starts (ISO instants). */
  categories: string[];
  series: ChartSeries[];
  granularity: string;
  height?: number;
  /** A click on a bar: its bucket start and its series, to drill down. */
  onBarClick?: (category: string, series: ChartSeries) => void;
}

const PALETTE = ['#0e7490', '#f59e0b', '#6366f1', '#10b981', '#ef4444', '#8b5cf6', '#14b8a6', '#f97316', '#64748b', '#ec4899', '#84cc16', '#a3a3a3'];

export default function SpendChart({ categories, series, granularity, height = 300, onBarClick }: SpendChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onBarClick);
  click.current = onBarClick;
  const seriesRef = useRef(series);
  seriesRef.current = series;
  const categoriesRef = useRef(categories);
  categoriesRef.current = categories;

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (e) => {
      const s = seriesRef.current[e.seriesIndex ?? -1];
      const cat = categoriesRef.current[e.dataIndex];
      if (s && cat !== undefined) click.current?.(cat, s);
    });
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
      node.dataset['hit'] = hitPoint(c, series);
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
        series: series.map((s) => ({ name: s.name, type: 'bar', stack: 'spend', data: s.values, barMaxWidth: 36, emphasis: { focus: 'series' }, cursor: onBarClick ? 'pointer' : 'default' })),
      },
      { notMerge: true },
    );
  }, [categories, series, granularity]);

  return <div ref={el} className={`chart${onBarClick ? ' clickable' : ''}`} style={{ height }} data-testid="spend-chart" role="img" aria-label="Spend over time" />;
}

/**
 * Where the largest bar segment is drawn ("x,y" in chart pixels): the canvas has no elements to
 * click, so tests and keyboardless automation find a bar through this.
 */
function hitPoint(c: echarts.ECharts, series: ChartSeries[]): string {
  let best = { v: 0, i: -1, base: 0 };
  const n = series[0]?.values.length ?? 0;
  for (let i = 0; i < n; i++) {
    let base = 0;
    for (const s of series) {
      const v = s.values[i] ?? 0;
      if (v > best.v) best = { v, i, base };
      base += v;
    }
  }
  if (best.i < 0) return '';
  const pt = c.convertToPixel({ xAxisIndex: 0, yAxisIndex: 0 }, [best.i, best.base + best.v / 2]);
  return Array.isArray(pt) ? `${Math.round(pt[0] ?? 0)},${Math.round(pt[1] ?? 0)}` : '';
}
