import type { Config, Env } from '../config';
import { loadConfig } from '../config';
import type { Decision } from '../core/decide';
import { isNavigation, type RequestFacts } from '../core/facts';
import type { HostMatch } from '../core/hosts';
import { decideWithStore, storeFor } from '../store/decision-loop';
import type { ToggleStore } from '../store/toggles';
import { hasStoredSetting } from '../store/toggles';
import { apiPassThrough } from './api-hosts';
import { bannerWanted, DISMISS_PATH, dismissBanner, withBanner } from './banner';
import { isSignInPost, mintedCookies, readSignInForm, requestFacts } from './facts';
import { passThrough } from './passthrough';
import { countDecision } from './report-counter';
import { decisionCookies, hashPage, redirectResponse, restoreRoute, setsCookie } from './respond';
import { type CookieSigner, signerFor } from './signed-cookies';
import { rememberSignIn, signInStart } from './signin-trip';

/**
 * Legacy-host traffic: every method, every path. A redirect whose reads this isolate holds is
 * answered without a promise; only the edge's own cookies, KV reads, a sign-in form and the
 * origin are awaited.
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
  const signer = signerFor(config.cookieSecrets);
  const edge: EdgeRequest = { request, url, env, config, ctx, legacy, store, signer };
  const minted = legacy
    ? mintedCookies(facts, url, signer, config.edgeCookiesOverHttp)
    : facts.minted;
  if (minted instanceof Promise)
    return minted.then((verified) => {
      facts.minted = verified;
      return decideAndAnswer(edge, facts);
    });
  facts.minted = minted;
  return decideAndAnswer(edge, facts);
}

/** What answering one legacy-host request needs besides its facts and decision. */
interface EdgeRequest {
  request: Request;
  url: URL;
  env: Env;
  config: Config;
  ctx: ExecutionContext | undefined;
  legacy: HostMatch | null;
  store: ToggleStore;
  signer: CookieSigner | null;
}

function decideAndAnswer(edge: EdgeRequest, facts: RequestFacts): Response | Promise<Response> {
  const { request, config, legacy, store } = edge;
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

/**
 * Count the decision for the migration report, then answer it: the redirect, or the origin's
 * answer (with the banner, or with the sign-in it starts remembered).
 */
function answer(
  edge: EdgeRequest,
  facts: RequestFacts,
  body: BodyInit | null,
  decision: Decision,
): Response | Promise<Response> {
  const { config } = edge;
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
  // The common redirect sets no cookie and needs neither the scheme (a call into the runtime)
  // nor a signature.
  if (decision.action === 'redirect' && decision.hashPage !== true && !setsCookie(decision))
    return redirectResponse(decision);
  const secure = edge.url.protocol === 'https:';
  // Over plain http the edge mints nothing unless told it is a local run.
  const signer = secure || config.edgeCookiesOverHttp ? edge.signer : null;
  const cookies = decisionCookies(decision, facts, secure, signer);
  return cookies instanceof Promise
    ? cookies.then((lines) => answerWith(edge, facts, body, decision, secure, signer, lines))
    : answerWith(edge, facts, body, decision, secure, signer, cookies);
}

function answerWith(
  edge: EdgeRequest,
  facts: RequestFacts,
  body: BodyInit | null,
  decision: Decision,
  secure: boolean,
  signer: CookieSigner | null,
  cookies: string[],
): Response | Promise<Response> {
  const { request, url, config, legacy } = edge;
  if (decision.action === 'redirect') {
    const location = decision.location as string;
    return decision.hashPage === true
      ? hashPage('move', decision, location, facts, secure, signer, cookies)
      : redirectResponse(decision, cookies);
  }
  // A staying `?hash=` route goes back to the portal's root with the route in its fragment
  // (without a signer it passes as it came).
  if (decision.restoreRoute !== undefined && signer !== null && facts.method === 'GET')
    return restoreRoute(decision, url, facts, secure, signer, cookies);
  const passed = decision;
  const origin = { origin: config.passthroughOrigin, timeoutMs: config.originTimeoutMs };
  return passThrough(request, body, passed, origin, url, cookies).then((response) => {
    if (legacy === null) return response;
    const start =
      signer !== null && facts.method === 'GET' && isNavigation(facts)
        ? signInStart(response, url, legacy.product, config.signIn)
        : null;
    if (start !== null)
      return rememberSignIn(
        response,
        start,
        passed,
        facts,
        legacy.product,
        secure,
        signer as CookieSigner,
      );
    const banner = bannerWanted(legacy.product, passed, facts, response, edge.store);
    const show = (wanted: boolean) =>
      wanted ? withBanner(response, request, facts, legacy.product, passed, config) : response;
    return banner instanceof Promise ? banner.then(show) : show(banner);
  });
}
