/**
 * Embedded (DuckDB) migrations, applied in version order and recorded in schema_migrations.
 * Kept as TypeScript strings rather than .sql files so tsc ships them in dist/ with no copy step.
 * Never edit an applied migration: add the next number.
 */
import * as m001 from './001-ledger.js';
import * as m002 from './002-ledger-cost-history.js';
import * as m003 from './003-ledger-without-primary-key.js';
import * as m004 from './004-ledger-not-null.js';
import * as m005 from './005-ledger-rollup-hourly.js';
import * as m006 from './006-billed-lines.js';
import * as m007 from './007-outcomes-revenue.js';
import * as m008 from './008-inventory.js';
import * as m009 from './009-ledger-request-shape.js';
import * as m010 from './010-inventory-usage.js';
import * as m011 from './011-ledger-response-id.js';
import * as m012 from './012-gpu-usage-vendor.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const EMBEDDED_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: m001.name, sql: m001.sql },
  { version: 2, name: m002.name, sql: m002.sql },
  { version: 3, name: m003.name, sql: m003.sql },
  { version: 4, name: m004.name, sql: m004.sql },
  { version: 5, name: m005.name, sql: m005.sql },
  { version: 6, name: m006.name, sql: m006.sql },
  { version: 7, name: m007.name, sql: m007.sql },
  { version: 8, name: m008.name, sql: m008.sql },
  { version: 9, name: m009.name, sql: m009.sql },
  { version: 10, name: m010.name, sql: m010.sql },
  { version: 11, name: m011.name, sql: m011.sql },
  { version: 12, name: m012.name, sql: m012.sql },
];
