/** The chart module and ECharts load on first use, after the page's numbers are already shown. */
import { lazy, Suspense } from 'react';
import type { SpendChartProps } from './spend-chart';

const SpendChart = lazy(() => import('./spend-chart'));

export function LazySpendChart(props: SpendChartProps) {
  return (
    <Suspense fallback={<div className="chart chart-placeholder" style={{ height: props.height ?? 300 }} />}>
      <SpendChart {...props} />
    </Suspense>
  );
}
