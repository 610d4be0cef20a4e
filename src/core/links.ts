import type { ProductId } from '../catalogue/types';
import type { CoreContext } from './decide';
import type { DeepLinkMap } from './deeplinks';
import { buildLocation, keptAsItIs, MAX_LOCATION_LENGTH, originText } from './location';

/**
 * Where a link to a legacy page of `product` lands on the unified portal: exactly where a click
 * on it would be redirected (same deep-link map, same Location rules, `tid` when known).
 * `null` for anything that is not a link to one of the product's legacy browser hosts.
 */
export function mapLegacyLink(ctx: CoreContext, value: string, product: ProductId, tenant: string | null): string | null {
  return fromTemplate(ctx, value, product, tenant) ?? plainLink(ctx, value, product, tenant) ?? mapViaUrl(ctx, value, product, tenant);
}

/**
 * The reference: the URL API parses the link, `buildLocation` builds the target. Exported for the
 * test that compares it with the fast path.
 */
export function mapViaUrl(ctx: CoreContext, value: string, product: ProductId, tenant: string | null): string | null {
  if (ctx.unified === null || !URL.canParse(value)) return null;
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const match = ctx.hosts.match(url.host);
  if (match === null || match.product.id !== product || match.host.kind !== 'browser') return null;
  const map = ctx.deepLinks.get(product);
  if (!map) return null;
  const mapped = map.map(url.pathname);
  return buildLocation(ctx.unified, mapped.path, mapped.keepQuery ? url.search.slice(1) : null, tenant);
}

/**
 * A link as SIEM payloads carry tens of thousands of: an exact catalogue host, then segments of
 * characters no URL parser step changes (none starting with a dot, no escapes), an optional plain
 * query, no fragment. Everything else takes the reference path.
 */
const PLAIN_LINK = /^https?:\/\/([a-z0-9.-]+)((?:\/[A-Za-z0-9\-_~!$&'()*+,;=:@][A-Za-z0-9\-._~!$&'()*+,;=:@]*)*)\/?(?:\?([A-Za-z0-9\-._~!$&()*+,;=:@/?]*))?$/;
/** Catalogue targets are plain paths (a test checks every row), so the Location is a plain join. */
function plainLink(ctx: CoreContext, value: string, product: ProductId, tenant: string | null): string | null {
  if (ctx.unified === null) return null;
  const parts = PLAIN_LINK.exec(value);
  if (parts === null) return null;
  const match = ctx.hosts.exactly(parts[1] as string);
  if (match === null || match.product.id !== product || match.host.kind !== 'browser') return null;
  const map = ctx.deepLinks.get(product);
  if (!map) return null;
  const path = parts[2] as string;
  const segments = path === '' ? [] : path.slice(1).split('/');
  const mapped = map.mapSafeSegments(segments);
  const legacyQuery = mapped.keepQuery ? (parts[3] ?? '') : '';
  if (legacyQuery !== '' && !keptAsItIs(legacyQuery)) return null;
  if (tenant !== null && !isTenantId(tenant)) return null;
  const tid = tenant === null ? '' : `tid=${tenant}`;
  const search = legacyQuery === '' ? (tid === '' ? '' : `?${tid}`) : `?${legacyQuery}${tid === '' ? '' : '&'}${tid}`;
  const location = originText(ctx.unified) + mapped.path + search;
  if (location.length > MAX_LOCATION_LENGTH) return null;
  remember(ctx, value, product, tenant, parts[3] !== undefined, segments, mapped, map);
  return location;
}

/**
 * Links in one payload repeat their start: `https://securitycenter.windows.com/alert/` before
 * each alert's id, `.../incidents/byalert?` before each query. After a plain link is mapped, its
 * start is kept as a template, and a later link with the same start is mapped by copying its
 * variable part into the template, checked with the same character rules `PLAIN_LINK` applies:
 * - a link with a query: the path decides the target, so the same path is the same target, and
 *   the query is copied as `plainLink` copies it;
 * - a link without one: the same path up to its last segment, when no row could match it differently
 *   for another last segment (`DeepLinkMap.aroundLast`).
 * test/core.test.ts compares the result with `mapViaUrl` over runs of related links.
 */
