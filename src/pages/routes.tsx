/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import type { AdminContext as Ctx, AdminEnv } from '../auth/context';
import { entraClaims, signToken } from '../auth/dev-tokens';
import { sessionAccess } from '../auth/middleware';
import { oidcCallback, oidcLogin } from '../auth/oidc';
import { csrfToken, endSession, startSession } from '../auth/session';
import { isProductId } from '../catalogue/products';
import type { RoleName } from '../catalogue/roles';
import { DIRECTORY_ROLES } from '../catalogue/roles';
import { asTenantId } from '../core/tenant';
import { AppError, toAppError } from '../errors';
import type { Strings } from '../i18n';
import { formatDateTime } from '../i18n';
import type { AuditEntry, PublicAuditEntry } from '../model/audit';
import { MAX_PENDING_SCHEDULES, MAX_SCHEDULE_ID_CHARS } from '../model/limits';
import { isToggleMode } from '../model/toggle';
import { exportResponse } from '../settings/export-response';
import { type AuditFilters, AuditPage } from './audit-view';
import { auditFilters, auditForm, changeForm, scheduleForm, shownVersion } from './forms';
import { Layout } from './layout';
import { modeLabel } from './mode-label';
import { pageMount } from './mount';
import {
  errorPage,
  nonceOf,
  reachSeconds,
  settingsPage,
  signInPage,
  storeTrouble,
  strings,
  viewerOf,
} from './page';
import type { ScheduleForm } from './schedules-view';
import { ConfirmPage, type Flash } from './settings-view';

export { errorPage } from './page';

/** Messages after a redirect (`?done=`), by what was done. */
const DONE: Readonly<Record<string, (s: Strings) => string>> = {
  scheduled: (s) => s.scheduled,
  cancelled: (s) => s.scheduleCancelled,
};

/** What became of a scheduled change someone else cancelled, or whose time came, in words. */
function scheduleGone(s: Strings, fate: AuditEntry | null): string {
  if (fate === null) return s.scheduleGone.unknown;
  if (fate.event === 'schedule-cancelled')
    return s.scheduleGone.cancelled(fate.actor.name || fate.actor.upn, formatDateTime(s, fate.at));
  return s.scheduleGone.applied(formatDateTime(s, fate.at));
}

/** Each way a schedule can be refused, in the visitor's words; `null`: not a refusal. */
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
  return settingsPage(c, s, { flash });
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
        mode={changeForm(c.req.query()).mode}
        version={version}
        csrf={csrfToken(c)}
        notes={{ reachSeconds: reachSeconds(c), now: Date.now() }}
      />
    </Layout>,
  );
});

settings.get('/audit', async (c) => {
  const s = strings(c);
  const filters = auditFilters(c.req.query());
  const query = auditForm(filters, c.req.query('cursor'));
  const empty = { entries: [], cursor: null };
  if (query === null) return auditPage(c, s, filters, empty, 400);
  try {
    return auditPage(c, s, filters, await c.env.settings.audit(c.get('access'), query), 200);
  } catch (error) {
    if (toAppError(error)?.code !== 'invalid_request') throw error;
    return auditPage(c, s, filters, empty, 400);
  }
});

function auditPage(
  c: Ctx,
  s: Strings,
  filters: AuditFilters,
  page: { entries: PublicAuditEntry[]; cursor: string | null },
  status: 200 | 400,
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
        invalid={status === 400}
      />
    </Layout>,
    status,
  );
}

/** The same export as the API's, for the signed-in session (the audit view links it). */
settings.get('/audit/export', async (c) => {
  const format = c.req.query('format');
  if (format !== 'csv' && format !== 'json')
    throw new AppError('invalid_request', 'format must be csv or json');
  return exportResponse(await c.env.settings.exportAudit(c.get('access'), format));
});

settings.post('/schedules', async (c) => {
  const s = strings(c);
  const raw = await c.req.parseBody();
  const asked = scheduleForm(raw);
  // The form as sent, shown again when the change is refused.
  const form: ScheduleForm = {
    product: typeof raw.product === 'string' && isProductId(raw.product) ? raw.product : '',
    mode: isToggleMode(raw.mode) ? raw.mode : '',
    at: typeof raw.at === 'string' ? raw.at.slice(0, 32) : '',
  };
  if ('refused' in asked)
    return settingsPage(c, s, {
      flash: { kind: 'error', text: s.scheduleRefused['no-time'] },
      status: 400,
      form,
    });
  try {
    await c.env.settings.schedule(c.get('access'), asked);
  } catch (error) {
    const trouble = storeTrouble(s, error);
    if (trouble !== null) return settingsPage(c, s, { ...trouble, form });
    const known = toAppError(error);
    const text = known === null ? null : scheduleRefusal(c, s, known);
    if (text === null) throw error;
    return settingsPage(c, s, {
      flash: { kind: 'error', text },
      status: known?.status ?? 400,
      form,
    });
  }
  return c.redirect('/settings?done=scheduled#schedules', 303);
});

settings.post('/schedules/:id/cancel', async (c) => {
  const s = strings(c);
  const id = c.req.param('id').slice(0, MAX_SCHEDULE_ID_CHARS);
  let result: Awaited<ReturnType<typeof c.env.settings.cancelSchedule>>;
  try {
    result = await c.env.settings.cancelSchedule(c.get('access'), id);
  } catch (error) {
    const trouble = storeTrouble(s, error);
    if (trouble === null) throw error;
    return settingsPage(c, s, trouble);
  }
  if (result.ok) return c.redirect('/settings?done=cancelled#schedules', 303);
  // Someone else was first (or the time came): nothing changed; say what became of it.
  const text = scheduleGone(s, result.fate);
  return settingsPage(c, s, { flash: { kind: 'error', text }, status: 409 });
});

settings.post('/:product', async (c) => {
  const s = strings(c);
  const form = await c.req.parseBody();
  const product = c.req.param('product');
  if (!isProductId(product)) throw new AppError('not_found', 'No such product.');
  const ifMatch = shownVersion(form.version);
  try {
    await c.env.settings.change(c.get('access'), {
      product,
      ...changeForm(form),
      ...(ifMatch !== undefined ? { ifMatch } : {}),
    });
  } catch (error) {
    const trouble = storeTrouble(s, error);
    if (trouble !== null) return settingsPage(c, s, trouble);
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
    return settingsPage(c, s, { flash: { kind: 'error', text }, status: 409 });
  }
  return c.redirect(`/settings?saved=${product}`, 303);
});

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
