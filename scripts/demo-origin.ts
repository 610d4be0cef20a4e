/**
 * A stand-in for the legacy portals: one small HTTP server that answers for every legacy host
 * (the edge sends the original host in X-Forwarded-Host and its scheme in X-Forwarded-Proto).
 * Used by `npm start` and by the tests.
 *
 * - a navigation on a portal's host without a live session goes to sign in through Entra ID,
 *   and `/signin-oidc` completes it, as the real portals do (scripts/demo-portal.ts); with a
 *   signer, the same server plays Entra ID's endpoints (scripts/demo-entra.ts);
 * - signed-in navigations get a small HTML page naming the host and path;
 * - `/api/...` and requests with `X-Echo: json` get a JSON echo of what arrived (method, raw
 *   path, headers, body digest), so tests can check a pass-through is byte for byte;
 * - a request's `X-Demo-Cache-Control` comes back as the page's `Cache-Control`;
 * - `/__fault/relay?to=URL` answers 302 to `to`, as a portal following a return URL would;
 * - `/__fault/slow?ms=N` waits before answering; `/__fault/trickle?ms=N` answers at once and
 *   sends its body over N ms; `/__fault/reset` drops the connection mid-body, `/__fault/reset-early`
 *   before any answer.
 * - on `wdatp-alertexporter-*` hosts, `/api/alerts` is the legacy SIEM API: 401 without a bearer
 *   token, else the fixture (or `?count=N` generated alerts, streamed; `&links=unified` for alerts
 *   whose links already point at the unified portal; `?link=URL`, repeated, for one alert per URL
 *   carrying it in both link fields), with `?encoding=gzip|br|zstd`, `?status=N` and `?type=` to
 *   shape the answer.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createBrotliCompress, createGzip } from 'node:zlib';
import { escapeHtml } from '../src/lib/html.ts';
import { ENTRA_PATH, entraStandIn, type OidcSigner } from './demo-entra.ts';
import { DemoPortals, isNavigation } from './demo-portal.ts';

/** Microsoft's published SIEM API example response, extended with the link fields. */
export const SIEM_FIXTURE = readFileSync(
  fileURLToPath(new URL('./fixtures/siem-alerts.json', import.meta.url)),
);

