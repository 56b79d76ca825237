/**
 * `costrail keys`: virtual keys (create, list, revoke) and the provider credentials they map to
 * (`keys provider-credential set|list|delete`). Everything goes through the management API.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';
import { printTable } from './table.js';
import { environment } from '../config/environment.js';

interface KeyRow {
  id: string;
  name: string | null;
  prefix: string;
  status: string;
  team?: string;
  feature?: string;
  models: string[] | null;
  tags: Record<string, string>;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  [field: string]: unknown;
}

const DEFAULT_FIELDS = ['team', 'project', 'feature', 'customer', 'user', 'env', 'agent', 'prompt-version', 'priority'] as const;

/** `k=v` pairs from repeated `--tag k=v` or `a=1,b=2`. */
export function parsePairs(values: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of values.flatMap((v) => v.split(','))) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new CliError(`${what} must look like name=value, not "${part}"`, 2);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** Asks at a terminal only; a script must say --yes. */
async function confirmEndPassThrough(): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    process.stderr.write('Costrail is in pass-through mode: clients call it with their own provider keys.\n');
    process.stderr.write('After the first virtual key, every call with a provider key gets 401 invalid_api_key (only cr_ keys work),\n');
    process.stderr.write('unless serve runs with keys.pass_through: true (COSTRAIL_PASS_THROUGH=true).\n');
    return /^y(es)?$/i.test((await rl.question('Create the key and end pass-through? [y/N] ')).trim());
  } finally {
    rl.close();
  }
}

