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

/** One open segment. Writes are synchronous so that a record is in the kernel before write() returns. */
export class SpoolSegment {
  readonly path: string;
  private fd: number;
  count = 0;
  /** Bytes written since the last fsync. */
  private dirty = false;

  constructor(dir: string) {
    this.path = path.join(dir, `ledger-${String(Date.now()).padStart(13, '0')}-${process.pid}-${++sequence}.jsonl`);
    // 'a': O_APPEND, so each line lands after the previous one even if something else wrote.
    this.fd = fs.openSync(this.path, 'a');
  }

  append(line: string): void {
    const buf = Buffer.from(line, 'utf8');
    let off = 0;
    try {
      // writeSync may write less than asked (signals, quotas); loop until the line is whole.
      while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
    } catch (err) {
      throw new LedgerSpoolError(`ledger spool append failed (${this.path}): ${(err as Error).message}`);
    }
    this.count++;
    this.dirty = true;
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
    }
  }
  return { records, corrupt };
}

/**
 * Retires a committed segment. A segment with unreadable lines is kept, renamed `.corrupt`, for a
 * human to look at: the spool never deletes bytes it could not account for.
 */
export function retireSegment(file: string, corrupt: number): void {
  if (corrupt > 0) fs.renameSync(file, `${file}.corrupt`);
  else fs.rmSync(file, { force: true });
}
