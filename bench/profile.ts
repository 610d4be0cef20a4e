/**
 * `npm run bench:profile`: a CPU profile of portal-redirect taken inside workerd (V8's sampling
 * profiler, through miniflare's inspector) while wrk drives one scenario, summarised as the top
 * frames by self time. The full profile is written to dist/profile/<scenario>.cpuprofile (open it
 * in Chrome's DevTools, Performance panel).
 *
 * Scenarios (PROFILE_SCENARIO): `redirect` (default: Office /antiphishing, 1,000 tenants by
 * `?tid=`, no cookies, as bench scenario 6), `constant-302` (the same requests to the bench's
 * constant-302 baseline, for comparison), `sticky` (a signed-in session's page, passed through),
 * `proxy` (the same requests to the bench's bare-proxy baseline, for comparison), `runtime-floor`
 * and `passthrough-floor` (scenario 6's and scenario 2's reference Workers), `counted`
 * (bench scenario 1's shape: tenants whose setting was made through their settings object, so
 * every redirect is counted and flushed to an existing object).
 * Options (env): PROFILE_SECONDS (10), PROFILE_TOP (25), PROFILE_INTERVAL_US (100),
 * PROFILE_TENANTS (10,000 for `counted`, else 1,000), PROFILE_WARM_SECONDS (40 for `counted`,
 * else 3), PROFILE_TARGET (another isolate than the Worker under test: `objects`,
 * `dev-registry-proxy`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import {
  buildWorker,
  scenarioRequests,
  serve,
  appName,
  OBJECTS_WORKER,
  servePortal,
  startOrigin,
  stopAll,
} from './servers.ts';
import { runWrk, wrkScript } from './wrk.ts';

const SCENARIO = process.env.PROFILE_SCENARIO ?? 'redirect';
const SECONDS = Number(process.env.PROFILE_SECONDS ?? 10);
const TOP = Number(process.env.PROFILE_TOP ?? 25);
const INTERVAL_US = Number(process.env.PROFILE_INTERVAL_US ?? 100);
const PORT = 18_991;
/**
 * Another isolate to profile than the Worker under test: `objects` (the settings objects' own
 * workerd, `serveObjects`), or any other name of an inspector target in the edge's process
 * (`dev-registry-proxy`: miniflare's stand-in that forwards each call to an object).
 */
const TARGET = process.env.PROFILE_TARGET;
const OBJECTS = TARGET === 'objects';
/** Scenarios that profile a baseline Worker (bench/baselines/<name>.js) rather than portal-redirect. */
const BASELINES = new Set(['constant-302', 'runtime-floor', 'proxy', 'passthrough-floor']);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** One Chrome DevTools Protocol session over the inspector's WebSocket. */
async function devtools(url: string) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let next = 1;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result);
  });
  return {
    send<T>(method: string, params: object = {}): Promise<T> {
      const id = next++;
      ws.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve) => waiting.set(id, resolve as (r: unknown) => void));
    },
    close: () => ws.close(),
  };
}

