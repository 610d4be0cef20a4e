import type { ProductId } from '../catalogue/types';
import type { Decision } from '../core/decide';
import type { RequestFacts } from '../core/facts';
import { pathTemplate } from '../core/path-template';
import { meaningOf, type ReasonMeaning } from '../core/reasons';
import type { TenantSettings } from '../objects/tenant-settings';
import { type CountKind, type CountRow, HOUR_MS } from '../model/report';
import type { Result } from '../model/result';

/**
 * Distinct counters one isolate holds between flushes. Past it, new counters are dropped (and
 * said in the log) while existing ones keep counting: memory stays bounded whatever the traffic.
 */
export const MAX_COUNTERS = 10_000;
/** When this many distinct counters wait, flush every second rather than every interval. */
const FLUSH_AT_COUNTERS = 2_000;
const BUSY_FLUSH_MS = 1_000;
/**
 * Tenants one flush sends to: each is a subrequest of the request whose `waitUntil` carries it,
 * and a request has a bounded number of those. The others wait for the next flush.
 */
export const MAX_TENANTS_PER_FLUSH = 20;

// Isolate-level: every request of this isolate counts here, by tenant (a flush takes whole
// tenants, oldest first, without walking the others); `size` is the counters over all tenants.
let counters = new Map<string, Map<string, CountRow>>();
let size = 0;
let dropped = 0;
let lastFlush = 0;

type Settings = DurableObjectNamespace<TenantSettings>;

/**
 * Whether the tenant has a stored setting for the product. Only such tenants are counted: a
 * `?tid=` or cookie names any GUID, and counting it would let anonymous traffic create (and
 * fill) a settings object for every GUID it makes up. A tenant that never chose for a product
 * (its default applies) is not counted for it.
 */
export type HasSetting = (tenant: string, product: ProductId) => boolean;

/**
 * Count one decision for the migration report: synchronous, in this isolate's memory, no store
 * call. At most every `flushIntervalMs` the counts go to each tenant's object in the background
 * (`waitUntil`); a lost batch loses counts, never a request's outcome. `hasSetting` is asked only
 * when the decision's reason does not already say (`storedSetting`).
 */
export function countDecision(
  decision: Decision,
  facts: RequestFacts,
  hasSetting: HasSetting,
  settings: Settings,
  flushIntervalMs: number,
  ctx: Pick<ExecutionContext, 'waitUntil'> | undefined,
): void {
  try {
    const product = decision.product;
    if (product === null) return;
    const meaning = meaningOf(decision.reason);
    if (meaning.report === 'no') return;
    // A browser whose decision named no tenant still says the one the edge remembered for it.
    const tenant = decision.tenant ?? facts.minted.tenant;
    if (tenant === null) return;
    const stored = decision.tenant === tenant ? meaning.stored : 'unknown';
    if (!storedSetting(stored, tenant, product, hasSetting)) return;
    const hour = Math.floor(facts.now / HOUR_MS);
    // The hash page's continuation is the same navigation as the page, counted there.
    if (decision.hopContinuation !== true)
      add(tenant, hour, product, decision.action, decision.reason);
    // A path reaches the tenant's admins only when the edge vouches for the tenant (its own
    // signed cookie, a sign-in it saw this browser start), and the navigation was the browser's
    // own (typed, a bookmark, a click inside the portal): a link's `?tid=`, a hand-made cookie,
    // a tenant-specific host alone, or a link on another site (a sibling host included) lets
    // anyone put words of their choosing there.
    if (decision.unmappedPath !== undefined && decision.vouched === true && ownNavigation(facts))
      add(tenant, hour, product, 'template', pathTemplate(decision.unmappedPath));
    // Without a context (a direct call, not a request) nothing can outlive the call: keep counting.
    const interval =
      size >= FLUSH_AT_COUNTERS ? Math.min(flushIntervalMs, BUSY_FLUSH_MS) : flushIntervalMs;
    if (ctx !== undefined && facts.now - lastFlush >= interval) {
      lastFlush = facts.now;
      for (const send of flushCounts(settings)) ctx.waitUntil(send);
    }
  } catch (error) {
    // Counting is never worth a request: log and go on.
    console.warn(`report counting failed: ${String(error)}`);
  }
}

/** A navigation the browser itself started: typed or bookmarked, or a click on the same host. */
function ownNavigation(facts: Pick<RequestFacts, 'secFetchSite'>): boolean {
  const site = facts.secFetchSite?.toLowerCase();
  return site === 'none' || site === 'same-origin';
}

/**
 * Whether the tenant has a stored setting for the product. A decision that read the tenant's own
 * toggle for it has just said so in its reason (the reason table's `stored`); any other asks
 * what this isolate has seen.
 */
function storedSetting(
  stored: ReasonMeaning['stored'],
  tenant: string,
  product: ProductId,
  hasSetting: HasSetting,
): boolean {
  return stored === 'unknown' ? hasSetting(tenant, product) : stored === 'yes';
}

// The last counter id built, by its parts: most redirects of a busy isolate count the same
// product, action and reason in the same hour, so the id is built once for a run of them.
let last = { hour: -1, product: '', kind: '', key: '', id: '' };

function counterId(hour: number, product: ProductId, kind: CountKind, key: string): string {
  if (hour !== last.hour || product !== last.product || kind !== last.kind || key !== last.key)
    last = { hour, product, kind, key, id: `${hour} ${product} ${kind} ${key}` };
  return last.id;
}

function add(tenant: string, hour: number, product: ProductId, kind: CountKind, key: string) {
  const id = counterId(hour, product, kind, key);
  let rows = counters.get(tenant);
  const row = rows?.get(id);
  if (row !== undefined) {
    row.n++;
    return;
  }
  if (size >= MAX_COUNTERS) {
    dropped++;
    return;
  }
  if (rows === undefined) {
    rows = new Map();
    counters.set(tenant, rows);
  }
  rows.set(id, { hour, product, kind, key, n: 1 });
  size++;
}

/** Send what this isolate counted, one batch per tenant; each promise settles, never rejects. */
export function flushCounts(
  settings: Settings,
  send: (tenant: string, rows: CountRow[]) => Promise<Result<number>> = (tenant, rows) =>
    settings.get(settings.idFromName(tenant)).recordCounts(tenant, rows) as Promise<Result<number>>,
): Promise<void>[] {
  if (size === 0) return [];
  // The first MAX_TENANTS_PER_FLUSH tenants' counters leave; the rest stay for the next flush.
  const batches: [string, CountRow[]][] = [];
  for (const [tenant, rows] of counters) {
    if (batches.length === MAX_TENANTS_PER_FLUSH) break;
    batches.push([tenant, [...rows.values()]]);
    counters.delete(tenant);
    size -= rows.size;
  }
  if (dropped > 0) {
    console.warn(`report counts: ${dropped} events dropped, over ${MAX_COUNTERS} counters`);
    dropped = 0;
  }
  return batches.map(async ([tenant, rows]) => {
    try {
      const result = await send(tenant, rows);
      if (!result.ok)
        console.warn(`report counts for ${tenant} refused: ${JSON.stringify(result)}`);
    } catch (error) {
      console.warn(`report counts for ${tenant} lost (${rows.length} counters): ${String(error)}`);
    }
  });
}

/** What this isolate holds now (tests), and forget it. */
export function pendingCounters(): { counters: number; dropped: number } {
  return { counters: size, dropped };
}

/** Forget every count; `lastFlushAt` sets when the last flush was (tests hold off flushes). */
export function resetCounters(lastFlushAt = 0): void {
  counters = new Map();
  size = 0;
  dropped = 0;
  lastFlush = lastFlushAt;
}
