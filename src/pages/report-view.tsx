/** @jsxImportSource hono/jsx */
import type { FC } from 'hono/jsx';
import type { MigrationReport, ProductReport } from '../objects/types';
import type { Strings } from '../i18n';

const BAR_W = 10;
const GAP = 2;
const CHART_H = 60;
/** Unmapped templates shown per product on the page (the API has the top 20). */
const TEMPLATES_SHOWN = 5;

/**
 * The last 24 hours of one product as bars, drawn on the server: SVG with presentation
 * attributes only (no style attribute, no script, no external asset), so the page's CSP holds.
 * Dark: redirected, or would have been (observe); light: stayed on the legacy portal.
 */
export const HourlyChart: FC<{
  title: string;
  id: string;
  hours: MigrationReport['hourly'][number]['hours'];
}> = ({ title, id, hours }) => {
  const max = Math.max(1, ...hours.map((h) => h.redirected + h.passed));
  const width = hours.length * (BAR_W + GAP);
  return (
    <svg
      class="chart"
      role="img"
      aria-labelledby={id}
      viewBox={`0 0 ${width} ${CHART_H + 1}`}
      width={width * 2}
      height={(CHART_H + 1) * 2}
      data-chart=""
    >
      <title id={id}>{title}</title>
      <line x1="0" y1={CHART_H} x2={width} y2={CHART_H} stroke="#888" stroke-width="0.5" />
      {hours.map((h, i) => {
        const moved = h.redirected + h.observed;
        const stayed = h.passed - h.observed;
        const movedH = (moved / max) * CHART_H;
        const stayedH = (stayed / max) * CHART_H;
        const x = i * (BAR_W + GAP);
        return (
          <g data-hour={h.at}>
            <rect x={x} y={CHART_H - movedH} width={BAR_W} height={movedH} fill="#1b3a5c" />
            <rect
              x={x}
              y={CHART_H - movedH - stayedH}
              width={BAR_W}
              height={stayedH}
              fill="#9fb6cf"
            />
          </g>
        );
      })}
    </svg>
  );
};

const Figures: FC<{ s: Strings; day: ProductReport; week: ProductReport }> = ({ s, day, week }) => {
  const row = (label: string, pick: (r: ProductReport) => number, key: string) => (
    <tr data-figure={key}>
      <th scope="row">{label}</th>
      <td>{pick(day)}</td>
      <td>{pick(week)}</td>
    </tr>
  );
  const stayed = (r: ProductReport) =>
    Object.values(r.passed).reduce((a, b) => a + b, 0) - r.observed;
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
        {row(s.reportPassed, stayed, 'passed')}
      </tbody>
    </table>
  );
};

/** The report section of the settings page: per product, figures, a chart and unknown pages. */
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
  return (
    <section class="product" aria-labelledby="h-report" id="report">
      <h2 id="h-report">{s.report}</h2>
      <p class="meta">{s.reportIntro}</p>
      <p class="meta">{s.reportChartLegend}</p>
      {report.hourly.map(({ product, hours }) => {
        const d = day?.products.find((p) => p.product === product);
        const w = week?.products.find((p) => p.product === product);
        if (!d || !w) return null;
        return (
          <div class="report-product" data-report={product}>
            <h3>{s.products[product]}</h3>
            {w.navigations === 0 ? (
              <p class="meta">{s.reportNone}</p>
            ) : (
              <>
                <Figures s={s} day={d} week={w} />
                <HourlyChart
                  title={s.reportChartTitle(s.products[product])}
                  id={`chart-${product}`}
                  hours={hours}
                />
                {w.unmapped.length === 0 ? null : (
                  <>
                    <p class="meta">{s.reportUnmapped}</p>
                    <ul class="templates">
                      {w.unmapped.slice(0, TEMPLATES_SHOWN).map((t) => (
                        <li>
                          <code>{t.template}</code> · {t.count}
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
