/**
 * The ledger's staging worker (node:worker_threads): turns a spool segment into the staging
 * table's JSON Lines (duckdb-staging.ts), so the gateway's thread never parses or re-encodes a
 * record to commit it. DuckDB itself then reads the file (read_json) on its own threads. The
 * worker holds no DuckDB handle: one process-wide instance owns the database file.
 */
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { stageSegmentText } from './duckdb-staging.js';

export interface StageRequest {
  id: number;
  segment: string;
  scratch: string;
}

export type StageReply = { id: number; ok: true; count: number; lo: string; hi: string } | { id: number; ok: false; error: string };

parentPort?.on('message', (req: StageRequest) => {
  let reply: StageReply;
  try {
    const { lines, staged } = stageSegmentText(fs.readFileSync(req.segment, 'utf8'));
    fs.writeFileSync(req.scratch, lines, { mode: 0o600 });
    reply = { id: req.id, ok: true, ...staged };
  } catch (err) {
    reply = { id: req.id, ok: false, error: (err as Error).message };
  }
  parentPort?.postMessage(reply);
});
