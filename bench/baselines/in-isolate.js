// Scenario 7's harness (bench/isolate.ts): one Worker that imports portal-redirect's built
// bundle and two baselines, and calls one's `fetch` `n` times on fresh Requests inside a single
// request (`GET ?h=portal|floor|constant-302&n=N`). The time of that loop is the handler's own:
// its JavaScript and the runtime APIs it calls, with no network and no load generator sharing
// the cores. The requests, each `{ path, headers }` with a Host header, are posted first
// (`POST /requests`): scenario 6's. It answers with the count of each status the handler gave.
import portal from './portal.js';
import constant302 from './constant-302.js';
import floor from './runtime-floor.js';

export { TenantSettings } from './portal.js';

const HANDLERS = { portal, floor, 'constant-302': constant302 };
let requests = [];

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
    if (handler === undefined || !Number.isInteger(n) || n < 1 || requests.length === 0)
      return new Response('usage: POST /requests, then ?h=portal|floor|constant-302&n=calls', {
        status: 400,
      });
    const statuses = {};
    for (let i = 0; i < n; i++) {
      const { url: target, headers } = requests[i % requests.length];
      const call = handler.fetch(new Request(target, { headers }), env, ctx);
      const response = call instanceof Promise ? await call : call;
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    }
    return Response.json(statuses);
  },
};
