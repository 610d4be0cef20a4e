/**
 * `npm start`: the whole service on this machine, with nothing to set up.
 * - a demo legacy origin on ORIGIN_PORT (default 8788) that pass-through requests reach;
 * - local state (.wrangler/state): contoso.atp.azure.com mapped to a demo tenant in KV, and
 *   that tenant's Endpoint redirection turned on through the Worker once it is up;
 * - local secrets in .dev.vars (made on first run, mode 600, read by wrangler dev): a development
 *   signing key whose public JWKS the Worker trusts for admin tokens and for the legacy portals'
 *   sign-in id_tokens, and the secret the edge signs its cookies with (no network needed);
 * - the demo origin also plays Entra ID (its authorize endpoint is SIGNIN_AUTHORITIES), and its
 *   portals sign in with the client ids SIGNIN_AUDIENCES names;
 * - the Worker under `wrangler dev` on PORT (default 8787), over LOCAL_PROTOCOL (http, or https
 *   with wrangler's self-signed certificate); its "Ready on" line is printed once the demo tenant
 *   is seeded. SETTINGS_WRITES_PER_MINUTE, REPORT_FLUSH_SECONDS and SCHEDULE_MIN_LEAD_SECONDS,
 *   when set, are passed to the Worker;
 * - the SIEM rewriter's wasm, built before wrangler dev starts and again when its AssemblyScript
 *   changes.
 * A port already in use (PORT, ORIGIN_PORT, or the inspector's PORT + 1000) stops it before
 * anything starts, with one line that names it and exit code 1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { createServer } from 'node:net';
import { buildWasm, WASM_SOURCES } from './build-wasm.ts';
import { DEMO_SIGN_IN_TENANT, startDemoOrigin } from './demo-origin.ts';
import { demoAudiences } from './demo-clients.ts';
import { cookieSecret, devKey, jwksOf } from './devkeys.ts';
import { main as toggles } from './toggles.ts';

const DEMO_TENANT = DEMO_SIGN_IN_TENANT;
const port = portFrom('PORT', 8787);
const originPort = portFrom('ORIGIN_PORT', 8788);
/** wrangler dev's inspector; its own default (9229) would clash between two npm starts. */
const INSPECTOR_OFFSET = 1000;
const persistTo = process.env.PERSIST_TO ?? '.wrangler/state';
const protocol = process.env.LOCAL_PROTOCOL === 'https' ? 'https' : 'http';

/** A port from the environment; a value that is not one is a one-line error (exit 2). */
function portFrom(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n < 1 || n > 65_535) {
    console.error(`npm start: ${name} is not a port number: ${value}`);
    process.exit(2);
  }
  return n;
}

/**
 * Stop before anything starts when a port is taken: one line that names it and the variable
 * that moves it, exit 1 (not a stack from the demo origin or a wrangler error mid-start).
 */
async function ensureFree(port: number, what: string): Promise<void> {
  const problem = await new Promise<string | null>((resolve) => {
    const probe = createServer();
    const failed = (error: NodeJS.ErrnoException) => resolve(error.code ?? String(error));
    probe.once('error', failed);
    try {
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(null)));
    } catch (error) {
      failed(error as NodeJS.ErrnoException); // out of range: thrown, not emitted
    }
  });
  if (problem === null) return;
  const why = problem === 'EADDRINUSE' ? 'is in use' : `cannot be used (${problem})`;
  console.error(`npm start: port ${port} on 127.0.0.1 ${why}; ${what}`);
  process.exit(1);
}

/**
 * Build the SIEM wasm before wrangler dev starts, and again when its AssemblyScript changes:
 * wrangler.jsonc gives local dev no build command (see there), and wrangler dev reloads the
 * Worker when the wasm's bytes change.
 */
function buildWasmAndWatch(): void {
  try {
    buildWasm();
  } catch {
    console.error('npm start: the SIEM wasm did not build (asc says why above)');
    process.exit(1);
  }
  let timer: NodeJS.Timeout | undefined;
  const rebuild = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      try {
        if (buildWasm()) console.log('npm start: rebuilt src/siem/json-scan.wasm');
      } catch {
        // asc printed the error; the Worker keeps the last good wasm until the next save.
      }
    }, 200);
  };
  for (const source of WASM_SOURCES) watch(source, { recursive: true }, rebuild).unref();
}

/** Map the demo workspace host in KV (host mappings are not the settings object's). */
async function mapDemoHost(): Promise<void> {
  await toggles(['map-host', 'contoso.atp.azure.com', DEMO_TENANT, '--persist-to', persistTo]);
}

/**
 * Turn Endpoint redirection on for the demo tenant through the running Worker (its
 * TenantSettings object is the only writer), on a first run only: later changes are kept.
 */
