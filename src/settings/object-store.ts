import { AppError, settingsFailure } from '../errors';
import type { Result } from '../model/result';
import type { TenantSettings } from '../objects/tenant-settings';
import type { SettingsStore } from './store';

/**
 * Call the tenant's object: its value, or its failure as an error of the family; a call that
 * did not answer (object overloaded or reset, network) is `unavailable`: retry shortly.
 */
async function call<T>(run: () => Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await run();
  } catch (error) {
    throw new AppError(
      'unavailable',
      'The settings store is busy; try again shortly.',
      { 'Retry-After': '1' },
      `TenantSettings call failed: ${String(error)}`,
    );
  }
  if (!result.ok) throw settingsFailure(result);
  return result.value;
}

/**
 * The settings store over each tenant's TenantSettings object (`idFromName(tenant)`, the tenant
 * id already a lower-case GUID from authorise.ts): the only writer of the tenant's settings.
 * KV stays the edge's read path; the object writes it after each commit. The stub's methods
 * answer `Result`s (RPC keeps plain data as it is; the casts only drop the stub's wrapper types).
 */
export function objectSettingsStore(
  namespace: DurableObjectNamespace<TenantSettings>,
): SettingsStore {
  const stub = (tenant: string): TenantSettings =>
    namespace.get(namespace.idFromName(tenant)) as unknown as TenantSettings;
  return {
    records: (tenant) => call(() => stub(tenant).records(tenant)),
    change: (request) => call(() => stub(request.tenant).change(request)),
    audit: (tenant, query) => call(() => stub(tenant).audit(tenant, query)),
    exportAudit: (tenant, format) => call(() => stub(tenant).exportAudit(tenant, format)),
    schedule: (request) => call(() => stub(request.tenant).schedule(request)),
    schedules: (tenant) => call(() => stub(tenant).schedules(tenant)),
    cancelSchedule: (tenant, id, actor) =>
      call(() => stub(tenant).cancelSchedule(tenant, id, actor)),
    report: (tenant) => call(() => stub(tenant).report(tenant)),
  };
}
