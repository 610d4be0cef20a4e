/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { isProductId } from '../catalogue/products';
import type { RoleName } from '../catalogue/roles';
import { DIRECTORY_ROLES, canWrite } from '../catalogue/roles';
import type { AdminContext as Ctx, AdminEnv } from '../auth/context';
import { entraClaims, signToken } from '../auth/dev-tokens';
import { sessionAccess } from '../auth/middleware';
import { oidcCallback, oidcLogin } from '../auth/oidc';
import {
  csrfToken,
  endSession,
  ensureCsrf,
  LANG_COOKIE,
  setLanguage,
  startSession,
} from '../auth/session';
import { asTenantId } from '../core/tenant';
import type { ToggleMode } from '../store/records';
import { isToggleMode } from '../store/records';
import { exportResponse } from '../settings/export-response';
import { AppError, toAppError } from '../errors';
import type { Strings } from '../i18n';
import { languageNamed, pickLanguage } from '../i18n';
import { pageMount } from './mount';
import { ReportSection } from './report-view';
import { AuditPage, ConfirmPage, Layout, SettingsPage, SignInPage } from './views';

const MAX_FEEDBACK_CHARS = 2000;
const MAX_CURSOR_CHARS = 64;

/**
 * `mode=on|off|observe`, or the older `enabled=true|false`. Anything else is refused: a form that
 * names no state must not turn redirection off.
 */
function askedMode(form: Record<string, unknown>): ToggleMode {
  if (isToggleMode(form.mode)) return form.mode;
  if (form.mode === undefined && form.enabled === 'true') return 'on';
  if (form.mode === undefined && form.enabled === 'false') return 'off';
  throw new AppError('invalid_request', 'The form must name a state: on, off or observe.');
}

/** The language for this request; `?lang=` is remembered in a cookie. */
function strings(c: Ctx): Strings {
  const asked = c.req.query('lang');
  if (asked !== undefined && languageNamed(asked)) setLanguage(c, asked);
  return pickLanguage(asked ?? getCookie(c, LANG_COOKIE), c.req.header('accept-language'));
}

const nonceOf = (c: Ctx) => c.get('secureHeadersNonce') ?? '';

function signInPage(c: Ctx): Response | Promise<Response> {
  const s = strings(c);
  return c.html(
    <Layout s={s} nonce={nonceOf(c)} title={s.title}>
      <SignInPage
        s={s}
        dev={c.env.config.auth.devKey !== null}
        production={c.env.config.auth.oidc !== null}
        csrf={ensureCsrf(c)}
        tenant={crypto.randomUUID()}
      />
    </Layout>,
  );
}

const viewerOf = (c: Ctx) => {
  const principal = c.get('principal');
  return { name: principal.name || principal.upn, tenant: principal.tenant };
};

/** The settings, their confirmations and the audit view: signed in, with read access. */
const settings = pageMount();
settings.use(
  sessionAccess((c) =>
    c.req.method === 'GET' && c.req.path === '/settings'
      ? signInPage(c)
      : c.redirect('/settings', 303),
  ),
);

settings.get('/', async (c) => {
  const s = strings(c);
  const access = c.get('access');
  const states = await c.env.settings.states(access);
  const writable = new Set(
    states.map((st) => st.product).filter((p) => canWrite(access.principal.roles, p)),
  );
  // The report is a guide: when it cannot be read the page still serves its settings.
  const [schedules, report] = await Promise.all([
    c.env.settings.schedules(access),
    c.env.settings.report(access).catch((error: unknown) => {
      console.warn(`settings page: report unavailable: ${String(error)}`);
      return null;
    }),
  ]);
  const saved = c.req.query('saved');
  const error = c.req.query('error');
  const done = c.req.query('done');
  const flash = saved
    ? { kind: 'ok' as const, text: s.saved }
    : done === 'scheduled'
      ? { kind: 'ok' as const, text: s.scheduled }
      : done === 'cancelled'
        ? { kind: 'ok' as const, text: s.scheduleCancelled }
        : error === 'schedule'
          ? { kind: 'error' as const, text: s.scheduleInvalid }
          : error === 'unavailable'
            ? { kind: 'error' as const, text: s.unavailable }
            : error === 'conflict'
              ? { kind: 'error' as const, text: s.conflict }
              : error === 'rate-limited'
                ? { kind: 'error' as const, text: s.rateLimited }
                : null;
  return c.html(
    <Layout
      s={s}
      nonce={nonceOf(c)}
      title={s.title}
      viewer={viewerOf(c)}
      csrf={csrfToken(c)}
      script={true}
    >
      <SettingsPage
        s={s}
        states={states}
        writable={writable}
        csrf={csrfToken(c)}
        flash={flash}
        schedules={schedules}
      >
        <ReportSection s={s} report={report} />
      </SettingsPage>
    </Layout>,
  );
});

settings.get('/confirm/:product', (c) => {
  const s = strings(c);
  const product = c.req.param('product');
  if (!isProductId(product)) throw new AppError('not_found', 'No such product.');
  return c.html(
    <Layout s={s} nonce={nonceOf(c)} title={s.title} viewer={viewerOf(c)} csrf={csrfToken(c)}>
      <ConfirmPage s={s} product={product} mode={askedMode(c.req.query())} csrf={csrfToken(c)} />
    </Layout>,
  );
});

