/** 004: billed line items and their imports, beside the ledger (issue 16; see billed-lines-ddl.ts). */
import { BILLED_LINES_DDL, BILLED_LINES_INDEXES } from '../billed-lines-ddl.js';

export const name = 'billed_lines';
export const sql = BILLED_LINES_DDL + BILLED_LINES_INDEXES;
