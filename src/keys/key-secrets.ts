/**
 * Secrets Costrail hands out (virtual keys `cr_…`, API tokens `crt_…`) and how they are kept:
 * only a SHA-256 digest is stored. The secrets are 256 random bits, so a plain (unsalted,
 * fast) digest is enough: there is no dictionary to attack, and the hot path hashes per call.
 */
import { createHash, randomBytes } from 'node:crypto';

export const VIRTUAL_KEY_PREFIX = 'cr_';
export const API_TOKEN_PREFIX = 'crt_';

export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** A stable public id (what the ledger and the API show), unrelated to the secret. */
export function newId(prefix: string): string {
  return `${prefix}${randomBytes(8).toString('hex')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** What listings show so a person can tell keys apart: the prefix and four characters. */
export function secretHint(secret: string, prefix: string): string {
  return `${secret.slice(0, prefix.length + 4)}…`;
}
