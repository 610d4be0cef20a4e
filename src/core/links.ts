import type { ProductId } from '../catalogue/types';
import type { CoreContext } from './decide';
import { buildLocation } from './location';
import { type PlainUrl, splitPlainUrl } from './plain';

/**
 * Where a link to a legacy page of `product` lands on the unified portal: exactly where a click
 * on it would be redirected (same deep-link map, same Location rules, `tid` when known).
 * `null` for anything that is not a link to one of the product's legacy browser hosts.
 */
export function mapLegacyLink(ctx: CoreContext, value: string, product: ProductId, tenant: string | null): string | null {
  if (ctx.unified === null) return null;
  const url = splitPlainUrl(value) ?? parseUrl(value);
  if (url === null) return null;
  const match = ctx.hosts.match(url.host);
  if (match === null || match.product.id !== product || match.host.kind !== 'browser') return null;
  const map = ctx.deepLinks.get(product);
  if (!map) return null;
  const mapped = map.map(url.pathname);
  return buildLocation(ctx.unified, mapped.path, mapped.keepQuery ? url.search.slice(1) : null, tenant);
}

/** The reference parse, for links that are not plain. */
function parseUrl(value: string): PlainUrl | null {
  if (!URL.canParse(value)) return null;
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  return { protocol: url.protocol, host: url.host, pathname: url.pathname, search: url.search };
}
