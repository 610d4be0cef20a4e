/**
 * `npm run toggles`: read and change redirection toggles from the command line, for people (short
 * tables) and scripts (`--json`, exit codes 0/1/2). Settings changes go through the running
 * Worker's settings API, so each tenant's TenantSettings object stays their only writer
 * (wrangler's local proxy cannot host the object); `get --kv` and `map-host` use KV, and only
 * they load wrangler. Commands and options: scripts/cli/toggles-commands.ts, docs/cli.md.
 *
 * `main(argv)` resolves to what the process prints and throws UsageError or CliError for what
 * it reports as one line on stderr (scripts/cli/run.ts).
 */
import { parseArgs } from 'node:util';
import { PRODUCTS, isProductId } from '../src/catalogue/products.ts';
import type { Env } from '../src/config/env.ts';
import { configuredProducts } from '../src/config/products.ts';
import { normaliseHost } from '../src/core/hosts.ts';
import { asTenantId } from '../src/core/tenant.ts';
import type { ScheduledChange } from '../src/model/changes.ts';
import type { MigrationReport } from '../src/model/report.ts';
import { type ProductState, productState } from '../src/model/state.ts';
import { isToggleMode, type ToggleMode } from '../src/model/toggle.ts';
import { keys, parseToggleRecord } from '../src/store/records.ts';
import { type ApiOptions, callApi, checkUrl, defaultUrl } from './cli/api.ts';
import {
  auditTable,
  reportTable,
  scheduleLine,
  schedulesTable,
  setLine,
  stateTable,
  type TenantState,
} from './cli/render.ts';
import { CliError, parse, runCli, UsageError } from './cli/run.ts';
import { workerVars } from './cli/worker-vars.ts';
import {
  CLI,
  type Command,
  COMMANDS,
  commandHelp,
  commandNamed,
  OPTIONS,
  optionsOf,
  topHelp,
} from './cli/toggles-commands.ts';

export { CliError, UsageError };

const KV_READS = { kvCacheTtlSeconds: 30, toggleCacheTtlMs: 0, kvReadTimeoutMs: 30_000 };
const SET_ATTEMPTS = 5;

type Values = Record<string, string | boolean | undefined>;

/**
 * Set one toggle: read its version, then PUT with that If-Match, so `changed` is exact even
 * when an admin writes at the same time (a 412 reads again).
 */
async function setToggle(
  options: ApiOptions,
  tenant: string,
  product: string,
  mode: ToggleMode,
  feedback: string | null,
): Promise<{ changed: boolean; before: ProductState; after: ProductState }> {
  for (let attempt = 0; attempt < SET_ATTEMPTS; attempt++) {
    const before = (await (
      await callApi(options, tenant, 'GET', `/${product}`)
    ).json()) as ProductState;
    const res = await callApi(options, tenant, 'PUT', `/${product}`, {
      body: mode === 'off' ? { mode, feedback } : { mode },
      headers: { 'If-Match': `"${before.version}"` },
    });
    if (res.status === 412) continue;
    const after = (await res.json()) as ProductState;
    return { changed: after.version !== before.version, before, after };
  }
  throw new CliError(
    `${product}: changed by someone else ${SET_ATTEMPTS} times in a row; try again`,
  );
}

