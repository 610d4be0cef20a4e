import { PRODUCT_IDS, type ProductId } from '../catalogue/types';
import { isObservedReason, isReason, NAMED_PASS_REASONS } from '../core/reasons';
import {
  type CountRow,
  HOUR_MS,
  MAX_TEMPLATES_PER_HOUR,
  OTHER_TEMPLATE,
  type MigrationReport,
  type ProductReport,
  type ReportBucket,
  type ReportWindow,
} from '../model/report';

/** Hourly counters of the migration report (docs/kv-schema.md), created with the other tables. */
export const REPORT_SCHEMA = `
CREATE TABLE IF NOT EXISTS report_counts (
  hour INTEGER NOT NULL,
  product TEXT NOT NULL,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (hour, product, kind, key)
);
`;

/** Hours kept: the 7-day window plus the hour under way. */
export const REPORT_KEEP_HOURS = 7 * 24 + 1;
/** Rows one batch may carry (an isolate holds at most 10 000 counters, all tenants together). */
export const MAX_BATCH_ROWS = 10_000;
const TOP_TEMPLATES = 20;
const MAX_TEMPLATE_CHARS = 300;
// What pathTemplate makes: words and placeholders, never an escape, a query or a space.
const TEMPLATE = /^\/(?:[a-z:][a-z._-]*(?:\/[a-z:][a-z._-]*)*(?:\/\*)?)?$/;

/** Why a batch is refused (`null`: valid). The Worker sends it, but the object stores nothing it cannot read. */
export function invalidBatch(rows: unknown, now: number): string | null {
  if (!Array.isArray(rows) || rows.length > MAX_BATCH_ROWS)
    return `rows must be an array of at most ${MAX_BATCH_ROWS}`;
  const current = Math.floor(now / HOUR_MS);
  for (const r of rows as CountRow[]) {
    if (typeof r !== 'object' || r === null) return 'row must be an object';
    if (!Number.isSafeInteger(r.hour) || r.hour > current + 1) return 'hour is not valid';
    if (!(PRODUCT_IDS as readonly unknown[]).includes(r.product)) return 'unknown product';
    if (!Number.isSafeInteger(r.n) || r.n < 1) return 'n must be a positive integer';
    if (r.kind === 'template') {
      if (typeof r.key !== 'string' || r.key.length > MAX_TEMPLATE_CHARS || !TEMPLATE.test(r.key))
        return 'template is not valid';
    } else if (r.kind === 'redirect' || r.kind === 'pass') {
      if (!isReason(r.key)) return 'unknown reason';
    } else return 'unknown kind';
  }
  return null;
}

/** Typed statements over `report_counts`. */
export class ReportSql {
  constructor(private readonly sql: SqlStorage) {}

  /** Add a batch (inside the caller's transaction) and drop hours past the 7-day window. */
  add(rows: readonly CountRow[], now: number): void {
    const current = Math.floor(now / HOUR_MS);
    for (const r of rows) {
      if (r.hour < current - REPORT_KEEP_HOURS) continue;
      let key = r.key;
      if (r.kind === 'template' && !this.hasTemplate(r.hour, r.product, key)) {
        const stored = this.sql
          .exec<{ n: number }>(
            `SELECT COUNT(*) AS n FROM report_counts WHERE hour = ? AND product = ? AND kind = 'template'`,
            r.hour,
            r.product,
          )
          .one().n;
        if (stored >= MAX_TEMPLATES_PER_HOUR) key = OTHER_TEMPLATE;
      }
      this.sql.exec(
        `INSERT INTO report_counts (hour, product, kind, key, n) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (hour, product, kind, key) DO UPDATE SET n = n + excluded.n`,
        r.hour,
        r.product,
        r.kind,
        key,
        r.n,
      );
    }
    this.sql.exec('DELETE FROM report_counts WHERE hour < ?', current - REPORT_KEEP_HOURS);
  }

