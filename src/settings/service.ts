import { productById } from '../catalogue/products';
import type { Product, ProductId } from '../catalogue/types';
import type { CoreContext } from '../core/decide';
import { navigationFacts } from '../core/facts';
import { hashPageQuery } from '../core/links';
import { HOP_PARAM, NO_MINTED } from '../core/minted';
import { withoutParamAnyCase } from '../core/query';
import { routeOf } from '../core/route';
import type { Reason } from '../core/reasons';
import { routeToRemember } from '../core/remember';
import { AppError } from '../errors';
import type {
  Actor,
  AuditExport,
  AuditQuery,
  ExportFormat,
  PublicAuditEntry,
} from '../model/audit';
import type { CancelResult, Change, ScheduledChange, ScheduleInput } from '../model/changes';
import { MAX_ACTOR_CHARS } from '../model/limits';
import { isLocked } from '../model/phases';
import type { MigrationReport } from '../model/report';
import { type ProductState, productState } from '../model/state';
import type { DecisionReads } from '../store/decision-loop';
import { decideWithStore } from '../store/decision-loop';
import type { ToggleStore } from '../store/toggles';
import type { TenantAccess } from './authorise';
import { authoriseWrite } from './authorise';
import type { SettingsStore } from './store';

export interface SettingsDeps {
  store: SettingsStore;
  /**
   * The edge's own read path, so `explain` answers exactly as the edge would, and told of each
   * change made here, so this isolate's edge follows it at once.
   */
  reads: DecisionReads & Pick<ToggleStore, 'remember'>;
  core: CoreContext;
  products: readonly Product[];
  now: () => number;
}

export interface Explanation {
  product: ProductId | null;
  action: 'redirect' | 'pass';
  reason: Reason;
  location: string | null;
  /** Where the sign-in callback sends a browser that opened this link without a known tenant. */
  afterSignIn: string | null;
}

/**
 * The settings domain, with no HTTP in it: what the API and the pages both do. Every method
 * takes a `TenantAccess` (see authorise.ts); writes check the write role here.
 */
export class SettingsService {
  constructor(private readonly deps: SettingsDeps) {}

  private product(id: ProductId): Product {
    const product = productById(id, this.deps.products);
    if (!product) throw new AppError('not_found', 'No such product.');
    return product;
  }

  /** Every product's state for the tenant, in catalogue order. */
  async states(access: TenantAccess): Promise<ProductState[]> {
    const records = await this.deps.store.records(access.tenant);
    const now = this.deps.now();
    return this.deps.products.map((p) =>
      productState(p, Object.hasOwn(records, p.id) ? (records[p.id] ?? null) : null, now),
    );
  }

  async state(access: TenantAccess, id: ProductId): Promise<ProductState> {
    const product = this.product(id);
    const records = await this.deps.store.records(access.tenant);
    const record = Object.hasOwn(records, id) ? (records[id] ?? null) : null;
    return productState(product, record, this.deps.now());
  }

  /** Change one product's redirection: role, lock and If-Match checks, then change-and-audit. */
  async change(access: TenantAccess, change: Change): Promise<ProductState> {
    authoriseWrite(access, change.product);
    const product = this.product(change.product);
    if (isLocked(product, this.deps.now()))
      throw new AppError('locked', 'Redirection is locked on for this product.');
    const result = await this.deps.store.change({
      ...change,
      tenant: access.tenant,
      actor: actorOf(access),
    });
    // Once KV holds the change, this isolate's edge follows at once rather than when its cached
    // read expires; before that, the edge keeps what KV says, as every other isolate does.
    if (result.kvSynced) this.deps.reads.remember(access.tenant, change.product, result.record);
    return productState(product, result.record, this.deps.now());
  }

  /**
   * Schedule a change for `at` (ISO-8601): the write role and the lock are checked now (a product
   * locked by then cannot be scheduled); the object checks the time and applies it then.
   */
  async schedule(access: TenantAccess, change: ScheduleInput): Promise<ScheduledChange> {
    authoriseWrite(access, change.product);
    const product = this.product(change.product);
    const at = Date.parse(change.at);
    if (isLocked(product, this.deps.now()) || (Number.isFinite(at) && isLocked(product, at)))
      throw new AppError('locked', 'Redirection is locked on for this product by then.');
    return this.deps.store.schedule({ ...change, tenant: access.tenant, actor: actorOf(access) });
  }

  /** Pending scheduled changes, soonest first. */
  schedules(access: TenantAccess): Promise<ScheduledChange[]> {
    return this.deps.store.schedules(access.tenant);
  }

