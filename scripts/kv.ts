/**
 * The TOGGLES namespace from Node, for the toggles CLI (`get --kv`, `map-host`) and `npm start`:
 * the local one (the files `wrangler dev --persist-to <dir>` uses) or, with --remote, a deployed
 * one through `wrangler kv key` commands. Either way the Worker's own store code runs on top.
 *
 * Locally it runs miniflare with that one namespace, as wrangler's own `kv key --local` commands
 * do. Not getPlatformProxy: it declares every binding of wrangler.jsonc, so each run warned that
 * the TenantSettings Durable Object "will not work in local development" and workerd that "no
 * such Durable Object class is exported", both about a proxy that never uses the object.
 * wrangler and miniflare load only when KV is opened (about a second), never for API calls.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, firstLine } from './cli/run.ts';

export interface KvHandle {
  kv: KVNamespace;
  /** Where it is, for people: `local .wrangler/state` or `remote, --env production`. */
  where: string;
  dispose(): Promise<void>;
}

export interface KvOptions {
  /** A deployed namespace (needs `--env`: the top-level binding is the local one). */
  remote?: boolean;
  env?: string | undefined;
  /**
   * As `wrangler dev --persist-to`: the folder that holds `v3/`; default PERSIST_TO (as npm
   * start reads it), else .wrangler/state.
   */
  persistTo?: string | undefined;
  /** Local only: fail unless the folder already holds wrangler's state (a read, not a write). */
  existing?: boolean;
}

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const CONFIG = join(ROOT, 'wrangler.jsonc');
const WRANGLER = join(ROOT, 'node_modules', '.bin', 'wrangler');
/** A `wrangler kv key` call with no network can wait on connect timeouts: bound it. */
const REMOTE_TIMEOUT_MS = 60_000;

export async function openToggles(options: KvOptions = {}): Promise<KvHandle> {
  if (options.remote) {
    if (!options.env) throw new CliError('--remote needs --env (staging or production)');
    return {
      kv: remoteKv(options.env),
      where: `remote, --env ${options.env}`,
      dispose: async () => undefined,
    };
  }
  const id = await namespaceId(options.env);
  const given = options.persistTo || process.env.PERSIST_TO;
  const persistTo = given || '.wrangler/state';
  // As wrangler resolves it: a given folder from the working directory, the default from the
  // project's.
  const root = join(given ? resolve(given) : join(ROOT, '.wrangler', 'state'), 'v3');
  if (options.existing && !existsSync(root))
    throw new CliError(
      `no local state in ${persistTo} (run npm start first, or pass --persist-to)`,
    );
  const { Miniflare } = await import('miniflare');
  const mf = new Miniflare({
    modules: true,
    script: 'export default {}',
    kvNamespaces: { TOGGLES: id },
    // wrangler dev keeps KV under <persist-to>/v3/kv/<namespace id>.
    defaultPersistRoot: root,
  });
  const kv = (await mf.getKVNamespace('TOGGLES')) as unknown as KVNamespace;
  return { kv, where: `local ${persistTo}`, dispose: () => mf.dispose() };
}

/** The TOGGLES namespace id of the top level or of `env`, as wrangler reads wrangler.jsonc. */
async function namespaceId(env: string | undefined): Promise<string> {
  const { unstable_readConfig } = await import('wrangler');
  const config = unstable_readConfig({ config: CONFIG, ...(env ? { env } : {}) });
  const binding = config.kv_namespaces.find(
    (ns: { binding: string; id?: string }) => ns.binding === 'TOGGLES',
  );
  if (!binding?.id)
    throw new CliError(`wrangler.jsonc has no TOGGLES namespace for ${env ?? 'the top level'}`);
  return binding.id;
}

/**
 * A deployed namespace through wrangler's CLI (needs `wrangler login` or CLOUDFLARE_API_TOKEN).
 * get and put only. A key that is not there reads as `null`; any other failure (no credentials,
 * no network, a wrong namespace) throws wrangler's own message: a failed read must never look
 * like a namespace that holds nothing.
 */
function remoteKv(env: string): KVNamespace {
  const scope = ['--binding', 'TOGGLES', '--remote', '--env', env];
  const kv = {
    async get(key: string) {
      const result = await wrangler(['kv', 'key', 'get', key, '--text', ...scope]);
      if (result.ok) return result.stdout.replace(/\n$/, '');
      // `kv key get` fails with the API's 404 for a key that is not there.
      if (/ - 404: /.test(result.error)) return null;
      throw new CliError(`wrangler could not read KV (--remote --env ${env}): ${result.error}`);
    },
    async put(key: string, value: string) {
      const result = await wrangler(['kv', 'key', 'put', key, value, ...scope]);
      if (!result.ok)
        throw new CliError(`wrangler could not write KV (--remote --env ${env}): ${result.error}`);
    },
  };
  return kv as unknown as KVNamespace;
}

type WranglerResult = { ok: true; stdout: string } | { ok: false; error: string };

function wrangler(args: string[]): Promise<WranglerResult> {
  return new Promise((done) => {
    execFile(
      WRANGLER,
      args,
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: REMOTE_TIMEOUT_MS,
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
      },
      (error, stdout, stderr) => {
        if (!error) return done({ ok: true, stdout });
        const timedOut = error.killed && error.signal === 'SIGTERM';
        done({
          ok: false,
          error: timedOut
            ? `no answer in ${REMOTE_TIMEOUT_MS / 1000} s`
            : wranglerError(stderr) || `exit code ${error.code}`,
        });
      },
    );
  });
}

/** wrangler's `✘ [ERROR] ...` text as one line, without colours or the log-file note. */
function wranglerError(stderr: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what it removes.
  const plain = stderr.replace(/\u001b\[[0-9;]*m/g, '');
  const at = plain.indexOf('[ERROR]');
  if (at === -1) return firstLine(plain);
  const block = plain.slice(at + '[ERROR]'.length).split(/\n\s*🪵|\n\s*\n\s*\n/)[0] ?? '';
  return block.replace(/\s+/g, ' ').trim();
}
