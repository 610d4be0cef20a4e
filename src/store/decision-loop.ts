import type { CoreContext, Decision, Lookups, RequestFacts } from '../core/decide';
import { decide } from '../core/decide';
import type { StoreOptions } from './toggles';
import { ToggleStore } from './toggles';

/** The reads the pure core may ask for. */
export interface DecisionReads {
  enabledFor: ToggleStore['enabledFor'];
  hostTenant: ToggleStore['hostTenant'];
}

/**
 * Run the decision loop: the pure core says which store read it still needs (at most a host
 * mapping and one toggle), this adapter reads it and asks again. Shared by the edge and the
 * settings service's `explain`, so both answer the same.
 */
export async function decideWithStore(
  config: { core: CoreContext },
  store: DecisionReads,
  facts: RequestFacts,
): Promise<Decision> {
  const lookups: Lookups = {};
  for (;;) {
    const step = decide(config.core, facts, lookups);
    if (step.kind === 'decision') return step.decision;
    if (step.kind === 'need-host-tenant')
      lookups.hostTenant = await store.hostTenant(step.hostname);
    else lookups.toggle = await store.enabledFor(step.tenant, step.product);
  }
}

/** The toggle store over the Worker's `TOGGLES` binding, with the configured timings. */
export function storeFor(env: { TOGGLES: KVNamespace }, options: StoreOptions): ToggleStore {
  return new ToggleStore(env.TOGGLES, {
    kvCacheTtlSeconds: options.kvCacheTtlSeconds,
    toggleCacheTtlMs: options.toggleCacheTtlMs,
    kvReadTimeoutMs: options.kvReadTimeoutMs,
  });
}
