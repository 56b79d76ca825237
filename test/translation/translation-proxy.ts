/**
 * A tiny loopback proxy for the translation tests: it takes an official SDK's call in the
 * client's shape, translates it with the registered ShapeTranslator, forwards it to the
 * simulator in the target's shape, and translates the answer back (body, stream or error).
 * It stands in for the gateway's fallback path, which wires the same calls in.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { refusalBody, ShapeTranslationError, translatorFor, type TranslatableApi } from '../../src/translation/translators.js';

export interface TranslationProxy {
  url: string;
  close(): Promise<void>;
}

export interface TranslationProxyOptions {
  /** The simulator's base URL (http://127.0.0.1:port). */
  upstream: string;
  target: TranslatableApi;
  targetModel: string;
}

const CLIENT_PATHS: Record<string, TranslatableApi> = { '/v1/chat/completions': 'chat.completions', '/v1/messages': 'messages' };
const GEMINI_PATH = /^\/v1beta\/models\/([^:/]+):(generateContent|streamGenerateContent)$/;

/** The client's API, model (Gemini names it in the path) and whether it asked for a stream. */
function clientCall(pathname: string, body: Record<string, unknown>): { api: TranslatableApi; model: string; stream: boolean } | undefined {
  const g = GEMINI_PATH.exec(pathname);
  if (g) return { api: 'generateContent', model: decodeURIComponent(g[1]!), stream: g[2] === 'streamGenerateContent' };
  const api = CLIENT_PATHS[pathname];
  return api === undefined ? undefined : { api, model: typeof body.model === 'string' ? body.model : 'unknown', stream: body.stream === true };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function handle(req: IncomingMessage, res: ServerResponse, o: TranslationProxyOptions): Promise<void> {
  const body = JSON.parse((await readBody(req)).toString('utf8')) as Record<string, unknown>;
  const client = clientCall(new URL(req.url ?? '/', 'http://proxy').pathname, body);
  const t = client === undefined ? undefined : translatorFor(client.api, o.target);
  if (client === undefined || t === undefined) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"no translator for this path"}}');
    return;
  }
  const stream = client.stream;
  let translated;
  try {
    translated = t.request(body, o.targetModel, stream);
  } catch (err) {
    if (err instanceof ShapeTranslationError) return void res.writeHead(400, { 'content-type': 'application/json' }).end(refusalBody(t, err));
    throw err;
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-api-key': 'sim', 'anthropic-version': '2023-06-01' };
  for (const [k, v] of Object.entries(req.headers)) if (k.startsWith('x-sim-') && typeof v === 'string') headers[k] = v;
  const up = await fetch(o.upstream + translated.path, { method: 'POST', headers, body: JSON.stringify(translated.body) });
  if (!up.ok) {
    const out: Record<string, string> = { 'content-type': 'application/json' };
    const retryAfter = up.headers.get('retry-after');
    if (retryAfter !== null) out['retry-after'] = retryAfter;
    res.writeHead(up.status, out).end(t.error(up.status, new Uint8Array(await up.arrayBuffer())));
    return;
  }
  const clientModel = client.model;
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(t.response((await up.json()) as Record<string, unknown>, clientModel, body)));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const st = t.stream(clientModel, body);
  try {
    for await (const chunk of up.body as AsyncIterable<Uint8Array>) {
      const out = st.push(chunk);
      if (out.length > 0) res.write(out);
    }
  } catch {
    // The upstream hung up mid-answer: end() tells the client, in its own stream format.
  }
  res.end(st.end());
}

export async function startTranslationProxy(o: TranslationProxyOptions): Promise<TranslationProxy> {
  const server: Server = createServer((req, res) => {
    handle(req, res, o).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: String(err) } }));
      else res.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