  /**
   * Cancel a pending change: the write role for its product. One no longer pending (applied, or
   * cancelled by someone else meanwhile) answers what became of it; nothing is changed.
   */
  async cancelSchedule(access: TenantAccess, id: string): Promise<CancelResult> {
    const pending = await this.deps.store.schedules(access.tenant);
    const found = pending.find((s) => s.id === id);
    if (found !== undefined) authoriseWrite(access, found.product);
    return this.deps.store.cancelSchedule(access.tenant, id, actorOf(access));
  }

  /** What the edge counted for the tenant (read access): the last 24 hours and 7 days. */
  report(access: TenantAccess): Promise<MigrationReport> {
    return this.deps.store.report(access.tenant);
  }

  /** The tenant's whole audit log as a CSV (spreadsheet-safe) or JSON file. */
  exportAudit(access: TenantAccess, format: ExportFormat): Promise<AuditExport> {
    return this.deps.store.exportAudit(access.tenant, format);
  }

  /** A page of the tenant's audit log, newest first, filtered by product, actor and time. */
  async audit(
    access: TenantAccess,
    query: AuditQuery,
  ): Promise<{ entries: PublicAuditEntry[]; cursor: string | null }> {
    const page = await this.deps.store.audit(access.tenant, query);
    return {
      entries: page.entries.map(({ version: _version, ...entry }) => entry),
      cursor: page.cursor,
    };
  }

  /**
   * What the edge would do for a legacy URL for this tenant (a navigation). At a hash-routed
   * product's root a fragment is a route the server never sees: the answer is then the browser's
   * whole trip, the hash page and its continuation carrying the route as `?hash=` (with the
   * page's marker, as the edge with its signing secret sets it), decided as the edge decides it.
   */
  async explain(access: TenantAccess, rawUrl: string, withSession: boolean): Promise<Explanation> {
    const url = new URL(rawUrl);
    // Only this tenant's state may answer: any tid in the URL, in any case (the edge reads it so),
    // is replaced by the access's tenant, given as a link's `?tid=` (which outranks a
    // tenant-specific host's own mapping). The rest of the query is kept as it was written.
    url.search = withoutParamAnyCase(url.search.slice(1), 'tid');
    const fragment = url.hash.slice(1);
    url.hash = '';
    const query = url.search.slice(1);
    const product = this.deps.core.hosts.match(url.host)?.product;
    const cookies: Record<string, string> = {};
    const sessionCookie = product?.sessionCookies[0];
    if (withSession && sessionCookie) cookies[sessionCookie] = 'explain';
    const tid = `tid=${access.tenant}`;
    const config = { core: this.deps.core };
    const hashTrip =
      fragment !== '' &&
      product?.hashRouted === true &&
      routeOf(product, url.pathname, query).spaRoot;
    let decision = await decideWithStore(config, this.deps.reads, {
      ...navigationFacts(url, cookies),
      query: query === '' ? tid : `${query}&${tid}`,
    });
    // The route the trip carries: what the continuation asks for, and what a sign-in remembers.
    const routeQuery = hashTrip ? hashPageQuery(query, fragment) : query;
    if (hashTrip && (decision.location ?? decision.observedLocation) !== undefined)
      decision = await decideWithStore(config, this.deps.reads, {
        ...navigationFacts(url, cookies),
        query: `${routeQuery}&${tid}&${HOP_PARAM}=explain`,
        secFetchSite: 'same-origin',
        minted: { ...NO_MINTED, hop: 'explain', hopCarried: true },
      });
    // The same link opened where the legacy portal sends the browser to sign in: the edge
    // remembers it with the sign-in it saw start (bounded, a path on this host), then uses it at
    // the sign-in this browser completes.
    const route = routeToRemember(url.pathname, routeQuery);
    const bound = 'explain';
    const signIn = await decideWithStore(config, this.deps.reads, {
      ...navigationFacts(url),
      method: 'POST',
      signIn: { tenant: access.tenant, nonceHash: bound },
      minted: { ...NO_MINTED, trip: { nonceHash: bound, route } },
    });
    return {
      product: decision.product,
      action: decision.action,
      reason: decision.reason,
      location: decision.location ?? decision.observedLocation ?? null,
      afterSignIn: signIn.location ?? signIn.observedLocation ?? null,
    };
  }
}

/** Who is acting, as the audit log names them: each field bounded (a token's text). */
function actorOf({ principal }: TenantAccess): Actor {
  const bounded = (text: string) => text.slice(0, MAX_ACTOR_CHARS);
  return {
    oid: bounded(principal.oid),
    name: bounded(principal.name),
    upn: bounded(principal.upn),
    idp: bounded(principal.idp),
  };
}
