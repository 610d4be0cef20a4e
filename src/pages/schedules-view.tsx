/** @jsxImportSource hono/jsx */
import type { FC } from 'hono/jsx';
import type { ProductId } from '../catalogue/types';
import type { ScheduledChange } from '../objects/types';
import type { ProductState } from '../store/state';
import type { Strings } from '../i18n';
import { formatDateTime } from '../i18n';
import { modeLabel } from './mode-label';

/** Pending scheduled changes, each cancellable by who may change its product, and a new one. */
export const Schedules: FC<{
  s: Strings;
  states: ProductState[];
  writable: ReadonlySet<ProductId>;
  csrf: string;
  schedules: readonly ScheduledChange[];
}> = ({ s, states, writable, csrf, schedules }) => {
  const open = states.filter((st) => writable.has(st.product) && !st.locked);
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
        <form method="post" action="/settings/schedules">
          <input type="hidden" name="csrf" value={csrf} />
          <label for="schedule-product">{s.auditProduct}</label>
          <select id="schedule-product" name="product">
            {open.map((st) => (
              <option value={st.product}>{s.products[st.product]}</option>
            ))}
          </select>
          <label for="schedule-mode">{s.scheduleMode}</label>
          <select id="schedule-mode" name="mode">
            {(['on', 'observe', 'off'] as const).map((m) => (
              <option value={m}>{modeLabel(s, m)}</option>
            ))}
          </select>
          <label for="schedule-at">{s.scheduleAt}</label>
          <input id="schedule-at" name="at" type="datetime-local" step="1" required />
          <div class="actions">
            <button type="submit">{s.scheduleAdd}</button>
          </div>
        </form>
      )}
    </section>
  );
};
