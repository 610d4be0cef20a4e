/**
 * The processes a bench run starts: the legacy origin (scripts/demo-origin.ts) and Workers served
 * by bench/serve.ts (workerd through miniflare), each in its own process group so that `stopAll`
 * takes its workerd with it; and the built bundle they serve. Shared by `npm run bench`,
 * `bench:cpu` and `bench:profile`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { buildWasm } from '../scripts/build-wasm.ts';
import { devKey, jwksOf } from '../scripts/devkeys.ts';
import { entraClaims, signToken } from '../src/auth/dev-tokens.ts';

const children: ChildProcess[] = [];
/** Local state the served Workers write (10,000 objects' databases): removed by `stopAll`. */
const stateDirs: string[] = [];

function stateDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  stateDirs.push(dir);
  return dir;
}

/**
 * Vars of every portal-redirect the benches run: a 10-minute toggle cache, so the warm state
 * outlives the rounds (a 20-second cache would expire mid-run and time KV reads).
 */
export const WARM_VARS = { TOGGLE_CACHE_TTL_SECONDS: '600' };

/** How the built bundle imports a WebAssembly module: its binding, then its file (named by hash). */
export const WASM_IMPORT = /import\s*(\w+)\s*from\s*"\.\/([\w.-]+\.wasm)";?/g;

/** The WebAssembly files the built bundle (dist/bench/index.js) imports. */
export function bundleWasmFiles(): string[] {
  const main = readFileSync('dist/bench/index.js', 'utf8');
  return [...main.matchAll(WASM_IMPORT)].map((m) => m[2] as string);
}

