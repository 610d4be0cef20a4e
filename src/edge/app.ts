import type { Config, Env } from '../config';
import { loadConfig } from '../config';
import type { Decision, Lookups, RequestFacts } from '../core/decide';
import { decide } from '../core/decide';
import { ToggleStore } from '../store/toggles';
import { apiPassThrough } from './api-hosts';
import { DISMISS_PATH, dismissBanner, wantsBanner, withBanner } from './banner';
import { gatherFacts } from './facts';
import { passThrough } from './passthrough';
import { hashPageResponse, redirectResponse } from './respond';

/**
 * Run the decision loop: the pure core says which store read it still needs (at most a host
 * mapping and one toggle), this adapter reads it and asks again.
 */
export async function decideWithStore(
  config: Config,
  store: ToggleStore,
  facts: RequestFacts,
): Promise<Decision> {
  const lookups: Lookups = {};
  for (;;) {
    const step = decide(config.core, facts, lookups);
    if (step.kind === 'decision') return step.decision;
    if (step.kind === 'need-host-tenant')
      lookups.hostTenant = await store.hostTenant(step.hostname);
    else lookups.toggle = await store.enabledFor(step.tenant, step.product);
  }
}

export function storeFor(env: Env, config: Config): ToggleStore {
  return new ToggleStore(env.TOGGLES, {
    kvCacheTtlSeconds: config.kvCacheTtlSeconds,
    toggleCacheTtlMs: config.toggleCacheTtlMs,
    kvReadTimeoutMs: config.kvReadTimeoutMs,
  });
}

/** Legacy-host traffic: every method, every path. */
export async function handleEdge(
  request: Request,
  env: Env,
  config: Config = loadConfig(env),
  url: URL = new URL(request.url),
): Promise<Response> {
  const store = storeFor(env, config);
  // `legacy` is the legacy host's catalogue entry (browser or API host), or null for unknown hosts.
  const legacy = config.core.hosts.match(url.host);
  if (legacy?.host.kind === 'api') return apiPassThrough(request, config, store, legacy.product);
  if (legacy && url.pathname === DISMISS_PATH) return dismissBanner(request);
  const { facts, body } = await gatherFacts(request, url, legacy?.product, Date.now());
  const decision = await decideWithStore(config, store, facts);
  if (decision.action === 'redirect') {
    return decision.hashPage
      ? hashPageResponse(decision, facts.method)
      : redirectResponse(decision);
  }
  const response = await passThrough(
    request,
    body,
    decision,
    { origin: config.passthroughOrigin, timeoutMs: config.originTimeoutMs },
    url,
  );
  return legacy && wantsBanner(legacy.product, decision, facts, response)
    ? withBanner(response, request, facts, legacy.product, decision, config, config.settingsUrl)
    : response;
}
