/**
 * A stand-in for the legacy portals: one small HTTP server that answers for every legacy host
 * (the edge sends the original host in X-Forwarded-Host). Used by `npm start` and by the tests.
 *
 * - navigations get a small HTML page naming the host and path;
 * - `/api/...` and requests with `X-Echo: json` get a JSON echo of what arrived (method, raw
 *   path, headers, body digest), so tests can check a pass-through is byte for byte;
 * - a request's `X-Demo-Cache-Control` comes back as the page's `Cache-Control`;
 * - `/__fault/slow?ms=N` waits before answering; `/__fault/trickle?ms=N` answers at once and
 *   sends its body over N ms; `/__fault/reset` drops the connection mid-body, `/__fault/reset-early`
 *   before any answer.
 * - on `wdatp-alertexporter-*` hosts, `/api/alerts` is the legacy SIEM API: 401 without a bearer
 *   token, else the fixture (or `?count=N` generated alerts, streamed; `&links=unified` for alerts
 *   whose links already point at the unified portal), with `?encoding=gzip|br|zstd`, `?status=N`
 *   and `?type=` to shape the answer.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createBrotliCompress, createGzip } from 'node:zlib';

/** Microsoft's published SIEM API example response, extended with the link fields. */
export const SIEM_FIXTURE = readFileSync(
  fileURLToPath(new URL('./fixtures/siem-alerts.json', import.meta.url)),
);

export interface DemoOrigin {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** A signing key for the stand-in OpenID provider (tests only). */
export interface OidcSigner {
  kid: string;
  privateJwk: JsonWebKey;
  audience: string;
}

export async function startDemoOrigin(
  port = 0,
  host = '127.0.0.1',
  oidc?: OidcSigner,
): Promise<DemoOrigin> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (oidc && /^\/[0-9a-f-]{36}\/oauth2\/v2\.0\//.test(req.url ?? ''))
        void oidcProvider(req, res, Buffer.concat(chunks), oidc);
      else handle(req, res, Buffer.concat(chunks));
    });
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
  // A test names the caching the origin claims (`X-Demo-Cache-Control`), to see what the edge keeps.
  const cache = req.headers['x-demo-cache-control'];
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'X-Demo-Origin': '1',
    ...(typeof cache === 'string' ? { 'Cache-Control': cache } : {}),
  });
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
  const body =
    count === null
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
  else if (count === null) headers['Content-Length'] = String(SIEM_FIXTURE.length);
  res.writeHead(200, headers);
  const compressor =
    encoding === 'gzip' ? createGzip() : encoding === 'br' ? createBrotliCompress() : null;
  (compressor ? body.pipe(compressor) : body).pipe(res);
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

/**
 * A stand-in for Entra ID's authorize and token endpoints at /{tenant}/oauth2/v2.0/: authorize
 * answers with a code bound to the PKCE challenge and redirect URI; the token endpoint checks the
 * verifier and returns an RS256 access token for a Security Administrator of that tenant.
 */
const codes = new Map<string, { challenge: string; redirectUri: string; tenant: string }>();
async function oidcProvider(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  signer: OidcSigner,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const tenant = url.pathname.split('/')[1] as string;
  if (url.pathname.endsWith('/authorize')) {
    const q = url.searchParams;
    if (
      q.get('response_type') !== 'code' ||
      q.get('code_challenge_method') !== 'S256' ||
      !q.get('code_challenge') ||
      !q.get('redirect_uri')
    ) {
      return void res.writeHead(400).end('bad authorize request');
    }
    const code = createHash('sha256').update(String(Math.random())).digest('hex');
    codes.set(code, {
      challenge: q.get('code_challenge') as string,
      redirectUri: q.get('redirect_uri') as string,
      tenant,
    });
    const back = new URL(q.get('redirect_uri') as string);
    back.searchParams.set('code', code);
    back.searchParams.set('state', q.get('state') ?? '');
    return void res.writeHead(302, { Location: back.href }).end();
  }
  const form = new URLSearchParams(body.toString());
  const grant = codes.get(form.get('code') ?? '');
  codes.delete(form.get('code') ?? '');
  const verifier = form.get('code_verifier') ?? '';
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  if (
    !grant ||
    form.get('grant_type') !== 'authorization_code' ||
    grant.challenge !== challenge ||
    grant.redirectUri !== form.get('redirect_uri')
  ) {
    return void res
      .writeHead(400, { 'Content-Type': 'application/json' })
      .end('{"error":"invalid_grant"}');
  }
  const { entraClaims, signToken } = await import('../src/auth/dev-tokens.ts');
  const token = await signToken(
    signer.privateJwk,
    signer.kid,
    entraClaims({
      tenant: grant.tenant,
      roles: ['security-admin'],
      name: 'OIDC Admin',
      audience: signer.audience,
    }),
  );
  res
    .writeHead(200, { 'Content-Type': 'application/json' })
    .end(JSON.stringify({ token_type: 'Bearer', access_token: token, expires_in: 3600 }));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

// `tsx scripts/demo-origin.ts [port]` runs it on its own.
if (import.meta.url === `file://${process.argv[1]}`) {
  const origin = await startDemoOrigin(Number(process.argv[2] ?? 8788));
  console.log(`demo legacy origin on ${origin.url}`);
}
