/**
 * The dashboard's static files: served with their content types, index.html for app routes,
 * and never in the way of the gateway, /api, /metrics or /healthz.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { DashboardAssets, defaultDashboardDir } from '../../src/server/dashboard-assets.js';
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';

let rt: CostrailRuntime;
let dir: string;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-dash-'));
  rt = await startCostrail({ port: 0, dataDir: dir, quiet: true, upstreams: { openai: 'http://127.0.0.1:9/v1' } });
});
after(async () => {
  await rt.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the built dashboard is served at / with its assets and content types', async () => {
  assert.ok(fs.existsSync(path.join(defaultDashboardDir(), 'index.html')), 'npm run build writes dist/web/index.html');
  const res = await fetch(`${rt.url}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  // The page holds a token: only its own scripts, and no Referer carrying the sign-in link.
  assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  const html = await res.text();
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  const css = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1];
  assert.ok(script && css, 'index.html names its entry script and stylesheet');
  const js = await fetch(`${rt.url}${script}`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.match(js.headers.get('cache-control') ?? '', /immutable/);
  const style = await fetch(`${rt.url}${css}`);
  assert.match(style.headers.get('content-type') ?? '', /^text\/css/);
});

test('app routes fall back to index.html; a missing asset is a 404, not HTML', async () => {
  const page = await fetch(`${rt.url}/budgets`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<div id="root">/);
  const missing = await fetch(`${rt.url}/assets/gone-123.js`);
  assert.equal(missing.status, 404);
  assert.doesNotMatch(missing.headers.get('content-type') ?? '', /html/);
});

test('gateway, /api, /healthz and /metrics take precedence over the dashboard', async () => {
  const api = await fetch(`${rt.url}/api/whoami`);
  assert.equal(api.status, 401);
  assert.match(api.headers.get('content-type') ?? '', /json/);
  const health = await fetch(`${rt.url}/healthz`);
  assert.equal(((await health.json()) as { status: string }).status, 'ok');
  const metrics = await fetch(`${rt.url}/metrics`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
  assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
  // GET /v1/models is a gateway route (its upstream is unreachable here, so a gateway error in JSON).
  const models = await fetch(`${rt.url}/v1/models`);
  assert.match(models.headers.get('content-type') ?? '', /json/);
  const unknownV1 = await fetch(`${rt.url}/v1/nothing-here`);
  assert.equal(unknownV1.status, 404);
  assert.match(unknownV1.headers.get('content-type') ?? '', /json/);
  // A POST to a non-gateway path is not the dashboard's either.
  const post = await fetch(`${rt.url}/`, { method: 'POST', body: '{}' });
  assert.notEqual(post.status, 200);
});

test('paths outside the asset folder are not served', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-web-'));
  fs.writeFileSync(path.join(root, 'index.html'), '<p>app</p>');
  fs.writeFileSync(path.join(path.dirname(root), 'costrail-secret.txt'), 'secret');
  const assets = new DashboardAssets(root);
  const server: Server = createServer((req, res) => {
    if (!assets.handle(req, res)) {
      res.writeHead(404);
      res.end('not the dashboard');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (const p of ['/../costrail-secret.txt', '/%2e%2e/costrail-secret.txt', '/..%2fcostrail-secret.txt']) {
      const res = await fetch(base + p);
      assert.doesNotMatch(await res.text(), /secret/, p);
    }
    const head = await fetch(`${base}/anything`, { method: 'HEAD' });
    assert.equal(head.status, 200);
  } finally {
    server.close();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(path.join(path.dirname(root), 'costrail-secret.txt'), { force: true });
  }
});

test('the initial download (index.html and what it links) stays within 400 KB gzipped; charts are a separate chunk', () => {
  const root = defaultDashboardDir();
  const html = fs.readFileSync(path.join(root, 'index.html'), 'utf8');
  const linked = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
  const bytes = [Buffer.from(html), ...linked.map((p) => fs.readFileSync(path.join(root, p)))].reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
  assert.ok(bytes <= 400 * 1024, `initial load ${bytes} bytes gzipped`);
  assert.ok(!linked.some((p) => p.includes('spend-chart')), 'ECharts is not in the initial download');
  assert.ok(fs.readdirSync(path.join(root, 'assets')).some((f) => f.startsWith('spend-chart-')), 'the chart chunk exists');
});
