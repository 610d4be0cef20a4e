/** @jsxImportSource hono/jsx */
import type { FC } from 'hono/jsx';
import type { ProductId } from '../catalogue/types';
import type { ScheduledChange } from '../model/changes';
import type { ProductState } from '../model/state';
import type { ToggleMode } from '../model/toggle';
import type { Strings } from '../i18n';
import { formatDateTime } from '../i18n';
import { modeLabel } from './mode-label';

/** The new-schedule form's values, kept when the change is refused. */
export interface ScheduleForm {
  product: ProductId | '';
  mode: ToggleMode | '';
  /** As the field holds it: `YYYY-MM-DDTHH:MM[:SS]`, the admin's local time (UTC without script). */
  at: string;
}

export const EMPTY_SCHEDULE_FORM: ScheduleForm = { product: '', mode: '', at: '' };

/**
 * Pending scheduled changes, each cancellable by who may change its product, and a new one. The
 * time is entered in the admin's own time: the page's script shows the zone, the UTC equivalent
 * and the current time, and sends the UTC instant (`atUtc`); without script the field is UTC and
 * says so.
 */
export const Schedules: FC<{
  s: Strings;
  states: ProductState[];
  writable: ReadonlySet<ProductId>;
  csrf: string;
  schedules: readonly ScheduledChange[];
  form: ScheduleForm;
  now: number;
}> = ({ s, states, writable, csrf, schedules, form, now }) => {
  const open = states.filter((st) => writable.has(st.product) && !st.locked);
  const nowIso = new Date(now).toISOString();
  return (
    <section class="product" aria-labelledby="h-schedules" id="schedules">
      <h2 id="h-schedules">{s.schedules}</h2>
      <p class="meta">{s.scheduleIntro}</p>
      {schedules.length === 0 ? (
        <p>{s.scheduleNone}</p>
      ) : (
        <ul>
          {schedules.map((sc) => (
            <li data-schedule={sc.id}>
              <strong>{s.products[sc.product]}</strong>:{' '}
              {s.scheduleItem(
                modeLabel(s, sc.mode),
                formatDateTime(s, sc.at),
                sc.actor.name || sc.actor.upn,
              )}{' '}
              {writable.has(sc.product) ? (
                <form method="post" action={`/settings/schedules/${sc.id}/cancel`} class="inline">
                  <input type="hidden" name="csrf" value={csrf} />
                  <button type="submit" class="secondary">
                    {s.scheduleCancel}
                  </button>
                </form>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {open.length === 0 ? null : (
        <form method="post" action="/settings/schedules" data-schedule-form="">
          <input type="hidden" name="csrf" value={csrf} />
          <label for="schedule-product">{s.auditProduct}</label>
          <select id="schedule-product" name="product">
            {open.map((st) => (
              <option value={st.product} selected={form.product === st.product}>
                {s.products[st.product]}
              </option>
            ))}
          </select>
          <label for="schedule-mode">{s.scheduleMode}</label>
          <select id="schedule-mode" name="mode">
            {(['on', 'observe', 'off'] as const).map((m) => (
              <option value={m} selected={form.mode === m}>
                {modeLabel(s, m)}
              </option>
            ))}
          </select>
          <label
            for="schedule-at"
            id="schedule-at-label"
            data-local-label={s.scheduleAtLocal('{zone}')}
          >
            {s.scheduleAt}
          </label>
          <input
            id="schedule-at"
            name="at"
            type="datetime-local"
            step="1"
            required
            value={form.at}
            aria-describedby="schedule-utc schedule-now"
          />
          <input type="hidden" name="atUtc" id="schedule-at-utc" value="" />
          <p
            class="meta"
            id="schedule-utc"
            data-template={s.scheduleUtc('{utc}')}
            aria-live="polite"
          ></p>
          <p class="meta" id="schedule-now" data-template={s.scheduleNow('{local}', '{utc}')}>
            {s.scheduleNowUtc(formatDateTime(s, nowIso))}
          </p>
          <div class="actions">
            <button type="submit">{s.scheduleAdd}</button>
          </div>
        </form>
      )}
    </section>
  );
};
