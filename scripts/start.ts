/**
 * `npm start`: the whole service on this machine, with nothing to set up.
 * - a demo legacy origin on ORIGIN_PORT (default 8788) that pass-through requests reach;
 * - local KV (.wrangler/state) seeded with a demo tenant: Endpoint redirection on, and
 *   contoso.atp.azure.com mapped to it;
 * - a development signing key (.dev-keys/, made on first run) whose public JWKS the Worker trusts
 *   for admin tokens and for the legacy portals' sign-in id_tokens (no network needed);
 * - the Worker under `wrangler dev` on PORT (default 8787).
 */
import { spawn } from 'node:child_process';
import { PRODUCTS } from '../src/catalogue/products';
import { ToggleStore } from '../src/store/toggles';
import { startDemoOrigin } from './demo-origin.ts';
import { devKey, jwksOf } from './devkeys.ts';
import { openToggles } from './kv.ts';

export const DEMO_TENANT = '0d3a8f5e-5c7a-4b4e-9d6f-2a1b3c4d5e6f';
const port = Number(process.env.PORT ?? 8787);
const originPort = Number(process.env.ORIGIN_PORT ?? 8788);
const persistTo = process.env.PERSIST_TO ?? '.wrangler/state';

async function seedDemoTenant(): Promise<void> {
  const handle = await openToggles({ persistTo: `${persistTo}/v3` });
  try {
    const store = new ToggleStore(handle.kv, {
      kvCacheTtlSeconds: 30,
      toggleCacheTtlMs: 0,
      kvReadTimeoutMs: 30_000,
    });
    const endpoint = PRODUCTS.find((p) => p.id === 'endpoint')!;
    // Only on a first run: a developer's later changes are kept.
    if ((await store.record(DEMO_TENANT, 'endpoint')) === null) {
      await store.change({
        tenant: DEMO_TENANT,
        product: 'endpoint',
        enabled: true,
        defaultEnabled: endpoint.defaultEnabled,
        actor: { oid: '', name: 'npm start (demo seed)', upn: '', idp: 'seed' },
        feedback: null,
      });
    }
    await store.mapHost('contoso.atp.azure.com', DEMO_TENANT);
  } finally {
    await handle.dispose();
  }
}

async function main(): Promise<void> {
  const key = await devKey();
  await seedDemoTenant();
  const origin = await startDemoOrigin(originPort);
  const vars = {
    PASSTHROUGH_ORIGIN: origin.url,
    AUTH_JWKS: jwksOf(key),
    // The legacy portals' sign-in id_tokens: offline, the dev key stands in for Entra ID's keys.
    SIGNIN_JWKS: jwksOf(key),
    DEV_AUTH: 'true',
    DEV_SIGNING_KEY: JSON.stringify({ kid: key.kid, privateJwk: key.privateJwk }),
    SETTINGS_URL: `http://127.0.0.1:${port}/settings`,
  };
  const args = [
    'wrangler',
    'dev',
    '--port',
    String(port),
    '--inspector-port',
    String(port + 1000),
    '--ip',
    '127.0.0.1',
    '--persist-to',
    persistTo,
    '--show-interactive-dev-session=false',
  ];
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);
  const child = spawn('npx', args, {
    stdio: 'inherit',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });
  console.log(
    `demo legacy origin on ${origin.url}; demo tenant ${DEMO_TENANT}; portal-redirect on http://127.0.0.1:${port}`,
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
