/** 008: the AI spend inventory — spend sources, expense lines, descriptor rules (issue 19; see inventory-ddl.ts). */
import { INVENTORY_DDL } from '../inventory-ddl.js';

export const name = 'inventory';
export const sql = INVENTORY_DDL;