interface Template {
  ctx: CoreContext;
  product: ProductId;
  tenant: string | null;
  /** The link's text before its query's `?`, or up to and including its path's last `/`. */
  start: string;
  /** With a query: see `remember`. Without: the target around the last segment. */
  pieces: string[];
  keepQuery: boolean;
}
const TEMPLATES = 8;
const withQuery: Template[] = [];
const bySegment: Template[] = [];
const PLAIN_SEGMENT = /^[A-Za-z0-9\-_~!$&'()*+,;=:@][A-Za-z0-9\-._~!$&'()*+,;=:@]*$/;
const PLAIN_QUERY = /^[A-Za-z0-9\-._~!$&()*+,;=:@/?]*$/;

function remember(ctx: CoreContext, value: string, product: ProductId, tenant: string | null, hasQuery: boolean, segments: string[], mapped: { path: string; keepQuery: boolean }, map: DeepLinkMap): void {
  const origin = originText(ctx.unified as URL);
  if (hasQuery) {
    // The target's text before the query, the whole target when the query is empty or dropped, the `tid` after a query.
    const tid = tenant === null ? '' : `tid=${tenant}`;
    const target = origin + mapped.path;
    const pieces = [target, tid === '' ? target : `${target}?${tid}`, tid === '' ? '' : `&${tid}`];
    keep(withQuery, { ctx, product, tenant, start: value.slice(0, value.indexOf('?')), pieces, keepQuery: mapped.keepQuery });
    return;
  }
  if (value.endsWith('/')) return;
  const around = map.aroundLast(segments);
  if (around === null) return;
  const pieces = [...around.pieces];
  pieces[0] = origin + pieces[0];
  pieces[pieces.length - 1] += tenant === null ? '' : `?tid=${tenant}`;
  keep(bySegment, { ctx, product, tenant, start: value.slice(0, value.lastIndexOf('/') + 1), pieces, keepQuery: around.keepQuery });
}

function keep(list: Template[], template: Template): void {
  if (list.length >= TEMPLATES) list.pop();
  list.unshift(template);
}

function fromTemplate(ctx: CoreContext, value: string, product: ProductId, tenant: string | null): string | null {
  const q = value.indexOf('?');
  const cut = q === -1 ? value.lastIndexOf('/') + 1 : q;
  const list = q === -1 ? bySegment : withQuery;
  for (const t of list) {
    // A slice compared with === is cheaper in workerd than startsWith.
    if (t.start.length !== cut || t.ctx !== ctx || t.product !== product || t.tenant !== tenant || value.slice(0, cut) !== t.start) continue;
    const rest = value.slice(cut + (q === -1 ? 0 : 1));
    let location: string;
    if (q === -1) {
      if (!PLAIN_SEGMENT.test(rest)) return null;
      location = t.pieces.length === 2 ? (t.pieces[0] as string) + rest + (t.pieces[1] as string) : t.pieces.join(rest);
    } else {
      if (!PLAIN_QUERY.test(rest)) return null;
      const query = t.keepQuery ? rest : '';
      if (query !== '' && !keptAsItIs(query)) return null;
      location = query === '' ? (t.pieces[1] as string) : `${t.pieces[0] as string}?${query}${t.pieces[2] as string}`;
    }
    return location.length <= MAX_LOCATION_LENGTH ? location : null;
  }
  return null;
}

const TENANT_ID = /^[0-9a-f-]{36}$/;
let lastTenant = '';
/** The tenant is the same for every link of a payload: test it once. */
const isTenantId = (tenant: string) => tenant === lastTenant || (TENANT_ID.test(tenant) && ((lastTenant = tenant), true));