const collect = (v: string, prev: string[] = []) => [...prev, v];
const day = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : null);

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('Virtual keys (cr_…) that map to provider credentials Costrail holds, with attribution defaults');

  const create = keys
    .command('create')
    .description('Create a virtual key; its secret is printed once')
    .option('--name <name>', 'a label for people')
    .option('--models <patterns>', 'comma-separated models this key may call (* wildcard), e.g. gpt-4o-mini,claude-*')
    .option('--expires <when>', 'a duration (30d, 12h, 90m, 8w) or an ISO date')
    .option('--tag <k=v>', 'a default tag (repeatable; request tags merge over it)', collect, [])
    .option('--allow-endpoint <pattern>', 'an endpoint beyond the metered ones this key may reach, e.g. "GET /openai/v1/files*" (repeatable)', collect, [])
    .option('--yes', 'confirm that the first virtual key ends pass-through (provider-key calls get 401 afterwards)')
    .option('--json', 'print JSON');
  for (const f of DEFAULT_FIELDS) create.option(`--${f} <value>`, `default ${f.replace('-', ' ')} for calls with this key (request headers win)`);
  withApiOptions(create).action(async (opts: ApiAccessOptions & Record<string, unknown> & { tag: string[]; allowEndpoint: string[]; json?: boolean }) => {
    const body: Record<string, unknown> = { tags: parsePairs(opts.tag, '--tag') };
    if (opts.allowEndpoint.length > 0) body['allowed_endpoints'] = opts.allowEndpoint;
    for (const f of DEFAULT_FIELDS) {
      const v = opts[f.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase())];
      if (typeof v === 'string') body[f.replace('-', '_')] = v;
    }
    if (typeof opts['name'] === 'string') body['name'] = opts['name'];
    if (typeof opts['expires'] === 'string') body['expires'] = opts['expires'];
    if (typeof opts['models'] === 'string') body['models'] = opts['models'].split(',').map((m) => m.trim()).filter(Boolean);
    const res = await withApi(opts, async ({ client }) => {
      const { key_mode: mode } = await client.get<{ key_mode?: string }>('/api/keys');
      if (mode === 'pass-through') {
        if (opts['yes'] !== true && !(await confirmEndPassThrough())) {
          throw new CliError('the gateway is in pass-through mode: creating the first virtual key makes every call with a provider key (sk-…) get 401. Re-run with --yes to switch to virtual keys, or set keys.pass_through: true (COSTRAIL_PASS_THROUGH=true) and restart serve to keep both', 2);
        }
        body['end_pass_through'] = true;
      }
      return client.post<{ key: KeyRow; secret: string; key_mode?: string }>('/api/keys', body);
    });
    if (opts.json) {
      process.stdout.write(JSON.stringify(res, null, 2) + '\n');
      return;
    }
    process.stdout.write(`created ${res.key.id}${res.key.team ? ` (team ${res.key.team})` : ''}\n`);
    process.stdout.write(`secret (shown once; store it now): ${res.secret}\n`);
    process.stdout.write(`use it as the API key of any SDK pointed at Costrail (OpenAI, Anthropic, Gemini, Azure clients)\n`);
    if (res.key_mode) process.stdout.write(`key mode: ${res.key_mode}${res.key_mode === 'virtual-keys' ? ' (provider keys are refused with 401)' : ''}\n`);
  });

  withApiOptions(keys.command('list').description('List virtual keys (never their secrets)').option('--json', 'print JSON')).action(async (opts: ApiAccessOptions & { json?: boolean }) => {
    const res = await withApi(opts, ({ client }) => client.get<{ keys: KeyRow[] }>('/api/keys'));
    if (opts.json) {
      process.stdout.write(JSON.stringify(res.keys, null, 2) + '\n');
      return;
    }
    if (res.keys.length === 0) {
      process.stdout.write('no virtual keys yet; create one with `costrail keys create --team … --feature …`\n');
      return;
    }
    printTable(
      res.keys.map((k) => ({ ...k, models: k.models?.join(',') ?? null, tags: Object.entries(k.tags).map(([a, b]) => `${a}=${b}`).join(';') || null, created: day(k.created_at), expires: day(k.expires_at), last_used: day(k.last_used_at) })),
      ['id', 'name', 'prefix', 'status', 'team', 'feature', 'models', 'tags', 'created', 'expires', 'last_used'],
    );
  });

  withApiOptions(keys.command('revoke').description('Revoke a virtual key: calls with it are refused from now on').argument('<id>', 'key id (vk_…)').option('--json', 'print JSON')).action(async (id: string, opts: ApiAccessOptions & { json?: boolean }) => {
    const res = await withApi(opts, ({ client }) => client.delete<{ key: KeyRow }>(`/api/keys/${encodeURIComponent(id)}`));
    process.stdout.write(opts.json ? JSON.stringify(res.key, null, 2) + '\n' : `revoked ${res.key.id}\n`);
  });

  const cred = keys.command('provider-credential').description('Provider keys Costrail holds (encrypted at rest) and presents upstream for virtual-key calls');
  withApiOptions(
    cred
      .command('set')
      .description('Set the credential for one provider')
      .requiredOption('--provider <id>', 'openai, anthropic, gemini, azure, mistral, …')
      .option('--secret <secret>', 'the provider key; `-` reads it from standard input (keeps it out of shell history)')
      .option('--secret-env <var>', 'read the provider key from this environment variable')
      .option('--json', 'print JSON'),
  ).action(async (opts: ApiAccessOptions & { provider: string; secret?: string; secretEnv?: string; json?: boolean }) => {
    let secret = opts.secret;
    if (opts.secretEnv) secret = environment()[opts.secretEnv];
    else if (secret === '-') secret = readFileSync(0, 'utf8');
    secret = secret?.trim();
    if (!secret) throw new CliError(opts.secretEnv ? `environment variable ${opts.secretEnv} is empty` : 'pass --secret <key>, --secret - (standard input) or --secret-env VAR', 2);
    const res = await withApi(opts, ({ client }) => client.put<{ credential: { provider: string; fingerprint: string } }>('/api/provider-credentials', { provider: opts.provider, secret }));
    process.stdout.write(opts.json ? JSON.stringify(res.credential, null, 2) + '\n' : `stored the ${res.credential.provider} credential (fingerprint ${res.credential.fingerprint}), encrypted at rest\n`);
  });
  withApiOptions(cred.command('list').description('List held provider credentials (never the secrets)').option('--json', 'print JSON')).action(async (opts: ApiAccessOptions & { json?: boolean }) => {
    const res = await withApi(opts, ({ client }) => client.get<{ credentials: Record<string, unknown>[] }>('/api/provider-credentials'));
    if (opts.json) process.stdout.write(JSON.stringify(res.credentials, null, 2) + '\n');
    else if (res.credentials.length === 0) process.stdout.write('no provider credentials held; set one with `costrail keys provider-credential set --provider openai --secret -`\n');
    else printTable(res.credentials, ['provider', 'fingerprint', 'source', 'updated_at', 'problem']);
  });
  withApiOptions(cred.command('delete').description('Forget a stored provider credential').requiredOption('--provider <id>', 'provider id')).action(async (opts: ApiAccessOptions & { provider: string }) => {
    await withApi(opts, ({ client }) => client.delete(`/api/provider-credentials/${encodeURIComponent(opts.provider)}`));
    process.stdout.write(`deleted the ${opts.provider} credential\n`);
  });
}
