/**
 * A progress bar on standard error, only when it is a terminal: pipes, CI logs and `--json`
 * output stay clean.
 */
import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  update(done: number): void;
  increment(by: number): void;
  stop(): void;
}

const SILENT: Progress = { update: () => undefined, increment: () => undefined, stop: () => undefined };

export function startProgress(label: string, total: number, opts: { quiet?: boolean; unit?: string } = {}): Progress {
  if (opts.quiet || !process.stderr.isTTY || total <= 0) return SILENT;
  const bar = new SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} ${opts.unit ?? ''} | eta {eta_formatted}`, stream: process.stderr, hideCursor: true, etaBuffer: 50 },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update: (done) => bar.update(Math.min(done, total)),
    increment: (by) => bar.increment(by),
    stop: () => bar.stop(),
  };
}
