/** @jsxImportSource hono/jsx */
import type { FC } from 'hono/jsx';

import {
  type MigrationReport,
  MAX_TEMPLATES_PER_HOUR,
  OTHER_TEMPLATE,
  type ProductReport,
  type ReportBucket,
} from '../model/report';
import type { Strings } from '../i18n';
import { isObservedReason, type NamedPassReason } from '../core/reasons';

/** Unmapped templates shown per product on the page (the API has the top 20). */
const TEMPLATES_SHOWN = 5;
const MOVED = '#1b3a5c';
const STAYED = '#9fb6cf';

/** Chart geometry, in SVG user units. */
const PLOT_H = 120;
const LEFT = 40;
const TOP = 10;
const BOTTOM = 34;
const RIGHT = 8;

/** A round top for the y axis: 1, 2 or 5 times a power of ten, at least `max`. */
function niceMax(max: number): number {
  if (max <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

const moved = (b: ReportBucket) => b.redirected + b.observed;
const stayed = (b: ReportBucket) => b.passed - b.observed;

/**
 * A bar chart drawn on the server: SVG with presentation attributes only (no style attribute, no
 * script, no external asset), so the page's CSP holds. Each bar: dark for redirected (or would
 * have been, in observe mode), light above it for stayed. A y axis with its scale, an x axis with
 * a label per `labelEvery` bars, and the axes' titles; the legend is beside it in the page.
 */
const BarChart: FC<{
  title: string;
  id: string;
  buckets: readonly ReportBucket[];
  label: (at: string) => string;
  labelEvery: number;
  xTitle: string;
  yTitle: string;
  barWidth: number;
}> = ({ title, id, buckets, label, labelEvery, xTitle, yTitle, barWidth }) => {
  const top = niceMax(Math.max(0, ...buckets.map((b) => moved(b) + stayed(b))));
  const gap = Math.max(2, Math.round(barWidth / 5));
  const plotW = buckets.length * (barWidth + gap);
  const width = LEFT + plotW + RIGHT;
  const height = TOP + PLOT_H + BOTTOM;
  const y = (n: number) => TOP + PLOT_H - (n / top) * PLOT_H;
  const ticks = [0, top / 2, top];
  return (
    <svg
      class="chart"
      role="img"
      aria-labelledby={id}
      viewBox={`0 0 ${width} ${height}`}
      width={width * 1.6}
      height={height * 1.6}
      data-chart=""
    >
      <title id={id}>{title}</title>
      {ticks.map((t) => (
        <g data-tick={String(t)}>
          <line
            x1={LEFT}
            y1={y(t)}
            x2={LEFT + plotW}
            y2={y(t)}
            stroke="#d8d8d8"
            stroke-width="0.5"
          />
          <text x={LEFT - 4} y={y(t) + 3} font-size="8" text-anchor="end" fill="#333">
            {Number.isInteger(t) ? String(t) : t.toFixed(1)}
          </text>
        </g>
      ))}
      <line x1={LEFT} y1={TOP} x2={LEFT} y2={TOP + PLOT_H} stroke="#555" stroke-width="0.75" />
      <line
        x1={LEFT}
        y1={TOP + PLOT_H}
        x2={LEFT + plotW}
        y2={TOP + PLOT_H}
        stroke="#555"
        stroke-width="0.75"
      />
      {buckets.map((b, i) => {
        const x = LEFT + i * (barWidth + gap) + gap / 2;
        const m = moved(b);
        const st = stayed(b);
        return (
          <g data-bucket={b.at}>
            <rect x={x} y={y(m)} width={barWidth} height={TOP + PLOT_H - y(m)} fill={MOVED} />
            <rect x={x} y={y(m + st)} width={barWidth} height={y(m) - y(m + st)} fill={STAYED} />
            {i % labelEvery === 0 ? (
              <text
                x={x + barWidth / 2}
                y={TOP + PLOT_H + 11}
                font-size="8"
                text-anchor="middle"
                fill="#333"
              >
                {label(b.at)}
              </text>
            ) : null}
          </g>
        );
      })}
      <text x={LEFT + plotW / 2} y={height - 4} font-size="8" text-anchor="middle" fill="#333">
        {xTitle}
      </text>
      <text
        x="9"
        y={TOP + PLOT_H / 2}
        font-size="8"
        text-anchor="middle"
        fill="#333"
        transform={`rotate(-90 9 ${TOP + PLOT_H / 2})`}
      >
        {yTitle}
      </text>
    </svg>
  );
};

/** The numbers behind a chart, for screen readers and anyone who wants them. */
const BucketTable: FC<{
  s: Strings;
  head: string;
  buckets: readonly ReportBucket[];
  label: (at: string) => string;
}> = ({ s, head, buckets, label }) => (
  <table class="report">
    <thead>
      <tr>
        <th scope="col">{head}</th>
        <th scope="col">{s.reportLegendMoved}</th>
        <th scope="col">{s.reportLegendStayed}</th>
      </tr>
    </thead>
    <tbody>
      {buckets.map((b) => (
        <tr>
          <th scope="row">{label(b.at)}</th>
          <td>{moved(b)}</td>
          <td>{stayed(b)}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

const Figures: FC<{ s: Strings; day: ProductReport; week: ProductReport }> = ({ s, day, week }) => {
  const row = (label: string, pick: (r: ProductReport) => number, key: string) => (
    <tr data-figure={key}>
      <th scope="row">{label}</th>
      <td>{pick(day)}</td>
      <td>{pick(week)}</td>
    </tr>
  );
  const stayedTotal = (r: ProductReport) =>
    Object.values(r.passed).reduce((a, b) => a + b, 0) - r.observed;
  // Observed navigations have their own row; the others passed for the reasons listed.
  const reasons = Object.keys(week.passed).filter(
    (reason) => !isObservedReason(reason) && (week.passed[reason] ?? 0) > 0,
  );
  const words = (reason: string) =>
    Object.hasOwn(s.passReasons, reason) ? s.passReasons[reason as NamedPassReason] : reason;
  return (
    <table class="report">
      <thead>
        <tr>
          <td></td>
          <th scope="col">{s.report24h}</th>
          <th scope="col">{s.report7d}</th>
        </tr>
      </thead>
      <tbody>
        {row(s.reportNavigations, (r) => r.navigations, 'navigations')}
        {row(s.reportRedirected, (r) => r.redirected, 'redirected')}
        {row(s.reportObserved, (r) => r.observed, 'observed')}
        {row(s.reportPassed, stayedTotal, 'passed')}
        {reasons.map((reason) =>
          row(`· ${words(reason)}`, (r) => r.passed[reason] ?? 0, `passed-${reason}`),
        )}
      </tbody>
    </table>
  );
};

/** The report section of the settings page: per product, figures, two charts and unknown pages. */
export const ReportSection: FC<{ s: Strings; report: MigrationReport | null }> = ({
  s,
  report,
}) => {
  if (report === null)
    return (
      <section class="product" aria-labelledby="h-report" id="report">
        <h2 id="h-report">{s.report}</h2>
        <p class="meta">{s.reportUnavailable}</p>
      </section>
    );
  const [day, week] = report.windows;
  const hourLabel = (at: string) => at.slice(11, 13);
  const dayFormat = new Intl.DateTimeFormat(s.locale, {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
  const dayLabel = (at: string) => dayFormat.format(new Date(at));
  const hourRow = (at: string) => `${at.slice(0, 10)} ${at.slice(11, 16)}`;
  return (
    <section class="product" aria-labelledby="h-report" id="report">
      <h2 id="h-report">{s.report}</h2>
      <p class="meta">{s.reportIntro}</p>
      {report.hourly.map(({ product, hours }) => {
        const d = day?.products.find((p) => p.product === product);
        const w = week?.products.find((p) => p.product === product);
        const days = report.daily.find((x) => x.product === product)?.days ?? [];
        if (!d || !w) return null;
        const name = s.products[product];
        return (
          <div class="report-product" data-report={product}>
            <h3>{name}</h3>
            {w.navigations === 0 ? (
              <p class="meta">{s.reportNone}</p>
            ) : (
              <>
                <Figures s={s} day={d} week={w} />
                <p class="legend" aria-hidden="true">
                  <span>
                    <span class="swatch moved"></span>
                    {s.reportLegendMoved}
                  </span>
                  <span>
                    <span class="swatch stayed"></span>
                    {s.reportLegendStayed}
                  </span>
                </p>
                <div class="charts">
                  <BarChart
                    title={s.reportChartTitle(name)}
                    id={`chart-${product}`}
                    buckets={hours}
                    label={hourLabel}
                    labelEvery={3}
                    xTitle={s.reportAxisHours}
                    yTitle={s.reportAxisVisits}
                    barWidth={10}
                  />
                  <BarChart
                    title={s.reportDailyTitle(name)}
                    id={`chart-${product}-7d`}
                    buckets={days}
                    label={dayLabel}
                    labelEvery={1}
                    xTitle={s.reportAxisDays}
                    yTitle={s.reportAxisVisits}
                    barWidth={24}
                  />
                </div>
                <details>
                  <summary>{s.reportShowNumbers}</summary>
                  <BucketTable s={s} head={s.reportAxisHours} buckets={hours} label={hourRow} />
                  <BucketTable s={s} head={s.reportAxisDays} buckets={days} label={dayLabel} />
                </details>
                {w.unmapped.length === 0 ? null : (
                  <>
                    <p class="meta">{s.reportUnmapped}</p>
                    <ul class="templates">
                      {w.unmapped.slice(0, TEMPLATES_SHOWN).map((t) => (
                        <li>
                          {t.template === OTHER_TEMPLATE ? (
                            s.reportOther(MAX_TEMPLATES_PER_HOUR)
                          ) : (
                            <code>{t.template}</code>
                          )}{' '}
                          · {t.count}
                        </li>
                      ))}
                    </ul>
                  </>
                )}
              </>
            )}
          </div>
        );
      })}
    </section>
  );
};
