import { MICROSOFT_PHASES, OPT_IN } from '../catalogue/phases';
import type { Product, ProductPhases } from '../catalogue/types';
import type { Env } from './env';
import { productMap } from './parse';

/** The catalogue as this deployment runs it: session cookie names and phases overridden. */
export function configuredProducts(
  catalogue: readonly Product[],
  env: Env,
  problems: string[],
): readonly Product[] {
  return withPhases(
    withSessionCookies(catalogue, env.SESSION_COOKIES, problems),
    env.PRODUCT_PHASES,
    env.LOCKED_PRODUCTS,
    problems,
  );
}

/** Apply SESSION_COOKIES (JSON: product id -> cookie names) over the catalogue's defaults. */
function withSessionCookies(
  products: readonly Product[],
  raw: string | undefined,
  problems: string[],
): readonly Product[] {
  const overrides = productMap('SESSION_COOKIES', raw, problems);
  if (overrides === null) return products;
  return products.map((p) => {
    const names = overrides[p.id];
    if (names === undefined) return p;
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n.length > 0)) {
      problems.push(`SESSION_COOKIES.${p.id} must be an array of cookie names: ignored`);
      return p;
    }
    return { ...p, sessionCookies: names as string[] };
  });
}

/** The named sets of phases PRODUCT_PHASES takes, for every product or for one. */
const PRESETS: Readonly<Record<string, (p: Product) => ProductPhases>> = {
  microsoft: (p) => MICROSOFT_PHASES[p.id],
  'opt-in': () => OPT_IN,
};

/**
 * Apply PRODUCT_PHASES, then LOCKED_PRODUCTS (its older shorthand: product id -> the instant the
 * lock takes effect, PRODUCT_PHASES's `lockedFrom`). PRODUCT_PHASES is `microsoft` (every
 * product's published dates, catalogue/phases.ts) or JSON keyed by product id, each value a
 * preset name or `{ "onByDefaultFrom": instant | null, "lockedFrom": instant | null }` (a field
 * left out keeps the catalogue's).
 */
function withPhases(
  products: readonly Product[],
  rawPhases: string | undefined,
  rawLocks: string | undefined,
  problems: string[],
): readonly Product[] {
  const whole = rawPhases?.trim() ?? '';
  const all = Object.hasOwn(PRESETS, whole) ? PRESETS[whole] : undefined;
  const each = all === undefined ? productMap('PRODUCT_PHASES', rawPhases, problems) : null;
  const locks = productMap('LOCKED_PRODUCTS', rawLocks, problems);
  for (const [name, map] of [
    ['PRODUCT_PHASES', each],
    ['LOCKED_PRODUCTS', locks],
  ] as const)
    for (const key of Object.keys(map ?? {}))
      if (!products.some((p) => p.id === key))
        problems.push(`${name}.${key} names no product: ignored`);
  return products.map((p) => {
    let phases = all ? all(p) : p.phases;
    const asked = each?.[p.id];
    if (asked !== undefined) phases = phasesOf(p, phases, asked, problems);
    const lock = locks?.[p.id];
    if (lock !== undefined) {
      if (asked !== undefined && (asked as { lockedFrom?: unknown }).lockedFrom !== undefined)
        problems.push(`LOCKED_PRODUCTS.${p.id} ignored: PRODUCT_PHASES.${p.id} sets lockedFrom`);
      else if (instant(lock)) phases = { ...phases, lockedFrom: canonical(lock) };
      else problems.push(`LOCKED_PRODUCTS.${p.id} must be an ISO-8601 date: ignored`);
    }
    return phases === p.phases ? p : { ...p, phases };
  });
}

function phasesOf(
  product: Product,
  current: ProductPhases,
  asked: unknown,
  problems: string[],
): ProductPhases {
  const name = `PRODUCT_PHASES.${product.id}`;
  if (typeof asked === 'string') {
    const preset = Object.hasOwn(PRESETS, asked) ? PRESETS[asked] : undefined;
    if (preset) return preset(product);
    problems.push(`${name} must be ${Object.keys(PRESETS).join(' or ')}, or an object: ignored`);
    return current;
  }
  if (typeof asked !== 'object' || asked === null || Array.isArray(asked)) {
    problems.push(`${name} must be an object { onByDefaultFrom, lockedFrom }: ignored`);
    return current;
  }
  const fields = asked as Record<string, unknown>;
  const next = { ...current };
  for (const key of ['onByDefaultFrom', 'lockedFrom'] as const) {
    const value = fields[key];
    if (value === undefined) continue;
    if (value === null) next[key] = null;
    else if (instant(value)) next[key] = canonical(value);
    else problems.push(`${name}.${key} must be an ISO-8601 date or null: ignored`);
  }
  return next;
}

/** An ISO-8601 date or instant (`2024-06-16`, `2024-06-16T00:00:00Z`, with an offset). */
const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const instant = (v: unknown): v is string =>
  typeof v === 'string' && ISO_8601.test(v) && !Number.isNaN(Date.parse(v));
/** The instant as the catalogue writes it: UTC (`2024-06-16T00:00:00Z`, milliseconds if any). */
const canonical = (v: string): string =>
  new Date(Date.parse(v)).toISOString().replace(/\.000Z$/, 'Z');
