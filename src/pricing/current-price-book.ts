/**
 * The price book a running process prices with, replaceable without a restart. The gateway,
 * the policy's worst-case estimate and re-pricing hold this source instead of a book, and read
 * `current()` per call: one property read, so the hot path pays nothing for reloadability.
 * A reload builds a whole new book and swaps it in, so a call never sees half of two books.
 */
import { statSync } from 'node:fs';
import { loadPriceBook, overridesPath, type PriceBookOptions } from './catalog-loader.js';
import type { PriceBook } from './price-book.js';

/** Anything that can say which book prices a call now; a `PriceBook` is its own (fixed) source. */
export interface PriceBookSource {
  current(): PriceBook;
}

/** Last-modified time of the overrides file, or 0 when it does not exist. */
function overridesMtime(dataDir: string | undefined): number {
  if (!dataDir) return 0;
  try {
    return statSync(overridesPath(dataDir)).mtimeMs;
  } catch {
    return 0;
  }
}

export class CurrentPriceBook implements PriceBookSource {
  private book: PriceBook;
  private mtime: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: PriceBookOptions) {
    this.mtime = overridesMtime(opts.dataDir);
    this.book = loadPriceBook(opts);
  }

  current(): PriceBook {
    return this.book;
  }

  /**
   * Re-reads the price files and swaps the book in. Throws (keeping the previous book) when a
   * file is invalid, so a bad edit never leaves calls unpriced.
   */
  reload(): PriceBook {
    const mtime = overridesMtime(this.opts.dataDir);
    this.book = loadPriceBook(this.opts);
    this.mtime = mtime;
    return this.book;
  }

  /** Reloads when the overrides file changed since the last load (a hand edit, or the CLI on the same folder). */
  reloadIfChanged(): boolean {
    if (overridesMtime(this.opts.dataDir) === this.mtime) return false;
    this.reload();
    return true;
  }

  /**
   * Polls the overrides file's mtime (a stat every `intervalMs`, off the call path). `onError`
   * hears about an invalid file; the previous book stays in force until it is fixed.
   */
  watch(intervalMs: number, onReload: (book: PriceBook) => void, onError: (err: Error) => void): void {
    this.stop();
    this.timer = setInterval(() => {
      try {
        if (this.reloadIfChanged()) onReload(this.book);
      } catch (e) {
        // Do not retry the same broken file every tick: wait for the next change.
        this.mtime = overridesMtime(this.opts.dataDir);
        onError(e as Error);
      }
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
