/**
 * The ledger's dead-letter file: records the store refused for their own content (a token count
 * no column can hold, an instant no partition takes) are moved here, one JSON line each with why
 * and when, so they stop blocking every later batch and a human can repair and re-import them
 * (`costrail import ledger` takes the `record` field of each line). Lines are fsync'd before
 * the spool segment that held them is retired, so a crash in between only repeats a line.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LedgerRecord } from './ledger-record.js';

export const DEAD_LETTER_DIR = 'dead-letter';

export interface QuarantinedRecord {
  record: LedgerRecord;
  /** The store's error for this record alone (no prompt text: records never hold any). */
  reason: string;
}

export function deadLetterDir(dataDir: string): string {
  return path.join(dataDir, DEAD_LETTER_DIR);
}

/** Appends the records to `<data>/dead-letter/ledger-<day>.jsonl` (0600) and returns the file. */
export function writeDeadLetters(dataDir: string, items: readonly QuarantinedRecord[], now = new Date()): string {
  const dir = deadLetterDir(dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `ledger-${now.toISOString().slice(0, 10)}.jsonl`);
  const at = now.toISOString();
  const text = items.map((q) => JSON.stringify({ quarantined_at: at, reason: q.reason.slice(0, 500), record: q.record }) + '\n').join('');
  const fd = fs.openSync(file, 'a', 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}