  private hasTemplate(hour: number, product: string, key: string): boolean {
    return (
      this.sql
        .exec(
          `SELECT 1 FROM report_counts WHERE hour = ? AND product = ? AND kind = 'template' AND key = ?`,
          hour,
          product,
          key,
        )
        .toArray().length > 0
    );
  }

  report(now: number): MigrationReport {
    const current = Math.floor(now / HOUR_MS);
    const windows: ReportWindow[] = [
      this.window('24h', current - 23),
      this.window('7d', current - (7 * 24 - 1)),
    ];
    const hourly = PRODUCT_IDS.map((product) => ({
      product,
      hours: this.buckets(product, current - 23, 24, 1),
    }));
    // The 7 UTC days up to today: the earliest starts at most 167 hours ago, within what is kept.
    const today = Math.floor(current / 24) * 24;
    const daily = PRODUCT_IDS.map((product) => ({
      product,
      days: this.buckets(product, today - 6 * 24, 7, 24),
    }));
    return { generatedAt: new Date(now).toISOString(), windows, hourly, daily };
  }

  /** `count` buckets of `hoursEach` hours from `fromHour`: a chart's bars, oldest first. */
  private buckets(
    product: ProductId,
    fromHour: number,
    count: number,
    hoursEach: number,
  ): ReportBucket[] {
    const rows = this.sql
      .exec<{ hour: number; kind: string; key: string; n: number }>(
        `SELECT hour, kind, key, SUM(n) AS n FROM report_counts
         WHERE hour >= ? AND hour < ? AND product = ? AND kind != 'template'
         GROUP BY hour, kind, key`,
        fromHour,
        fromHour + count * hoursEach,
        product,
      )
      .toArray();
    const buckets = Array.from({ length: count }, (_, i) => ({
      at: new Date((fromHour + i * hoursEach) * HOUR_MS).toISOString(),
      redirected: 0,
      passed: 0,
      observed: 0,
    }));
    for (const r of rows) {
      const b = buckets[Math.floor((r.hour - fromHour) / hoursEach)];
      if (b === undefined) continue;
      if (r.kind === 'redirect') b.redirected += r.n;
      else {
        b.passed += r.n;
        if (isObservedReason(r.key)) b.observed += r.n;
      }
    }
    return buckets;
  }

  private window(window: '24h' | '7d', fromHour: number): ReportWindow {
    const products = PRODUCT_IDS.map((product): ProductReport => {
      const passed: Record<string, number> = {};
      for (const reason of NAMED_PASS_REASONS) passed[reason] = 0;
      let redirected = 0;
      let observed = 0;
      const decisions = this.sql
        .exec<{ kind: string; key: string; n: number }>(
          `SELECT kind, key, SUM(n) AS n FROM report_counts
           WHERE hour >= ? AND product = ? AND kind != 'template' GROUP BY kind, key`,
          fromHour,
          product,
        )
        .toArray();
      for (const d of decisions) {
        if (d.kind === 'redirect') redirected += d.n;
        else {
          passed[d.key] = (passed[d.key] ?? 0) + d.n;
          if (isObservedReason(d.key)) observed += d.n;
        }
      }
      const passedTotal = Object.values(passed).reduce((a, b) => a + b, 0);
      const unmapped = this.sql
        .exec<{ template: string; count: number }>(
          `SELECT key AS template, SUM(n) AS count FROM report_counts
           WHERE hour >= ? AND product = ? AND kind = 'template'
           GROUP BY key ORDER BY count DESC, key LIMIT ?`,
          fromHour,
          product,
          TOP_TEMPLATES,
        )
        .toArray();
      return {
        product: product as ProductId,
        navigations: redirected + passedTotal,
        redirected,
        observed,
        passed,
        unmapped,
      };
    });
    return { window, from: new Date(fromHour * HOUR_MS).toISOString(), products };
  }
}
