/**
 * Alert history, annotations and channel settings in domain tables beside the ledger (portable SQL:
 * the same statements run on DuckDB and PostgreSQL). Full alerts are kept as JSON with the columns
 * the list filters on beside them.
 */
import type { Store } from '../store/store.js';
import { numberOf, textOf, type SqlRow } from '../store/sql.js';
import type { Alert, AlertStatus } from './alert-types.js';
import type { Incident, IncidentStatus } from './incident-tracker.js';
import type { Annotation } from './annotation.js';
import type { SecretBox } from '../keys/master-key.js';
import type { ChannelConfig } from './channels/channel-config.js';
import { hasClearSecret, openChannel, sealChannel, type StoredChannel } from './channels/channel-secrets.js';
import { scopeId } from './scope.js';

const MIGRATIONS = [
  {
    version: 1,
    name: 'alerts, annotations, channels',
    duckdb: `
      CREATE TABLE alerts (id VARCHAR PRIMARY KEY, dedup_key VARCHAR NOT NULL, kind VARCHAR NOT NULL, severity VARCHAR NOT NULL,
        status VARCHAR NOT NULL, detected_at BIGINT NOT NULL, resolved_at BIGINT, body VARCHAR NOT NULL);
      CREATE INDEX alerts_by_time ON alerts (detected_at);
      CREATE TABLE alert_annotations (id VARCHAR PRIMARY KEY, scope VARCHAR NOT NULL, from_ms BIGINT NOT NULL, to_ms BIGINT NOT NULL,
        note VARCHAR NOT NULL, expected_multiplier DOUBLE NOT NULL, created_at BIGINT NOT NULL);
      CREATE TABLE alert_channels (id VARCHAR PRIMARY KEY, body VARCHAR NOT NULL, created_at BIGINT NOT NULL);`,
    postgres: `
      CREATE TABLE alerts (id TEXT PRIMARY KEY, dedup_key TEXT NOT NULL, kind TEXT NOT NULL, severity TEXT NOT NULL,
        status TEXT NOT NULL, detected_at BIGINT NOT NULL, resolved_at BIGINT, body TEXT NOT NULL);
      CREATE INDEX alerts_by_time ON alerts (detected_at);
      CREATE TABLE alert_annotations (id TEXT PRIMARY KEY, scope TEXT NOT NULL, from_ms BIGINT NOT NULL, to_ms BIGINT NOT NULL,
        note TEXT NOT NULL, expected_multiplier DOUBLE PRECISION NOT NULL, created_at BIGINT NOT NULL);
      CREATE TABLE alert_channels (id TEXT PRIMARY KEY, body TEXT NOT NULL, created_at BIGINT NOT NULL);`,
  },
  {
    version: 2,
    name: 'incidents',
    duckdb: `
      CREATE TABLE alert_incidents (id VARCHAR PRIMARY KEY, status VARCHAR NOT NULL, opened_at BIGINT NOT NULL, resolved_at BIGINT, body VARCHAR NOT NULL);
      CREATE INDEX alert_incidents_by_time ON alert_incidents (opened_at);`,
    postgres: `
      CREATE TABLE alert_incidents (id TEXT PRIMARY KEY, status TEXT NOT NULL, opened_at BIGINT NOT NULL, resolved_at BIGINT, body TEXT NOT NULL);
      CREATE INDEX alert_incidents_by_time ON alert_incidents (opened_at);`,
  },
];

export interface AlertListQuery {
  status?: AlertStatus;
  kind?: string;
  fromMs?: number;
  toMs?: number;
  limit?: number;
}

export class AlertRepository {
  private ready: Promise<void> | null = null;
  private box: SecretBox | undefined;

  constructor(private readonly store: Store) {}

  /** Applies the alerts migrations once per process (idempotent across restarts). */
  migrate(): Promise<void> {
    return (this.ready ??= this.store.migrateDomain('alerts', MIGRATIONS));
  }

