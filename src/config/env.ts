/**
 * The Worker's environment: the generated `Cloudflare.Env` (`npm run types`, from wrangler.jsonc)
 * plus the optional variables and secrets wrangler.jsonc does not set, declared here once.
 * Only config/ reads configuration from it (see docs/configuration.md).
 */
/*
 * `npm run types` also declares the two secrets `npm start` keeps in .dev.vars, DEV_SIGNING_KEY
 * (the dev sign-in's key) and COOKIE_SIGNING_SECRET (the edge's cookies), as strings; a deployed
 * Worker may lack either, so they are read as possibly unset all the same.
 */
declare global {
  namespace Cloudflare {
    interface Env {
      PASSTHROUGH_ORIGIN?: string;
      SESSION_COOKIES?: string;
      LOCKED_PRODUCTS?: string;
      /** `microsoft` (the dates Microsoft published), or JSON: product id -> its phases. */
      PRODUCT_PHASES?: string;
      KV_CACHE_TTL_SECONDS?: string;
      TOGGLE_CACHE_TTL_SECONDS?: string;
      KV_READ_TIMEOUT_MS?: string;
      ORIGIN_TIMEOUT_MS?: string;
      AUTH_JWKS?: string;
      AUTH_JWKS_URL?: string;
      /** The tenant the dev sign-in offers (npm start's demo tenant). */
      DEV_TENANT?: string;
      /** Secret (`wrangler secret put`), for a confidential OIDC client. */
      AUTH_CLIENT_SECRET?: string;
      /** Entra ID's keys for the legacy portals' id_tokens (default: the common endpoint's). */
      SIGNIN_JWKS_URL?: string;
      /** Inline JWKS instead of SIGNIN_JWKS_URL (local runs and tests). */
      SIGNIN_JWKS?: string;
      /** JSON `{ "<product>": "<client id>" | ["<client id>", ...] }`: the id_token's audience. */
      SIGNIN_AUDIENCES?: string;
      /** Comma-separated origins of Entra ID's authorize endpoint (default: the global cloud's). */
      SIGNIN_AUTHORITIES?: string;
      /** Secret: the signing secret before the current one, still accepted while rotating. */
      COOKIE_SIGNING_SECRET_PREVIOUS?: string;
      /** "on": the edge's cookies also over plain http (local runs only; default "off"). */
      EDGE_COOKIES_OVER_HTTP?: string;
      /** Days a settings audit row is kept (default 730: two years). */
      SETTINGS_AUDIT_RETENTION_DAYS?: string;
      /** Settings changes per tenant per minute, also the burst (default 60). */
      SETTINGS_WRITES_PER_MINUTE?: string;
      /** How often an isolate sends its migration-report counts, in seconds (default 10). */
      REPORT_FLUSH_SECONDS?: string;
      /** "off" stops the migration report's counting at the edge (default "on"). */
      REPORT_COUNTING?: string;
      /** How far ahead a scheduled change must be, in seconds (default 60). */
      SCHEDULE_MIN_LEAD_SECONDS?: string;
    }
  }
}
export type Env = Cloudflare.Env;
