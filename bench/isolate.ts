/**
 * Scenario 7 of `npm run bench`: the redirect's handler measured inside one isolate. The harness
 * Worker (bench/baselines/in-isolate.js) imports the built bundle, the runtime floor and the
 * constant 302, and loops over one handler's `fetch` inside a single request; the loop's time,
 * taken around that request, gives requests handled per second by the handler alone. Over
 * loopback with a load generator (scenario 6), the network, the HTTP parsing and the load
 * generator share the two cores and move a ratio by about 0.15 from run to run; here they are
 * out of the figure, so a few microseconds of JavaScript show.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import type { WrkMeasure } from './wrk.ts';

const DIR = 'dist/isolate';
export type IsolateHandler = 'portal' | 'floor' | 'constant-302';

/**
 * Serve the harness over the bundle `buildWorker` wrote to dist/bench, with wrangler.jsonc's
 * bindings and vars (a fresh local KV: no tenant has an Office setting, as in scenario 6).
 */
export async function startIsolateBench(): Promise<{
  measure: (handler: IsolateHandler, calls: number) => Promise<WrkMeasure>;
  stop: () => Promise<void>;
}> {
  mkdirSync(DIR, { recursive: true });
  for (const file of readdirSync('dist/bench').filter((f) => /\.(js|wasm)$/.test(f)))
    copyFileSync(join('dist/bench', file), join(DIR, file === 'index.js' ? 'portal.js' : file));
  for (const file of ['in-isolate.js', 'runtime-floor.js', 'constant-302.js'])
    copyFileSync(join('bench/baselines', file), join(DIR, file));
  const { workerOptions } = unstable_getMiniflareWorkerOptions('wrangler.jsonc');
  const wasm = readdirSync(DIR).filter((f) => f.endsWith('.wasm'));
  const mf = new Miniflare({
    ...workerOptions,
    modulesRoot: DIR,
    modules: [
      ...['in-isolate.js', 'portal.js', 'runtime-floor.js', 'constant-302.js'].map((f) => ({
        type: 'ESModule' as const,
        path: join(DIR, f),
      })),
      ...wasm.map((f) => ({ type: 'CompiledWasm' as const, path: join(DIR, f) })),
    ],
  });
  await mf.ready;
  const measure = async (handler: IsolateHandler, calls: number): Promise<WrkMeasure> => {
    const start = performance.now();
    const res = await mf.dispatchFetch(`http://bench/?h=${handler}&n=${calls}`);
    const statuses = (await res.json()) as Record<string, number>;
    const seconds = (performance.now() - start) / 1000;
    return {
      rps: calls / seconds,
      p50: Number.NaN,
      p99: Number.NaN,
      bytesPerSec: 0,
      errors: res.ok ? 0 : calls,
      unexpected: calls - (statuses['302'] ?? 0),
    };
  };
  return { measure, stop: () => mf.dispose() };
}
