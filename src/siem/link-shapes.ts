/**
 * The SIEM rewriter's per-link answer: where a legacy link in a payload lands (the map,
 * core/links.ts), and for a plain link also its shape, so a payload of tens of thousands of
 * similar links maps each later one without parsing it (the WebAssembly scanner applies shapes on
 * bytes). The fast path decides with the map's own parts (landing, Location rules) and must answer
 * exactly as `mapLegacyLink`; test/core.test.ts compares them over runs of related links.
 */
import type { ProductId } from '../catalogue/types';
import type { CoreContext } from '../core/decide';
import type { DeepLinkMap } from '../core/deeplinks';
import { prefixEndsAtLast } from '../core/deeplinks';
import { mapLegacyLink } from '../core/links';
import { keptAsItIs, MAX_LOCATION_LENGTH, originText } from '../core/location';
import { landingOfSegments, outOfScopePrefixes } from '../core/route';

/** A link's replacement, and how every link of its shape maps (`null`: no shape). */
export interface Shaped {
  text: string;
  shape: LinkShape | null;
}

/**
 * Where a link lands (`mapLegacyLink`), and for a plain link also its shape: how every link that
 * differs from it only in its variable part maps (see `LinkShape`). `null` when it stays and for
 * anything that is not a link to one of the product's legacy browser hosts.
 */
export function mapLegacyLinkShaped(
  ctx: CoreContext,
  value: string,
  product: ProductId,
  tenant: string | null,
): Shaped | null {
  const plain = plainLink(ctx, value, product, tenant);
  if (plain !== undefined) return plain;
  const text = mapLegacyLink(ctx, value, product, tenant);
  return text === null ? null : { text, shape: null };
}

/**
 * `mapLegacyLinkShaped`, and for a plain link it keeps because its host is none of the product's
 * legacy browser hosts, a shape that keeps every link on that host (`KEPT_REST`, the link as its
 * own replacement): a payload of links already on another portal is then read through without a
 * call per link. Still `null` for anything else kept (not a link, not plain, no path, a page that
 * stays).
 */
export function rewriteLinkShaped(
  ctx: CoreContext,
  value: string,
  product: ProductId,
  tenant: string | null,
): Shaped | null {
  return mapLegacyLinkShaped(ctx, value, product, tenant) ?? keptLink(ctx, value, product);
}

function keptLink(ctx: CoreContext, value: string, product: ProductId): Shaped | null {
  const host = PLAIN_LINK.exec(value)?.[1];
  if (host === undefined) return null;
  const start = value.slice(0, value.indexOf('//') + 2 + host.length + 1);
  if (!start.endsWith(`${host}/`)) return null; // no path: `https://host?...`
  // The host decides, as `mapLegacyLink` decides it: the URL API's host for this very link,
  // matched the same way. A path cannot change a host, so every link with this start is kept too.
  if (!URL.canParse(value) || new URL(value).host !== host) return null;
  const match = ctx.hosts.match(host);
  if (match !== null && match.product.id === product && match.host.kind === 'browser') return null;
  return {
    text: value,
    shape: {
      start,
      rest: KEPT_REST,
      check: null,
      before: start,
      after: '',
      keepRest: true,
      maxRest: Number.MAX_SAFE_INTEGER,
    },
  };
}

/**
 * A link as SIEM payloads carry tens of thousands of: an exact catalogue host, then segments of
 * characters no URL parser step changes (none starting with a dot, no escapes), an optional plain
 * query, no fragment. Everything else takes `mapLegacyLink`.
 */
const PLAIN_LINK =
  /^https?:\/\/([a-z0-9.-]+)((?:\/[A-Za-z0-9\-_~!$&'()*+,;=:@][A-Za-z0-9\-._~!$&'()*+,;=:@]*)*)\/?(?:\?([A-Za-z0-9\-._~!$&()*+,;=:@/?]*))?$/;

