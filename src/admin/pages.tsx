/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import { isProductId } from '../catalogue/products';
import type { RoleName } from '../catalogue/roles';
import { DIRECTORY_ROLES, canWrite } from '../catalogue/roles';
import type { ProductId } from '../catalogue/types';
import type { Env } from '../config';
import { loadConfig } from '../config';
import { asTenantId } from '../core/tenant';
import { StoreUnavailableError } from '../store/toggles';
import { entraClaims, signToken } from './dev-tokens';
import { ApiError } from './errors';
import type { Strings } from './i18n';
import { languageNamed, pickLanguage } from './i18n';
import { oidcCallback, oidcLogin } from './oidc';
import { AuditPage, ConfirmPage, Layout, SettingsPage, SignInPage } from './page';
import {
  csrfMatches,
  csrfToken,
  endSession,
  ensureCsrf,
  LANG_COOKIE,
  sessionPrincipal,
  setLanguage,
  startSession,
} from './session';
import { applyChange, authoriseRead, readAudit, tenantStates } from './settings';
import { MAX_BODY_BYTES } from './route-spec';

type Ctx = Context<{ Bindings: Env }>;

/** The settings page, its sign-in, and the audit view: server-rendered, on ADMIN_HOSTS. */
export const pagesApp = new Hono<{ Bindings: Env }>();

// Page paths only: the API under /api has its own error and security handling.
const PAGE_PATHS = ['/', '/settings', '/settings/*', '/auth/*'];
for (const path of PAGE_PATHS)
  pagesApp.use(
    path,
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        scriptSrc: [NONCE],
        styleSrc: [NONCE],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      referrerPolicy: 'same-origin',
    }),
  );
for (const path of PAGE_PATHS) {
  // Bounded before anything parses it: a page form is a few hundred bytes.
  pagesApp.use(
    path,
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError('payload_too_large', 'The request body is larger than 16 KiB.');
      },
    }),
  );
  // Unsafe methods must come from our own origin (Origin header), on top of the form's CSRF token.
  pagesApp.use(path, csrf());
  pagesApp.use(path, async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
}

/** The language for this request; `?lang=` is remembered in a cookie. */
function strings(c: Ctx): Strings {
  const asked = c.req.query('lang');
  if (languageNamed(asked)) setLanguage(c, asked as string);
  return pickLanguage(asked ?? getCookie(c, LANG_COOKIE), c.req.header('accept-language'));
}

const nonceOf = (c: Ctx) => (c.get('secureHeadersNonce') as string | undefined) ?? '';
const devKey = (c: Ctx) => loadConfig(c.env).auth.devKey;

async function signInPage(c: Ctx, s: Strings): Promise<Response> {
  const body = (
    <SignInPage
      s={s}
      dev={devKey(c) !== null}
      production={loadConfig(c.env).auth.oidc !== null}
      csrf={ensureCsrf(c)}
      tenant={crypto.randomUUID()}
    />
  );
  return c.html(
    <Layout s={s} nonce={nonceOf(c)} title={s.title}>
      {body}
    </Layout>,
  );
}

function requireCsrf(c: Ctx, form: Record<string, unknown>): void {
  if (!csrfMatches(c, form.csrf))
    throw new ApiError(
      'forbidden',
      'The form has expired; reload the page and try again.',
      {},
      'CSRF token mismatch',
    );
}

pagesApp.get('/', (c) => c.redirect('/settings', 302));

pagesApp.get('/settings', async (c) => {
  const s = strings(c);
  const principal = await sessionPrincipal(c);
  if (!principal) return signInPage(c, s);
  authoriseRead(principal, principal.tenant);
  const states = await tenantStates(c, principal.tenant);
  const writable = new Set(
    states.map((st) => st.product).filter((p) => canWrite(principal.roles, p)),
  );
  const saved = c.req.query('saved');
  const error = c.req.query('error');
  const flash = saved
    ? { kind: 'ok' as const, text: s.saved }
    : error === 'unavailable'
      ? { kind: 'error' as const, text: s.unavailable }
      : error === 'conflict'
        ? { kind: 'error' as const, text: s.conflict }
        : null;
  return c.html(
    <Layout
      s={s}
      nonce={nonceOf(c)}
      title={s.title}
      viewer={{ name: principal.name || principal.upn, tenant: principal.tenant }}
      csrf={csrfToken(c)}
      script={true}
    >
      <SettingsPage s={s} states={states} writable={writable} csrf={csrfToken(c)} flash={flash} />
    </Layout>,
  );
});