settings.get('/audit', async (c) => {
  const s = strings(c);
  const cursor = c.req.query('cursor');
  const page = await c.env.settings.audit(c.get('access'), {
    limit: 20,
    ...(cursor && cursor.length <= MAX_CURSOR_CHARS ? { cursor } : {}),
  });
  return c.html(
    <Layout
      s={s}
      nonce={nonceOf(c)}
      title={`${s.audit} · ${s.title}`}
      viewer={viewerOf(c)}
      csrf={csrfToken(c)}
    >
      <AuditPage s={s} entries={page.entries} cursor={page.cursor} />
    </Layout>,
  );
});

/** The same export as the API's, for the signed-in session (the audit view links it). */
settings.get('/audit/export', async (c) => {
  const format = c.req.query('format');
  if (format !== 'csv' && format !== 'json')
    throw new AppError('invalid_request', 'format must be csv or json');
  return exportResponse(await c.env.settings.exportAudit(c.get('access'), format));
});

/** `2026-12-01T03:00` or with seconds, as a datetime-local field sends it, read as UTC. */
function utcInstant(value: unknown): string | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value))
    return null;
  const ms = Date.parse(`${value}Z`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** The page's errors that are said on the page rather than as a JSON error. */
function pageError(error: unknown, kind: string): string | null {
  const code = toAppError(error)?.code;
  if (code === 'unavailable') return 'unavailable';
  if (code === 'precondition_failed') return 'conflict';
  if (code === 'rate_limited') return 'rate-limited';
  if (code === 'invalid_request' || code === 'locked' || code === 'not_found') return kind;
  return null;
}

settings.post('/schedules', async (c) => {
  const form = await c.req.parseBody();
  const product = typeof form.product === 'string' ? form.product : '';
  if (!isProductId(product)) throw new AppError('not_found', 'No such product.');
  const at = utcInstant(form.at);
  const mode = isToggleMode(form.mode) ? form.mode : null;
  if (at === null || mode === null) return c.redirect('/settings?error=schedule', 303);
  try {
    await c.env.settings.schedule(c.get('access'), { product, mode, at });
  } catch (error) {
    const shown = pageError(error, 'schedule');
    if (shown === null) throw error;
    return c.redirect(`/settings?error=${shown}`, 303);
  }
  return c.redirect('/settings?done=scheduled', 303);
});

settings.post('/schedules/:id/cancel', async (c) => {
  try {
    await c.env.settings.cancelSchedule(c.get('access'), c.req.param('id').slice(0, 64));
  } catch (error) {
    const shown = pageError(error, 'schedule');
    if (shown === null) throw error;
    return c.redirect(`/settings?error=${shown}`, 303);
  }
  return c.redirect('/settings?done=cancelled', 303);
});

settings.post('/:product', async (c) => {
  const form = await c.req.parseBody();
  const product = c.req.param('product');
  if (!isProductId(product)) throw new AppError('not_found', 'No such product.');
  const feedback =
    typeof form.feedback === 'string' && form.feedback.trim() !== '' ? form.feedback.trim() : null;
  if (feedback !== null && feedback.length > MAX_FEEDBACK_CHARS)
    throw new AppError('invalid_request', 'Feedback is limited to 2000 characters.');
  try {
    await c.env.settings.change(c.get('access'), {
      product,
      mode: askedMode(form),
      feedback,
    });
  } catch (error) {
    // A busy store or a concurrent change is said on the page, not as a JSON error.
    const code = toAppError(error)?.code;
    if (code === 'unavailable') return c.redirect('/settings?error=unavailable', 303);
    if (code === 'precondition_failed') return c.redirect('/settings?error=conflict', 303);
    if (code === 'rate_limited') return c.redirect('/settings?error=rate-limited', 303);
    throw error;
  }
  return c.redirect(`/settings?saved=${product}`, 303);
});

/** Sign-in and sign-out. */
const auth = pageMount();

/** Local development sign-in: a token for any tenant and role, signed with the dev key. */
auth.post('/dev', async (c) => {
  const key = c.env.config.auth.devKey as NonNullable<typeof c.env.config.auth.devKey>;
  const form = await c.req.parseBody();
  const tenant = asTenantId(typeof form.tenant === 'string' ? form.tenant.trim() : null);
  const role =
    typeof form.role === 'string' && Object.hasOwn(DIRECTORY_ROLES, form.role)
      ? (form.role as RoleName)
      : null;
  if (tenant === null || role === null)
    throw new AppError('invalid_request', 'Pick a tenant GUID and a role.');
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
      audience: c.env.config.auth.audience,
      expiresIn: 3600,
    }),
  );
  startSession(c, token);
  return c.redirect('/settings', 303);
});
auth.get('/login', (c) => oidcLogin(c));
auth.get('/callback', (c) => oidcCallback(c));
auth.post('/logout', (c) => {
  endSession(c);
  return c.redirect('/settings', 303);
});

/** Mount the pages on the admin app: `/` -> `/settings`, the settings, and `/auth`. */
export function mountPages(app: Hono<AdminEnv>): void {
  app.get('/', (c) => c.redirect('/settings', 302));
  // The dev sign-in does not exist unless it is configured: 404 before any other check.
  app.use('/auth/dev', async (c, next) => {
    if (c.env.config.auth.devKey === null) throw new AppError('not_found', 'No such route.');
    await next();
  });
  app.route('/auth', auth);
  app.route('/settings', settings);
}
