/**
 * The master key that encrypts provider credentials at rest (AES-256-GCM): COSTRAIL_MASTER_KEY
 * (32 bytes, base64 or hex), else `<data>/master-key`, created on first start with 0600
 * permissions. Several instances on one PostgreSQL database must share COSTRAIL_MASTER_KEY.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { environment, type Environment } from '../config/environment.js';

export const MASTER_KEY_FILE = 'master-key';

export interface MasterKey {
  key: Buffer;
  source: 'env' | 'file';
  /** True when this start created the key file. */
  created: boolean;
  /** The file's permissions were wider than 0600 (they are narrowed, and the caller may warn). */
  narrowedPermissions: boolean;
}

export function parseMasterKey(text: string): Buffer {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : /^[A-Za-z0-9+/_-]+={0,2}$/.test(t) ? Buffer.from(t, 'base64') : Buffer.alloc(0);
  if (bytes.length !== 32) throw new Error('COSTRAIL_MASTER_KEY must be 32 bytes in base64 or hex (e.g. `openssl rand -base64 32`)');
  return bytes;
}

export function loadMasterKey(dataDir: string, env: Environment = environment()): MasterKey {
  const fromEnv = env['COSTRAIL_MASTER_KEY'];
  if (fromEnv?.trim()) return { key: parseMasterKey(fromEnv), source: 'env', created: false, narrowedPermissions: false };
  const file = path.join(dataDir, MASTER_KEY_FILE);
  try {
    const key = parseMasterKey(fs.readFileSync(file, 'utf8'));
    let narrowed = false;
    if ((fs.statSync(file).mode & 0o077) !== 0) {
      fs.chmodSync(file, 0o600);
      narrowed = true;
    }
    return { key, source: 'file', created: false, narrowedPermissions: narrowed };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file}: ${(e as Error).message}`);
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  // 'wx': two processes starting at once must not overwrite each other's key.
  fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  fs.chmodSync(file, 0o600); // independent of the umask
  return { key, source: 'file', created: true, narrowedPermissions: false };
}

/**
 * Seals short secrets: `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url). The associated data
 * binds a ciphertext to its row (the provider), so a sealed value cannot be moved to another.
 */
export class SecretBox {
  /** Names the master key without revealing it, so a wrong key gives a clear error. */
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the master key must be 32 bytes');
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 12);
  }

  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  open(sealed: string, aad: string): string {
    const [version, keyId, iv, tag, ct] = sealed.split('.');
    if (version !== 'v1' || iv === undefined || tag === undefined || ct === undefined) throw new Error('not a sealed secret');
    if (keyId !== this.keyId) throw new Error(`sealed under another master key (${keyId}); this process has ${this.keyId}: set the COSTRAIL_MASTER_KEY it was stored with`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}
