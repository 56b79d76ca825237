/** One showback report in each output format. */
import { showbackCsv } from './showback-csv.js';
import { showbackHtml } from './showback-html.js';
import { showbackMarkdown } from './showback-markdown.js';
import type { ShowbackReport } from './showback.js';

export const SHOWBACK_FORMATS = ['json', 'md', 'csv', 'html'] as const;
export type ShowbackFormat = (typeof SHOWBACK_FORMATS)[number];

export function isShowbackFormat(f: string): f is ShowbackFormat {
  return (SHOWBACK_FORMATS as readonly string[]).includes(f);
}

export function renderShowback(r: ShowbackReport, format: Exclude<ShowbackFormat, 'json'>): { contentType: string; content: string; extension: string } {
  if (format === 'csv') return { contentType: 'text/csv; charset=utf-8', content: showbackCsv(r), extension: 'csv' };
  if (format === 'html') return { contentType: 'text/html; charset=utf-8', content: showbackHtml(r), extension: 'html' };
  return { contentType: 'text/markdown; charset=utf-8', content: showbackMarkdown(r), extension: 'md' };
}
