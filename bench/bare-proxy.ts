/**
 * The baseline for gateway overhead: a bare Node pass-through proxy (no parsing, no metering,
 * no recording), on the same http/undici stack Costrail uses. Args: <port> <upstream base URL>.
 */
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const [portArg, upstream] = process.argv.slice(2);
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 512 });
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && k !== 'host' && k !== 'connection' && k !== 'content-length') headers[k] = String(v);
    request(`${upstream}${req.url}`, { method: req.method as 'POST', headers, body: Buffer.concat(chunks), dispatcher: agent })
      .then(async (up) => {
        for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && k !== 'connection' && k !== 'transfer-encoding' && k !== 'content-length') res.setHeader(k, v);
        res.writeHead(up.statusCode);
        for await (const c of up.body) res.write(c);
        res.end();
      })
      .catch(() => {
        res.writeHead(502);
        res.end();
      });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(portArg ?? 0), '127.0.0.1', () => {
  const a = server.address();
  console.log(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
});
