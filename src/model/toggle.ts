import type { AuditEntry } from './audit';

/** A product's setting for a tenant: `observe` decides as if on and passes as if off. */
export const TOGGLE_MODES = ['on', 'off', 'observe'] as const;
export type ToggleMode = (typeof TOGGLE_MODES)[number];

export const isToggleMode = (v: unknown): v is ToggleMode =>
  (TOGGLE_MODES as readonly unknown[]).includes(v);

/** The mode a bare `enabled` means (records and entries written before modes existed). */
export const modeOf = (enabled: boolean): ToggleMode => (enabled ? 'on' : 'off');

/**
 * A tenant's choice as the edge decision reads it: on (`true`), off (`false`), or `'observe'`:
 * decide as if on, pass as if off, and say what would have happened.
 */
export type ToggleValue = boolean | 'observe';

/** A tenant's stored choice for one product (its KV copy and the object's row). */
export interface ToggleRecord {
  /** `mode === 'on'`: a reader that predates modes passes an observing tenant, as observe does. */
  enabled: boolean;
  mode: ToggleMode;
  version: number;
  changedAt: string | null;
  changedBy: { oid: string; name: string } | null;
  lastChange: AuditEntry | null;
}

/** What the edge decision reads of a record. */
export const toggleValue = (record: ToggleRecord): ToggleValue =>
  record.mode === 'observe' ? 'observe' : record.mode === 'on';
