import * as v from 'valibot';
import { REASONS } from '../core/reasons';
import { AUDIT_EVENTS } from '../model/audit';
import { MAX_AUDIT_PAGE, MAX_EXPLAIN_URL_CHARS } from '../model/limits';
import { PHASES } from '../model/phases';
import {
  AuditLimitSchema,
  AuditQuerySchema,
  ChangeBodySchema,
  GUID,
  ModeSchema,
  ProductIdSchema,
  ScheduleBodySchema,
  TenantIdSchema,
} from '../model/schemas';

/**
 * The settings API's HTTP shapes: path parameters, query strings and bodies over the domain's
 * schemas (model/schemas.ts, which the pages' forms use too), and the responses. The same
 * objects validate requests (routes.ts) and produce the OpenAPI document (openapi.ts).
 */

export const TenantParams = v.object({ tenantId: TenantIdSchema });
export const ProductParams = v.object({ tenantId: TenantIdSchema, product: ProductIdSchema });

/** `mode`, or the older `enabled` (true: on, false: off); both may be sent when they agree. */
export const PutBody = ChangeBodySchema;

/** The audit query as a query string: `limit` is text here. */
export const AuditQuery = v.object({
  ...AuditQuerySchema.entries,
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, `limit must be 1..${MAX_AUDIT_PAGE}`),
      v.transform(Number),
      AuditLimitSchema,
    ),
  ),
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
  /** `phase === "locked"`. */
  locked: v.boolean(),
  /** opt-in, on-by-default (a tenant that never chose is redirected) or locked (mandatory). */
  phase: v.picklist(PHASES),
  /** When redirection became, or becomes, the default for tenants that never chose. */
  onByDefaultFrom: v.nullable(v.string()),
  /** When redirection became, or becomes, mandatory. */
  lockedFrom: v.nullable(v.string()),
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

/** When to apply it: an ISO-8601 instant, at least SCHEDULE_MIN_LEAD_SECONDS ahead. */
export const ScheduleBody = ScheduleBodySchema;

export const ScheduleParams = v.object({
  tenantId: TenantIdSchema,
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

/** One hour's or one day's counts of a product. */
const ReportBucketSchema = v.object({
  at: v.string(),
  redirected: Count,
  passed: Count,
  observed: Count,
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
      hours: v.array(ReportBucketSchema),
    }),
  ),
  /** The last 7 days by UTC day (today's so far last), per product. */
  daily: v.array(
    v.object({
      product: ProductIdSchema,
      days: v.array(ReportBucketSchema),
    }),
  ),
});
