/**
 * Read and write redirection toggles from the command line, through the Worker's own store code.
 *
 *   npm run toggles -- get <tenant>
 *   npm run toggles -- set <tenant> <product> on|off [--feedback "..."] [--actor "name"]
 *   npm run toggles -- map-host <host> <tenant>
 *   npm run toggles -- audit <tenant> [--product <p>] [--limit <n>]
 *
 * Options: --remote (a deployed namespace, via wrangler), --env <staging|production>,
 * --persist-to <dir> (local state folder, default .wrangler/state/v3).
 */
import { parseArgs } from 'node:util';
import { PRODUCTS, isProductId, productById } from '../src/catalogue/products';
import { normaliseHost } from '../src/core/hosts';
import { asTenantId } from '../src/core/tenant';
import { productState } from '../src/store/state';
import { ToggleStore } from '../src/store/toggles';
import { openToggles } from './kv.ts';

const USAGE = `usage:
  npm run toggles -- get <tenant>
  npm run toggles -- set <tenant> <product> on|off [--feedback "..."] [--actor "name"]
  npm run toggles -- map-host <host> <tenant>
  npm run toggles -- audit <tenant> [--product <p>] [--limit <n>]
options: --remote  --env <name>  --persist-to <dir>
products: ${PRODUCTS.map((p) => p.id).join(', ')}`;

class UsageError extends Error {}

export async function main(argv: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      remote: { type: 'boolean', default: false },
      env: { type: 'string' },
      'persist-to': { type: 'string' },
      feedback: { type: 'string' },
      actor: { type: 'string', default: 'toggles CLI' },
      product: { type: 'string' },
      limit: { type: 'string', default: '50' },
    },
  });
  const [command, ...args] = positionals;
  const tenantArg = (i: number) => {
    const tenant = asTenantId(args[i]);
    if (tenant === null) throw new UsageError(`not a tenant id (GUID): ${args[i] ?? '(missing)'}`);
    return tenant;
  };
  const handle = await openToggles({
    remote: values.remote,
    env: values.env,
    persistTo: values['persist-to'],
  });
  const store = new ToggleStore(handle.kv, {
    kvCacheTtlSeconds: 30,
    toggleCacheTtlMs: 0,
    kvReadTimeoutMs: 30_000,
  });
  try {
    switch (command) {
      case 'get': {
        const tenant = tenantArg(0);
        const products = await Promise.all(
          PRODUCTS.map(async (p) => productState(p, await store.record(tenant, p.id), Date.now())),
        );
        return JSON.stringify({ tenantId: tenant, products }, null, 2);
      }
      case 'set': {
        const tenant = tenantArg(0);
        const product = args[1] ?? '';
        if (!isProductId(product)) throw new UsageError(`unknown product: ${product}`);
        if (args[2] !== 'on' && args[2] !== 'off') throw new UsageError('state must be on or off');
        const catalogue = productById(product)!;
        const result = await store.change({
          tenant,
          product,
          enabled: args[2] === 'on',
          defaultEnabled: catalogue.defaultEnabled,
          actor: { oid: '', name: values.actor ?? 'toggles CLI', upn: '', idp: 'cli' },
          feedback: values.feedback ?? null,
        });
        const state = productState(catalogue, result.record, Date.now());
        return JSON.stringify({ changed: result.changed, ...state }, null, 2);
      }
      case 'map-host': {
        const host = normaliseHost(args[0] ?? '');
        if (host === null) throw new UsageError(`not a host name: ${args[0] ?? '(missing)'}`);
        const tenant = tenantArg(1);
        await store.mapHost(host, tenant);
        return JSON.stringify({ host, tenantId: tenant });
      }
      case 'audit': {
        const tenant = tenantArg(0);
        if (values.product !== undefined && !isProductId(values.product))
          throw new UsageError(`unknown product: ${values.product}`);
        const limit = Math.min(100, Math.max(1, Number(values.limit) || 50));
        const page = await store.audit(tenant, {
          limit,
          ...(values.product ? { product: values.product } : {}),
        });
        return JSON.stringify(page, null, 2);
      }
      default:
        throw new UsageError(command ? `unknown command: ${command}` : 'no command');
    }
  } finally {
    await handle.dispose();
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
