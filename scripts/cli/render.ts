/**
 * The toggles CLI's answers for people: the settings API's JSON (or the KV state) as short
 * tables and sentences. `--json` skips all of this and prints the API's JSON as it came.
 */
import type { AuditEntry } from '../../src/model/audit.ts';
import type { ScheduledChange } from '../../src/model/changes.ts';
import type { MigrationReport, ProductReport } from '../../src/model/report.ts';
import type { ProductState } from '../../src/model/state.ts';
import type { ToggleMode } from '../../src/model/toggle.ts';
import { table, when } from './table.ts';

/** Unmapped path templates shown per product; the API keeps 20, `--json` has them all. */
const TOP_UNMAPPED = 5;
/** Pass reasons shown per row, most frequent first. */
const TOP_REASONS = 3;

export interface TenantState {
  tenantId: string;
  products: ProductState[];
}

/** `get`: one row per product. */
export function stateTable(state: TenantState, now = Date.now()): string {
  return table(
    ['product', 'mode', 'source', 'phase', 'changed by', 'when'],
    state.products.map((p) => [
      p.product,
      p.locked ? `${p.mode} (locked)` : p.mode,
      p.source,
      phaseText(p, now),
      p.changedBy?.name,
      when(p.changedAt),
    ]),
  );
}

/**
 * Where the product stands in its move, as the settings page says it: `opt-in`, on by default
 * since or from a day, mandatory from or since a day.
 */
export function phaseText(p: ProductState, now: number): string {
  const day = (iso: string) => iso.slice(0, 10);
  const past = (iso: string | null): iso is string => iso !== null && Date.parse(iso) <= now;
  if (p.phase === 'locked' && p.lockedFrom !== null) return `mandatory since ${day(p.lockedFrom)}`;
  const parts: string[] = [];
  if (p.onByDefaultFrom !== null)
    parts.push(
      `${past(p.onByDefaultFrom) ? 'on by default since' : 'on by default from'} ${day(p.onByDefaultFrom)}`,
    );
  if (p.lockedFrom !== null && !past(p.lockedFrom))
    parts.push(`mandatory from ${day(p.lockedFrom)}`);
  return parts.length === 0 ? 'opt-in' : parts.join(', ');
}

/** `set`: what changed, in one line. */
export function setLine(
  product: string,
  before: ToggleMode,
  after: ProductState,
  changed: boolean,
) {
  return changed
    ? `${product}: ${before} -> ${after.mode} (version ${after.version})`
    : `${product}: already ${after.mode}, nothing changed (version ${after.version})`;
}

/** `schedule` and `unschedule`: the one change, in one line. */
export function scheduleLine(verb: string, s: ScheduledChange): string {
  return `${verb} ${s.product} -> ${s.mode} at ${when(s.at)} (id ${s.id})`;
}

/** `schedules`: pending changes, soonest first (the API's order). */
export function schedulesTable(schedules: ScheduledChange[]): string {
  if (schedules.length === 0) return 'No scheduled changes are pending.';
  return table(
    ['id', 'product', 'mode', 'at', 'set by', 'set at'],
    schedules.map((s) => [
      s.id,
      s.product,
      s.mode,
      when(s.at),
      actorName(s.actor),
      when(s.createdAt),
    ]),
  );
}

/** `audit`: newest first (the API's order), and how to fetch the next page. */
export function auditTable(page: {
  entries: Omit<AuditEntry, 'version'>[];
  cursor: string | null;
}) {
  if (page.entries.length === 0) return 'No audit entries match.';
  const rows = table(
    ['when', 'product', 'change', 'by', 'via', 'feedback'],
    page.entries.map((e) => [
      when(e.at),
      e.product,
      e.event === 'schedule-created'
        ? `schedules ${e.mode} for ${when(e.scheduledFor ?? '')}`
        : e.event === 'schedule-cancelled'
          ? `cancels ${e.mode} for ${when(e.scheduledFor ?? '')}`
          : `${e.previousMode} -> ${e.mode}`,
      actorName(e.actor),
      e.via,
      e.feedback,
    ]),
  );
  return page.cursor === null ? rows : `${rows}\nMore entries: add --cursor ${page.cursor}`;
}

/**
 * `report`: per product, the 24 h and 7 d totals; then the paths no deep-link row knew (7 d).
 * The hourly series (the settings page's chart) is left to --json.
 */
export function reportTable(report: MigrationReport & { tenantId?: string }): string {
  const day = report.windows.find((w) => w.window === '24h');
  const week = report.windows.find((w) => w.window === '7d');
  const windows = [day, week].filter((w) => w !== undefined);
  const products = (week ?? day)?.products.map((p) => p.product) ?? [];
  const rows = products.flatMap((product) =>
    windows.map((w, i) => {
      const p = w.products.find((x) => x.product === product);
      return [
        i === 0 ? product : '',
        w.window,
        p?.navigations ?? 0,
        p?.redirected ?? 0,
        p?.observed ?? 0,
        p ? passedTotal(p) : 0,
        p ? passReasons(p) : null,
      ];
    }),
  );
  const counts = table(
    [
      'product',
      'window',
      { header: 'navigations', right: true },
      { header: 'redirected', right: true },
      { header: 'observed', right: true },
      { header: 'passed', right: true },
      'passed because',
    ],
    rows,
  );
  const heading = [
    `Migration report${report.tenantId ? ` for ${report.tenantId}` : ''}, generated ${when(report.generatedAt)}`,
    ...windows.map((w) => `  ${w.window}: since ${when(w.from)}`),
  ].join('\n');
  const unmapped = (week?.products ?? []).flatMap((p) =>
    p.unmapped.slice(0, TOP_UNMAPPED).map((u) => [p.product, u.template, u.count]),
  );
  const paths =
    unmapped.length === 0
      ? 'No unmapped paths in the last 7 days.'
      : `Top unmapped paths, 7 days (they land on the unified home):\n${table(
          ['product', 'path', { header: 'count', right: true }],
          unmapped,
        )}`;
  return `${heading}\n\n${counts}\n\n${paths}`;
}

function passedTotal(p: ProductReport): number {
  return Object.values(p.passed).reduce((a, b) => a + b, 0);
}

function passReasons(p: ProductReport): string | null {
  const reasons = Object.entries(p.passed)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_REASONS)
    .map(([reason, n]) => `${reason} ${n}`);
  return reasons.length === 0 ? null : reasons.join(', ');
}

function actorName(actor: { name?: string; upn?: string; oid?: string } | null | undefined) {
  return actor?.name || actor?.upn || actor?.oid || null;
}
