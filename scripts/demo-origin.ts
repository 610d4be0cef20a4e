/**
 * A stand-in for the legacy portals: one small HTTP server that answers for every legacy host
 * (the edge sends the original host in X-Forwarded-Host). Used by `npm start` and by the tests.
 *
 * - navigations get a small HTML page naming the host and path;
 * - `/api/...` and requests with `X-Echo: json` get a JSON echo of what arrived (method, raw
 *   path, headers, body digest), so tests can check a pass-through is byte for byte;
 * - `/__fault/slow?ms=N` waits before answering; `/__fault/reset` drops the connection mid-body.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface DemoOrigin {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startDemoOrigin(port = 0, host = '127.0.0.1'): Promise<DemoOrigin> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host}:${actualPort}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const path = req.url ?? '/';
  const host = String(req.headers['x-forwarded-host'] ?? req.headers.host ?? '');
  if (path.startsWith('/__fault/slow')) {
    const ms = Number(new URL(path, 'http://x').searchParams.get('ms') ?? '5000');
    setTimeout(() => res.end('slow'), ms);
    return;
  }
  if (path.startsWith('/__fault/reset')) {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '1000000' });
    res.write('partial');
    setTimeout(() => req.socket.destroy(), 20);
    return;
  }
  if (path.startsWith('/api/') || req.headers['x-echo'] === 'json') {
    const echo = {
      method: req.method,
      path,
      host,
      headers: req.headers,
      bodyLength: body.length,
      bodySha256: createHash('sha256').update(body).digest('hex'),
    };
    res.writeHead(200, { 'Content-Type': 'application/json', 'X-Demo-Origin': '1' });
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify(echo));
    return;
  }
  const page =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Legacy portal ${escape(host)}</title></head>` +
    `<body><h1>Legacy portal</h1><p>You are on <b>${escape(host)}</b>, page <code>${escape(path)}</code>.</p></body></html>\n`;
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'X-Demo-Origin': '1' });
  res.end(req.method === 'HEAD' ? undefined : page);
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

// `tsx scripts/demo-origin.ts [port]` runs it on its own.
if (import.meta.url === `file://${process.argv[1]}`) {
  const origin = await startDemoOrigin(Number(process.argv[2] ?? 8788));
  console.log(`demo legacy origin on ${origin.url}`);
}
