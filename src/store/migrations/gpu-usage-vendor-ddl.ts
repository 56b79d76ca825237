/**
 * `gpu_usage.vendor`: who the GPUs were rented from (RunPod, CoreWeave, AWS …), null when unknown or
 * on premises. `report ai-spend` needs it so a card charge to the same GPU cloud is recognised as
 * the payment for those hours, not more spend. Embedded migration 012 and PostgreSQL 010.
 */
export const GPU_USAGE_VENDOR_DDL = `
ALTER TABLE gpu_usage ADD COLUMN vendor VARCHAR;
`;
