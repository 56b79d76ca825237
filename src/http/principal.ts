/**
 * Who is calling the management API. The admin token may do anything; a scoped API token reads
 * only records inside its scope (e.g. `{ team: "search" }`), enforced by the API, never the UI.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Scope } from '../attribution/scope.js';
import { environment, type Environment } from '../config/environment.js';

export interface Principal {
  kind: 'admin' | 'scoped';
  /** Stable id of the token (never the token itself). */
  token_id: string;
  /** Attribution fields every read is restricted to; `{}` for the admin. */
  scope: Scope;
}

export interface ApiAuthenticator {
  /** Undefined for a missing or unknown token. Synchronous: tokens are held in memory. */
  authenticate(token: string | undefined): Principal | undefined;
}

/** Extra authenticators (scoped API tokens) are consulted after the admin token. */
export interface TokenSource {
  authenticate(token: string): Principal | undefined;
}

export const ADMIN_TOKEN_FILE = 'admin-token';

/**
 * The admin token: `COSTRAIL_ADMIN_TOKEN`, else the one kept in `<data>/admin-token` (0600),
 * created on first start. `created` says whether it is new (so `serve` prints it once).
 */
export function loadAdminToken(dataDir: string, env: Environment = environment()): { token: string; created: boolean; fromEnv: boolean } {
  const fromEnv = env['COSTRAIL_ADMIN_TOKEN']?.trim();
  if (fromEnv) return { token: fromEnv, created: false, fromEnv: true };
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  try {
    const token = fs.readFileSync(file, 'utf8').trim();
    if (token) return { token, created: false, fromEnv: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const token = `cra_${randomBytes(24).toString('base64url')}`;
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, created: true, fromEnv: false };
}

export class TokenAuthenticator implements ApiAuthenticator {
  private readonly adminDigest: Buffer;
  private readonly sources: TokenSource[] = [];

  constructor(adminToken: string) {
    this.adminDigest = digest(adminToken);
  }

  addSource(source: TokenSource): void {
    this.sources.push(source);
  }

  authenticate(token: string | undefined): Principal | undefined {
    if (!token) return undefined;
    // Compare digests in constant time: the token's length and prefix leak nothing.
    if (timingSafeEqual(digest(token), this.adminDigest)) return { kind: 'admin', token_id: 'admin', scope: {} };
    for (const s of this.sources) {
      const p = s.authenticate(token);
      if (p) return p;
    }
    return undefined;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
