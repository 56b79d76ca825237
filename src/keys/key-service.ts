/**
 * The keys domain in one process: virtual keys (the gateway's KeyAuthority), the provider
 * credentials they map to, and scoped API tokens. Loads everything into memory at start; writes
 * last-used instants in batches; on a shared (PostgreSQL) store it polls a change fingerprint every
 * second (`changeCheckMs`) and reloads when it moved, so a key or token revoked on another instance
 * stops working here within about a second (plus a full reload every `syncIntervalMs` as a backstop).
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import { ApiTokens } from './api-tokens.js';
import { KeyRepository } from './key-repository.js';
import type { KeysConfig } from './keys-config.js';
import { KEYS_MIGRATIONS } from './keys-schema.js';
import { loadMasterKey, SecretBox } from './master-key.js';
import { ProviderVault } from './provider-vault.js';
import { VirtualKeys } from './virtual-keys.js';

export interface KeyServiceOptions {
  store: Store;
  dataDir: string;
  config?: KeysConfig;
  log?: Logger;
  env?: NodeJS.ProcessEnv;
  /** How often last-used instants are written (and a shared store re-read); default 15 s. */
  syncIntervalMs?: number;
  /** How often a shared store is checked for created or revoked keys and tokens; default 1 s. */
  changeCheckMs?: number;
}

export class KeyService {
  private timer: NodeJS.Timeout | undefined;
  private changeTimer: NodeJS.Timeout | undefined;
  private fingerprint: string | undefined;
  private checking = false;
  private lastCheckWarning = 0;
  private closed = false;

  private constructor(
    readonly keys: VirtualKeys,
    readonly credentials: ProviderVault,
    readonly tokens: ApiTokens,
    private readonly shared: boolean,
    private readonly log: Logger | undefined,
    private readonly repo: KeyRepository,
  ) {}

  static async open(opts: KeyServiceOptions): Promise<KeyService> {
    await opts.store.migrateDomain('keys', KEYS_MIGRATIONS);
    const master = loadMasterKey(opts.dataDir, opts.env);
    if (master.created) opts.log?.info({ file: 'master-key' }, 'created the master key that encrypts provider credentials (back it up, or set COSTRAIL_MASTER_KEY)');
    if (master.narrowedPermissions) opts.log?.warn({ file: 'master-key' }, 'the master key file was readable by others; permissions narrowed to 0600');
    const repo = new KeyRepository(opts.store.sql);
    const credentials = new ProviderVault(repo, new SecretBox(master.key), opts.config?.providerCredentials);
    const service = new KeyService(new VirtualKeys(repo, credentials, opts.config?.passThrough ?? 'auto'), credentials, new ApiTokens(repo), opts.store.kind !== 'embedded', opts.log, repo);
    if (service.shared) service.fingerprint = await repo.changeFingerprint();
    await service.reload();
    service.timer = setInterval(() => void service.sync(), opts.syncIntervalMs ?? 15_000);
    service.timer.unref();
    if (service.shared) {
      service.changeTimer = setInterval(() => void service.checkChanges(), opts.changeCheckMs ?? 1000);
      service.changeTimer.unref();
    }
    return service;
  }

  async reload(): Promise<void> {
    await this.keys.load();
    await this.tokens.load();
    for (const problem of await this.credentials.load()) this.log?.error({ problem }, 'provider credential unusable');
  }

  /** Writes last-used instants; re-reads a shared store. Failures are logged and retried next time. */
  async sync(): Promise<void> {
    try {
      await this.keys.flushLastUsed();
      await this.tokens.flushLastUsed();
      if (this.shared && !this.closed) await this.reload();
    } catch (e) {
      this.log?.warn({ err: (e as Error).message }, 'keys: last-used write or reload failed; retrying later');
    }
  }

  /** Reloads when another instance created or revoked something (one small read per second). */
  async checkChanges(): Promise<void> {
    if (this.checking || this.closed) return;
    this.checking = true;
    try {
      const fp = await this.repo.changeFingerprint();
      if (fp === this.fingerprint) return;
      await this.reload();
      this.fingerprint = fp; // read before the reload: a change racing it shows up next time
    } catch (e) {
      if (Date.now() - this.lastCheckWarning > 30_000) {
        this.lastCheckWarning = Date.now();
        this.log?.warn({ err: (e as Error).message }, 'keys: change check failed; retrying every second');
      }
    } finally {
      this.checking = false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    clearInterval(this.changeTimer);
    await this.sync();
  }
}