/** The middle value of `xs` (the upper one of an even count). */
export const median = (xs: readonly number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/**
 * Endpoint redirection on for `tenants`, set as an admin sets it: a PUT through the settings
 * API of the Worker `serveObjects` serves, so each tenant's TenantSettings object exists, holds the
 * setting and wrote its KV record, as in production. Seeding KV directly would leave the objects
 * to be created by the report's first flush, in the middle of a measured run.
 */
async function seedEndpointOn(appUrl: string, tenants: readonly string[]): Promise<void> {
  const key = await devKey();
  let next = 0;
  const worker = async () => {
    while (next < tenants.length) {
      const tenant = tenants[next++] as string;
      const token = await signToken(
        key.privateJwk,
        key.kid,
        entraClaims({ tenant, roles: ['global-admin'], name: 'bench', audience: AUDIENCE }),
      );
      const res = await fetch(`${appUrl}/api/tenants/${tenant}/redirection/endpoint`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ mode: 'on' }),
      });
      if (!res.ok) throw new Error(`seeding ${tenant}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** The audience of the settings API in wrangler.jsonc's top-level (local) vars. */
const AUDIENCE = 'api://portal-redirect';

const NAVIGATION = {
  Host: 'securitycenter.windows.com',
  Accept: 'text/html',
  'Sec-Fetch-Mode': 'navigate',
  'Sec-Fetch-Site': 'none',
};

/**
 * The requests of bench scenarios 1-3 and 6 over seeded tenants: a deep link per tenant (1), a
 * signed-in session's page (2, the first tenant), the SIEM payload for `siemTenant` (3; its token
 * is only read for its tenant, as the Worker does), and Office's anti-phishing page for the first
 * 1,000 tenants named in `?tid=`, no cookies (6: Office is on by default and none of them chose
 * for it, so the isolate caches that nothing is stored).
 */
/**
 * The session the bench's origin accepts for its whole run (`--fixed-session`): a signed-in user
 * whose sign-in happened before the run, so the sticky scenario measures pages, not sign-ins.
 */
export const LIVE_SESSION = 'bench-live-session';

export function scenarioRequests(tenants: readonly string[], siemTenant: string) {
  const token = `e30.${Buffer.from(JSON.stringify({ tid: siemTenant })).toString('base64url')}.c2ln`;
  return {
    redirect: tenants.map((t) => ({
      method: 'GET' as const,
      path: `/alert/da6373707189816_${t.slice(0, 8)}?tid=${t}`,
      headers: NAVIGATION,
    })),
    tidRedirect: tenants.slice(0, 1000).map((t) => ({
      method: 'GET' as const,
      path: `/antiphishing?tid=${t}`,
      headers: { ...NAVIGATION, Host: 'protection.office.com' },
    })),
    sticky: [
      {
        method: 'GET' as const,
        path: `/alerts?tid=${tenants[0]}`,
        headers: { ...NAVIGATION, Cookie: `sccauth=${LIVE_SESSION}` },
      },
    ],
    siem: [
      {
        method: 'GET' as const,
        path: '/api/alerts?count=20000',
        headers: { Host: 'wdatp-alertexporter-eu.windows.com', Authorization: `Bearer ${token}` },
      },
    ],
  };
}

/**
 * autocannon options that share `requests` out between `connections`: each connection cycles
 * through its own slice, so that together they cover all of it. Given the whole list, autocannon
 * walks every connection through it from the first request, and copies and builds all of it once
 * per connection before it sends anything (6 s of its CPU for 16 connections over 10,000 requests).
 */
export function spreadOver(
  requests: readonly autocannon.Request[],
  connections: number,
): Pick<autocannon.Options, 'requests' | 'setupClient'> {
  let next = 0;
  return {
    requests: requests.slice(0, 1),
    setupClient: (client) => {
      const k = next++ % connections;
      const from = Math.floor((k * requests.length) / connections);
      const to = Math.max(Math.floor(((k + 1) * requests.length) / connections), from + 1);
      client.setRequests(requests.slice(from, to));
    },
  };
}

/** Build the Worker as it deploys, into dist/bench (unminified for a readable CPU profile). */
export function buildWorker(options: { minify?: boolean } = {}): void {
  // The top-level config has no build command (wrangler.jsonc): build the wasm here.
  buildWasm();
  const args = ['deploy', '--dry-run', '--outdir', 'dist/bench'];
  if (options.minify === false) args.push('--no-minify');
  execFileSync('node_modules/.bin/wrangler', args, {
    stdio: 'ignore',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
}

async function waitFor(url: string, tries: number): Promise<void> {
  for (let i = 0; i < tries; i++) {
    try {
      await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer`);
}

function start(args: string[]): ChildProcess {
  const child = spawn('node_modules/.bin/tsx', args, {
    stdio: process.env.BENCH_VERBOSE ? 'inherit' : 'ignore',
    detached: true,
  });
  children.push(child);
  return child;
}

