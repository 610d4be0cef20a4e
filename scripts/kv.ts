/**
 * The TOGGLES namespace from Node, for the CLI and `npm start`: the local one (the same files
 * `wrangler dev` uses, through wrangler's getPlatformProxy) or, with --remote, a deployed one
 * through `wrangler kv key` commands. Either way the Worker's own store code runs on top.
 */
import { execFileSync } from 'node:child_process';
import { getPlatformProxy } from 'wrangler';

export interface KvHandle {
  kv: KVNamespace;
  dispose(): Promise<void>;
}

export async function openToggles(
  options: { remote?: boolean; env?: string; persistTo?: string } = {},
): Promise<KvHandle> {
  if (options.remote) return { kv: remoteKv(options.env), dispose: async () => undefined };
  const proxy = await getPlatformProxy<{ TOGGLES: KVNamespace }>({
    ...(options.env ? { environment: options.env } : {}),
    persist: { path: options.persistTo ?? '.wrangler/state/v3' },
  });
  return { kv: proxy.env.TOGGLES, dispose: () => proxy.dispose() };
}

/** A deployed namespace through wrangler's CLI (needs `wrangler login`). get, put and list only. */
function remoteKv(env: string | undefined): KVNamespace {
  const base = ['wrangler', 'kv', 'key'];
  const scope = ['--binding', 'TOGGLES', '--remote', ...(env ? ['--env', env] : [])];
  const run = (args: string[]) =>
    execFileSync('npx', [...base, ...args, ...scope], { encoding: 'utf8' });
  const kv = {
    async get(key: string) {
      try {
        return run(['get', key, '--text']);
      } catch {
        return null;
      }
    },
    async put(key: string, value: string) {
      run(['put', key, value]);
    },
    async list(opts: { prefix?: string } = {}) {
      const keys = JSON.parse(run(['list', ...(opts.prefix ? ['--prefix', opts.prefix] : [])])) as {
        name: string;
      }[];
      return { keys, list_complete: true, cacheStatus: null };
    },
  };
  return kv as unknown as KVNamespace;
}
