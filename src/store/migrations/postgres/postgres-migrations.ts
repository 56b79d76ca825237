/**
 * PostgreSQL migrations, applied in version order under an advisory lock (several processes may
 * start at once) and recorded in schema_migrations. Never edit an applied migration: add the next.
 */
import type { Migration } from '../embedded/embedded-migrations.js';
import * as m001 from './001-ledger.js';
import * as m002 from './002-ledger-cost-history.js';
import * as m003 from './003-ledger-rollup-daily.js';
import * as m004 from './004-billed-lines.js';
import * as m005 from './005-outcomes-revenue.js';
import * as m006 from './006-inventory.js';
import * as m007 from './007-ledger-request-shape.js';
import * as m008 from './008-inventory-usage.js';
import * as m009 from './009-ledger-response-id.js';
import * as m010 from './010-gpu-usage-vendor.js';

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
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
];
