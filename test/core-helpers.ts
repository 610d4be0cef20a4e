/** The pure core's inputs, as the tests that call `decide` directly build them. */
import type { Product } from '../src/catalogue/types';
import type { CoreContext } from '../src/core/decide';
import { navigationFacts, type RequestFacts } from '../src/core/facts';
import { DeepLinkMap } from '../src/core/deeplinks';
import { HostIndex } from '../src/core/hosts';

/** A fixed instant: decisions that read the clock (locks) do not depend on when tests run. */
export const CORE_NOW = Date.parse('2026-11-22T00:00:00Z');

/** The core's context for a catalogue; `unified: false` is an unusable UNIFIED_ORIGIN. */
export function coreContext(products: readonly Product[], unified = true): CoreContext {
  return {
    hosts: new HostIndex(products),
    deepLinks: new Map(products.map((p) => [p.id, new DeepLinkMap(p.deepLinks)] as const)),
    unified: unified ? new URL('https://security.microsoft.com') : null,
  };
}

/** A typed navigation of `url` at CORE_NOW, with `extra` facts over it. */
export function coreFacts(url: string, extra: Partial<RequestFacts> = {}): RequestFacts {
  return { ...navigationFacts(new URL(url), {}, CORE_NOW), ...extra };
}
