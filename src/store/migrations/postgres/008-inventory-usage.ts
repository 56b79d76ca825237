/** 008: seat lists and self-hosted GPU usage for the AI spend inventory (see inventory-usage-ddl.ts). */
import { INVENTORY_USAGE_DDL } from '../inventory-usage-ddl.js';

export const name = 'inventory_usage';
export const sql = INVENTORY_USAGE_DDL + 'CREATE INDEX gpu_usage_day ON gpu_usage (day);\n';