pagesApp.get('/settings/confirm/:product', async (c) => {
  const s = strings(c);
  const principal = await sessionPrincipal(c);
  const product = c.req.param('product');
  if (!principal) return c.redirect('/settings', 303);
  authoriseRead(principal, principal.tenant);
  if (!isProductId(product)) throw new ApiError('not_found', 'No such product.');
  return c.html(
    <Layout
      s={s}
      nonce={nonceOf(c)}
      title={s.title}
      viewer={{ name: principal.name || principal.upn, tenant: principal.tenant }}
      csrf={csrfToken(c)}
    >
      <ConfirmPage
        s={s}
        product={product}
        enabled={c.req.query('enabled') === 'true'}
        csrf={csrfToken(c)}
      />
    </Layout>,
  );
});

pagesApp.post('/settings/:product', async (c) => {
  const principal = await sessionPrincipal(c);
  if (!principal) return c.redirect('/settings', 303);
  const form = await c.req.parseBody();
  requireCsrf(c, form);
  const product = c.req.param('product');
  if (!isProductId(product)) throw new ApiError('not_found', 'No such product.');
  const feedback =
    typeof form.feedback === 'string' && form.feedback.trim() !== '' ? form.feedback.trim() : null;
  if (feedback !== null && feedback.length > 2000)
    throw new ApiError('invalid_request', 'Feedback is limited to 2000 characters.');
  try {
    await applyChange(
      c,
      principal,
      principal.tenant,
      product as ProductId,
      form.enabled === 'true',
      feedback,
      undefined,
    );
  } catch (error) {
    if (error instanceof StoreUnavailableError)
      return c.redirect('/settings?error=unavailable', 303);
    if (error instanceof ApiError && error.code === 'precondition_failed')
      return c.redirect('/settings?error=conflict', 303);
    throw error;
  }
  return c.redirect(`/settings?saved=${product}`, 303);
});

pagesApp.get('/settings/audit', async (c) => {
  const s = strings(c);
  const principal = await sessionPrincipal(c);
  if (!principal) return c.redirect('/settings', 303);
  authoriseRead(principal, principal.tenant);
  const cursor = c.req.query('cursor');
  const page = await readAudit(
    c,
    principal.tenant,
    20,
    undefined,
    cursor && cursor.length <= 2048 ? cursor : undefined,
  );
  return c.html(
    <Layout
      s={s}
      nonce={nonceOf(c)}
      title={`${s.audit} · ${s.title}`}
      viewer={{ name: principal.name || principal.upn, tenant: principal.tenant }}
      csrf={csrfToken(c)}
    >
      <AuditPage s={s} entries={page.entries} cursor={page.cursor} />
    </Layout>,
  );
});

/** Local development sign-in: a token for any tenant and role, signed with the dev key. */
pagesApp.post('/auth/dev', async (c) => {
  const key = devKey(c);
  if (key === null) throw new ApiError('not_found', 'No such route.');
  const form = await c.req.parseBody();
  requireCsrf(c, form);
  const tenant = asTenantId(typeof form.tenant === 'string' ? form.tenant.trim() : null);
  const role =
    typeof form.role === 'string' && form.role in DIRECTORY_ROLES ? (form.role as RoleName) : null;
  if (tenant === null || role === null)
    throw new ApiError('invalid_request', 'Pick a tenant GUID and a role.');
  const name =
    typeof form.name === 'string' && form.name.trim()
      ? form.name.trim().slice(0, 100)
      : 'Dev Admin';
  const token = await signToken(
    key.privateJwk,
    key.kid,
    entraClaims({
      tenant,
      roles: [role],
      name,
      audience: loadConfig(c.env).auth.audience,
      expiresIn: 3600,
    }),
  );
  startSession(c, token);
  return c.redirect('/settings', 303);
});

pagesApp.get('/auth/login', (c) => oidcLogin(c));
pagesApp.get('/auth/callback', (c) => oidcCallback(c));

pagesApp.post('/auth/logout', async (c) => {
  const form = await c.req.parseBody();
  requireCsrf(c, form);
  endSession(c);
  return c.redirect('/settings', 303);
});