/** The legacy origin on `port`, in its own process; its URL once it answers. */
export async function startOrigin(port: number): Promise<{ url: string; pid: number }> {
  const child = start(['scripts/demo-origin.ts', String(port), `--fixed-session=${LIVE_SESSION}`]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(url, 100);
  return { url, pid: child.pid as number };
}

export interface ServeOptions {
  script?: string;
  persistTo?: string;
  vars?: Record<string, string>;
  /** The Worker's inspector on port + 1000, to take a CPU profile while it runs. */
  inspect?: boolean;
  /** Raw bench/serve.ts options (the dev registry, where the objects run, whose KV). */
  args?: string[];
}

/** Serve a Worker with bench/serve.ts and wait until it answers. */
export async function serve(
  config: string,
  port: number,
  options: ServeOptions = {},
): Promise<{ url: string; pid: number }> {
  const args = [config, String(port)];
  if (options.inspect) args.push('--inspector-port', String(port + 1000));
  if (options.script) args.push('--script', options.script);
  if (options.persistTo) args.push('--persist-to', options.persistTo);
  args.push(...(options.args ?? []));
  for (const [name, value] of Object.entries(options.vars ?? {}))
    args.push('--var', `${name}:${value}`);
  const child = start(['bench/serve.ts', ...args]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(url, 1200);
  return { url, pid: child.pid as number };
}

/** The served Worker's name in the dev registry that the edge finds the objects through. */
export const OBJECTS_WORKER = 'portal-redirect-objects';

/** The process `serveObjects` started: its URL, pid, local state and the registry it is in. */
export interface ObjectsServer {
  url: string;
  pid: number;
  state: string;
  registry: string;
}

/**
 * The TenantSettings objects in a workerd of their own, as on the platform, where they run on
 * their own machines: workerd runs one process's isolates on one thread, so objects served
 * beside the edge would take their work (the report's flushes waking them) out of the edge's
 * time. It serves the whole Worker: seed through its settings API (`seedEndpointOn`), and
 * `serveApp` reads the KV records it wrote and calls its objects through a dev registry
 * (miniflare's cross-process bindings).
 */
export async function serveObjects(
  port: number,
  originUrl: string,
  options: { inspect?: boolean } = {},
): Promise<ObjectsServer> {
  const state = stateDir('bench-objects-');
  const registry = stateDir('bench-registry-');
  const { url, pid } = await serve('wrangler.jsonc', port, {
    script: 'dist/bench/index.js',
    persistTo: state,
    inspect: options.inspect ?? false,
    vars: await appVars(originUrl),
    args: ['--registry', registry, '--name', OBJECTS_WORKER],
  });
  return { url, pid, state, registry };
}

/**
 * portal-redirect as the benches serve it: the built bundle (`buildWorker`) passing through to
 * `originUrl`, with `WARM_VARS`, over the KV of `objects` and calling its TenantSettings objects
 * (locally through a stand-in object in the edge's process that forwards each call; on the
 * platform the call goes straight to the object); `options.vars` adds or overrides vars.
 */
export async function serveApp(
  port: number,
  objects: ObjectsServer,
  originUrl: string,
  options: { vars?: Record<string, string>; inspect?: boolean } = {},
): Promise<{ url: string; pid: number }> {
  return serve('wrangler.jsonc', port, {
    script: 'dist/bench/index.js',
    vars: { ...(await appVars(originUrl)), ...options.vars },
    inspect: options.inspect ?? false,
    args: [
      ...['--registry', objects.registry, '--name', appName(port)],
      ...['--objects-in', OBJECTS_WORKER, '--kv-from', objects.state],
    ],
  });
}

/** The name `serveApp` gives the Worker it serves on `port` (its inspector target ends with it). */
export const appName = (port: number) => `portal-redirect-${port}`;

/**
 * The usual sequence: the objects on `ports.objects`, `tenants` seeded through them (Endpoint
 * on), then portal-redirect on `ports.app`; `inspect` opens the inspector of one of the two
 * processes (`serve`).
 */
export async function servePortal(
  ports: { app: number; objects: number },
  originUrl: string,
  tenants: readonly string[],
  options: { inspect?: 'app' | 'objects' } = {},
): Promise<{ url: string; pid: number; objects: ObjectsServer }> {
  const objects = await serveObjects(ports.objects, originUrl, {
    inspect: options.inspect === 'objects',
  });
  await seedEndpointOn(objects.url, tenants);
  const inspect = options.inspect === 'app';
  return { ...(await serveApp(ports.app, objects, originUrl, { inspect })), objects };
}

/**
 * The served portal-redirect's vars: its origin, `WARM_VARS`, and a JWKS of the local dev key
 * (.dev-keys/, made on first use), so that the bench seeds settings through the API as an
 * admin would.
 */
async function appVars(originUrl: string): Promise<Record<string, string>> {
  return { PASSTHROUGH_ORIGIN: originUrl, ...WARM_VARS, AUTH_JWKS: jwksOf(await devKey()) };
}

/** Stop every process started here (and their children: each leads its own process group). */
export function stopAll(): void {
  for (const child of children) if (child.pid) process.kill(-child.pid, 'SIGTERM');
  for (const dir of stateDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
