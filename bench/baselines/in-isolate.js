// Scenario 7's harness (bench/isolate.ts): one Worker that imports portal-redirect's built
// bundle and two baselines, and calls one's `fetch` `n` times on fresh Requests inside a single
// request (`GET ?h=portal|floor|constant-302&n=N`). The time of that loop is the handler's own:
// its JavaScript and the runtime APIs it calls, with no network and no load generator sharing
// the cores. The requests, each `{ path, headers }` with a Host header, are posted first
// (`POST /requests`): scenario 6's. It answers with the count of each status the handler gave.
// `&sweep=MiB` reads that much memory before each call, so each call starts with the CPU's
// caches cold, as a request does under load (the network, the runtime's HTTP code and other
// processes run between two requests); `h=none` is the loop and the sweep alone.
import portal from './portal.js';
import constant302 from './constant-302.js';
import floor from './runtime-floor.js';

export { TenantSettings } from './portal.js';

// `none` answers without touching the request: the loop's and the sweep's own time.
const NONE = { status: 302 };
const HANDLERS = { portal, floor, 'constant-302': constant302, none: { fetch: () => NONE } };
let requests = [];
let sweepBytes = new Uint8Array(0);

/** Read one byte per 64-byte cache line of `sweepBytes`; the sum keeps the reads from going away. */
function sweep() {
  let sum = 0;
  for (let i = 0; i < sweepBytes.length; i += 64) sum += sweepBytes[i];
  return sum;
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (request.method === 'POST' && url.pathname === '/requests') {
      requests = (await request.json()).map(({ path, headers }) => ({
        url: `https://${headers.Host}${path}`,
        headers,
      }));
      return new Response(null, { status: 204 });
    }
    const handler = HANDLERS[url.searchParams.get('h')];
    const n = Number(url.searchParams.get('n'));
    const sweepMiB = Number(url.searchParams.get('sweep') ?? 0);
    if (handler === undefined || !Number.isInteger(n) || n < 1 || requests.length === 0) {
      const usage =
        'usage: POST /requests, then ?h=portal|floor|constant-302|none&n=calls[&sweep=MiB]';
      return new Response(usage, { status: 400 });
    }
    if (sweepBytes.length !== sweepMiB * 1024 * 1024)
      sweepBytes = new Uint8Array(sweepMiB * 1024 * 1024);
    const statuses = {};
    let swept = 0;
    for (let i = 0; i < n; i++) {
      if (sweepMiB > 0) swept += sweep();
      const { url: target, headers } = requests[i % requests.length];
      const call = handler.fetch(new Request(target, { headers }), env, ctx);
      const response = call instanceof Promise ? await call : call;
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    }
    return Response.json({ statuses, swept });
  },
};
