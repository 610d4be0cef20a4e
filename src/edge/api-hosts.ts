import type { Product } from '../catalogue/types';
import type { Config } from '../config';
import type { Decision } from '../core/decide';
import { toggleState } from '../core/toggle-state';
import type { Reason } from '../core/reasons';
import { unverifiedTenantOf } from '../core/tenant';
import type { ToggleStore } from '../store/toggles';
import { rewriteJsonLinks } from '../siem/json-links';
import { rewriteLinkShaped } from '../siem/link-shapes';
import { forward, originError, withDecision } from './passthrough';

/** Encodings whose bodies the runtime hands us decoded (and re-encodes on the way out). */
const HANDLED_ENCODINGS = new Set(['', 'identity', 'gzip', 'br']);

/**
 * A legacy API host (the SIEM API): always passed to the origin. When the tenant (the `tid` of
 * the request's bearer token, read, not verified: the origin verifies it) has redirection on and
 * the answer is a JSON success, the legacy page links in it are rewritten as a stream.
 */
export async function apiPassThrough(
  request: Request,
  config: Config,
  store: ToggleStore,
  product: Product,
): Promise<Response> {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  const tenant = bearer ? unverifiedTenantOf(bearer) : null;
  // Read the toggle while the origin works.
  const toggle = tenant ? store.enabledFor(tenant, product.id) : null;
  const forwarded = await forward(request, request.body, {
    origin: config.passthroughOrigin,
    timeoutMs: config.originTimeoutMs,
  });
  const decision = (reason: Reason): Decision => ({
    action: 'pass',
    reason,
    product: product.id,
    tenant,
  });
  const state = toggle === null ? null : toggleState(product, await toggle, Date.now());
  if (!forwarded.ok)
    return originError(decision(state?.reason ?? 'unknown-tenant'), forwarded.error);
  const upstream = forwarded.response;
  if (state === null) return withDecision(upstream, decision('unknown-tenant'));

  if (!state.on || product.apiLinkProperties.length === 0)
    return withDecision(upstream, decision(state.reason));
  if (upstream.status < 200 || upstream.status > 299)
    return withDecision(upstream, decision('error-response'));
  const type = (upstream.headers.get('content-type') ?? '').toLowerCase();
  if (!/^application\/([\w.+-]+\+)?json\b/.test(type) || upstream.body === null)
    return withDecision(upstream, decision('not-json'));
  const encoding = (upstream.headers.get('content-encoding') ?? '').trim().toLowerCase();
  if (!HANDLED_ENCODINGS.has(encoding))
    return withDecision(upstream, decision('unsupported-encoding'));

  const body = rewriteJsonLinks(upstream.body, new Set(product.apiLinkProperties), (value) =>
    rewriteLinkShaped(config.core, value, product.id, tenant),
  );
  const response = withDecision(upstream, decision('links-rewritten'), body);
  response.headers.delete('content-length');
  return response;
}
