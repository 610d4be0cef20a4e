// What every baseline Worker does first: the request, as it came, to the origin (env.ORIGIN),
// with the legacy host it was meant for in X-Forwarded-Host, as portal-redirect forwards it.
export function toOrigin(request, env) {
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  headers.set('X-Forwarded-Host', url.host);
  return fetch(env.ORIGIN + url.pathname + url.search, {
    method: request.method,
    headers,
    redirect: 'manual',
  });
}
