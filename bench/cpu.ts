/**
 * `npm run bench:cpu`: CPU per SIEM payload, process by process, behind bench scenario 3.
 *
 * portal-redirect (as `npm run bench` builds it) and the scenario's two baselines (a bare proxy, a
 * Worker copying the body through JS) each serve the bench's 11.3 MB payload to autocannon, one
 * connection, CPU_REQUESTS requests in a row; for each, the CPU used meanwhile by the serving
 * workerd, the origin and autocannon (utime + stime from /proc, whole process trees) is divided by
 * the requests. Rounds alternate the Workers. portal-redirect also serves the same payload with
 * its links already on the unified portal (kept, each value looked at in JavaScript: the slow path).
 * Linux only; not part of the test run.
 *
 * On two shared cores scenario 3's ratio is one of whole-system CPU per payload: this shows the
 * Worker's own share next to the origin's and the load generator's.
 *
 * Options (env): CPU_REQUESTS (30), CPU_ROUNDS (3), BENCH_VERBOSE=1 (the servers' output).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { buildWorker, seedEndpointOn, serve, startOrigin, stopAll } from './servers.ts';

const REQUESTS = Number(process.env.CPU_REQUESTS ?? 30);
const ROUNDS = Number(process.env.CPU_ROUNDS ?? 3);
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
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
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

async function main(): Promise<void> {
  buildWorker();
  const origin = await startOrigin(18_880);
  const state = mkdtempSync(join(tmpdir(), 'bench-cpu-'));
  const tenant = crypto.randomUUID();
  await seedEndpointOn(state, [tenant]);

  const app = await serve('wrangler.jsonc', 18_881, { script: 'dist/bench/index.js', persistTo: state, vars: { PASSTHROUGH_ORIGIN: origin.url } });
  const payload = '/api/alerts?count=20000';
  const workers = [
    { name: 'portal-redirect', ...app, path: payload },
    // Links already on the unified portal: every value is looked at and kept (no link shape to learn).
    { name: 'portal-redirect, kept', ...app, path: `${payload}&links=unified` },
    { name: 'bare proxy', ...(await serve('bench/baselines/proxy.jsonc', 18_882, { vars: { ORIGIN: origin.url } })), path: payload },
    { name: 'body copied through JS', ...(await serve('bench/baselines/body-copy.jsonc', 18_883, { vars: { ORIGIN: origin.url } })), path: payload },
  ];
  const token = `e30.${Buffer.from(JSON.stringify({ tid: tenant })).toString('base64url')}.c2ln`;
  const headers = { Host: 'wdatp-alertexporter-eu.windows.com', Authorization: `Bearer ${token}` };
  const run = (w: { url: string; path: string }, amount: number) => autocannon({ url: w.url, connections: 1, amount, requests: [{ method: 'GET', path: w.path, headers }] } as autocannon.Options);

  console.log(`portal-redirect bench:cpu: CPU ms per SIEM payload, ${REQUESTS} requests in a row per Worker and round`);
  console.log('');
  console.log('| round | Worker | workerd | origin | autocannon | per response |');
  console.log('|---|---|---|---|---|---|');
  for (const w of workers) await run(w, 10); // warm-up: the Workers' and autocannon's code paths, the heaps grown
  for (let round = 1; round <= ROUNDS; round++) {
    for (const w of workers) {
      const before = { worker: treeCpuMs(w.pid), origin: treeCpuMs(origin.pid), client: processCpuMs() };
      const result = await run(w, REQUESTS);
      const per = (ms: number) => (ms / REQUESTS).toFixed(1).padStart(6);
      const non200 = result.non2xx + result.errors;
      console.log(
        `| ${round} | ${w.name.padEnd(23)} | ${per(treeCpuMs(w.pid) - before.worker)} | ${per(treeCpuMs(origin.pid) - before.origin)} | ${per(processCpuMs() - before.client)} | ${(result.throughput.total / result.requests.total / 1e6).toFixed(2)} MB |${non200 > 0 ? ` ${non200} failed` : ''}`,
      );
    }
  }
  stopAll();
}

main().catch((error: unknown) => {
  stopAll();
  console.error(error);
  process.exit(1);
});
