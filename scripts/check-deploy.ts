/**
 * Refuses to deploy a wrangler.jsonc environment that still holds what only a local run or the
 * repository's placeholders may hold (docs/deploy.md). Reads the same arguments as `wrangler
 * deploy` (`--env`/`-e`, else CLOUDFLARE_ENV as wrangler does; `--config`/`-c`) and ignores the rest.
 *
 *   npx tsx scripts/check-deploy.ts --env production [--config wrangler.jsonc]
 *
 * Exit 0 when the env is ready, 1 with one line per problem on stderr. It reads the file only:
 * secrets and what exists in the Cloudflare account are not its to see.
 */
import { readFileSync } from 'node:fs';
import { PRODUCTS } from '../src/catalogue/products.ts';
import { parseJsonc } from './jsonc.ts';

export const DEFAULT_CONFIG = 'wrangler.jsonc';

/**
 * The repository's placeholder ids: twenty leading zeros, dashes aside
 * (`00000000000000000000000000000002`, `00000000-0000-0000-0000-0000000000e1`). A real KV id or
 * Entra client id is random; twenty zeros in a row are not.
 */
const PLACEHOLDER = /^(?:0-?){20}/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A KV namespace id as the Cloudflare API gives it: 32 hex digits. */
const KV_ID = /^[0-9a-f]{32}$/i;
/** Names a Worker on the internet can never be reached by: ADMIN_HOSTS there is a local one. */
const LOOPBACK = /^(?:localhost|.*\.localhost|127(?:\.\d{1,3}){3}|\[?::1\]?|0\.0\.0\.0)$/i;

export interface EnvBlock {
  kv_namespaces?: { binding?: string; id?: string }[];
  vars?: Record<string, unknown>;
}
export interface WranglerConfig {
  env?: Record<string, EnvBlock>;
}

export interface Target {
  /** The env wrangler would deploy; undefined: the top level. */
  env: string | undefined;
  config: string;
}

/**
 * The env and config file `wrangler deploy <argv>` would use. Wrangler's own parser (yargs)
 * takes `--env x`, `--env=x`, `-e x`, `-e=x`; a later one wins here. `--cwd` would make wrangler
 * read another directory's file than the one checked, so it is refused by `check`.
 */
export function targetOf(
  argv: readonly string[],
  environ: NodeJS.ProcessEnv = process.env,
): Target & { cwd: boolean } {
  let env = environ.CLOUDFLARE_ENV || undefined;
  let config = DEFAULT_CONFIG;
  let cwd = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    const m = /^(--env|-e|--config|-c|--cwd)(?:=(.*))?$/.exec(arg);
    if (!m) continue;
    const value = m[2] ?? argv[++i] ?? '';
    if (m[1] === '--cwd') cwd = true;
    // An empty --env is wrangler's top level too, and outranks CLOUDFLARE_ENV as it does there.
    else if (m[1] === '--env' || m[1] === '-e') env = value || undefined;
    else config = value;
  }
  return { env, config, cwd };
}

/** Every reason `config`'s env `envName` must not be deployed, one line each; [] when ready. */
export function problemsOf(config: WranglerConfig, envName: string): string[] {
  const block = config.env?.[envName];
  const where = `env.${envName}`;
  if (!block) return [`${where}: not in the configuration`];
  const problems: string[] = [];
  const say = (what: string) => problems.push(`${where}: ${what}`);
  const vars = block.vars ?? {};

  const toggles = (block.kv_namespaces ?? []).filter((ns) => ns.binding === 'TOGGLES');
  if (toggles.length === 0) say('no KV namespace bound as TOGGLES (bindings are not inherited)');
  for (const ns of block.kv_namespaces ?? []) {
    const id = String(ns.id ?? '');
    const name = `KV namespace ${ns.binding ?? '(no binding)'} id "${id}"`;
    if (PLACEHOLDER.test(id))
      say(
        `${name} is a placeholder: npx wrangler kv namespace create ${ns.binding} --env ${envName}`,
      );
    else if (!KV_ID.test(id)) say(`${name} is not a KV namespace id (32 hex digits)`);
  }

  const clientId = (name: string, value: unknown) => {
    if (typeof value !== 'string' || value === '') say(`${name} is unset`);
    else if (PLACEHOLDER.test(value)) say(`${name} "${value}" is a placeholder`);
    else if (!GUID.test(value)) say(`${name} "${value}" is not a client id (a GUID)`);
  };
  clientId('AUTH_CLIENT_ID', vars.AUTH_CLIENT_ID);
  if (typeof vars.AUTH_AUTHORITY !== 'string' || vars.AUTH_AUTHORITY === '')
    say('AUTH_AUTHORITY is unset: the settings page cannot sign in');

  let audiences: unknown = null;
  try {
    audiences = JSON.parse(String(vars.SIGNIN_AUDIENCES ?? ''));
  } catch {}
  if (typeof audiences !== 'object' || audiences === null || Array.isArray(audiences)) {
    say('SIGNIN_AUDIENCES is not a JSON object of client ids per product');
  } else {
    const record = audiences as Record<string, unknown>;
    for (const { id } of PRODUCTS) {
      const value = record[id];
      const ids = Array.isArray(value) ? value : value === undefined ? [] : [value];
      if (ids.length === 0) say(`SIGNIN_AUDIENCES has no client id for ${id}`);
      for (const one of ids) clientId(`SIGNIN_AUDIENCES.${id}`, one);
    }
  }

  if (vars.DEV_AUTH !== 'false')
    say(`DEV_AUTH is ${JSON.stringify(vars.DEV_AUTH ?? null)}, must be "false"`);

  const hosts = String(vars.ADMIN_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  if (hosts.length === 0) say('ADMIN_HOSTS is unset: the settings side would answer on localhost');
  for (const host of hosts.filter((h) => LOOPBACK.test(h)))
    say(`ADMIN_HOSTS names the local host "${host}"`);
  return problems;
}

/** The check for `wrangler deploy <argv>`: every problem, one line each; [] when it may deploy. */
export function check(argv: readonly string[], environ: NodeJS.ProcessEnv = process.env): string[] {
  const { env, config, cwd } = targetOf(argv, environ);
  if (cwd) return [`--cwd: the check reads ./${DEFAULT_CONFIG}; run from the project instead`];
  // The top level is `npm start`'s configuration, and its Worker has production's name.
  if (env === undefined)
    return ['no environment named: deploy with --env staging or --env production'];
  let parsed: unknown;
  try {
    parsed = parseJsonc(readFileSync(config, 'utf8'));
  } catch (error) {
    return [
      `${config}: cannot be read as JSONC: ${error instanceof Error ? error.message : error}`,
    ];
  }
  return problemsOf(parsed as WranglerConfig, env).map((p) => `${config} ${p}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = check(process.argv.slice(2));
  if (problems.length > 0) {
    console.error(`${problems.join('\n')}\nnot deployed: see docs/deploy.md`);
    process.exit(1);
  }
  console.log('check-deploy: no placeholder, no local setting');
}
