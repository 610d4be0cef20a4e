/**
 * Read and write redirection toggles from the command line. Settings changes go through the
 * running Worker's settings API, so each tenant's TenantSettings object stays their only writer
 * (wrangler's getPlatformProxy cannot host the object); `get --kv` and `map-host` use KV.
 * Usage: USAGE below.
 */
import { parseArgs } from 'node:util';
import { entraClaims, signToken } from '../src/auth/dev-tokens.ts';
import { PRODUCTS, isProductId } from '../src/catalogue/products.ts';
import { normaliseHost } from '../src/core/hosts.ts';
import { asTenantId } from '../src/core/tenant.ts';
import type { ToggleMode } from '../src/store/records.ts';
import { isToggleMode, keys, parseToggleRecord } from '../src/store/records.ts';
import { productState } from '../src/store/state.ts';
import { ToggleStore } from '../src/store/toggles.ts';
import { devKey } from './devkeys.ts';
import { openToggles } from './kv.ts';

const USAGE = `usage:
  npm run toggles -- get <tenant>              the state, through the running Worker
  npm run toggles -- get <tenant> --kv         the KV records the edge reads (local, or --remote)
  npm run toggles -- set <tenant> <product> on|off|observe [--feedback "..."] [--actor "name"]
  npm run toggles -- schedule <tenant> <product> on|off|observe <iso instant>
  npm run toggles -- schedules <tenant>        the pending scheduled changes
  npm run toggles -- unschedule <tenant> <id>  cancel a scheduled change
  npm run toggles -- report <tenant>           the migration report (24 h and 7 d)
  npm run toggles -- audit <tenant> [--product <p>] [--actor <oid|upn>] [--from <iso>] [--to <iso>]
                                    [--limit <n>] [--cursor <c>]
  npm run toggles -- export <tenant> csv|json  the whole audit log, to stdout
  npm run toggles -- map-host <host> <tenant>  writes KV (local, or --remote)
Every command but map-host and get --kv calls the Worker's settings API (start it first: npm start):
  --url <origin>   the Worker's admin host (default http://127.0.0.1:8787, npm start's)
  --token <jwt>    bearer token; default: a global-admin token for <tenant> signed by the
                   local dev key (.dev.vars), which npm start's Worker trusts. A deployed
                   Worker needs an Entra ID access token here.
get --kv and map-host read and write KV: --remote (via wrangler)  --env <name>  --persist-to <dir>
products: ${PRODUCTS.map((p) => p.id).join(', ')}`;

export class UsageError extends Error {}

const DEFAULT_URL = 'http://127.0.0.1:8787';
const AUDIENCE = 'api://portal-redirect';
const KV_READS = { kvCacheTtlSeconds: 30, toggleCacheTtlMs: 0, kvReadTimeoutMs: 30_000 };

interface Options {
  url: string;
  token: string | undefined;
  actor: string;
}

