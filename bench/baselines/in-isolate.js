// Scenario 7's harness (bench/isolate.ts): one Worker that imports portal-redirect's built
// bundle and two baselines, and calls one's `fetch` `n` times on fresh Requests inside a single
// request (`?h=portal|floor|constant-302&n=N`). The time of that loop is the handler's own: its
// JavaScript and the runtime APIs it calls, with no network and no load generator sharing the
// cores. The Requests are scenario 6's: Office /antiphishing, 1,000 tenants by `?tid=`, no
// cookies. It answers with the count of each status the handler gave.
import portal from './portal.js';
import constant302 from './constant-302.js';
import floor from './runtime-floor.js';

export { TenantSettings } from './portal.js';

const HANDLERS = { portal, floor, 'constant-302': constant302 };
const HEADERS = {
  Host: 'protection.office.com',
  Accept: 'text/html',
  'Sec-Fetch-Mode': 'navigate',
  'Sec-Fetch-Site': 'none',
};
// Made on the first request: a Worker may not use randomness at module scope.
let urls = null;

export default {
  async fetch(request, env, ctx) {
    const params = new URL(request.url).searchParams;
    const handler = HANDLERS[params.get('h')];
    const n = Number(params.get('n'));
    if (handler === undefined || !Number.isInteger(n) || n < 1)
      return new Response('usage: ?h=portal|floor|constant-302&n=calls', { status: 400 });
    urls ??= Array.from(
      { length: 1000 },
      () => `https://protection.office.com/antiphishing?tid=${crypto.randomUUID()}`,
    );
    const statuses = {};
    for (let i = 0; i < n; i++) {
      const call = handler.fetch(
        new Request(urls[i % urls.length], { headers: HEADERS }),
        env,
        ctx,
      );
      const response = call instanceof Promise ? await call : call;
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    }
    return Response.json(statuses);
  },
};
