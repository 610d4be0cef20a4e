import type { ProductId } from '../catalogue/types';

/** The report counts by the hour: an hour is `floor(epoch ms / HOUR_MS)`. */
export const HOUR_MS = 3_600_000;

/** Distinct path templates stored per product and hour; more are summed under `OTHER_TEMPLATE`. */
export const MAX_TEMPLATES_PER_HOUR = 200;
export const OTHER_TEMPLATE = '(other)';

/** What one count is of: a decision (`redirect`/`pass`, key = reason) or an unmapped path. */
export type CountKind = 'redirect' | 'pass' | 'template';

/** One counter of the migration report, as an isolate sends it: n events in one hour. */
export interface CountRow {
  /** Hours since the epoch (`floor(ms / 3 600 000)`). */
  hour: number;
  product: ProductId;
  kind: CountKind;
  /** The reason (`redirect`, `pass`) or the path template (`template`). */
  key: string;
  n: number;
}

export interface ProductReport {
  product: ProductId;
  /** Navigations to the legacy portal the edge decided on (redirected + passed). */
  navigations: number;
  redirected: number;
  /** Passed in observe mode that on would have redirected (also in `passed`). */
  observed: number;
  /** Passed, by reason. */
  passed: Record<string, number>;
  /** Paths no deep-link row knew (they land on the unified home), top 20 by count. */
  unmapped: { template: string; count: number }[];
}

export interface ReportWindow {
  window: '24h' | '7d';
  /** First hour counted (ISO), inclusive; the window runs to now. */
  from: string;
  products: ProductReport[];
}

export interface MigrationReport {
  generatedAt: string;
  windows: ReportWindow[];
  /** The last 24 hours, per product, oldest first: for the page's chart. */
  hourly: { product: ProductId; hours: ReportBucket[] }[];
  /** The last 7 UTC days (today's so far last), per product: the page's 7-day chart. */
  daily: { product: ProductId; days: ReportBucket[] }[];
}

/** One bar of a chart: the navigations counted from `at` for an hour or a day. */
export interface ReportBucket {
  at: string;
  redirected: number;
  /** Passed, observe included. */
  passed: number;
  /** Passed in observe mode that on would have redirected. */
  observed: number;
}
