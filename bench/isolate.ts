/**
 * Scenario 7 of `npm run bench`: the redirect's handler measured inside one isolate. The harness
 * Worker (bench/baselines/in-isolate.js) imports the built bundle, the runtime floor and the
 * constant 302, and loops over one handler's `fetch` inside a single request; the loop's time,
 * taken around that request, gives requests handled per second by the handler alone. Over
 * loopback with a load generator (scenario 6), the network, the HTTP parsing and the load
 * generator share the two cores and move a ratio by about 0.15 from run to run; here they are
 * out of the figure, so a few microseconds of JavaScript show.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { bundleWasmFiles, median, WARM_VARS } from './servers.ts';
import type { WrkMeasure, WrkRequest } from './wrk.ts';

const DIR = 'dist/isolate';
const JS = ['in-isolate.js', 'portal.js', 'runtime-floor.js', 'constant-302.js'];
export type IsolateHandler = 'portal' | 'floor' | 'constant-302' | 'none';

/**
 * Serve the harness over the bundle `buildWorker` wrote to dist/bench, with wrangler.jsonc's
 * bindings and vars and the benches' `WARM_VARS`, on a fresh local KV, and give it `requests`.
 */
export async function startIsolateBench(requests: readonly WrkRequest[]): Promise<{
  measure: (handler: IsolateHandler, calls: number, sweepMiB?: number) => Promise<WrkMeasure>;
  stop: () => Promise<void>;
}> {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const wasm = bundleWasmFiles();
  copyFileSync('dist/bench/index.js', join(DIR, 'portal.js'));
  for (const file of wasm) copyFileSync(join('dist/bench', file), join(DIR, file));
  for (const file of JS.filter((f) => f !== 'portal.js'))
    copyFileSync(join('bench/baselines', file), join(DIR, file));
  const { workerOptions } = unstable_getMiniflareWorkerOptions('wrangler.jsonc');
  const mf = new Miniflare({
    ...workerOptions,
    bindings: { ...workerOptions.bindings, ...WARM_VARS },
    modulesRoot: DIR,
    modules: [
      ...JS.map((f) => ({ type: 'ESModule' as const, path: join(DIR, f) })),
      ...wasm.map((f) => ({ type: 'CompiledWasm' as const, path: join(DIR, f) })),
    ],
  });
  await mf.ready;
  const given = await mf.dispatchFetch('http://bench/requests', {
    method: 'POST',
    body: JSON.stringify(requests),
  });
  if (!given.ok) throw new Error(`in-isolate harness: ${given.status} ${await given.text()}`);
  const measure = async (
    handler: IsolateHandler,
    calls: number,
    sweepMiB = 0,
  ): Promise<WrkMeasure> => {
    const start = performance.now();
    const res = await mf.dispatchFetch(`http://bench/?h=${handler}&n=${calls}&sweep=${sweepMiB}`);
    if (!res.ok) throw new Error(`in-isolate harness: ${res.status} ${await res.text()}`);
    const { statuses } = (await res.json()) as { statuses: Record<string, number> };
    const seconds = (performance.now() - start) / 1000;
    return {
      rps: calls / seconds,
      p50: Number.NaN,
      p99: Number.NaN,
      bytesPerSec: 0,
      errors: 0,
      unexpected: calls - (statuses['302'] ?? 0),
    };
  };
  return { measure, stop: () => mf.dispose() };
}

/**
 * MiB read before each call in `handlerMicros`'s cold measure: enough to evict the last-level cache
 * (this VM names no cache sizes; 4 MiB left the portal's cold time at its hot time).
 */
export const SWEEP_MIB = 16;

/**
 * µs each handler's own work takes per call: the loop's time for it minus the `none` handler's
 * in the same round (the loop, the Request and the sweep), median over `rounds` rounds that
 * alternate the order. With `sweepMiB`, every call starts with cold caches.
 */
export async function handlerMicros(
  measure: (handler: IsolateHandler, calls: number, sweepMiB?: number) => Promise<WrkMeasure>,
  options: { calls: number; rounds: number; sweepMiB: number },
): Promise<Record<Exclude<IsolateHandler, 'none'>, number>> {
  const order = ['none', 'portal', 'floor', 'constant-302'] as const;
  const own = { portal: [] as number[], floor: [] as number[], 'constant-302': [] as number[] };
  for (let round = 0; round < options.rounds; round++) {
    const micros = { none: 0, portal: 0, floor: 0, 'constant-302': 0 };
    for (const h of round % 2 === 0 ? order : [...order].reverse())
      micros[h] = 1e6 / (await measure(h, options.calls, options.sweepMiB)).rps;
    for (const h of ['portal', 'floor', 'constant-302'] as const)
      own[h].push(micros[h] - micros.none);
  }
  return {
    portal: median(own.portal),
    floor: median(own.floor),
    'constant-302': median(own['constant-302']),
  };
}
