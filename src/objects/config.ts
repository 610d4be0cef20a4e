/** The object's own settings, parsed once per instance from its env (see docs/storage-schema.md). */
export interface ObjectConfig {
  /** Audit rows older than this are deleted (on write, on import and by the alarm). */
  auditRetentionMs: number;
  /** Token bucket: this many writes at once, refilled at this many per minute. */
  writesPerMinute: number;
}

export interface ObjectEnv {
  TOGGLES: KVNamespace;
  /** Days an audit row is kept (default 730: two years). */
  SETTINGS_AUDIT_RETENTION_DAYS?: string;
  /** Change requests per tenant per minute, also the burst (default 60). */
  SETTINGS_WRITES_PER_MINUTE?: string;
}

const DAY_MS = 86_400_000;
export const DEFAULT_AUDIT_RETENTION_DAYS = 730;
export const DEFAULT_WRITES_PER_MINUTE = 60;

/** Invalid or missing values fall back to the defaults (and say so once, in the log). */
export function objectConfig(env: ObjectEnv): ObjectConfig {
  return {
    auditRetentionMs:
      positiveInt(
        'SETTINGS_AUDIT_RETENTION_DAYS',
        env.SETTINGS_AUDIT_RETENTION_DAYS,
        DEFAULT_AUDIT_RETENTION_DAYS,
      ) * DAY_MS,
    writesPerMinute: positiveInt(
      'SETTINGS_WRITES_PER_MINUTE',
      env.SETTINGS_WRITES_PER_MINUTE,
      DEFAULT_WRITES_PER_MINUTE,
    ),
  };
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (Number.isSafeInteger(n) && n > 0) return n;
  console.warn(`TenantSettings config: ${name} must be a positive integer: using ${fallback}`);
  return fallback;
}
