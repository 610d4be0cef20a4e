// Baseline: a Worker that only proxies to the origin (what pass-through costs with no decision).
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.set('X-Forwarded-Host', url.host);
    return fetch(env.ORIGIN + url.pathname + url.search, { method: request.method, headers, redirect: 'manual' });
  },
};