  async save(a: Alert): Promise<void> {
    await this.migrate();
    const sql = this.store.sql;
    await sql.transaction(async (tx) => {
      await tx.execute('DELETE FROM alerts WHERE id = $1', [a.id]);
      await tx.execute('INSERT INTO alerts (id, dedup_key, kind, severity, status, detected_at, resolved_at, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        a.id,
        `${a.kind}|${scopeId(a.scope)}`,
        a.kind,
        a.severity,
        a.status,
        a.detected_at,
        a.resolved_at,
        JSON.stringify(a),
      ]);
    });
  }

  async get(id: string): Promise<Alert | null> {
    await this.migrate();
    const rows = await this.store.sql.query('SELECT body FROM alerts WHERE id = $1', [id]);
    return rows[0] ? (JSON.parse(String(rows[0]['body'])) as Alert) : null;
  }

  /** Newest first. */
  async list(q: AlertListQuery = {}): Promise<Alert[]> {
    await this.migrate();
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (clause: string, v: string | number) => {
      params.push(v);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (q.status) add('status = ?', q.status);
    if (q.kind) add('kind = ?', q.kind);
    if (q.fromMs !== undefined) add('detected_at >= ?', q.fromMs);
    if (q.toMs !== undefined) add('detected_at < ?', q.toMs);
    const limit = Math.min(Math.max(1, q.limit ?? 200), 1000);
    const rows = await this.store.sql.query(`SELECT body FROM alerts${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY detected_at DESC, id DESC LIMIT ${limit}`, params);
    return rows.map((r) => JSON.parse(String(r['body'])) as Alert);
  }

  async active(): Promise<Alert[]> {
    await this.migrate();
    const rows = await this.store.sql.query("SELECT body FROM alerts WHERE status <> 'resolved'");
    return rows.map((r) => JSON.parse(String(r['body'])) as Alert);
  }

  async saveIncident(i: Incident): Promise<void> {
    await this.migrate();
    await this.store.sql.transaction(async (tx) => {
      await tx.execute('DELETE FROM alert_incidents WHERE id = $1', [i.id]);
      await tx.execute('INSERT INTO alert_incidents (id, status, opened_at, resolved_at, body) VALUES ($1, $2, $3, $4, $5)', [i.id, i.status, i.opened_at, i.resolved_at, JSON.stringify(i)]);
    });
  }

  async getIncident(id: string): Promise<Incident | null> {
    await this.migrate();
    const rows = await this.store.sql.query('SELECT body FROM alert_incidents WHERE id = $1', [id]);
    return rows[0] ? (JSON.parse(String(rows[0]['body'])) as Incident) : null;
  }

  /** Newest first. */
  async listIncidents(q: { status?: IncidentStatus; fromMs?: number; toMs?: number; limit?: number } = {}): Promise<Incident[]> {
    await this.migrate();
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.status) where.push(`status = $${params.push(q.status)}`);
    if (q.fromMs !== undefined) where.push(`opened_at >= $${params.push(q.fromMs)}`);
    if (q.toMs !== undefined) where.push(`opened_at < $${params.push(q.toMs)}`);
    const limit = Math.min(Math.max(1, q.limit ?? 200), 1000);
    const rows = await this.store.sql.query(`SELECT body FROM alert_incidents${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY opened_at DESC, id DESC LIMIT ${limit}`, params);
    return rows.map((r) => JSON.parse(String(r['body'])) as Incident);
  }

  async activeIncidents(): Promise<Incident[]> {
    await this.migrate();
    const rows = await this.store.sql.query("SELECT body FROM alert_incidents WHERE status <> 'resolved'");
    return rows.map((r) => JSON.parse(String(r['body'])) as Incident);
  }

  /** The alerts of one incident (their body carries `incident_id`). */
  async incidentAlerts(i: Incident): Promise<Alert[]> {
    const out: Alert[] = [];
    for (const id of i.alert_ids) {
      const a = await this.get(id);
      if (a) out.push(a);
    }
    return out;
  }

  async addAnnotation(a: Annotation): Promise<void> {
    await this.migrate();
    await this.store.sql.execute('INSERT INTO alert_annotations (id, scope, from_ms, to_ms, note, expected_multiplier, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      a.id,
      JSON.stringify(a.scope),
      a.from,
      a.to,
      a.note,
      a.expected_multiplier,
      Date.now(),
    ]);
  }

  async annotations(): Promise<Annotation[]> {
    await this.migrate();
    const rows = await this.store.sql.query('SELECT * FROM alert_annotations ORDER BY from_ms');
    return rows.map(annotationOf);
  }

  async deleteAnnotation(id: string): Promise<boolean> {
    await this.migrate();
    return (await this.store.sql.execute('DELETE FROM alert_annotations WHERE id = $1', [id])) > 0;
  }

  /** The master key's box: channel secrets are sealed with it (runtimes set it at start). */
  useSecretBox(box: SecretBox): void {
    this.box = box;
  }

  async addChannel(c: ChannelConfig & { id: string }): Promise<void> {
    await this.migrate();
    if (!this.box && hasClearSecret(c)) throw new Error('alert channel secrets are sealed under the master key, and none is loaded');
    const stored = this.box ? sealChannel(c, this.box) : c;
    await this.store.sql.execute('INSERT INTO alert_channels (id, body, created_at) VALUES ($1, $2, $3)', [c.id, JSON.stringify(stored), Date.now()]);
  }

  async channels(): Promise<(ChannelConfig & { id: string })[]> {
    await this.migrate();
    const rows = await this.store.sql.query('SELECT body FROM alert_channels ORDER BY created_at, id');
    return rows.map((r) => openChannel(JSON.parse(String(r['body'])) as StoredChannel, this.box));
  }

  /** Seals secrets that rows written before sealing existed still hold in clear; returns how many rows. */
  async sealStoredSecrets(): Promise<number> {
    if (!this.box) return 0;
    await this.migrate();
    let sealed = 0;
    for (const r of await this.store.sql.query('SELECT id, body FROM alert_channels')) {
      const c = JSON.parse(String(r['body'])) as StoredChannel;
      if (!hasClearSecret(c)) continue;
      await this.store.sql.execute('UPDATE alert_channels SET body = $1 WHERE id = $2', [JSON.stringify(sealChannel(c, this.box)), String(r['id'])]);
      sealed++;
    }
    return sealed;
  }

  async deleteChannel(id: string): Promise<boolean> {
    await this.migrate();
    return (await this.store.sql.execute('DELETE FROM alert_channels WHERE id = $1', [id])) > 0;
  }
}

function annotationOf(r: SqlRow): Annotation {
  return {
    id: textOf(r['id']) ?? '',
    scope: JSON.parse(textOf(r['scope']) ?? '{}') as Record<string, string>,
    from: numberOf(r['from_ms']) ?? 0,
    to: numberOf(r['to_ms']) ?? 0,
    note: textOf(r['note']) ?? '',
    expected_multiplier: numberOf(r['expected_multiplier']) ?? 1,
  };
}
