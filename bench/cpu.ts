/**
 * `npm run bench:cpu`: CPU process by process behind bench scenarios 1-3, per payload or request.
 *
 * Payloads (scenario 3): portal-redirect (as `npm run bench` builds it) and the scenario's two
 * baselines (a bare proxy, a Worker copying the body through JS) each serve the bench's 11.3 MB
 * payload to autocannon, one connection, CPU_REQUESTS requests in a row. portal-redirect also
 * serves the same payload with its links already on the unified portal (each kept).
 * Requests (scenarios 1, 2 and 6): portal-redirect's redirects over 10,000 warm tenants and by
 * `?tid=` over 1,000 (Office, default on: no tenant chose for it) beside the constant 302, and
 * its session-sticky pass-through beside the bare proxy, CPU_SMALL_REQUESTS requests over 16
 * connections.
 * For each, the CPU used meanwhile by the serving workerd, the origin and autocannon (utime +
 * stime from /proc, whole process trees) is divided by the requests. The settings objects'
 * process has a column of its own (requests only): they run in a workerd of their own, as on
 * the platform on machines of their own (bench/README.md), so what the report's flushes cost
 * them is not the edge's, but on two shared cores it is taken from the edge's time all the same.
 * Rounds alternate the Workers. Linux only; not part of the test run.
 *
 * On two shared cores the bench's ratios are ones of whole-system CPU: this shows the Worker's
 * own share next to the origin's and the load generator's, and is less moved by the machine's
 * other load than requests per second are.
 *
 * Options (env): CPU_REQUESTS (30), CPU_SMALL_REQUESTS (20000), CPU_ROUNDS (3),
 * CPU_ONLY ("payload", "requests"; both by default), BENCH_VERBOSE=1 (the servers' output).
 */
import { readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import {
  buildWorker,
  scenarioRequests,
  serve,
  serveApp,
  servePortal,
  spreadOver,
  startOrigin,
  stopAll,
} from './servers.ts';

const REQUESTS = Number(process.env.CPU_REQUESTS ?? 30);
const SMALL_REQUESTS = Number(process.env.CPU_SMALL_REQUESTS ?? 20_000);
const ROUNDS = Number(process.env.CPU_ROUNDS ?? 3);
const PARTS = new Set((process.env.CPU_ONLY ?? 'payload,requests').split(','));
/** As bench scenario 1: toggles of 10,000 tenants, 16 connections. */
const TENANTS = 10_000;
const CONNECTIONS = 16;
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const TICKS = 100;

/** utime + stime (ms) of `root` and all its descendants. */
function treeCpuMs(root: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name is in parentheses and may hold spaces: the fields start after ") ".
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      stats.set(Number(entry), {
        ppid: Number(fields[1]),
        ticks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // gone meanwhile
    }
  }
  let ticks = 0;
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) pending.push(child);
  }
  return (ticks * 1000) / TICKS;
}

function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface Served {
  name: string;
  url: string;
  pid: number;
  requests: autocannon.Request[];
  /** The status each answer should have. */
  expect: number;
}

/** The processes besides the served Worker's whose CPU a measurement reads. */
interface Others {
  origin: number;
  objects: number;
}

/**
 * `amount` requests to `w` over `connections`, and the CPU used meanwhile (ms) by the serving
 * workerd's process tree, the origin's, the settings objects' and this process (autocannon runs
 * in it).
 */
async function measure(w: Served, others: Others, amount: number, connections: number) {
  const before = {
    worker: treeCpuMs(w.pid),
    origin: treeCpuMs(others.origin),
    objects: treeCpuMs(others.objects),
    client: processCpuMs(),
  };
  const result = await autocannon({
    url: w.url,
    connections,
    amount,
    ...spreadOver(w.requests, connections),
  } as autocannon.Options);
  const other = Object.entries(result.statusCodeStats ?? {}).reduce(
    (n, [status, stat]) => (Number(status) === w.expect ? n : n + (stat.count ?? 0)),
    0,
  );
  return {
    worker: treeCpuMs(w.pid) - before.worker,
    origin: treeCpuMs(others.origin) - before.origin,
    objects: treeCpuMs(others.objects) - before.objects,
    client: processCpuMs() - before.client,
    bytesPerResponse: result.throughput.total / result.requests.total,
    failed: other + result.errors + result.timeouts,
  };
}