/**
 * The fast path: a plain link's answer (`null`: it stays), or `undefined` when `mapLegacyLink`
 * must answer. Catalogue targets are plain paths (a test checks every row), so the Location is a
 * plain join.
 */
function plainLink(
  ctx: CoreContext,
  value: string,
  product: ProductId,
  tenant: string | null,
): Shaped | null | undefined {
  if (ctx.unified === null) return undefined;
  const parts = PLAIN_LINK.exec(value);
  if (parts === null) return undefined;
  const match = ctx.hosts.exactly(parts[1] as string);
  if (match === null || match.product.id !== product || match.host.kind !== 'browser')
    return undefined;
  const map = ctx.deepLinks.get(product);
  if (!map) return undefined;
  const query = parts[3];
  // A hash-routed product's `?hash=` names the route: the map reads it.
  const hashRouted = match.product.hashRouted;
  if (hashRouted && query?.includes('hash')) return undefined;
  const path = parts[2] as string;
  const segments = path === '' ? [] : path.slice(1).split('/');
  const mapped = landingOfSegments(match.product, map, segments);
  if (mapped === null) return null;
  // A row with a fixed query takes the map's own path (no SIEM link lands on one).
  if (mapped.fixedQuery !== null) return undefined;
  const legacyQuery = mapped.keepQuery ? (query ?? '') : '';
  if (legacyQuery !== '' && !keptAsItIs(legacyQuery)) return undefined;
  if (tenant !== null && !TENANT_ID.test(tenant)) return undefined;
  const tid = tenant === null ? '' : `tid=${tenant}`;
  const search =
    legacyQuery === ''
      ? tid === ''
        ? ''
        : `?${tid}`
      : `?${legacyQuery}${tid === '' ? '' : '&'}${tid}`;
  const origin = originText(ctx.unified);
  const target = origin + mapped.path;
  const text = target + search;
  if (text.length > MAX_LOCATION_LENGTH) return undefined;
  let shape: LinkShape | null = null;
  // A hash-routed product's query may name a route: no shape stands for every query.
  if (query !== undefined)
    shape = hashRouted ? null : queryShape(value, target, tid, mapped.keepQuery);
  else if (!value.endsWith('/'))
    shape = prefixEndsAtLast(segments, outOfScopePrefixes(match.product))
      ? null
      : segmentShape(value, segments, map, origin, tid);
  return { text, shape };
}

/**
 * How every link that starts like a mapped one maps, without parsing it: a link that is
 * `start` followed by a variable part of `rest`'s characters (reaching the link's end) and
 * passing `check` maps to `before`, the variable part (when `keepRest`), then `after`.
 * Two kinds, both decided by `plainLink`'s own rules, and test/core.test.ts compares them with
 * `mapLegacyLink` over runs of related links:
 * - a link with a query: the path decides the target, so the same text before `?` is the same
 *   target, and the query is kept as `plainLink` keeps it (or dropped, as the row says); not for
 *   a hash-routed product, whose `?hash=` decides the target;
 * - a link without one: the same path up to its last segment, when neither a row
 *   (`DeepLinkMap.aroundLast`) nor an out-of-scope prefix could decide differently for another
 *   last segment.
 */
export interface LinkShape {
  start: string;
  rest: CharClass;
  check: ((rest: string) => boolean) | null;
  before: string;
  after: string;
  keepRest: boolean;
  /** The longest variable part whose Location stays within MAX_LOCATION_LENGTH. */
  maxRest: number;
}

/**
 * The characters a shape's variable part may hold: `first` for its first one, `then` for the
 * others, at least `min` of them. Data, so the WebAssembly rewriter can hold them as byte tables.
 */
export interface CharClass {
  first: string;
  then: string;
  min: 0 | 1;
  /** Sticky: matches the variable part from `lastIndex`. */
  pattern: RegExp;
}