/** Self time per frame (function, script, line), in ms, highest first. */
export function selfTimes(profile: Profile): { frame: string; ms: number; share: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    const script = frame.url.split('/').pop() || '(native)';
    const key = `${frame.functionName || '(anonymous)'} ${script}:${frame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  return [...self.entries()]
    .map(([frame, ms]) => ({ frame, ms, share: ms / total }))
    .sort((a, b) => b.ms - a.ms);
}

async function main(): Promise<void> {
  // Unminified, so that the frames carry the source's function names.
  buildWorker({ minify: false });
  const originUrl = (await startOrigin(18_990)).url;
  // `counted`: 10,000 tenants with a stored setting (Endpoint on, seeded below), so every redirect
  // is counted for the report and flushed to their objects, as in bench scenario 1.
  const counted = SCENARIO === 'counted';
  const tenants = Array.from(
    { length: Number(process.env.PROFILE_TENANTS ?? (counted ? 10_000 : 1000)) },
    () => crypto.randomUUID(),
  );
  const baseline = BASELINES.has(SCENARIO);
  const app = baseline
    ? await serve(`bench/baselines/${SCENARIO}.jsonc`, PORT, {
        vars: { ORIGIN: originUrl },
        inspect: true,
      })
    : await servePortal({ app: PORT, objects: PORT + 2 }, originUrl, counted ? tenants : [], {
        inspect: OBJECTS ? 'objects' : 'app',
      });
  // The frames of the served Worker's own script (the rest is the runtime's native code).
  const ownScript = ` ${baseline ? SCENARIO : 'index'}.js:`;
  const scenario = scenarioRequests(tenants, tenants[0] as string);
  const requests =
    SCENARIO === 'sticky' || SCENARIO === 'proxy' || SCENARIO === 'passthrough-floor'
      ? scenario.sticky
      : counted
        ? scenario.redirect
        : scenario.tidRedirect;
  const script = wrkScript(requests);
  // Warm every tenant and let the JIT settle. Under the inspector the first pass over 10,000
  // tenants (a KV read each) runs at a few hundred requests a second: a shorter warm-up leaves
  // the profile full of KV reads that scenario 1, warm, does not make.
  runWrk(app.url, script, Number(process.env.PROFILE_WARM_SECONDS ?? (counted ? 40 : 3)), 16);

  const inspector = `http://127.0.0.1:${(OBJECTS ? PORT + 2 : PORT) + 1000}/json`;
  const targets = (await (await fetch(inspector)).json()) as {
    webSocketDebuggerUrl: string;
    title?: string;
  }[];
  // portal-redirect's process also runs miniflare's dev-registry stand-ins: take the Worker's own
  // unless PROFILE_TARGET names another.
  const target = TARGET
    ? targets.find((t) => t.webSocketDebuggerUrl.includes(OBJECTS ? OBJECTS_WORKER : TARGET))
    : baseline
      ? targets.find((t) => !t.webSocketDebuggerUrl.includes('loopback'))
      : targets.find((t) => t.webSocketDebuggerUrl.endsWith(appName(PORT)));
  if (!target)
    throw new Error(`no inspector target among ${targets.map((t) => t.webSocketDebuggerUrl)}`);
  const session = await devtools(target.webSocketDebuggerUrl);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: INTERVAL_US });
  await session.send('Profiler.start');
  const load = runWrk(app.url, script, SECONDS, 16);
  const { profile } = await session.send<{ profile: Profile }>('Profiler.stop');
  session.close();

  mkdirSync('dist/profile', { recursive: true });
  writeFileSync(`dist/profile/${SCENARIO}.cpuprofile`, JSON.stringify(profile));
  const wall = (profile.endTime - profile.startTime) / 1000;
  const rows = selfTimes(profile);
  const busy = rows.filter((r) => r.frame !== '(idle) (native):0').reduce((n, r) => n + r.ms, 0);
  const ownMs = rows.filter((r) => r.frame.includes(ownScript)).reduce((n, r) => n + r.ms, 0);
  const requestsDone = (load?.rps ?? 0) * SECONDS;
  const perRequest = (ms: number) => ((ms * 1000) / requestsDone).toFixed(1);
  console.log(
    `${SCENARIO}: ${load?.rps.toFixed(0)} req/s under the profiler; ${wall.toFixed(0)} ms sampled, ` +
      `${busy.toFixed(0)} ms in the isolate's thread (${perRequest(busy)} µs per request, ` +
      `${perRequest(ownMs)} µs in the Worker's own script)`,
  );
  console.log('self ms  share  frame');
  for (const r of rows.slice(0, TOP))
    console.log(
      `${r.ms.toFixed(1).padStart(7)}  ${(r.share * 100).toFixed(1).padStart(4)}%  ${r.frame}`,
    );
}

try {
  await main();
} finally {
  stopAll();
}
