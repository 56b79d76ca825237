/** 012: the vendor a GPU usage line was rented from (see gpu-usage-vendor-ddl.ts). */
import { GPU_USAGE_VENDOR_DDL } from '../gpu-usage-vendor-ddl.js';

export const name = 'gpu_usage_vendor';
export const sql = GPU_USAGE_VENDOR_DDL;