async function seedDemoTenant(): Promise<void> {
  const url = `${protocol}://127.0.0.1:${port}`;
  // Over https wrangler dev serves its own self-signed certificate; the seed calls only it.
  if (protocol === 'https') process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const state = JSON.parse(await toggles(['get', DEMO_TENANT, '--url', url, '--json'])) as {
    products: { product: string; source: string }[];
  };
  if (state.products.find((p) => p.product === 'endpoint')?.source !== 'default') return;
  await toggles([
    'set',
    DEMO_TENANT,
    'endpoint',
    'on',
    '--url',
    url,
    '--actor',
    'npm start (demo seed)',
  ]);
}

/**
 * Forward the Worker's output, holding back wrangler's "Ready on" line until the demo tenant is
 * seeded: whoever waits for it (a developer, test-node/service.ts) finds the demo state in place.
 */
function forwardUntilSeeded(child: ChildProcess): void {
  let seeded = false;
  let seeding = false;
  const held: [NodeJS.WriteStream, Buffer][] = [];
  const forward = (out: NodeJS.WriteStream) => (chunk: Buffer) => {
    if (seeded) return void out.write(chunk);
    held.push([out, chunk]);
    if (seeding || !chunk.toString().includes('Ready on')) {
      if (!seeding) for (const [o, c] of held.splice(0)) o.write(c);
      return;
    }
    seeding = true;
    seedDemoTenant().then(
      () => {
        seeded = true;
        for (const [o, c] of held.splice(0)) o.write(c);
      },
      (error: unknown) => {
        console.error(`demo seed failed: ${String(error)}`);
        child.kill('SIGINT');
      },
    );
  };
  child.stdout?.on('data', forward(process.stdout));
  child.stderr?.on('data', forward(process.stderr));
}

async function main(): Promise<void> {
  await ensureFree(port, 'stop what holds it, or set PORT to another port');
  await ensureFree(originPort, 'stop what holds it, or set ORIGIN_PORT to another port');
  await ensureFree(
    port + INSPECTOR_OFFSET,
    `wrangler's inspector uses PORT + ${INSPECTOR_OFFSET}: stop what holds it, or set PORT to another port`,
  );
  buildWasmAndWatch();
  // Made into .dev.vars on a first run; wrangler dev reads them from there.
  const key = await devKey();
  cookieSecret();
  await mapDemoHost();
  const origin = await startDemoOrigin({
    port: originPort,
    signer: { ...key, audience: 'api://portal-redirect' },
  }).catch((error: NodeJS.ErrnoException) => {
    // Taken since ensureFree looked.
    console.error(`npm start: the demo origin cannot listen on port ${originPort}: ${error.code}`);
    process.exit(1);
  });
  // Public values only: secrets stay in .dev.vars, off the command line.
  const jwks = jwksOf(key);
  const vars = {
    PASSTHROUGH_ORIGIN: origin.url,
    AUTH_JWKS: jwks,
    // The legacy portals' sign-in: offline, the demo origin plays Entra ID with the dev key.
    SIGNIN_JWKS: jwks,
    SIGNIN_AUTHORITIES: origin.url,
    SIGNIN_AUDIENCES: demoAudiences(),
    // A local run: the edge's cookies also over plain http (never in a deployed env).
    EDGE_COOKIES_OVER_HTTP: 'on',
    DEV_AUTH: 'true',
    DEV_TENANT: DEMO_TENANT,
    SETTINGS_URL: `${protocol}://127.0.0.1:${port}/settings`,
    // Passed on when set: the per-tenant write limit (raised for a load test), the report's
    // flush interval, the schedule's minimum lead and the isolate's toggle cache (shortened for
    // the browser test).
    ...Object.fromEntries(
      [
        'SETTINGS_WRITES_PER_MINUTE',
        'REPORT_FLUSH_SECONDS',
        'SCHEDULE_MIN_LEAD_SECONDS',
        'TOGGLE_CACHE_TTL_SECONDS',
      ].flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : [])),
    ),
  };
  const args = [
    'wrangler',
    'dev',
    '--port',
    String(port),
    '--inspector-port',
    String(port + INSPECTOR_OFFSET),
    '--ip',
    '127.0.0.1',
    '--persist-to',
    persistTo,
    '--local-protocol',
    protocol,
    '--show-interactive-dev-session=false',
  ];
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);
  const child = spawn('npx', args, {
    stdio: ['inherit', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });
  forwardUntilSeeded(child);
  console.log(
    `demo legacy origin on ${origin.url}; demo tenant ${DEMO_TENANT}; portal-redirect on ${protocol}://127.0.0.1:${port}`,
  );
  const stop = () => {
    child.kill('SIGINT');
    void origin.close();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code) => {
    void origin.close();
    process.exit(code ?? 0);
  });
}

await main();
