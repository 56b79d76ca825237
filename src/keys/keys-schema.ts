/** The keys domain's tables, for both engines (see src/store/sql.ts for the portability rules). */
import type { DomainMigration } from '../store/sql.js';

const TABLES = (text: string) => [
  `CREATE TABLE virtual_keys (
    id ${text} PRIMARY KEY,
    name ${text},
    secret_hash ${text} NOT NULL,
    hint ${text} NOT NULL,
    defaults_json ${text} NOT NULL,
    tags_json ${text} NOT NULL,
    models_json ${text},
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT,
    last_used_at BIGINT
  )`,
  `CREATE TABLE provider_credentials (
    provider ${text} PRIMARY KEY,
    sealed ${text} NOT NULL,
    fingerprint ${text} NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  )`,
  `CREATE TABLE api_tokens (
    id ${text} PRIMARY KEY,
    name ${text} NOT NULL,
    secret_hash ${text} NOT NULL,
    hint ${text} NOT NULL,
    scope_json ${text} NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_used_at BIGINT
  )`,
];

export const KEYS_MIGRATIONS: readonly DomainMigration[] = [
  {
    version: 1,
    name: 'virtual keys, sealed provider credentials, scoped API tokens',
    duckdb: TABLES('VARCHAR').join(';\n'),
    postgres: TABLES('TEXT').join(';\n'),
  },
  {
    version: 2,
    name: 'virtual keys: endpoints beyond the metered ones a key may reach',
    duckdb: 'ALTER TABLE virtual_keys ADD COLUMN endpoints_json VARCHAR',
    postgres: 'ALTER TABLE virtual_keys ADD COLUMN endpoints_json TEXT',
  },
];