async function main(): Promise<void> {
  buildWorker();
  const origin = await startOrigin(18_880);
  const tenants = PARTS.has('requests')
    ? Array.from({ length: TENANTS }, () => crypto.randomUUID())
    : [crypto.randomUUID()];
  const scenario = scenarioRequests(tenants, tenants[0] as string);

  // As `npm run bench` serves and seeds them (a 10-minute toggle cache: warm state outlives the
  // rounds; the settings set through each tenant's object, the objects in their own process).
  const app = await servePortal({ app: 18_881, objects: 18_886 }, origin.url, tenants);
  const others: Others = { origin: origin.pid, objects: app.objects.pid };
  const proxy = await serve('bench/baselines/proxy.jsonc', 18_882, {
    vars: { ORIGIN: origin.url },
  });
  const rounds = async (
    workers: Served[],
    amount: number,
    connections: number,
    line: (m: Awaited<ReturnType<typeof measure>>) => string,
  ) => {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const w of workers) {
        const m = await measure(w, others, amount, connections);
        console.log(
          `| ${round} | ${w.name.padEnd(23)} | ${line(m)} |${m.failed > 0 ? ` ${m.failed} failed or other status` : ''}`,
        );
      }
    }
  };

  if (PARTS.has('payload')) {
    const unified = scenario.siem.map((r) => ({ ...r, path: `${r.path}&links=unified` }));
    const copy = await serve('bench/baselines/body-copy.jsonc', 18_883, {
      vars: { ORIGIN: origin.url },
    });
    const workers: Served[] = [
      { name: 'portal-redirect', ...app, requests: scenario.siem, expect: 200 },
      // Links already on the unified portal: every value is looked at and kept.
      { name: 'portal-redirect, kept', ...app, requests: unified, expect: 200 },
      { name: 'bare proxy', ...proxy, requests: scenario.siem, expect: 200 },
      { name: 'body copied through JS', ...copy, requests: scenario.siem, expect: 200 },
    ];
    console.log(
      `portal-redirect bench:cpu: CPU ms per SIEM payload, ${REQUESTS} requests in a row per Worker and round`,
    );
    console.log('');
    console.log('| round | Worker | workerd | origin | autocannon | per response |');
    console.log('|---|---|---|---|---|---|');
    // Warm-up: the Workers' and autocannon's code paths, the heaps grown.
    for (const w of workers) await measure(w, others, 10, 1);
    const per = (ms: number) => (ms / REQUESTS).toFixed(1).padStart(6);
    await rounds(
      workers,
      REQUESTS,
      1,
      (m) =>
        `${per(m.worker)} | ${per(m.origin)} | ${per(m.client)} | ${(m.bytesPerResponse / 1e6).toFixed(2)} MB`,
    );
    console.log('');
  }

  if (PARTS.has('requests')) {
    const r302 = await serve('bench/baselines/constant-302.jsonc', 18_884);
    // The same build with the migration report's counting off: the cost of counting.
    const uncounted = await serveApp(18_885, app.objects, origin.url, {
      vars: { REPORT_COUNTING: 'off' },
    });
    const workers: Served[] = [
      { name: 'portal-redirect, 302', ...app, requests: scenario.redirect, expect: 302 },
      {
        name: 'same, counting off',
        ...uncounted,
        requests: scenario.redirect,
        expect: 302,
      },
      { name: 'constant 302', ...r302, requests: scenario.redirect, expect: 302 },
      { name: 'portal-redirect, ?tid=', ...app, requests: scenario.tidRedirect, expect: 302 },
      { name: 'constant 302, ?tid=', ...r302, requests: scenario.tidRedirect, expect: 302 },
      { name: 'portal-redirect, sticky', ...app, requests: scenario.sticky, expect: 200 },
      { name: 'bare proxy', ...proxy, requests: scenario.sticky, expect: 200 },
    ];
    console.log(
      `portal-redirect bench:cpu: CPU µs per request of scenarios 1, 2 and 6, ${SMALL_REQUESTS} requests over ${CONNECTIONS} connections per Worker and round`,
    );
    console.log('');
    console.log('| round | Worker | workerd | origin | autocannon | objects |');
    console.log('|---|---|---|---|---|---|');
    // Warm-up: every tenant's toggle read once, then each Worker's code paths.
    for (const w of workers) await measure(w, others, w.requests.length + 1000, CONNECTIONS);
    const per = (ms: number) => ((ms * 1000) / SMALL_REQUESTS).toFixed(0).padStart(5);
    await rounds(
      workers,
      SMALL_REQUESTS,
      CONNECTIONS,
      (m) => `${per(m.worker)} | ${per(m.origin)} | ${per(m.client)} | ${per(m.objects)}`,
    );
  }
  stopAll();
}

main().catch((error: unknown) => {
  stopAll();
  console.error(error);
  process.exit(1);
});
