/** @jsxImportSource hono/jsx */
import { getCookie } from 'hono/cookie';
import type { AdminContext as Ctx } from '../auth/context';
import { csrfToken, ensureCsrf, LANG_COOKIE, setLanguage } from '../auth/session';
import { canWrite } from '../catalogue/roles';
import { toAppError } from '../errors';
import type { Strings } from '../i18n';
import { languageNamed, pickLanguage } from '../i18n';
import { ErrorPage, Layout, SignInPage } from './layout';
import { ReportSection } from './report-view';
import { EMPTY_SCHEDULE_FORM, type ScheduleForm, Schedules } from './schedules-view';
import { type Flash, SettingsPage } from './settings-view';

/** KV's replication after both caches expire (docs/configuration.md, "How fast a change is seen"). */
const KV_REPLICATION_SECONDS = 10;

/** The language for this request; `?lang=` is remembered in a cookie. */
export function strings(c: Ctx): Strings {
  const asked = c.req.query('lang');
  if (asked !== undefined && languageNamed(asked)) setLanguage(c, asked);
  return pickLanguage(asked ?? getCookie(c, LANG_COOKIE), c.req.header('accept-language'));
}

export const nonceOf = (c: Ctx) => c.get('secureHeadersNonce') ?? '';

export const viewerOf = (c: Ctx) => {
  const principal = c.get('principal');
  return { name: principal.name || principal.upn, tenant: principal.tenant };
};

/** The worst case until every location follows a change (both caches and KV's replication). */
export function reachSeconds(c: Ctx): number {
  const { toggleCacheTtlMs, kvCacheTtlSeconds } = c.env.config;
  return Math.round(toggleCacheTtlMs / 1000) + kvCacheTtlSeconds + KV_REPLICATION_SECONDS;
}

/**
 * The settings page, with a message and, after a refused schedule, the form as it was sent.
 * Refusals render it in place (with their status) rather than redirect, so nothing is lost.
 */
export async function settingsPage(
  c: Ctx,
  s: Strings,
  options: { flash?: Flash | null; status?: number; form?: ScheduleForm } = {},
): Promise<Response> {
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
  const now = Date.now();
  return c.html(
    <Layout s={s} nonce={nonceOf(c)} title={s.title} viewer={viewerOf(c)} csrf={csrf} script>
      <SettingsPage
        s={s}
        states={states}
        products={c.env.config.products}
        writable={writable}
        csrf={csrf}
        notes={{ reachSeconds: reachSeconds(c), now }}
        flash={options.flash ?? null}
      >
        <Schedules
          s={s}
          states={states}
          writable={writable}
          csrf={csrf}
          schedules={schedules}
          form={options.form ?? EMPTY_SCHEDULE_FORM}
          now={now}
        />
        <ReportSection s={s} report={report} />
      </SettingsPage>
    </Layout>,
    (options.status ?? 200) as 200,
  );
}

/** A busy store, a rate limit: said on the page with its status; anything else is `null`. */
export function storeTrouble(s: Strings, error: unknown): { flash: Flash; status: number } | null {
  const known = toAppError(error);
  if (known?.code === 'unavailable')
    return { flash: { kind: 'error', text: s.unavailable }, status: 503 };
  if (known?.code === 'rate_limited')
    return { flash: { kind: 'error', text: s.rateLimited }, status: 429 };
  return null;
}

export function signInPage(c: Ctx): Response | Promise<Response> {
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
