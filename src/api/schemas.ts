import * as v from 'valibot';
import { PRODUCT_IDS } from '../catalogue/types';
import { REASONS } from '../core/reasons';
import { AUDIT_EVENTS, TOGGLE_MODES } from '../store/records';

/**
 * Request and response schemas of the settings API. The same objects validate requests (in
 * routes.ts) and produce the OpenAPI document (openapi.ts): there is no hand-kept copy.
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_FEEDBACK_CHARS = 2000;
export const MAX_EXPLAIN_URL_CHARS = 16_384;

export const TenantId = v.pipe(
  v.string(),
  v.regex(GUID, 'tenantId must be a GUID'),
  v.toLowerCase(),
);
export const MAX_ACTOR_CHARS = 512;

/** An ISO-8601 instant (`2026-11-22T10:00:00Z`): inclusive for `from`, exclusive for `to`. */
const Instant = (name: string) =>
  v.pipe(
    v.string(),
    v.maxLength(40, `${name} must be an ISO-8601 instant`),
    v.isoTimestamp(`${name} must be an ISO-8601 instant`),
  );

export const ProductIdSchema = v.picklist(PRODUCT_IDS, 'unknown product');

export const TenantParams = v.object({ tenantId: TenantId });
export const ProductParams = v.object({ tenantId: TenantId, product: ProductIdSchema });

export const ModeSchema = v.picklist(TOGGLE_MODES, 'mode must be on, off or observe');

/** `mode`, or the older `enabled` (true: on, false: off); both may be sent when they agree. */
export const PutBody = v.pipe(
  v.strictObject(
    {
      enabled: v.optional(v.boolean('enabled must be true or false')),
      mode: v.optional(ModeSchema),
      feedback: v.optional(
        v.nullable(
          v.pipe(
            v.string('feedback must be a string'),
            v.maxLength(
              MAX_FEEDBACK_CHARS,
              `feedback is limited to ${MAX_FEEDBACK_CHARS} characters`,
            ),
          ),
        ),
      ),
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
);

export const AuditQuery = v.object({
  product: v.optional(ProductIdSchema),
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, 'limit must be 1..100'),
      v.transform(Number),
      v.minValue(1, 'limit must be 1..100'),
      v.maxValue(100, 'limit must be 1..100'),
    ),
  ),
  /** The actor's object id, or their UPN (any case). */
  actor: v.optional(
    v.pipe(
      v.string(),
      v.minLength(1, 'actor must not be empty'),
      v.maxLength(MAX_ACTOR_CHARS, `actor is limited to ${MAX_ACTOR_CHARS} characters`),
    ),
  ),
  from: v.optional(Instant('from')),
  to: v.optional(Instant('to')),
  cursor: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64, 'cursor is not valid'))),
});

export const AuditExportQuery = v.object({
  format: v.picklist(['csv', 'json'], 'format must be csv or json'),
});

export const ExplainQuery = v.object({
  url: v.pipe(
    v.string('url is required'),
    v.maxLength(MAX_EXPLAIN_URL_CHARS, 'url is too long'),
    v.check(
      (s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol),
      'url must be an absolute http(s) URL',
    ),
  ),
  session: v.optional(v.picklist(['true', 'false'], 'session must be true or false')),
});

const Actor = v.object({ oid: v.string(), name: v.string(), upn: v.string(), idp: v.string() });

export const ProductStateSchema = v.object({
  product: ProductIdSchema,
  /** `mode === "on"`. */
  enabled: v.boolean(),
  mode: ModeSchema,
  source: v.picklist(['tenant', 'default']),
  locked: v.boolean(),
  version: v.pipe(v.number(), v.integer()),
  changedAt: v.nullable(v.string()),
  changedBy: v.nullable(v.object({ oid: v.string(), name: v.string() })),
});

export const TenantStateSchema = v.object({
  tenantId: v.string(),
  products: v.array(ProductStateSchema),
});

export const AuditEntrySchema = v.object({
  id: v.string(),
  at: v.string(),
  product: ProductIdSchema,
  enabled: v.boolean(),
  previous: v.boolean(),
  mode: ModeSchema,
  previousMode: ModeSchema,
  actor: Actor,
  /** `schedule`: applied by a scheduled change on behalf of `actor`, who set it. */
  via: v.picklist(['admin', 'schedule']),
  feedback: v.nullable(v.string()),
  /** `change`, or a scheduled change set (`schedule-created`) or cancelled (`schedule-cancelled`). */
  event: v.picklist(AUDIT_EVENTS),
  /** The scheduled change's time, for the two schedule events; else `null`. */
  scheduledFor: v.nullable(v.string()),
});

export const AuditPageSchema = v.object({
  entries: v.array(AuditEntrySchema),
  cursor: v.nullable(v.string()),
});

export const ExplainSchema = v.object({
  product: v.nullable(ProductIdSchema),
  action: v.picklist(['redirect', 'pass']),
  reason: v.picklist(REASONS),
  location: v.nullable(v.string()),
  /** Where the sign-in callback sends a browser that opened this link without a known tenant. */
  afterSignIn: v.nullable(v.string()),
});

export const ErrorSchema = v.object({ error: v.string(), message: v.string() });

export const ScheduleBody = v.strictObject(
  {
    product: ProductIdSchema,
    mode: ModeSchema,
    /** When to apply it: an ISO-8601 instant, at least SCHEDULE_MIN_LEAD_SECONDS ahead. */
    at: Instant('at'),
  },
  'only "product", "mode" and "at" are accepted',
);

export const ScheduleParams = v.object({
  tenantId: TenantId,
  id: v.pipe(v.string(), v.regex(GUID, 'No such scheduled change.'), v.toLowerCase()),
});

export const ScheduledChangeSchema = v.object({
  id: v.string(),
  product: ProductIdSchema,
  mode: ModeSchema,
  at: v.string(),
  createdAt: v.string(),
  actor: Actor,
});

export const SchedulesSchema = v.object({ schedules: v.array(ScheduledChangeSchema) });

const Count = v.pipe(v.number(), v.integer());

const ProductReportSchema = v.object({
  product: ProductIdSchema,
  navigations: Count,
  redirected: Count,
  observed: Count,
  /** Passed navigations by reason (observe-would-redirect included). */
  passed: v.record(v.picklist(REASONS), Count),
  /** Paths no deep-link row knew, as templates (ids as placeholders), top 20. */
  unmapped: v.array(v.object({ template: v.string(), count: Count })),
});

export const ReportSchema = v.object({
  tenantId: v.string(),
  generatedAt: v.string(),
  windows: v.array(
    v.object({
      window: v.picklist(['24h', '7d']),
      from: v.string(),
      products: v.array(ProductReportSchema),
    }),
  ),
  hourly: v.array(
    v.object({
      product: ProductIdSchema,
      hours: v.array(
        v.object({ at: v.string(), redirected: Count, passed: Count, observed: Count }),
      ),
    }),
  ),
  /** The last 7 days by UTC day (today's so far last), per product. */
  daily: v.array(
    v.object({
      product: ProductIdSchema,
      days: v.array(
        v.object({ at: v.string(), redirected: Count, passed: Count, observed: Count }),
      ),
    }),
  ),
});
