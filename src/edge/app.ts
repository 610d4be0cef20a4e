import type { Config, Env } from '../config';
import { loadConfig } from '../config';
import type { Decision, RequestFacts } from '../core/decide';
import type { HostMatch } from '../core/hosts';
import { decideWithStore, storeFor } from '../store/decision-loop';
import { hasStoredSetting } from '../store/toggles';
import { apiPassThrough } from './api-hosts';
import { DISMISS_PATH, dismissBanner, wantsBanner, withBanner } from './banner';
import { isSignInPost, readSignInForm, requestFacts } from './facts';
import { passThrough } from './passthrough';
import { countDecision } from './report-counter';
import { hashPageResponse, redirectResponse, setsCookie } from './respond';

/**
 * Legacy-host traffic: every method, every path. A redirect whose reads this isolate holds is
 * answered without a promise; only KV reads, a sign-in form and the origin are awaited.
 */
export function handleEdge(
  request: Request,
  env: Env,
  config: Config = loadConfig(env),
  url: URL = new URL(request.url),
  ctx?: ExecutionContext,
  host: string = url.host,
): Response | Promise<Response> {
  const store = storeFor(env, config);
  // `legacy` is the legacy host's catalogue entry (browser or API host), or null for unknown hosts.
  const legacy = config.core.hosts.match(host);
  if (legacy?.host.kind === 'api') return apiPassThrough(request, config, store, legacy.product);
  // The URL's and request's parts the decision needs, read from the runtime once (each read is a
  // call into it that makes a new string), for the checks below and the decision alike.
  const facts = requestFacts(request, url, host, Date.now());
  if (legacy && facts.path === DISMISS_PATH) return dismissBanner(url);
  const edge: EdgeRequest = { request, url, env, config, ctx, legacy };
  if (legacy && isSignInPost(request, facts, legacy.product)) {
    return readSignInForm(request, facts, legacy.product, config.signIn).then(async (body) =>
      answer(edge, facts, body, await decideWithStore(config, store, facts)),
    );
  }
  const decision = decideWithStore(config, store, facts);
  return decision instanceof Promise
    ? decision.then((d) => answer(edge, facts, request.body, d))
    : answer(edge, facts, request.body, decision);
}

/** What answering one legacy-host request needs besides its facts and decision. */
interface EdgeRequest {
  request: Request;
  url: URL;
  env: Env;
  config: Config;
  ctx: ExecutionContext | undefined;
  legacy: HostMatch | null;
}

/**
 * Count the decision for the migration report, then answer it: the redirect, or the origin's
 * answer (with the banner).
 */
function answer(
  edge: EdgeRequest,
  facts: RequestFacts,
  body: BodyInit | null,
  decision: Decision,
): Response | Promise<Response> {
  const { request, url, config, legacy } = edge;
  if (config.reportCounting) {
    const { env, ctx } = edge;
    countDecision(
      decision,
      facts,
      hasStoredSetting,
      env.TENANT_SETTINGS,
      config.reportFlushMs,
      ctx,
    );
  }
  // The scheme matters only to the cookies an answer sets (their Secure flag), and the hash page
  // always sets one: the common answer does not read it (a call into the runtime).
  const secureCookies =
    (decision.hashPage === true || setsCookie(decision)) && url.protocol === 'https:';
  if (decision.action === 'redirect') {
    return decision.hashPage
      ? hashPageResponse(decision, facts.method, facts.now, secureCookies)
      : redirectResponse(decision, secureCookies);
  }
  return passThrough(
    request,
    body,
    decision,
    { origin: config.passthroughOrigin, timeoutMs: config.originTimeoutMs },
    url,
    secureCookies,
  ).then((response) =>
    legacy && wantsBanner(legacy.product, decision, facts, response)
      ? withBanner(response, request, facts, legacy.product, decision, config, config.settingsUrl)
      : response,
  );
}