/** The command line's positional arguments, each checked as it is read. */
function argsReader(args: string[], command: Command) {
  const at = (i: number, what: string) => {
    const value = args[i];
    if (value === undefined)
      throw new UsageError(`missing ${what}: ${command.name} ${command.args}`);
    return value;
  };
  return {
    tenant(i: number) {
      const value = at(i, '<tenant>');
      const tenant = asTenantId(value);
      if (tenant === null) throw new UsageError(`not a tenant id (GUID): ${value}`);
      return tenant;
    },
    product(i: number) {
      const value = at(i, '<product>');
      if (!isProductId(value))
        throw new UsageError(
          `unknown product: ${value} (one of ${PRODUCTS.map((p) => p.id).join(', ')})`,
        );
      return value;
    },
    mode(i: number) {
      const value = at(i, 'on|off|observe');
      if (!isToggleMode(value)) throw new UsageError(`mode must be on, off or observe: ${value}`);
      return value;
    },
    at,
    /** Nothing after the arguments the command takes. */
    end(count: number) {
      if (args.length > count) throw new UsageError(`unexpected argument: ${args[count]}`);
    },
  };
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

async function getJson<T>(res: Promise<Response>): Promise<T> {
  return (await (await res).json()) as T;
}

export async function main(argv: string[]): Promise<string> {
  // The command is the first positional; every option is known here so that an option's value
  // (`--url http://... get`) is never taken for it.
  const all = Object.fromEntries(Object.entries(OPTIONS).map(([n, o]) => [n, o.spec]));
  const lax = parseArgs({ args: argv, options: all, strict: false, allowPositionals: true });
  const name = lax.positionals[0];
  if (name === undefined || name === 'help') {
    const about = commandNamed(lax.positionals[1]);
    return about ? commandHelp(about) : topHelp();
  }
  const command = commandNamed(name);
  if (command === undefined) {
    if (lax.values.help) return topHelp();
    throw new UsageError(
      `unknown command: ${name} (commands: ${COMMANDS.map((c) => c.name).join(', ')})`,
    );
  }
  try {
    if (lax.values.help) return commandHelp(command);
    const { values, positionals } = parse(argv, optionsOf(command));
    return await run(command, positionals.slice(1), values as Values);
  } catch (error) {
    if (error instanceof UsageError) error.command ??= command.name;
    throw error;
  }
}

async function run(command: Command, args: string[], values: Values): Promise<string> {
  const read = argsReader(args, command);
  const str = (name: string) => values[name] as string | undefined;
  const asJson = values.json === true;
  const api = (): ApiOptions => ({
    url: checkUrl(str('url') ?? defaultUrl()),
    token: str('token'),
    actor: str('actor') ?? 'toggles CLI',
  });
  const kvOptions = () => {
    if (values.remote && !str('env'))
      throw new UsageError(
        '--remote needs --env <name> (staging, production): the top level is local',
      );
    if (values.remote && str('persist-to'))
      throw new UsageError('--persist-to is for local KV, not --remote');
    return { remote: values.remote === true, env: str('env'), persistTo: str('persist-to') };
  };
  switch (command.name) {
    case 'get': {
      const tenant = read.tenant(0);
      read.end(1);
      if (values.kv || values.remote) return getFromKv(tenant, kvOptions(), asJson);
      const state = await getJson<TenantState>(callApi(api(), tenant, 'GET', ''));
      return asJson ? json(state) : stateTable(state);
    }
    case 'set': {
      const tenant = read.tenant(0);
      const product = read.product(1);
      const mode = read.mode(2);
      read.end(3);
      const feedback = str('feedback') ?? null;
      const { changed, before, after } = await setToggle(api(), tenant, product, mode, feedback);
      return asJson ? json({ changed, ...after }) : setLine(product, before.mode, after, changed);
    }
    case 'schedule': {
      const tenant = read.tenant(0);
      const product = read.product(1);
      const mode = read.mode(2);
      const at = read.at(3, '<iso instant>');
      read.end(4);
      const atMs = Date.parse(at);
      if (!Number.isFinite(atMs)) throw new UsageError(`not an ISO-8601 instant: ${at}`);
      const body = { product, mode, at: new Date(atMs).toISOString() };
      const made = await getJson<ScheduledChange>(
        callApi(api(), tenant, 'POST', '/schedules', { body }),
      );
      return asJson ? json(made) : scheduleLine('Scheduled', made);
    }
    case 'schedules': {
      const tenant = read.tenant(0);
      read.end(1);
      const list = await getJson<{ schedules: ScheduledChange[] }>(
        callApi(api(), tenant, 'GET', '/schedules'),
      );
      return asJson ? json(list) : schedulesTable(list.schedules);
    }
    case 'unschedule': {
      const tenant = read.tenant(0);
      const id = asTenantId(read.at(1, '<id>'));
      read.end(2);
      if (id === null) throw new UsageError(`not a schedule id: ${args[1]}`);
      const cancelled = await getJson<ScheduledChange>(
        callApi(api(), tenant, 'DELETE', `/schedules/${id}`),
      );
      return asJson ? json(cancelled) : scheduleLine('Cancelled', cancelled);
    }
    case 'report': {
      const tenant = read.tenant(0);
      read.end(1);
      const report = await getJson<MigrationReport>(callApi(api(), tenant, 'GET', '/report'));
      return asJson ? json(report) : reportTable(report);
    }
    case 'audit': {
      const tenant = read.tenant(0);
      read.end(1);
      const query = new URLSearchParams({ limit: str('limit') ?? '50' });
      const limit = Number(query.get('limit'));
      if (!Number.isInteger(limit) || limit < 1 || limit > 100)
        throw new UsageError(`--limit must be 1..100: ${str('limit')}`);
      const product = str('product');
      if (product !== undefined && !isProductId(product))
        throw new UsageError(`unknown product: ${product}`);
      for (const name of ['from', 'to'] as const) {
        const value = str(name);
        if (value !== undefined && !Number.isFinite(Date.parse(value)))
          throw new UsageError(`--${name} is not an ISO-8601 instant: ${value}`);
      }
      for (const name of ['product', 'actor', 'from', 'to', 'cursor'] as const) {
        const value = str(name);
        if (value !== undefined) query.set(name, value);
      }
      const page = await getJson<Parameters<typeof auditTable>[0]>(
        callApi(api(), tenant, 'GET', `/audit?${query}`),
      );
      return asJson ? json(page) : auditTable(page);
    }
    case 'export': {
      const tenant = read.tenant(0);
      const format = read.at(1, 'csv|json');
      read.end(2);
      if (format !== 'csv' && format !== 'json')
        throw new UsageError(`format must be csv or json: ${format}`);
      return (await callApi(api(), tenant, 'GET', `/audit/export?format=${format}`)).text();
    }
    case 'map-host': {
      const raw = read.at(0, '<host>');
      const host = normaliseHost(raw);
      if (host === null) throw new UsageError(`not a host name: ${raw}`);
      const tenant = read.tenant(1);
      read.end(2);
      const options = kvOptions();
      const { openToggles } = await import('./kv.ts');
      const { ToggleStore } = await import('../src/store/toggles.ts');
      const handle = await openToggles(options);
      try {
        await new ToggleStore(handle.kv, KV_READS).mapHost(host, tenant);
      } finally {
        await handle.dispose();
      }
      return asJson
        ? JSON.stringify({ host, tenantId: tenant })
        : `Mapped ${host} to ${tenant} in KV (${handle.where}).`;
    }
    default:
      throw new UsageError(`unknown command: ${command.name}`);
  }
}

/** `get --kv`: the records the edge reads, as the API would show them. */
async function getFromKv(
  tenant: string,
  options: { remote: boolean; env: string | undefined; persistTo: string | undefined },
  asJson: boolean,
): Promise<string> {
  const { openToggles } = await import('./kv.ts');
  // A read of a folder npm start never used would show every product at its default.
  const handle = await openToggles({ ...options, existing: true });
  try {
    const products: ProductState[] = [];
    // The products as the Worker runs them (PRODUCT_PHASES, LOCKED_PRODUCTS): the same defaults
    // and locks the edge applies to these records.
    const problems: string[] = [];
    const configured = configuredProducts(
      PRODUCTS,
      workerVars(options.env, !options.remote) as unknown as Env,
      problems,
    );
    for (const problem of problems) process.stderr.write(`warning: ${problem}\n`);
    // One at a time: remotely each is a wrangler call, and the first failure ends the read.
    for (const p of configured) {
      const record = parseToggleRecord(await handle.kv.get(keys.toggle(tenant, p.id)));
      products.push(productState(p, record, Date.now()));
    }
    const state = { tenantId: tenant, source: 'kv', products };
    return asJson
      ? json(state)
      : `KV records the edge reads (${handle.where}):\n${stateTable(state)}`;
  } finally {
    await handle.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runCli(main, process.argv.slice(2), (error) =>
    error.command ? `${CLI} ${error.command} --help` : `${CLI} --help`,
  );
}
