/**
 * Stream headers: sent with the first chunk when it came with the upstream's headers (one socket
 * write), sent at once when it did not. A provider that answers with headers and then thinks before
 * its first token must not hold the client's headers back: the upstream here sends its first chunk
 * only after the client has the headers, so a gateway that waited for the chunk would never answer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gateway } from '../../src/gateway/gateway.js';
import { createCostrailServer } from '../../src/server/http-server.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';

const CHUNK = 'data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}],"usage":null}\n\n';
const USAGE = 'data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}\n\ndata: [DONE]\n\n';

let upstream: Server;
let gatewayServer: Server;
let gateway: Gateway;
let base: string;
const records: LedgerRecord[] = [];
/** Set by the test: the upstream waits on it before sending its first chunk. */
let clientHasHeaders: Promise<void> = Promise.resolve();
/** Whether the upstream sends its first chunk together with its headers. */
let chunkWithHeaders = false;

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (chunkWithHeaders) {
        res.write(CHUNK);
        res.end(USAGE);
        return;
      }
      res.flushHeaders();
      void clientHasHeaders.then(() => {
        res.write(CHUNK);
        res.end(USAGE);
      });
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const up = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = new Gateway({ upstreams: { openai: `${up}/v1` }, book: loadPriceBook(), sink: { write: (r) => records.push(r) } });
  gatewayServer = createCostrailServer({ gateway });
  await new Promise<void>((r) => gatewayServer.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(gatewayServer.address() as AddressInfo).port}`;
});

after(async () => {
  gatewayServer.closeAllConnections();
  await new Promise<void>((r) => gatewayServer.close(() => r()));
  await gateway.close();
  upstream.closeAllConnections();
  await new Promise<void>((r) => upstream.close(() => r()));
});

function call(): Promise<Response> {
  return fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

// A gateway that held the headers back would wait forever on this upstream: fail, do not hang.
test('an upstream slow to its first chunk: the client has the headers before that chunk exists', { timeout: 10_000 }, async () => {
  records.length = 0;
  chunkWithHeaders = false;
  let told!: () => void;
  clientHasHeaders = new Promise<void>((r) => (told = r));
  const res = await call(); // resolves on headers; the upstream has sent no chunk yet
  told();
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const text = await res.text();
  assert.equal(text, CHUNK + USAGE);
  assert.equal(records.length, 1);
  assert.equal(records[0]?.usage?.input_tokens, 5);
  assert.equal(records[0]?.usage_source, 'provider');
});

test('first chunk arriving with the headers: the client gets the same bytes and one record', async () => {
  records.length = 0;
  chunkWithHeaders = true;
  const res = await call();
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  assert.equal(await res.text(), CHUNK + USAGE);
  assert.equal(records.length, 1);
  assert.equal(records[0]?.status, 'ok');
  assert.equal(records[0]?.http_status, 200);
});
