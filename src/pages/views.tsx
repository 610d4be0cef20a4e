/** @jsxImportSource hono/jsx */
import type { Child, FC } from 'hono/jsx';
import { DIRECTORY_ROLES } from '../catalogue/roles';
import type { ProductId } from '../catalogue/types';
import type { AuditEntry, ToggleMode } from '../store/records';
import type { ProductState } from '../store/state';
import type { ScheduledChange } from '../objects/types';
import { modeLabel } from './mode-label';
import { Schedules } from './schedules-view';
import type { Strings } from '../i18n';
import { formatDateTime } from '../i18n';
import { CSS, SCRIPT } from './assets';

export interface Viewer {
  name: string;
  tenant: string;
}

export const Layout: FC<{
  s: Strings;
  nonce: string;
  title: string;
  viewer?: Viewer | null;
  csrf?: string;
  script?: boolean;
  children?: Child;
}> = ({ s, nonce, title, viewer, csrf, script, children }) => (
  <html lang={s.lang}>
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{title}</title>
      {/* Constant text of our own: not escaped (escaping would break the CSS and the script). */}
      <style nonce={nonce} dangerouslySetInnerHTML={{ __html: CSS }} />
    </head>
    <body>
      <header>
        <h1>{s.title}</h1>
        <nav aria-label="account">
          <a
            href={`?lang=${s.lang === 'nl' ? 'en' : 'nl'}`}
            hreflang={s.lang === 'nl' ? 'en' : 'nl'}
            lang={s.lang === 'nl' ? 'en' : 'nl'}
          >
            {s.switchLanguage}
          </a>
          {viewer ? (
            <>
              {' · '}
              {s.signedInAs} {viewer.name} ({s.tenant} {viewer.tenant}){' '}
              <form method="post" action="/auth/logout" class="inline">
                <input type="hidden" name="csrf" value={csrf ?? ''} />
                <button type="submit">{s.signOut}</button>
              </form>
            </>
          ) : null}
        </nav>
      </header>
      <main>{children}</main>
      {script ? <script nonce={nonce} dangerouslySetInnerHTML={{ __html: SCRIPT }} /> : null}
    </body>
  </html>
);

const ConfirmForm: FC<{
  s: Strings;
  product: ProductId;
  mode: ToggleMode;
  csrf: string;
  inDialog: boolean;
}> = ({ s, product, mode, csrf, inDialog }) => {
  const id = `${product}${mode === 'observe' ? '-observe' : ''}`;
  return (
    <form method="post" action={`/settings/${product}`}>
      <h2 id={`confirm-${id}-title`}>
        {mode === 'on'
          ? s.confirmEnableTitle
          : mode === 'observe'
            ? s.confirmObserveTitle
            : s.confirmDisableTitle}
      </h2>
      <p>
        {mode === 'on'
          ? product === 'cloudapps'
            ? s.confirmEnableTextCloudApps
            : s.confirmEnableText
          : mode === 'observe'
            ? s.confirmObserveText
            : s.confirmDisableText}
      </p>
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="mode" value={mode} />
      {mode !== 'off' ? null : (
        <>
          <label for={`feedback-${product}${inDialog ? '-d' : ''}`}>{s.feedbackLabel}</label>
          <textarea
            id={`feedback-${product}${inDialog ? '-d' : ''}`}
            name="feedback"
            rows={4}
            maxlength={2000}
          ></textarea>
        </>
      )}
      <div class="actions">
        <button type="submit">
          {mode === 'on' ? s.enable : mode === 'observe' ? s.observeButton : s.disableAndFeedback}
        </button>
        {inDialog ? (
          <button type="button" class="secondary" data-close="">
            {s.cancel}
          </button>
        ) : (
          <a class="button secondary" href="/settings">
            {s.cancel}
          </a>
        )}
      </div>
    </form>
  );
};

/**
 * A change button and its dialog. The on/off flip keeps the dialog id `dialog-<product>`;
 * observe has its own, `dialog-<product>-observe`.
 */
const ChangeButton: FC<{ s: Strings; product: ProductId; mode: ToggleMode; csrf: string }> = ({
  s,
  product,
  mode,
  csrf,
}) => {
  const id = `${product}${mode === 'observe' ? '-observe' : ''}`;
  return (
    <>
      <form method="get" action={`/settings/confirm/${product}`} data-confirm={`dialog-${id}`}>
        <input type="hidden" name="mode" value={mode} />
        <button type="submit" class={mode === 'on' ? '' : 'secondary'}>
          {mode === 'on' ? s.enable : mode === 'observe' ? s.observeButton : s.disable}
        </button>
      </form>
      <dialog id={`dialog-${id}`} aria-labelledby={`confirm-${id}-title`}>
        <ConfirmForm s={s} product={product} mode={mode} csrf={csrf} inDialog={true} />
      </dialog>
    </>
  );
};

