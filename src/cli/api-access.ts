/**
 * How a CLI command reaches the store: always through the management API, so each command has one
 * implementation. Three ways in, in this order:
 *   1. `--url http://host:port` (with `--token` or COSTRAIL_ADMIN_TOKEN): a remote server;
 *   2. a server running on the same `--data` folder (it advertises itself in `<data>/server.json`,
 *      and owns the DuckDB file lock);
 *   3. otherwise an in-process runtime on the data folder, listening on a loopback port for the
 *      command's lifetime only.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { request } from 'undici';
import { ADMIN_TOKEN_FILE } from '../http/principal.js';
import { SERVER_FILE, startCostrail, type CostrailRuntime } from '../server/costrail-runtime.js';
import { CliError } from './cli-error.js';
import { environment } from '../config/environment.js';

export interface ApiAccessOptions {
  data: string;
  url?: string;
  token?: string;
}

/** Adds `--data`, `--url` and `--token` to a command that reads or writes the store. */
export function withApiOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'data folder (or COSTRAIL_DATA)', environment().COSTRAIL_DATA ?? './.costrail')
    .option('--url <url>', 'a running Costrail server to talk to instead of the data folder')
    .option('--token <token>', 'admin or API token for --url (or COSTRAIL_ADMIN_TOKEN)');
}

class RawBody {
  constructor(
    readonly contentType: string,
    readonly text: string,
  ) {}
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  get<T>(pathAndQuery: string): Promise<T> {
    return this.call<T>('GET', pathAndQuery);
  }
  post<T>(p: string, body: unknown): Promise<T> {
    return this.call<T>('POST', p, body);
  }
  /** A non-JSON body (JSON Lines for imports) with its content type. */
  postText<T>(p: string, contentType: string, text: string): Promise<T> {
    return this.call<T>('POST', p, new RawBody(contentType, text));
  }
  put<T>(p: string, body: unknown): Promise<T> {
    return this.call<T>('PUT', p, body);
  }
  delete<T>(p: string): Promise<T> {
    return this.call<T>('DELETE', p);
  }

  /** Non-JSON responses (CSV, Markdown) as text. */
  async text(pathAndQuery: string): Promise<string> {
    const res = await request(this.baseUrl + pathAndQuery, { method: 'GET', headers: { authorization: `Bearer ${this.token}` } });
    const text = await res.body.text();
    if (res.statusCode >= 400) throw new CliError(apiProblem(res.statusCode, text));
    return text;
  }

  private async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', p: string, body?: unknown): Promise<T> {
    let res;
    const raw = body instanceof RawBody ? body : body === undefined ? undefined : new RawBody('application/json', JSON.stringify(body));
    try {
      res = await request(this.baseUrl + p, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(raw ? { 'content-type': raw.contentType } : {}) },
        body: raw?.text,
      });
    } catch (e) {
      throw new CliError(`cannot reach Costrail at ${this.baseUrl} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const text = await res.body.text();
    if (res.statusCode >= 400) throw new CliError(apiProblem(res.statusCode, text));
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

function apiProblem(status: number, text: string): string {
  try {
    const e = (JSON.parse(text) as { error?: { message?: string } }).error;
    if (e?.message) return `${e.message} (HTTP ${status})`;
  } catch {
    /* not JSON: fall through */
  }
  return `the server answered HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
}

function readToken(dataDir: string): string | undefined {
  const env = environment().COSTRAIL_ADMIN_TOKEN?.trim();
  if (env) return env;
  try {
    return fs.readFileSync(path.join(dataDir, ADMIN_TOKEN_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function advertisedServer(dataDir: string): string | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, SERVER_FILE), 'utf8')) as { url?: string; pid?: number };
    if (!info.url || !info.pid) return undefined;
    process.kill(info.pid, 0); // throws if that process is gone (a stale file after a crash)
    return info.url;
  } catch {
    return undefined;
  }
}

export interface ApiSession {
  client: ApiClient;
  /** Present when the command runs its own in-process runtime (no server was running). */
  runtime?: CostrailRuntime;
  close(): Promise<void>;
}

export async function openApi(opts: ApiAccessOptions): Promise<ApiSession> {
  if (opts.url) {
    const token = opts.token ?? environment().COSTRAIL_ADMIN_TOKEN;
    if (!token) throw new CliError('--url needs a token: pass --token or set COSTRAIL_ADMIN_TOKEN', 2);
    return { client: new ApiClient(opts.url.replace(/\/+$/, ''), token), close: async () => undefined };
  }
  const running = advertisedServer(opts.data);
  if (running) {
    const token = opts.token ?? readToken(opts.data);
    if (!token) throw new CliError(`a server is running on ${opts.data} but no admin token was found: pass --token or set COSTRAIL_ADMIN_TOKEN`, 2);
    return { client: new ApiClient(running, token), close: async () => undefined };
  }
  let runtime: CostrailRuntime;
  try {
    runtime = await startCostrail({ port: 0, host: '127.0.0.1', dataDir: opts.data, quiet: true, upstreams: {} });
  } catch (e) {
    const msg = (e as Error).message;
    if (/lock/i.test(msg)) throw new CliError(`the data folder ${opts.data} is in use by another process; pass --url to talk to its server`);
    throw e;
  }
  return { client: new ApiClient(runtime.url, runtime.adminToken), runtime, close: () => runtime.close() };
}

/**
 * The API of a server already in charge of the data folder (`--url`, or one advertised in
 * `<data>/server.json`), or undefined when none runs. For commands that edit a file the server
 * reads (price overrides): through the server when there is one, so it applies the change at once
 * and never has the file edited under it; directly otherwise, without starting a runtime.
 */
export function runningApi(opts: ApiAccessOptions): ApiClient | undefined {
  const url = opts.url ?? advertisedServer(opts.data);
  if (!url) return undefined;
  const token = opts.token ?? (opts.url ? environment().COSTRAIL_ADMIN_TOKEN : readToken(opts.data));
  if (!token) throw new CliError(opts.url ? '--url needs a token: pass --token or set COSTRAIL_ADMIN_TOKEN' : `a server is running on ${opts.data} but no admin token was found: pass --token or set COSTRAIL_ADMIN_TOKEN`, 2);
  return new ApiClient(url.replace(/\/+$/, ''), token);
}

/** Runs `fn` with an API session and always closes it. */
export async function withApi<T>(opts: ApiAccessOptions, fn: (s: ApiSession) => Promise<T>): Promise<T> {
  const session = await openApi(opts);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
