/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { isProductId } from '../catalogue/products';
import type { RoleName } from '../catalogue/roles';
import { canWrite, DIRECTORY_ROLES } from '../catalogue/roles';
import type { ProductId } from '../catalogue/types';
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
import { AppError, toAppError } from '../errors';
import type { Strings } from '../i18n';
import { formatDateTime, languageNamed, pickLanguage } from '../i18n';
import type { AuditEntry, ToggleMode } from '../store/records';
import { isToggleMode } from '../store/records';
import { MAX_PENDING_SCHEDULES } from '../objects/schedule-input';
import { exportResponse } from '../settings/export-response';
import { AuditPage, type AuditFilters } from './audit-view';
import { ErrorPage, Layout, SignInPage } from './layout';
import { modeLabel } from './mode-label';
import { pageMount } from './mount';
import { ReportSection } from './report-view';
import { EMPTY_SCHEDULE_FORM, type ScheduleForm, Schedules } from './schedules-view';
import { ConfirmPage, type Flash, SettingsPage } from './settings-view';

const MAX_FEEDBACK_CHARS = 2000;
const MAX_CURSOR_CHARS = 64;
/** KV's replication after both caches expire (docs/configuration.md, "How fast a change is seen"). */
const KV_REPLICATION_SECONDS = 10;

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

/** The version a form showed (`version`), or `undefined` for a form from before versions. */
function shownVersion(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw)) return undefined;
  return Number(raw);
}

/** The language for this request; `?lang=` is remembered in a cookie. */
function strings(c: Ctx): Strings {
  const asked = c.req.query('lang');
  if (asked !== undefined && languageNamed(asked)) setLanguage(c, asked);
  return pickLanguage(asked ?? getCookie(c, LANG_COOKIE), c.req.header('accept-language'));
}

const nonceOf = (c: Ctx) => c.get('secureHeadersNonce') ?? '';

const viewerOf = (c: Ctx) => {
  const principal = c.get('principal');
  return { name: principal.name || principal.upn, tenant: principal.tenant };
};

/** The worst case until every location follows a change (both caches and KV's replication). */
function reachSeconds(c: Ctx): number {
  const { toggleCacheTtlMs, kvCacheTtlSeconds } = c.env.config;
  return Math.round(toggleCacheTtlMs / 1000) + kvCacheTtlSeconds + KV_REPLICATION_SECONDS;
}

/**
 * The settings page, with a message and, after a refused schedule, the form as it was sent.
 * Refusals render it in place (with their status) rather than redirect, so nothing is lost.
 */
async function settingsPage(
  c: Ctx,
  options: { flash?: Flash | null; status?: number; form?: ScheduleForm } = {},
): Promise<Response> {
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
  const csrf = csrfToken(c);
  return c.html(
    <Layout s={s} nonce={nonceOf(c)} title={s.title} viewer={viewerOf(c)} csrf={csrf} script>
      <SettingsPage
        s={s}
        states={states}
        products={c.env.config.products}
        writable={writable}
        csrf={csrf}
        notes={{ reachSeconds: reachSeconds(c) }}
        flash={options.flash ?? null}
      >
        <Schedules
          s={s}
          states={states}
          writable={writable}
          csrf={csrf}
          schedules={schedules}
          form={options.form ?? EMPTY_SCHEDULE_FORM}
          now={Date.now()}
        />
        <ReportSection s={s} report={report} />
      </SettingsPage>
    </Layout>,
    (options.status ?? 200) as 200,
  );
}

/** Messages after a redirect (`?done=`), by what was done. */
const DONE: Readonly<Record<string, (s: Strings) => string>> = {
  scheduled: (s) => s.scheduled,
  cancelled: (s) => s.scheduleCancelled,
};

/** A busy store, a rate limit: said on the page with its status; anything else is thrown. */
function storeTrouble(s: Strings, error: unknown): { flash: Flash; status: number } | null {
  const known = toAppError(error);
  if (known?.code === 'unavailable')
    return { flash: { kind: 'error', text: s.unavailable }, status: 503 };
  if (known?.code === 'rate_limited')
    return { flash: { kind: 'error', text: s.rateLimited }, status: 429 };
  return null;
}

/** The settings, their confirmations and the audit view: signed in, with read access. */
const settings = pageMount(errorPage);
settings.use(
  sessionAccess((c) =>
    c.req.method === 'GET' && c.req.path === '/settings'
      ? signInPage(c)
      : c.redirect('/settings', 303),
  ),
);

settings.get('/', async (c) => {
  const s = strings(c);
  const saved = c.req.query('saved');
  const done = c.req.query('done');
  let flash: Flash | null = null;
  if (saved !== undefined && isProductId(saved)) {
    const state = await c.env.settings.state(c.get('access'), saved);
    flash = { kind: 'ok', text: s.saved(s.products[saved], modeLabel(s, state.mode)) };
  } else if (done !== undefined && Object.hasOwn(DONE, done)) {
    flash = { kind: 'ok', text: (DONE[done] as (s: Strings) => string)(s) };
  }
  return settingsPage(c, { flash });
});

