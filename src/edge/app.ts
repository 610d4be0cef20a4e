import type { Config, Env } from '../config';
import { loadConfig } from '../config';
import { decideWithStore, storeFor } from '../store/decision-loop';
import { apiPassThrough } from './api-hosts';
import { DISMISS_PATH, dismissBanner, wantsBanner, withBanner } from './banner';
import { gatherFacts } from './facts';
import { passThrough } from './passthrough';
import { countDecision } from './report-counter';
import { hashPageResponse, redirectResponse } from './respond';

/** Legacy-host traffic: every method, every path. */
export async function handleEdge(
  request: Request,
  env: Env,
  config: Config = loadConfig(env),
  url: URL = new URL(request.url),
  ctx?: ExecutionContext,
): Promise<Response> {
  const store = storeFor(env, config);
  // `legacy` is the legacy host's catalogue entry (browser or API host), or null for unknown hosts.
  const legacy = config.core.hosts.match(url.host);
  if (legacy?.host.kind === 'api') return apiPassThrough(request, config, store, legacy.product);
  if (legacy && url.pathname === DISMISS_PATH) return dismissBanner(request);
  const { facts, body } = await gatherFacts(
    request,
    url,
    legacy?.product,
    Date.now(),
    config.signIn,
  );
  const decision = await decideWithStore(config, store, facts);
  countDecision(decision, facts, env.TENANT_SETTINGS, config.reportFlushMs, ctx);
  const https = url.protocol === 'https:';
  if (decision.action === 'redirect') {
    return decision.hashPage
      ? hashPageResponse(decision, facts.method, facts.now, https)
      : redirectResponse(decision, https);
  }
  const response = await passThrough(
    request,
    body,
    decision,
    { origin: config.passthroughOrigin, timeoutMs: config.originTimeoutMs },
    url,
    https,
  );
  return legacy && wantsBanner(legacy.product, decision, facts, response)
    ? withBanner(response, request, facts, legacy.product, decision, config, config.settingsUrl)
    : response;
}
