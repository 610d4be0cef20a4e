import type { ProductId } from '../catalogue/types';
import type { CoreContext } from './decide';
import { buildLocation, keptAsItIs, MAX_LOCATION_LENGTH, originText } from './location';

/**
 * Where a link to a legacy page of `product` lands on the unified portal: exactly where a click
 * on it would be redirected (same deep-link map, same Location rules, `tid` when known).
 * `null` for anything that is not a link to one of the product's legacy browser hosts.
 */
export function mapLegacyLink(ctx: CoreContext, value: string, product: ProductId, tenant: string | null): string | null {
  return plainLink(ctx, value, product, tenant) ?? mapViaUrl(ctx, value, product, tenant);
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
  const mapped = map.mapSafeSegments(path === '' ? [] : path.slice(1).split('/'));
  const legacyQuery = mapped.keepQuery ? (parts[3] ?? '') : '';
  if (legacyQuery !== '' && !keptAsItIs(legacyQuery)) return null;
  if (tenant !== null && !isTenantId(tenant)) return null;
  const tid = tenant === null ? '' : `tid=${tenant}`;
  const search = legacyQuery === '' ? (tid === '' ? '' : `?${tid}`) : `?${legacyQuery}${tid === '' ? '' : '&'}${tid}`;
  const location = originText(ctx.unified) + mapped.path + search;
  return location.length <= MAX_LOCATION_LENGTH ? location : null;
}

const TENANT_ID = /^[0-9a-f-]{36}$/;
let lastTenant = '';
/** The tenant is the same for every link of a payload: test it once. */
const isTenantId = (tenant: string) => tenant === lastTenant || (TENANT_ID.test(tenant) && ((lastTenant = tenant), true));