export const SettingsPage: FC<{
  s: Strings;
  states: ProductState[];
  writable: ReadonlySet<ProductId>;
  csrf: string;
  flash: { kind: 'ok' | 'error'; text: string } | null;
  schedules: readonly ScheduledChange[];
  children?: Child;
}> = ({ s, states, writable, csrf, flash, schedules, children }) => (
  <>
    <p>{s.intro}</p>
    {flash ? (
      <p class={flash.kind === 'ok' ? 'flash' : 'flash error'} role="status">
        {flash.text}
      </p>
    ) : null}
    {states.map((state) => {
      const canChange = writable.has(state.product) && !state.locked;
      // The on/off flip first, then observe unless it is the current mode.
      const targets: ToggleMode[] = [
        state.mode === 'on' ? 'off' : 'on',
        ...(state.mode === 'observe' ? ['off' as const] : ['observe' as const]),
      ];
      return (
        <section
          class="product"
          aria-labelledby={`h-${state.product}`}
          data-product={state.product}
        >
          <h2 id={`h-${state.product}`}>{s.sections[state.product]}</h2>
          <p>
            <span class={`state ${state.mode}`} data-state={state.mode}>
              {modeLabel(s, state.mode)}
            </span>{' '}
            · {state.source === 'default' ? s.sourceDefault : s.sourceTenant}
          </p>
          {state.mode === 'observe' ? <p class="meta">{s.observeHelp}</p> : null}
          {state.locked ? <p class="meta">{s.locked}</p> : null}
          <p class="meta">
            {state.changedAt && state.changedBy
              ? s.changedBy(
                  state.changedBy.name || state.changedBy.oid || '?',
                  formatDateTime(s, state.changedAt),
                )
              : s.neverChanged}
          </p>
          {canChange ? (
            <div class="actions">
              {targets.map((mode) => (
                <ChangeButton s={s} product={state.product} mode={mode} csrf={csrf} />
              ))}
            </div>
          ) : state.locked ? null : (
            <p class="note">
              {s.readOnly(
                state.product === 'cloudapps' ? s.writeRoles.cloudapps : s.writeRoles.admins,
              )}
            </p>
          )}
        </section>
      );
    })}
    <Schedules s={s} states={states} writable={writable} csrf={csrf} schedules={schedules} />
    {children}
    <p>
      <a href="/settings/audit">{s.audit}</a>
    </p>
  </>
);

export const ConfirmPage: FC<{ s: Strings; product: ProductId; mode: ToggleMode; csrf: string }> = (
  props,
) => (
  <section class="product">
    <ConfirmForm {...props} inDialog={false} />
  </section>
);

export const AuditPage: FC<{
  s: Strings;
  entries: Omit<AuditEntry, 'version'>[];
  cursor: string | null;
}> = ({ s, entries, cursor }) => (
  <>
    <h2>{s.audit}</h2>
    <p>{s.auditIntro}</p>
    {entries.length === 0 ? (
      <p>{s.noEntries}</p>
    ) : (
      <table class="audit">
        <thead>
          <tr>
            <th scope="col">{s.auditWhen}</th>
            <th scope="col">{s.auditWho}</th>
            <th scope="col">{s.auditProduct}</th>
            <th scope="col">{s.auditChange}</th>
            <th scope="col">{s.auditFeedback}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr data-entry={e.id}>
              <td>
                <time datetime={e.at}>{formatDateTime(s, e.at)}</time>
              </td>
              <td>{e.actor.name || e.actor.upn || e.actor.oid}</td>
              <td>{s.products[e.product] ?? e.product}</td>
              <td>
                {e.mode === 'on'
                  ? s.turnedOn
                  : e.mode === 'observe'
                    ? s.turnedObserve
                    : s.turnedOff}
                {e.via === 'schedule' ? (
                  <span class="meta"> ({s.viaSchedule(e.actor.name || e.actor.upn)})</span>
                ) : null}
              </td>
              <td>{e.feedback ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
    <p class="export">
      {s.exportAudit} <a href="/settings/audit/export?format=csv">{s.exportCsv}</a>{' '}
      <a href="/settings/audit/export?format=json">{s.exportJson}</a>
    </p>
    <p class="actions">
      <a href="/settings">{s.back}</a>
      {cursor ? (
        <a href={`/settings/audit?cursor=${encodeURIComponent(cursor)}`}>{s.older}</a>
      ) : null}
    </p>
  </>
);

export const SignInPage: FC<{
  s: Strings;
  dev: boolean;
  production: boolean;
  csrf: string;
  tenant: string;
}> = ({ s, dev, production, csrf, tenant }) => (
  <>
    <p>{s.intro}</p>
    {production ? (
      <p>
        <a class="button" href="/auth/login">
          {s.signIn}
        </a>
      </p>
    ) : null}
    {dev ? (
      <section class="product">
        <h2>{s.devSignIn}</h2>
        <p class="meta">{s.devSignInHelp}</p>
        <form method="post" action="/auth/dev">
          <input type="hidden" name="csrf" value={csrf} />
          <label for="dev-tenant">{s.tenant}</label>
          <input id="dev-tenant" name="tenant" value={tenant} required pattern="[0-9a-fA-F-]{36}" />
          <label for="dev-role">{s.role}</label>
          <select id="dev-role" name="role">
            {Object.keys(DIRECTORY_ROLES).map((r) => (
              <option value={r}>{r}</option>
            ))}
          </select>
          <label for="dev-name">{s.name}</label>
          <input id="dev-name" name="name" value="Dev Admin" />
          <div class="actions">
            <button type="submit">{s.continue}</button>
          </div>
        </form>
      </section>
    ) : null}
  </>
);
