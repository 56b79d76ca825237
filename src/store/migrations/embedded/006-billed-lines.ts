/** 006: billed line items and their imports, beside the ledger (issue 16; see billed-lines-ddl.ts). */
import { BILLED_LINES_DDL } from '../billed-lines-ddl.js';

export const name = 'billed_lines';
export const sql = BILLED_LINES_DDL;
