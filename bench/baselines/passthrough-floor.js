// Reference for scenario 2: a bare proxy that also does what any Worker passing a request on
// with an origin timeout and its own response headers must ask the runtime for, and nothing
// else: parse the URL, read the headers a decision reads, copy the request's headers, arm and
// clear a timeout wired to an AbortController, and re-wrap the origin's response to add two
// headers. The gap between it and the bare proxy is the runtime's cost of those APIs; between
// it and portal-redirect, the decision's own.
export default {
  async fetch(request, env) {
    const h = request.headers;
    const seen = [
      h.get('sec-fetch-mode'),
      h.get('sec-fetch-site'),
      h.get('accept'),
      h.get('cookie'),
    ];
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException('origin timed out', 'TimeoutError')),
      30_000,
    );
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.set('X-Forwarded-Host', url.host);
    let upstream;
    try {
      upstream = await fetch(env.ORIGIN + url.pathname + url.search, {
        method: request.method,
        headers,
        redirect: 'manual',
        signal: controller.signal,
      });
    } finally {
      clearTimeout(timer);
    }
    const response = new Response(upstream.body, upstream);
    response.headers.set('X-Redirect-Decision', 'pass');
    response.headers.set('X-Redirect-Reason', seen[3] === null ? 'default-off' : 'session-sticky');
    return response;
  },
};
