/**
 * Serve one Worker for the bench: workerd through miniflare on loopback, nothing in between.
 *
 *   tsx bench/serve.ts <wrangler config> <port> [--script built.js] [--persist-to dir] [--var NAME:value]...
 *                      [--inspector-port N]   (for a CPU profile of the Worker under load; off in the bench)
 *                      [--registry dir --name N]   (a dev registry other processes find this Worker in)
 *                      [--objects-in N]   (TenantSettings objects run in Worker N's process, found there)
 *                      [--kv-from dir]    (the KV state of another serve's --persist-to)
 *
 * The worker options come from wrangler's own reading of the config (compatibility date and
 * flags, vars, KV bindings), so the Worker runs as `wrangler dev` would run it, but without what
 * `wrangler dev` adds in front of it for development: a proxy Worker that every request and body
 * passes through, and an inspector session whose network events (one per body chunk of every
 * subrequest) wrangler's Node process writes to its debug log file. Both cost the baselines as
 * much CPU as the Worker under test and blur the ratios (bench/README.md).
 */
import { parseArgs } from 'node:util';
import { Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    script: { type: 'string' },
    'persist-to': { type: 'string' },
    var: { type: 'string', multiple: true },
    'inspector-port': { type: 'string' },
    registry: { type: 'string' },
    name: { type: 'string' },
    'objects-in': { type: 'string' },
    'kv-from': { type: 'string' },
  },
});
const [config, port] = positionals;
if (config === undefined || port === undefined)
  throw new Error(
    'usage: tsx bench/serve.ts <config> <port> [--script file] [--persist-to dir] [--var NAME:value]... ' +
      '[--inspector-port N] [--registry dir --name N [--objects-in N] [--kv-from dir]]',
  );
const objectsIn = values['objects-in'];
if (objectsIn !== undefined && values.registry === undefined)
  throw new Error('--objects-in finds the objects through a dev registry: give --registry too');

const { workerOptions, main } = unstable_getMiniflareWorkerOptions(config);
const vars = Object.fromEntries(
  (values.var ?? []).map((v) => [v.slice(0, v.indexOf(':')), v.slice(v.indexOf(':') + 1)]),
);
const persist = values['persist-to'];
const mf = new Miniflare({
  host: '127.0.0.1',
  port: Number(port),
  ...(values['inspector-port'] ? { inspectorPort: Number(values['inspector-port']) } : {}),
  // The same layout wrangler dev --persist-to uses, so state seeded through getPlatformProxy is found.
  ...(persist ? { defaultPersistRoot: `${persist}/v3` } : {}),
  // Another process's KV state, read here: safe because that process (the objects') writes its
  // records while the bench seeds, before this one starts, and only reads KV afterwards.
  ...(values['kv-from'] ? { kvPersist: `${values['kv-from']}/v3/kv` } : {}),
  ...(values.registry ? { unsafeDevRegistryPath: values.registry } : {}),
  workers: [
    {
      ...workerOptions,
      ...(values.name ? { name: values.name } : {}),
      ...(objectsIn
        ? {
            durableObjects: {
              ...workerOptions.durableObjects,
              TENANT_SETTINGS: {
                className: 'TenantSettings',
                scriptName: objectsIn,
                useSQLite: true,
              },
            },
          }
        : {}),
      scriptPath: values.script ?? main,
      modules: true,
      bindings: { ...workerOptions.bindings, ...vars },
    },
  ],
});
await mf.ready;
process.on('SIGTERM', () => void mf.dispose().then(() => process.exit(0)));
