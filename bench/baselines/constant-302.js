// Baseline: a Worker that answers every request with the same 302 and does nothing else.
export default {
  fetch() {
    return new Response('moved', {
      status: 302,
      headers: {
        Location: 'https://security.microsoft.com/alerts',
        'Cache-Control': 'private, no-store',
      },
    });
  },
};
