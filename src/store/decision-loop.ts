import type { CoreContext, Decision, KnownReads, Lookups, Step } from '../core/decide';
import { decide } from '../core/decide';
import type { RequestFacts } from '../core/facts';
import type { StoreOptions } from './toggles';
import { ToggleStore } from './toggles';

/** The reads the pure core may ask for, and the same answers when this isolate holds them. */
export interface DecisionReads extends KnownReads {
  enabledFor: ToggleStore['enabledFor'];
  hostTenant: ToggleStore['hostTenant'];
}

type Need = Exclude<Step, { kind: 'decision' }>;

/**
 * Run the decision loop: the pure core says which store read it still needs (at most a host
 * mapping and one toggle), this adapter reads it and asks again. Shared by the edge and the
 * settings service's `explain`, so both answer the same. Reads this isolate holds fresh are
 * answered in place: the decision comes back as a value, and only a request that needs KV gets
 * a promise (on the redirect path a promise per request is a cost with nothing to wait for).
 */
export function decideWithStore(
  config: { core: CoreContext },
  store: DecisionReads,
  facts: RequestFacts,
): Decision | Promise<Decision> {
  const lookups: Lookups = { known: store };
  const step = decide(config.core, facts, lookups);
  return step.kind === 'decision'
    ? step.decision
    : readThenDecide(config, store, facts, lookups, step);
}

async function readThenDecide(
  config: { core: CoreContext },
  store: DecisionReads,
  facts: RequestFacts,
  lookups: Lookups,
  first: Need,
): Promise<Decision> {
  let need: Need = first;
  let answered = lookups;
  for (;;) {
    answered =
      need.kind === 'need-host-tenant'
        ? { ...answered, hostTenant: await store.hostTenant(need.hostname) }
        : { ...answered, toggle: await store.enabledFor(need.tenant, need.product) };
    const step = decide(config.core, facts, answered);
    if (step.kind === 'decision') return step.decision;
    need = step;
  }
}

const stores = new WeakMap<KVNamespace, { options: StoreOptions; store: ToggleStore }>();

/**
 * The toggle store over the Worker's `TOGGLES` binding, with the configured timings: one per
 * binding and configuration, not one per request.
 */
export function storeFor(env: { TOGGLES: KVNamespace }, options: StoreOptions): ToggleStore {
  const made = stores.get(env.TOGGLES);
  if (made?.options === options) return made.store;
  const store = new ToggleStore(env.TOGGLES, {
    kvCacheTtlSeconds: options.kvCacheTtlSeconds,
    toggleCacheTtlMs: options.toggleCacheTtlMs,
    kvReadTimeoutMs: options.kvReadTimeoutMs,
  });
  stores.set(env.TOGGLES, { options, store });
  return store;
}
