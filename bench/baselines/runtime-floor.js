// Reference for scenario 6: a constant 302 that also does what any Worker deciding on a request
// must ask the runtime for, and nothing else: parse the URL, read the headers the decision reads,
// and answer with the same four headers portal-redirect's redirect carries. The gap between it
// and the constant 302 is the runtime's cost of those APIs; between it and portal-redirect, the
// decision's own.
export default {
  fetch(request) {
    const url = new URL(request.url);
    const h = request.headers;
    const seen = [
      h.get('sec-fetch-mode'),
      h.get('sec-fetch-site'),
      h.has('sec-fetch-dest'),
      h.get('accept'),
      h.get('cookie'),
    ];
    return new Response(null, {
      status: 302,
      headers: {
        'X-Redirect-Decision': 'redirect',
        'X-Redirect-Reason': seen[0] === null ? 'default-on' : 'toggle-on',
        Location: `https://security.microsoft.com${url.pathname}${url.search}`,
        'Cache-Control': 'private, no-store',
      },
    });
  },
};
