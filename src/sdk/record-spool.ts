/**
 * The SDK's local spool: batches the Costrail server did not take wait here, one JSON Lines file
 * per batch, until they can be sent. Files are written to a temporary name and renamed, so a crash
 * mid-write leaves no half batch to replay. The spool is bounded in bytes: past the bound the
 * oldest files are deleted and their records counted as dropped, so an unreachable server can
 * never fill the disk. Replaying is safe to repeat: the server imports idempotently by record id,
 * so a file sent but not yet deleted when the process died is deduplicated, not counted twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { LedgerRecord } from '../ledger/ledger-record.js';

const SUFFIX = '.ndjson';

export interface SpooledBatch {
  file: string;
  body: string;
  records: number;
}

export class RecordSpool {
  private seq = 0;

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
  ) {}

  /** Writes one batch; returns how many older records were dropped to stay under the bound. */
  write(batch: readonly LedgerRecord[]): number {
    if (batch.length === 0) return 0;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const body = batch.map((r) => JSON.stringify(r)).join('\n') + '\n';
    // Time first so a directory listing is the replay order; pid and seq keep names unique across processes.
    const name = `${Date.now().toString().padStart(14, '0')}-${process.pid}-${(this.seq++).toString().padStart(6, '0')}-${randomUUID().slice(0, 8)}${SUFFIX}`;
    const tmp = path.join(this.dir, `.${name}.tmp`);
    fs.writeFileSync(tmp, body, { mode: 0o600 });
    fs.renameSync(tmp, path.join(this.dir, name));
    return this.trim();
  }

  /** Spooled batch files, oldest first. */
  files(): string[] {
    try {
      return fs
        .readdirSync(this.dir)
        .filter((f) => f.endsWith(SUFFIX) && !f.startsWith('.'))
        .sort();
    } catch {
      return [];
    }
  }

  /** One spooled batch; undefined when another process already replayed and removed it. */
  read(file: string): SpooledBatch | undefined {
    try {
      const body = fs.readFileSync(path.join(this.dir, file), 'utf8');
      return { file, body, records: countLines(body) };
    } catch {
      return undefined;
    }
  }

  remove(file: string): void {
    fs.rmSync(path.join(this.dir, file), { force: true });
  }

  /** Records waiting on disk. */
  pending(): number {
    let n = 0;
    for (const f of this.files()) n += this.read(f)?.records ?? 0;
    return n;
  }

  private trim(): number {
    const files = this.files();
    const sizes = files.map((f) => sizeOf(path.join(this.dir, f)));
    let total = sizes.reduce((a, b) => a + b, 0);
    let dropped = 0;
    // The newest batch always stays, even alone over the bound: it is what was just handed over.
    for (let i = 0; i < files.length - 1 && total > this.maxBytes; i++) {
      const f = files[i] as string;
      dropped += this.read(f)?.records ?? 0;
      this.remove(f);
      total -= sizes[i] ?? 0;
    }
    return dropped;
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function countLines(body: string): number {
  let n = 0;
  for (const line of body.split('\n')) if (line.trim() !== '') n++;
  return n;
}