export interface DemoOrigin {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export interface DemoOriginOptions {
  port?: number;
  host?: string;
  /**
   * Entra ID's stand-in key: with it this server also answers Entra ID's endpoints
   * (`/{tenant}/oauth2/v2.0/...`), the portals send browsers there, and they verify id_tokens
   * against its public half. Without it the portals send browsers to login.microsoftonline.com.
   */
  signer?: OidcSigner & { publicJwk: JsonWebKey };
  /** The tenant `organizations` signs in to at the stand-in. */
  defaultTenant?: string;
  /** How long a portal session lasts (default 8 hours). */
  sessionSeconds?: number;
  /** A session cookie value every portal accepts (load tests, which do not sign in). */
  fixedSession?: string;
}

export type { OidcSigner };

/** The tenant the stand-in signs `organizations` in to, unless told otherwise (npm start's demo tenant). */
export const DEMO_SIGN_IN_TENANT = '0d3a8f5e-5c7a-4b4e-9d6f-2a1b3c4d5e6f';

export async function startDemoOrigin(options: DemoOriginOptions = {}): Promise<DemoOrigin> {
  const { port = 0, host = '127.0.0.1', signer } = options;
  let self = '';
  const portals = new DemoPortals({
    get authority() {
      return signer ? self : 'https://login.microsoftonline.com';
    },
    jwks: signer ? { keys: [{ ...signer.publicJwk, kid: signer.kid, alg: 'RS256' }] } : null,
    sessionSeconds: options.sessionSeconds ?? 8 * 60 * 60,
    ...(options.fixedSession !== undefined ? { fixedSession: options.fixedSession } : {}),
  });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (signer && ENTRA_PATH.test(req.url ?? ''))
        void entraStandIn(req, res, body, signer, options.defaultTenant ?? DEMO_SIGN_IN_TENANT);
      else
        handle(req, res, body, portals).catch((error: unknown) => {
          // A fault in the stand-in is a 500, as a real portal's would be, never a dead server.
          if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(`demo origin: ${String(error)}`);
        });
    });
  });
  // A port in use rejects (EADDRINUSE) rather than crashing the process from an 'error' event.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  self = `http://${host}:${actualPort}`;
  return {
    url: self,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Test pages and fault paths answer without a session: they are fixtures, not the portal. */
const OPEN_PATHS = /^\/(?:__fault\/|__page\/|api\/)/;

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  portals: DemoPortals,
): Promise<void> {
  const path = req.url ?? '/';
  const host = String(req.headers['x-forwarded-host'] ?? req.headers.host ?? '');
  const product = portals.productOf(host);
  // A test names the caching the origin claims (`X-Demo-Cache-Control`), to see what the edge keeps.
  const cache = req.headers['x-demo-cache-control'];
  if (typeof cache === 'string') res.setHeader('Cache-Control', cache);
  const echo = req.headers['x-echo'] === 'json';
  if (
    product !== null &&
    !echo &&
    req.method === 'POST' &&
    path.split('?')[0]?.toLowerCase() === product.callbackPath
  )
    return portals.callback(req, res, product, body);
  if (
    product !== null &&
    isNavigation(req) &&
    !OPEN_PATHS.test(path) &&
    !echo &&
    !portals.hasSession(req, product)
  )
    return portals.challenge(req, res, product, host);
  if (path.startsWith('/__fault/slow')) {
    const ms = Number(new URL(path, 'http://x').searchParams.get('ms') ?? '5000');
    setTimeout(() => res.end('slow'), ms);
    return;
  }
  if (path.startsWith('/__fault/trickle')) {
    // Headers at once, then the body a piece at a time over `ms`.
    const ms = Number(new URL(path, 'http://x').searchParams.get('ms') ?? '1000');
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    let sent = 0;
    const timer = setInterval(() => {
      res.write(`piece ${sent}\n`);
      if (++sent === 10) {
        clearInterval(timer);
        res.end('done\n');
      }
    }, ms / 10);
    return;
  }
  if (path.startsWith('/__fault/relay')) {
    // A redirect the portal merely relays (a return URL it follows), to wherever `to` says.
    const to = new URLSearchParams(path.slice(path.indexOf('?') + 1)).get('to') ?? '/';
    res.writeHead(302, { Location: to, 'X-Demo-Origin': '1' }).end();
    return;
  }
  if (path.startsWith('/__fault/reset-early')) {
    req.socket.destroy();
    return;
  }
  if (path.startsWith('/__fault/reset')) {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '1000000' });
    res.write('partial');
    setTimeout(() => req.socket.destroy(), 20);
    return;
  }
  if (host.startsWith('wdatp-alertexporter') && path.startsWith('/api/alerts')) {
    siemAlerts(req, res, new URL(path, 'http://x').searchParams);
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
  if (path.startsWith('/__page/')) {
    // Test pages: a page without <body>, a gzip-encoded page, a page split into tiny chunks.
    const kind = path.split('?')[0]!.slice('/__page/'.length);
    const headers = { 'Content-Type': 'text/html; charset=utf-8' } as Record<string, string>;
    if (kind === 'no-body')
      return void res
        .writeHead(200, headers)
        .end('<!doctype html><title>x</title><p>No body element here');
    const html =
      '<!doctype html><html><head><title>Legacy</title></head><body class="legacy"><h1>Legacy page</h1></body></html>';
    if (kind === 'gzip') {
      res.writeHead(200, { ...headers, 'Content-Encoding': 'gzip' });
      return void Readable.from([Buffer.from(html)])
        .pipe(createGzip())
        .pipe(res);
    }
    if (kind === 'chunked') {
      res.writeHead(200, headers);
      const bytes = Buffer.from(html);
      let i = 0;
      const timer = setInterval(() => {
        res.write(bytes.subarray(i, i + 3));
        i += 3;
        if (i >= bytes.length) {
          clearInterval(timer);
          res.end();
        }
      }, 1);
      return;
    }
  }
  const page =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Legacy portal ${escapeHtml(host)}</title></head>` +
    `<body><h1>Legacy portal</h1><p>You are on <b>${escapeHtml(host)}</b>, page <code>${escapeHtml(path)}</code>.</p></body></html>\n`;
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'X-Demo-Origin': '1' });
  res.end(req.method === 'HEAD' ? undefined : page);
}

function siemAlerts(req: IncomingMessage, res: ServerResponse, q: URLSearchParams): void {
  if (!/^Bearer\s+\S+/i.test(String(req.headers.authorization ?? ''))) {
    res.writeHead(401, { 'Content-Type': 'application/json' });
    res.end('{"error":{"code":"Unauthorized","message":"Bad request or invalid token."}}');
    return;
  }
  const status = Number(q.get('status') ?? 200);
  if (status !== 200) {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        error: {
          code: 'Failed',
          message: 'https://securitycenter.windows.com/alert/x',
          LinkToWDATP: 'https://securitycenter.windows.com/alert/x',
        },
      }),
    );
    return;
  }
  const count = q.get('count');
  const links = q.getAll('link');
  const body =
    links.length > 0
      ? Readable.from([Buffer.from(JSON.stringify(links.map(linkAlert)))])
      : count === null
        ? Readable.from([SIEM_FIXTURE])
        : Readable.from(
            generateAlerts(
              Number(count),
              q.get('links') === 'unified'
                ? 'https://security.microsoft.com'
                : 'https://securitycenter.windows.com',
            ),
          );
  const encoding = q.get('encoding');
  const headers: Record<string, string> = {
    'Content-Type': q.get('type') ?? 'application/json; charset=utf-8',
  };
  if (encoding) headers['Content-Encoding'] = encoding;
  else if (count === null && links.length === 0)
    headers['Content-Length'] = String(SIEM_FIXTURE.length);
  res.writeHead(200, headers);
  const compressor =
    encoding === 'gzip' ? createGzip() : encoding === 'br' ? createBrotliCompress() : null;
  (compressor ? body.pipe(compressor) : body).pipe(res);
}

/** An alert whose two legacy link fields are `link` (the agreement test's links, through the Worker). */
function linkAlert(link: string, i: number) {
  return { AlertId: `da${i}`, LinkToWDATP: link, IncidentLinkToWDATP: link };
}

/** N alerts shaped like the fixture's first one, about 500 bytes each, generated lazily; their links on `portal`. */
function* generateAlerts(count: number, portal: string): Generator<Buffer> {
  yield Buffer.from('[');
  const batch: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `da${String(637370718981685665n + BigInt(i))}_${i}`;
    batch.push(
      `${i ? ',' : ''}\n{"AlertTime":"2020-09-30T14:09:20.35743Z","AlertId":"${id}","Severity":"High","Title":"Suspicious File Activity ${i}",` +
        `"LinkToWDATP":"${portal}/alert/${id}","Url":"${portal}/alert/${id}",` +
        `"IncidentLinkToWDATP":"${portal}/incidents/byalert?alertId=${id}&source=SIEM",` +
        `"LinkToMTP":"https://security.microsoft.com/alert/${id}","Sha1":"aabbccddee1122334455aabbccddee1122334455","Score":${i % 100}.5}`,
    );
    if (batch.length === 500) {
      yield Buffer.from(batch.join(''));
      batch.length = 0;
    }
  }
  yield Buffer.from(`${batch.join('')}\n]`);
}

// `tsx scripts/demo-origin.ts [port] [--fixed-session=<value>]` runs it on its own (the bench).
if (import.meta.url === `file://${process.argv[1]}`) {
  const fixed = process.argv.find((a) => a.startsWith('--fixed-session='))?.split('=')[1];
  const origin = await startDemoOrigin({
    port: Number(process.argv[2] ?? 8788),
    ...(fixed ? { fixedSession: fixed } : {}),
  });
  console.log(`demo legacy origin on ${origin.url}`);
}
