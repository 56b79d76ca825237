/**
 * The ledger spool: append-only JSON Lines segment files under `<data>/spool/`, one record per
 * line. A record is in the spool before the gateway answers the call it describes, and its
 * segment is deleted only after the store has committed every record in it. Segments are named
 * `ledger-<ms since epoch, 13 digits>-<pid>-<seq>.jsonl`, so a plain sort replays them in order.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LedgerRecord } from './ledger-record.js';

export const SPOOL_DIR = 'spool';
const SEGMENT_NAME = /^ledger-\d{13}-\d+-\d+\.jsonl$/;

/** Appending to the spool failed (disk full, permissions): the record is NOT durable. */
export class LedgerSpoolError extends Error {
  override readonly name = 'LedgerSpoolError';
}

let sequence = 0;

/** The one system call the spool's health depends on; tests inject a failing one (disk full). */
export type SpoolWrite = (fd: number, buffer: Uint8Array, offset: number, length: number) => number;
const systemWrite: SpoolWrite = (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length);

/** One open segment. Writes are synchronous so that a record is in the kernel before write() returns. */
export class SpoolSegment {
  readonly path: string;
  private fd: number;
  count = 0;
  /** Bytes written since the last fsync. */
  private dirty = false;
  /** Bytes of whole lines in the file: a failed append is cut back to here. */
  private size = 0;
  /** A failed append left bytes that could not be cut off: seal this segment, write no more to it. */
  torn = false;

  constructor(
    dir: string,
    private readonly write: SpoolWrite = systemWrite,
  ) {
    this.path = path.join(dir, `ledger-${String(Date.now()).padStart(13, '0')}-${process.pid}-${++sequence}.jsonl`);
    try {
      // 'a': O_APPEND, so each line lands after the previous one even if something else wrote. 0600: records name teams, customers, keys.
      this.fd = fs.openSync(this.path, 'a', 0o600);
    } catch (err) {
      throw new LedgerSpoolError(`ledger spool segment cannot be created (${this.path}): ${(err as Error).message}`);
    }
  }

  append(line: string): void {
    this.appendLines(line, 1);
  }

  /** Appends `count` whole lines (joined, each ending in \n) with one write: a group commit. */
  appendLines(lines: string, count: number): void {
    const buf = Buffer.from(lines, 'utf8');
    let off = 0;
    try {
      // writeSync may write less than asked (signals, quotas); loop until the line is whole.
      while (off < buf.length) off += this.write(this.fd, buf, off, buf.length - off);
    } catch (err) {
      // Disk full mid-line: cut the partial line off so the next record does not get glued to it.
      if (off > 0) this.cutBack();
      throw new LedgerSpoolError(`ledger spool append failed (${this.path}): ${(err as Error).message}`);
    }
    this.size += buf.length;
    this.count += count;
    this.dirty = true;
  }

  private cutBack(): void {
    try {
      fs.ftruncateSync(this.fd, this.size);
    } catch {
      this.torn = true;
    }
  }

  sync(): void {
    if (!this.dirty) return;
    fs.fsyncSync(this.fd);
    this.dirty = false;
  }

  close(fsync: boolean): void {
    if (fsync) this.sync();
    fs.closeSync(this.fd);
  }
}

export function spoolDir(dataDir: string): string {
  return path.join(dataDir, SPOOL_DIR);
}

/** Segment files present on disk, oldest first. */
export function listSegments(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.filter((n) => SEGMENT_NAME.test(n)).sort().map((n) => path.join(dir, n));
}

export interface SegmentContents {
  records: LedgerRecord[];
  /** Lines that are not JSON: a torn tail from a crash mid-write, or damage. */
  corrupt: number;
}

/** Every record line starts with an object whose first key is quoted. */
const RECORD_START = '{"';

export async function readSegment(file: string): Promise<SegmentContents> {
  const text = await fs.promises.readFile(file, 'utf8');
  const records: LedgerRecord[] = [];
  let corrupt = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as LedgerRecord);
    } catch {
      corrupt++;
      const salvaged = recordAfterTear(line);
      if (salvaged) records.push(salvaged);
    }
  }
  return { records, corrupt };
}

/**
 * A torn write (disk full, crash mid-line) followed by a good append leaves the partial line and
 * the next whole record on one line. The whole record is the first object start from which the
 * rest of the line parses (a nested object cannot: the line goes on past its end); the partial
 * prefix is the corruption.
 */
function recordAfterTear(line: string): LedgerRecord | undefined {
  for (let at = line.indexOf(RECORD_START, 1); at > 0; at = line.indexOf(RECORD_START, at + 1)) {
    try {
      const value: unknown = JSON.parse(line.slice(at));
      if (value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string' && typeof (value as { started_at?: unknown }).started_at === 'string') return value as LedgerRecord;
    } catch {
      /* a record start inside the torn part, or inside a string: try the next one */
    }
  }
  return undefined;
}

/**
 * Retires a committed segment. A segment with unreadable lines is kept, renamed `.corrupt`, for a
 * human to look at: the spool never deletes bytes it could not account for.
 */
export function retireSegment(file: string, corrupt: number): void {
  if (corrupt > 0) fs.renameSync(file, `${file}.corrupt`);
  else fs.rmSync(file, { force: true });
}
