/**
 * The data folder holds the ledger (teams, customers, spend), the spool, the master key and the
 * admin token: it is private to the user running Costrail. The folder (and its spool and
 * dead-letter folders) get 0700 and the files directly in them 0600, also when an older version
 * or a permissive umask left them readable by others. Files an engine creates later (DuckDB's
 * WAL) sit behind the 0700 folder; `serve` also sets umask 077 so they are born private.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEAD_LETTER_DIR } from '../ledger/dead-letter.js';
import { SPOOL_DIR } from '../ledger/ledger-spool.js';

export function makeDataDirPrivate(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  for (const dir of [dataDir, path.join(dataDir, SPOOL_DIR), path.join(dataDir, DEAD_LETTER_DIR)]) {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // not created yet: created 0700 when first needed
    }
    narrow(dir, 0o700);
    for (const e of entries) if (e.isFile()) narrow(path.join(dir, e.name), 0o600);
  }
}

function narrow(file: string, mode: number): void {
  try {
    if ((fs.statSync(file).mode & 0o777) !== mode) fs.chmodSync(file, mode);
  } catch {
    /* gone meanwhile, or not ours to change: the folder's own mode still guards it */
  }
}