/** One settings API call; a JSON error answer becomes an Error that says what the API said. */
async function callApi(
  options: Options,
  tenant: string,
  method: string,
  path: string,
  init: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const token = options.token ?? (await devToken(tenant, options.actor));
  const url = `${options.url.replace(/\/$/, '')}/api/tenants/${tenant}/redirection${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch (error) {
    throw new Error(`no Worker answered at ${options.url} (start it with npm start): ${error}`);
  }
  if (res.ok || res.status === 412) return res;
  const text = await res.text();
  const retry = res.headers.get('retry-after');
  throw new Error(
    `${method} ${path || '/'}: ${res.status} ${text}${retry ? ` (Retry-After: ${retry} s)` : ''}`,
  );
}

async function devToken(tenant: string, name: string): Promise<string> {
  const key = await devKey();
  return signToken(
    key.privateJwk,
    key.kid,
    entraClaims({ tenant, roles: ['global-admin'], name, audience: AUDIENCE, expiresIn: 600 }),
  );
}

interface State {
  version: number;
  enabled: boolean;
  mode: ToggleMode;
}

/**
 * Set one toggle: read its version, then PUT with that If-Match, so `changed` is exact even
 * when an admin writes at the same time (a 412 reads again).
 */
async function setToggle(
  options: Options,
  tenant: string,
  product: string,
  mode: ToggleMode,
  feedback: string | null,
): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = (await (await callApi(options, tenant, 'GET', `/${product}`)).json()) as State;
    const res = await callApi(options, tenant, 'PUT', `/${product}`, {
      body: mode === 'off' ? { mode, feedback } : { mode },
      headers: { 'If-Match': `"${before.version}"` },
    });
    if (res.status === 412) continue;
    const after = (await res.json()) as State;
    return { changed: after.version !== before.version, ...after };
  }
  throw new Error(`${product}: changed by someone else five times in a row; try again`);
}

export async function main(argv: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string', default: process.env.PORTAL_REDIRECT_URL ?? DEFAULT_URL },
      token: { type: 'string' },
      kv: { type: 'boolean', default: false },
      remote: { type: 'boolean', default: false },
      env: { type: 'string' },
      'persist-to': { type: 'string' },
      feedback: { type: 'string' },
      actor: { type: 'string' },
      product: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string', default: '50' },
      cursor: { type: 'string' },
    },
  });
  const [command, ...args] = positionals;
  const tenantArg = (i: number) => {
    const tenant = asTenantId(args[i]);
    if (tenant === null) throw new UsageError(`not a tenant id (GUID): ${args[i] ?? '(missing)'}`);
    return tenant;
  };
  const tenant0 = () => tenantArg(0);
  const kvOptions = { remote: values.remote, env: values.env, persistTo: values['persist-to'] };
  const options: Options = {
    url: values.url,
    token: values.token,
    actor: values.actor ?? 'toggles CLI',
  };
  switch (command) {
    case 'get': {
      const tenant = tenantArg(0);
      if (values.kv || values.remote) {
        const handle = await openToggles(kvOptions);
        try {
          const products = await Promise.all(
            PRODUCTS.map(async (p) =>
              productState(
                p,
                parseToggleRecord(await handle.kv.get(keys.toggle(tenant, p.id))),
                Date.now(),
              ),
            ),
          );
          return JSON.stringify({ tenantId: tenant, source: 'kv', products }, null, 2);
        } finally {
          await handle.dispose();
        }
      }
      return JSON.stringify(await (await callApi(options, tenant, 'GET', '')).json(), null, 2);
    }
    case 'set': {
      const tenant = tenantArg(0);
      const product = args[1] ?? '';
      if (!isProductId(product)) throw new UsageError(`unknown product: ${product}`);
      const mode = args[2];
      if (!isToggleMode(mode)) throw new UsageError('state must be on, off or observe');
      const result = await setToggle(options, tenant, product, mode, values.feedback ?? null);
      return JSON.stringify(result, null, 2);
    }
    case 'schedule': {
      const tenant = tenantArg(0);
      const [product = '', mode, at = ''] = args.slice(1);
      if (!isProductId(product)) throw new UsageError(`unknown product: ${product}`);
      if (!isToggleMode(mode)) throw new UsageError('state must be on, off or observe');
      if (!Number.isFinite(Date.parse(at))) throw new UsageError(`not an ISO-8601 instant: ${at}`);
      const body = { product, mode, at: new Date(Date.parse(at)).toISOString() };
      const res = await callApi(options, tenant, 'POST', '/schedules', { body });
      return JSON.stringify(await res.json(), null, 2);
    }
    case 'schedules':
      return JSON.stringify(
        await (await callApi(options, tenant0(), 'GET', '/schedules')).json(),
        null,
        2,
      );
    case 'unschedule': {
      const tenant = tenantArg(0);
      const id = asTenantId(args[1]);
      if (id === null) throw new UsageError(`not a schedule id: ${args[1] ?? '(missing)'}`);
      const res = await callApi(options, tenant, 'DELETE', `/schedules/${id}`);
      return JSON.stringify(await res.json(), null, 2);
    }
    case 'report':
      return JSON.stringify(
        await (await callApi(options, tenant0(), 'GET', '/report')).json(),
        null,
        2,
      );
    case 'audit': {
      const tenant = tenantArg(0);
      if (values.product !== undefined && !isProductId(values.product))
        throw new UsageError(`unknown product: ${values.product}`);
      const query = new URLSearchParams({
        limit: String(Math.min(100, Math.max(1, Number(values.limit) || 50))),
      });
      for (const name of ['product', 'actor', 'from', 'to', 'cursor'] as const) {
        const value = values[name];
        if (value !== undefined) query.set(name, value);
      }
      const res = await callApi(options, tenant, 'GET', `/audit?${query}`);
      return JSON.stringify(await res.json(), null, 2);
    }
    case 'export': {
      const tenant = tenantArg(0);
      const format = args[1];
      if (format !== 'csv' && format !== 'json') throw new UsageError('format must be csv or json');
      return (await callApi(options, tenant, 'GET', `/audit/export?format=${format}`)).text();
    }
    case 'map-host': {
      const host = normaliseHost(args[0] ?? '');
      if (host === null) throw new UsageError(`not a host name: ${args[0] ?? '(missing)'}`);
      const tenant = tenantArg(1);
      const handle = await openToggles(kvOptions);
      try {
        await new ToggleStore(handle.kv, KV_READS).mapHost(host, tenant);
      } finally {
        await handle.dispose();
      }
      return JSON.stringify({ host, tenantId: tenant });
    }
    default:
      throw new UsageError(command ? `unknown command: ${command}` : 'no command');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (out) => console.log(out),
    (error: unknown) => {
      console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : String(error));
      process.exit(2);
    },
  );
}
