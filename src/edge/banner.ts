import type { Product } from '../catalogue/types';
import type { Config } from '../config';
import type { Decision } from '../core/decide';
import type { RequestFacts } from '../core/facts';
import { mapPage } from '../core/links';
import { meaningOf } from '../core/reasons';
import { type Lookup, toggleState } from '../core/toggle-state';
import type { ToggleValue } from '../model/toggle';
import type { Strings } from '../i18n';
import { pickLanguage } from '../i18n';
import { escapeHtml } from '../lib/html';

/** Reserved path on every legacy host: dismiss the banner, then go back. */
export const DISMISS_PATH = '/__portal-redirect/dismiss-banner';
export const BANNER_COOKIE = 'portal_redirect_banner';
const BANNER_COOKIE_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

/**
 * Whether a passed-through page gets the "this portal is moving" banner: the product shows
 * banners, the browser has not dismissed it, the answer is a 200 HTML page to a GET, and
 * redirection is off for the tenant: decided so (`toggle-off`, `default-off`), or a signed-in
 * session (`session-sticky`) of a tenant whose redirection is off. Never out of scope, never in
 * observe mode, never for a tenant whose users move at their next sign-in.
 */
export function bannerWanted(
  product: Product,
  decision: Decision,
  facts: RequestFacts,
  response: Response,
  toggles: {
    enabledFor(tenant: string, product: Product['id']): Promise<Lookup<ToggleValue | null>>;
  },
): boolean | Promise<boolean> {
  if (
    !product.banner ||
    facts.method !== 'GET' ||
    facts.cookies[BANNER_COOKIE] === 'dismissed' ||
    response.status !== 200 ||
    !(response.headers.get('content-type') ?? '').toLowerCase().startsWith('text/html')
  )
    return false;
  const banner = meaningOf(decision.reason).banner;
  if (banner === 'yes') return true;
  const tenant = decision.tenant;
  if (banner !== 'if-off' || tenant === null) return false;
  return toggles
    .enabledFor(tenant, product.id)
    .then((lookup) => meaningOf(toggleState(product, lookup, facts.now).reason).banner === 'yes');
}

/** Insert the banner at the top of `<body>` as the page streams; a page without `<body>` is left alone. */
export function withBanner(
  response: Response,
  request: Request,
  facts: RequestFacts,
  product: Product,
  decision: Decision,
  config: Config,
): Response {
  const settingsUrl = config.settingsUrl;
  const s = pickLanguage(null, request.headers.get('accept-language'));
  // The page the server was asked for: its path and query, read as the redirect reads them. A
  // fragment never reaches the server; a page that stays has no link.
  const unified = mapPage(config.core, product, facts.path, facts.query, '', decision.tenant);
  const back = `${facts.path}${facts.query ? `?${facts.query}` : ''}`;
  const html = bannerHtml(
    s,
    unified,
    settingsUrl,
    `${DISMISS_PATH}?return=${encodeURIComponent(back)}`,
  );
  let inserted = false;
  // The banner is this browser's (its language, its tenant's page): never a shared cache's.
  response.headers.set('Cache-Control', 'private, no-store');
  return new HTMLRewriter()
    .on('body', {
      element(body) {
        if (inserted) return;
        inserted = true;
        body.prepend(html, { html: true });
      },
    })
    .transform(response);
}

function bannerHtml(
  s: Strings,
  unified: string | null,
  settingsUrl: string,
  dismiss: string,
): string {
  const link = (href: string, text: string) =>
    `<a href="${escapeHtml(href)}" style="color:#fff;text-decoration:underline;margin-left:1em">${escapeHtml(text)}</a>`;
  return (
    `<div id="portal-redirect-banner" role="region" aria-label="${escapeHtml(s.bannerText)}" lang="${s.lang}" ` +
    `style="background:#1b3a5c;color:#fff;padding:.6em 1em;font:14px/1.5 system-ui,sans-serif">` +
    `<strong>${escapeHtml(s.bannerText)}</strong>` +
    (unified ? link(unified, s.bannerOpen) : '') +
    link(settingsUrl, s.bannerConfigure) +
    link(dismiss, s.bannerDismiss) +
    `</div>`
  );
}

/**
 * The dismiss link: remember the choice for 30 days on this host and go back to the page. Only
 * a same-origin path is accepted as the way back (never another host).
 */
export function dismissBanner(url: URL): Response {
  const back = url.searchParams.get('return') ?? '/';
  const safe = /^\/(?![/\\])[^\r\n\t]*$/.test(back) ? back : '/';
  const secure = url.protocol === 'https:' ? '; Secure' : '';
  return new Response(null, {
    status: 303,
    headers: {
      Location: safe,
      'Cache-Control': 'private, no-store',
      'Set-Cookie': `${BANNER_COOKIE}=dismissed; Max-Age=${BANNER_COOKIE_MAX_AGE_SECONDS}; Path=/; HttpOnly; SameSite=Lax${secure}`,
    },
  });
}
