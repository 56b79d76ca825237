/**
 * Serves the built dashboard (Vite output in dist/web) at `/`: static files with their content
 * types, and index.html for any other page-looking GET so the single-page app's own routes
 * survive a reload. Gateway routes, /api, /metrics and /healthz are answered before this runs.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { routeRequest } from '../gateway/route.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

/** dist/src/server/ → dist/web (where `vite build` writes). */
export function defaultDashboardDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
}

export class DashboardAssets {
  private readonly root: string;

  constructor(root: string = defaultDashboardDir()) {
    this.root = path.resolve(root);
  }

  /** Answers the request and returns true when it is a dashboard GET; false leaves it to the gateway. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return false;
    }
    // Model API paths stay the gateway's, even unknown ones (it answers them in the SDK's error format).
    // Mistyped provider prefixes too (`/mistrl/v1/…`): the gateway answers them with a 404 in the SDK's format.
    if (/^(\/[a-z][a-z0-9_-]*)?\/v1(beta)?(\/|$)/.test(pathname) || routeRequest(req.url ?? '/')) return false;
    const file = path.resolve(this.root, '.' + pathname);
    if (file !== this.root && !file.startsWith(this.root + path.sep)) return false;
    if (pathname !== '/' && isFile(file)) {
      // Vite fingerprints everything under /assets, so those never change under the same name.
      const immutable = pathname.startsWith('/assets/');
      this.send(req, res, file, immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      return true;
    }
    // A missing asset is a 404, not the app's HTML (a stale chunk name would otherwise parse HTML as JS).
    if (path.extname(pathname) !== '') return false;
    const index = path.join(this.root, 'index.html');
    if (!isFile(index)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The dashboard is not built: run `npm run build` (it writes dist/web).\n');
      return true;
    }
    this.send(req, res, index, 'no-cache');
    return true;
  }

  private send(req: IncomingMessage, res: ServerResponse, file: string, cacheControl: string): void {
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    const size = fs.statSync(file).size;
    res.writeHead(200, {
      'content-type': type,
      'content-length': String(size),
      'cache-control': cacheControl,
      'x-content-type-options': 'nosniff',
      // The sign-in link carries the token in the query; never pass it on in a Referer.
      'referrer-policy': 'no-referrer',
      // The page holds an API token: only its own scripts run, and it talks only to this server.
      // (Inline styles stay allowed: React and ECharts set style attributes.)
      ...(type.startsWith('text/html') ? { 'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'" } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    fs.createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * The dashboard sign-in link `serve` and `demo` print (as Jupyter does): opening it stores the
 * token in the tab's sessionStorage and strips it from the address bar.
 */
export function signInLink(serverUrl: string, token: string): string {
  return `${serverUrl}/?token=${encodeURIComponent(token)}`;
}