settings.get('/confirm/:product', (c) => {
  const s = strings(c);
  const product = c.req.param('product');
  if (!isProductId(product)) throw new AppError('not_found', 'No such product.');
  const version = shownVersion(c.req.query('version'));
  if (version === undefined) return c.redirect('/settings', 303);
  return c.html(
    <Layout s={s} nonce={nonceOf(c)} title={s.title} viewer={viewerOf(c)} csrf={csrfToken(c)}>
      <ConfirmPage
        s={s}
        product={product}
        mode={askedMode(c.req.query())}
        version={version}
        csrf={csrfToken(c)}
        notes={{ reachSeconds: reachSeconds(c) }}
      />
    </Layout>,
  );
});

/** A UTC day (`YYYY-MM-DD`) as an instant: its start, or (`end`) the next day's start. */
function dayInstant(day: string, end: boolean): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(ms) ? new Date(ms + (end ? 86_400_000 : 0)).toISOString() : null;
}

settings.get('/audit', async (c) => {
  const s = strings(c);
  const q = c.req.query();
  const filters: AuditFilters = {
    product: isProductId(q.product ?? '') ? (q.product as string) : '',
    actor: (q.actor ?? '').trim().slice(0, 512),
    from: q.from ?? '',
    to: q.to ?? '',
  };
  const from = filters.from === '' ? undefined : dayInstant(filters.from, false);
  const to = filters.to === '' ? undefined : dayInstant(filters.to, true);
  const cursor = q.cursor && q.cursor.length <= MAX_CURSOR_CHARS ? q.cursor : undefined;
  const invalid = from === null || to === null;
  let page: { entries: Omit<AuditEntry, 'version'>[]; cursor: string | null } = {
    entries: [],
    cursor: null,
  };
  if (!invalid) {
    try {
      page = await c.env.settings.audit(c.get('access'), {
        limit: 20,
        ...(filters.product ? { product: filters.product as ProductId } : {}),
        ...(filters.actor ? { actor: filters.actor } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        ...(cursor ? { cursor } : {}),
      });
    } catch (error) {
      if (toAppError(error)?.code !== 'invalid_request') throw error;
      return auditPage(c, s, filters, page, true, 400);
    }
  }
  return auditPage(c, s, filters, page, invalid, invalid ? 400 : 200);
});

function auditPage(
  c: Ctx,
  s: Strings,
  filters: AuditFilters,
  page: { entries: Omit<AuditEntry, 'version'>[]; cursor: string | null },
  invalid: boolean,
  status: number,
): Response | Promise<Response> {
  return c.html(
    <Layout
      s={s}
      nonce={nonceOf(c)}
      title={`${s.audit} · ${s.title}`}
      viewer={viewerOf(c)}
      csrf={csrfToken(c)}
    >
      <AuditPage
        s={s}
        entries={page.entries}
        cursor={page.cursor}
        filters={filters}
        invalid={invalid}
      />
    </Layout>,
    status as 200,
  );
}

/** The same export as the API's, for the signed-in session (the audit view links it). */
settings.get('/audit/export', async (c) => {
  const format = c.req.query('format');
  if (format !== 'csv' && format !== 'json')
    throw new AppError('invalid_request', 'format must be csv or json');
  return exportResponse(await c.env.settings.exportAudit(c.get('access'), format));
});

/**
 * The instant a schedule form asks for: the script's `atUtc` (the admin's local time, converted
 * in the browser), else the field read as UTC (a browser without script, whose label says UTC).
 */
function scheduledInstant(form: Record<string, unknown>): string | null {
  const utc = form.atUtc;
  if (
    typeof utc === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/.test(utc)
  ) {
    const ms = Date.parse(utc);
    if (Number.isFinite(ms)) return new Date(ms).toISOString();
  }
  const value = form.at;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value))
    return null;
  const ms = Date.parse(`${value}Z`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** Each way a schedule can be refused, in the visitor's words. */
function scheduleRefusal(c: Ctx, s: Strings, error: AppError): string | null {
  const refused = s.scheduleRefused;
  if (error.code === 'locked') return refused.locked;
  if (error.code !== 'invalid_request') return null;
  switch (error.reason) {
    case 'too-soon':
      return refused['too-soon'](
        s.duration(Math.ceil(c.env.config.settings.scheduleMinLeadMs / 1000)),
      );
    case 'too-far':
      return refused['too-far'];
    case 'too-many':
      return refused['too-many'](MAX_PENDING_SCHEDULES);
    default:
      return refused['no-time'];
  }
}

settings.post('/schedules', async (c) => {
  const s = strings(c);
  const raw = await c.req.parseBody();
  const product = typeof raw.product === 'string' && isProductId(raw.product) ? raw.product : null;
  const mode = isToggleMode(raw.mode) ? raw.mode : null;
  const form: ScheduleForm = {
    product: product ?? '',
    mode: mode ?? '',
    at: typeof raw.at === 'string' ? raw.at.slice(0, 32) : '',
  };
  if (product === null || mode === null) throw new AppError('not_found', 'No such product.');
  const at = scheduledInstant(raw);
  if (at === null)
    return settingsPage(c, {
      flash: { kind: 'error', text: s.scheduleRefused['no-time'] },
      status: 400,
      form,
    });
  try {
    await c.env.settings.schedule(c.get('access'), { product, mode, at });
  } catch (error) {
    const trouble = storeTrouble(s, error);
    if (trouble !== null) return settingsPage(c, { ...trouble, form });
    const known = toAppError(error);
    const text = known === null ? null : scheduleRefusal(c, s, known);
    if (text === null) throw error;
    return settingsPage(c, { flash: { kind: 'error', text }, status: known?.status ?? 400, form });
  }
  return c.redirect('/settings?done=scheduled#schedules', 303);
});

settings.post('/schedules/:id/cancel', async (c) => {
  const s = strings(c);
  let result: Awaited<ReturnType<typeof c.env.settings.cancelSchedule>>;
  try {
    result = await c.env.settings.cancelSchedule(c.get('access'), c.req.param('id').slice(0, 64));
  } catch (error) {
    const trouble = storeTrouble(s, error);
    if (trouble === null) throw error;
    return settingsPage(c, trouble);
  }
  if (result.ok) return c.redirect('/settings?done=cancelled#schedules', 303);
  // Someone else was first (or the time came): nothing changed; say what became of it.
  const fate = result.fate;
  const text =
    fate === null
      ? s.scheduleGone.unknown
      : fate.event === 'schedule-cancelled'
        ? s.scheduleGone.cancelled(fate.actor.name || fate.actor.upn, formatDateTime(s, fate.at))
        : s.scheduleGone.applied(formatDateTime(s, fate.at));
  return settingsPage(c, { flash: { kind: 'error', text }, status: 409 });
});

settings.post('/:product', async (c) => {
  const s = strings(c);
  const form = await c.req.parseBody();
  const product = c.req.param('product');
  if (!isProductId(product)) throw new AppError('not_found', 'No such product.');
  const feedback =
    typeof form.feedback === 'string' && form.feedback.trim() !== '' ? form.feedback.trim() : null;
  if (feedback !== null && feedback.length > MAX_FEEDBACK_CHARS)
    throw new AppError('invalid_request', 'Feedback is limited to 2000 characters.');
  const ifMatch = shownVersion(form.version);
  try {
    await c.env.settings.change(c.get('access'), {
      product,
      mode: askedMode(form),
      feedback,
      ...(ifMatch !== undefined ? { ifMatch } : {}),
    });
  } catch (error) {
    const trouble = storeTrouble(s, error);
    if (trouble !== null) return settingsPage(c, trouble);
    if (toAppError(error)?.code !== 'precondition_failed') throw error;
    // Changed by someone else since this page was loaded: nothing written; say who and to what.
    const now = await c.env.settings.state(c.get('access'), product);
    const text =
      now.changedBy && now.changedAt
        ? s.changedMeanwhile(
            s.products[product],
            modeLabel(s, now.mode),
            now.changedBy.name || now.changedBy.oid,
            formatDateTime(s, now.changedAt),
          )
        : s.conflict;
    return settingsPage(c, { flash: { kind: 'error', text }, status: 409 });
  }
  return c.redirect(`/settings?saved=${product}`, 303);
});

function signInPage(c: Ctx): Response | Promise<Response> {
  const s = strings(c);
  return c.html(
    <Layout s={s} nonce={nonceOf(c)} title={s.title}>
      <SignInPage
        s={s}
        dev={c.env.config.auth.devKey !== null}
        production={c.env.config.auth.oidc !== null}
        csrf={ensureCsrf(c)}
        tenant={c.env.config.auth.devTenant ?? ''}
      />
    </Layout>,
  );
}

/**
 * Any error on the settings pages is a page in the visitor's language: its status, what
 * happened and what to do (the API keeps the JSON envelope). Unexpected errors are logged and say
 * nothing internal.
 */
export function errorPage(error: unknown, c: Ctx): Response | Promise<Response> {
  const known = toAppError(error);
  if (known === null) console.error(`unhandled error on ${c.req.method} ${c.req.path}:`, error);
  else if (known.detail)
    console.warn(`${c.req.method} ${c.req.path}: ${known.code}: ${known.detail}`);
  const code = known?.code ?? 'internal_error';
  const status = known?.status ?? 500;
  const s = strings(c);
  for (const [name, value] of Object.entries(known?.headers ?? {})) c.header(name, value);
  c.header('Cache-Control', 'no-store');
  return c.html(
    <Layout s={s} nonce={nonceOf(c)} title={`${s.errors[code][0]} · ${s.title}`}>
      <ErrorPage s={s} code={code} status={status} />
    </Layout>,
    status as 200,
  );
}

/** Sign-in and sign-out. */
const auth = pageMount(errorPage);

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
    if (c.env.config.auth.devKey === null)
      return errorPage(new AppError('not_found', 'No such route.'), c);
    await next();
  });
  app.route('/auth', auth);
  app.route('/settings', settings);
}
