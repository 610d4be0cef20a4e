import * as v from 'valibot';
import { PRODUCT_IDS } from '../catalogue/types';
import { MAX_ACTOR_CHARS, MAX_AUDIT_PAGE, MAX_CURSOR_CHARS, MAX_FEEDBACK_CHARS } from './limits';
import { TOGGLE_MODES } from './toggle';

/**
 * What an admin may ask for, as schemas: the settings API (api/schemas.ts wraps these in its
 * HTTP shapes and its OpenAPI document) and the settings pages (their forms) validate with the
 * same objects, where a request enters; the service and the object take the typed result.
 */

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const TenantIdSchema = v.pipe(
  v.string(),
  v.regex(GUID, 'tenantId must be a GUID'),
  v.toLowerCase(),
);

export const ProductIdSchema = v.picklist(PRODUCT_IDS, 'unknown product');

export const ModeSchema = v.picklist(TOGGLE_MODES, 'mode must be on, off or observe');

/** An ISO-8601 instant (`2026-11-22T10:00:00Z`). */
export const InstantSchema = (name: string) =>
  v.pipe(
    v.string(`${name} must be an ISO-8601 instant`),
    v.maxLength(40, `${name} must be an ISO-8601 instant`),
    v.isoTimestamp(`${name} must be an ISO-8601 instant`),
  );

export const FeedbackSchema = v.nullable(
  v.pipe(
    v.string('feedback must be a string'),
    v.maxLength(MAX_FEEDBACK_CHARS, `feedback is limited to ${MAX_FEEDBACK_CHARS} characters`),
  ),
);

/**
 * A change of one product: `mode`, or the older `enabled` (true: on, false: off); both may be
 * sent when they agree. Out: the mode and the feedback.
 */
export const ChangeBodySchema = v.pipe(
  v.strictObject(
    {
      enabled: v.optional(v.boolean('enabled must be true or false')),
      mode: v.optional(ModeSchema),
      feedback: v.optional(FeedbackSchema),
    },
    'only "mode", "enabled" and "feedback" are accepted',
  ),
  v.check(
    (b) => b.mode !== undefined || b.enabled !== undefined,
    'send "mode" (on, off or observe) or "enabled"',
  ),
  v.check(
    (b) => b.mode === undefined || b.enabled === undefined || (b.mode === 'on') === b.enabled,
    '"mode" and "enabled" disagree',
  ),
  v.transform((b) => ({
    mode: b.mode ?? (b.enabled ? ('on' as const) : ('off' as const)),
    feedback: b.feedback ?? null,
  })),
);

/** A change for later: the product, the mode, and when (at least the minimum lead ahead). */
export const ScheduleBodySchema = v.strictObject(
  { product: ProductIdSchema, mode: ModeSchema, at: InstantSchema('at') },
  'only "product", "mode" and "at" are accepted',
);

/** The number of audit entries in a page. */
export const AuditLimitSchema = v.pipe(
  v.number(),
  v.integer(`limit must be 1..${MAX_AUDIT_PAGE}`),
  v.minValue(1, `limit must be 1..${MAX_AUDIT_PAGE}`),
  v.maxValue(MAX_AUDIT_PAGE, `limit must be 1..${MAX_AUDIT_PAGE}`),
);

/** Which audit entries: by product, actor (object id or UPN, any case) and time, paged. */
export const AuditQuerySchema = v.object({
  product: v.optional(ProductIdSchema),
  actor: v.optional(
    v.pipe(
      v.string(),
      v.minLength(1, 'actor must not be empty'),
      v.maxLength(MAX_ACTOR_CHARS, `actor is limited to ${MAX_ACTOR_CHARS} characters`),
    ),
  ),
  /** Inclusive. */
  from: v.optional(InstantSchema('from')),
  /** Exclusive. */
  to: v.optional(InstantSchema('to')),
  limit: v.optional(AuditLimitSchema),
  cursor: v.optional(
    v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CURSOR_CHARS, 'cursor is not valid')),
  ),
});