function charClass(first: string, then: string, min: 0 | 1): CharClass {
  // The WebAssembly rewriter holds classes as tables of printable ASCII.
  if (/[^\x21-\x7e]/.test(first + then))
    throw new Error('a character class holds printable ASCII only');
  const set = (chars: string) => `[${chars.replace(/[\\\]^-]/g, '\\$&')}]`;
  return {
    first,
    then,
    min,
    pattern: new RegExp(min === 0 ? `${set(then)}*` : `${set(first)}${set(then)}*`, 'y'),
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** A last path segment that is plain (`.` not first: no dot segments). */
export const PLAIN_SEGMENT = charClass(`${ALNUM}-_~!$&'()*+,;=:@`, `${ALNUM}-._~!$&'()*+,;=:@`, 1);
/** A query that is plain: what `plainLink` keeps as it is. */
export const PLAIN_QUERY = charClass(`${ALNUM}-._~!$&()*+,;=:@/?`, `${ALNUM}-._~!$&()*+,;=:@/?`, 0);
/** Printable ASCII but `"` and `\`, JSON text that is its own value: what a kept link may hold after `https://host/`. */
const JSON_PLAIN = Array.from({ length: 0x7f - 0x21 }, (_, k) => String.fromCharCode(0x21 + k))
  .filter((c) => c !== '"' && c !== '\\')
  .join('');
export const KEPT_REST = charClass(JSON_PLAIN, JSON_PLAIN, 0);

function queryShape(value: string, target: string, tid: string, keepQuery: boolean): LinkShape {
  const start = value.slice(0, value.indexOf('?') + 1);
  if (!keepQuery) {
    // Whatever the query, the Location is the target and the tenant.
    const text = tid === '' ? target : `${target}?${tid}`;
    return {
      start,
      rest: PLAIN_QUERY,
      check: null,
      before: text,
      after: '',
      keepRest: false,
      maxRest: Number.MAX_SAFE_INTEGER,
    };
  }
  // `keptAsItIs` also turns down an empty query, which maps to the target alone.
  const after = tid === '' ? '' : `&${tid}`;
  return {
    start,
    rest: PLAIN_QUERY,
    check: keptAsItIs,
    before: `${target}?`,
    after,
    keepRest: true,
    maxRest: MAX_LOCATION_LENGTH - target.length - 1 - after.length,
  };
}

function segmentShape(
  value: string,
  segments: string[],
  map: DeepLinkMap,
  origin: string,
  tid: string,
): LinkShape | null {
  const around = map.aroundLast(segments);
  // The last segment used once in the target, or not at all; more is rare and not worth a shape.
  if (around === null || around.pieces.length > 2) return null;
  const before = origin + (around.pieces[0] as string);
  const after =
    (around.pieces.length === 2 ? (around.pieces[1] as string) : '') +
    (tid === '' ? '' : `?${tid}`);
  const keepRest = around.pieces.length === 2;
  return {
    start: value.slice(0, value.lastIndexOf('/') + 1),
    rest: PLAIN_SEGMENT,
    check: null,
    before,
    after,
    keepRest,
    maxRest: MAX_LOCATION_LENGTH - before.length - after.length,
  };
}

/**
 * A link mapped through a shape, or null when it does not have that shape: the meaning of a
 * shape, which the WebAssembly rewriter (assembly/json-scan.ts) applies on bytes.
 */
export function applyShape(shape: LinkShape, value: string): string | null {
  const restAt = shape.start.length;
  if (!value.startsWith(shape.start) || value.length - restAt > shape.maxRest) return null;
  const pattern = shape.rest.pattern;
  pattern.lastIndex = restAt;
  if (!pattern.test(value) || pattern.lastIndex !== value.length) return null;
  if (shape.check !== null && !shape.check(value.slice(restAt))) return null;
  return shape.before + (shape.keepRest ? value.slice(restAt) : '') + shape.after;
}

const TENANT_ID = /^[0-9a-f-]{36}$/;
