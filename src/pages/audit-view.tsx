/** @jsxImportSource hono/jsx */
import type { FC } from 'hono/jsx';
import { PRODUCT_IDS } from '../catalogue/types';
import type { Strings } from '../i18n';
import { formatDateTime } from '../i18n';
import type { AuditEntry } from '../model/audit';
import { MAX_ACTOR_CHARS } from '../model/limits';
import { modeLabel } from './mode-label';

/** The audit view's filters, as the form sends them (dates are UTC days, `to` inclusive). */
export interface AuditFilters {
  product: string;
  actor: string;
  from: string;
  to: string;
}

/** The query string of a filtered view (empty filters left out), with a page's cursor. */
function auditQueryString(filters: AuditFilters, cursor?: string): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value !== '') params.set(name, value);
  if (cursor) params.set('cursor', cursor);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** What an entry did, in words: a change from -> to, or a scheduled change set or cancelled. */
function describe(s: Strings, e: Omit<AuditEntry, 'version'>): string {
  const when = e.scheduledFor ? formatDateTime(s, e.scheduledFor) : '';
  if (e.event === 'schedule-created') return s.auditScheduleCreated(modeLabel(s, e.mode), when);
  if (e.event === 'schedule-cancelled') return s.auditScheduleCancelled(modeLabel(s, e.mode), when);
  const verb = e.mode === 'on' ? s.turnedOn : e.mode === 'observe' ? s.turnedObserve : s.turnedOff;
  return `${verb}: ${s.fromTo(modeLabel(s, e.previousMode), modeLabel(s, e.mode))}`;
}

export const AuditPage: FC<{
  s: Strings;
  entries: Omit<AuditEntry, 'version'>[];
  cursor: string | null;
  filters: AuditFilters;
  invalid: boolean;
}> = ({ s, entries, cursor, filters, invalid }) => (
  <>
    <h2>{s.audit}</h2>
    <p>{s.auditIntro}</p>
    <form method="get" action="/settings/audit" class="filters" aria-label={s.auditFilters}>
      <div>
        <label for="filter-product">{s.filterProduct}</label>
        <select id="filter-product" name="product">
          <option value="" selected={filters.product === ''}>
            {s.filterAllProducts}
          </option>
          {PRODUCT_IDS.map((p) => (
            <option value={p} selected={filters.product === p}>
              {s.products[p]}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="filter-actor">{s.filterActor}</label>
        <input id="filter-actor" name="actor" value={filters.actor} maxlength={MAX_ACTOR_CHARS} />
      </div>
      <div>
        <label for="filter-from">{s.filterFrom}</label>
        <input id="filter-from" name="from" type="date" value={filters.from} />
      </div>
      <div>
        <label for="filter-to">{s.filterTo}</label>
        <input id="filter-to" name="to" type="date" value={filters.to} />
      </div>
      <div class="actions">
        <button type="submit">{s.filterApply}</button>
        <a class="button secondary" href="/settings/audit">
          {s.filterClear}
        </a>
      </div>
    </form>
    {invalid ? (
      <p class="flash error" role="status">
        {s.filterInvalid}
      </p>
    ) : entries.length === 0 ? (
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
            <tr data-entry={e.id} data-event={e.event}>
              <td>
                <time datetime={e.at}>{formatDateTime(s, e.at)}</time>
              </td>
              <td>{e.actor.name || e.actor.upn || e.actor.oid}</td>
              <td>{s.products[e.product] ?? e.product}</td>
              <td>
                {describe(s, e)}
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
        <a href={`/settings/audit${auditQueryString(filters, cursor)}`}>{s.older}</a>
      ) : null}
    </p>
  </>
);
