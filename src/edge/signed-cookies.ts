import {
  MINTED,
  MINTED_KINDS,
  MINTED_NAMES,
  type MintedCookies,
  type MintedKind,
  mintedName,
  NO_MINTED,
  type SignInTrip,
  STAY_FIELD,
} from '../core/minted';
import { rememberedRoute, type RememberedRoute, routeText } from '../core/remember';
import { HOP_ID } from '../core/hop';
import { base64url, fromBase64url } from '../lib/base64url';
import { asTenantId } from '../core/tenant';
import { CONSUMER_TENANT } from '../lib/entra';

/**
 * Signing and reading the edge's own cookies (`core/minted.ts`). A value is
 * `<issued>.<field>[.<field>].<mac>`: the issue time in whole seconds, the kind's fields
 * (base64url or a tenant id: never a `.`, `;`, `%` or space, so no cookie parser alters them), and
 * HMAC-SHA256 over the cookie's name (its `__Host-` prefix included), the host, the issue time and
 * the fields. A value verifies only under the name and host it was minted for, within its
 * lifetime, under the current or previous secret.
 */

const FIELD = /^[A-Za-z0-9_-]{1,1400}$/;
const FUTURE_SKEW_SECONDS = 5;
/**
 * Verified tenant cookies this isolate remembers: the same browsers send the same value for
 * weeks, and a verification is an HMAC. Keyed by the name, host and value (request text) in a
 * Map, so only own keys answer; bounded, and cleared when full.
 */
const MAX_REMEMBERED_TENANTS = 10_000;

export class CookieSigner {
  private readonly keys: Promise<CryptoKey[]>;
  private readonly tenants = new Map<string, { tenant: string; issued: number }>();

  /** `secrets`: the signing secret first, then any still accepted (config.cookieSecrets). */
  constructor(secrets: readonly string[]) {
    const encoder = new TextEncoder();
    this.keys = Promise.all(
      secrets.map((secret) =>
        crypto.subtle.importKey(
          'raw',
          encoder.encode(secret),
          { name: 'HMAC', hash: 'SHA-256' },
          false,
          ['sign', 'verify'],
        ),
      ),
    );
  }

  /** The cookie's value: `fields` (each matching FIELD) signed for `name` on `host`, issued `now`. */
  async sign(name: string, host: string, fields: readonly string[], now: number): Promise<string> {
    const [key] = await this.keys;
    if (key === undefined) throw new Error('no cookie signing secret');
    const issued = String(Math.floor(now / 1000));
    const mac = await crypto.subtle.sign('HMAC', key, signedText(name, host, issued, fields));
    return `${issued}.${fields.join('.')}.${base64url(new Uint8Array(mac))}`;
  }

  /** The fields of a value minted for `name` on `host` and younger than `maxAgeSeconds`, else `null`. */
  async verify(
    name: string,
    host: string,
    value: string,
    now: number,
    maxAgeSeconds: number,
  ): Promise<string[] | null> {
    const parts = value.split('.');
    if (parts.length < 3 || parts.length > 4) return null;
    const issuedText = parts[0] as string;
    const mac = parts[parts.length - 1] as string;
    const fields = parts.slice(1, -1);
    if (!/^\d{1,12}$/.test(issuedText) || !fields.every((f) => FIELD.test(f))) return null;
    const age = Math.floor(now / 1000) - Number(issuedText);
    if (age < -FUTURE_SKEW_SECONDS || age > maxAgeSeconds) return null;
    const signature = fromBase64url(mac);
    if (signature === null) return null;
    const text = signedText(name, host, issuedText, fields);
    for (const key of await this.keys)
      if (await crypto.subtle.verify('HMAC', key, signature, text)) return fields;
    return null;
  }

  /**
   * The edge's cookies a request carries, verified: synchronous when it carries none (most
   * requests) or only a tenant cookie this isolate has verified before.
   */
  read(
    cookies: Readonly<Record<string, string>>,
    secure: boolean,
    host: string,
    now: number,
  ): MintedCookies | Promise<MintedCookies> {
    const carried: [MintedKind, string][] = [];
    const rejected: string[] = [];
    for (const kind of MINTED_KINDS) {
      const value = cookies[mintedName(kind, secure)];
      if (value !== undefined) carried.push([kind, value]);
      // Over https only the `__Host-` name is the edge's: the bare name may have been set for a
      // whole domain by a sibling host (or by an older version of this Worker).
      if (secure && cookies[MINTED[kind].name] !== undefined) rejected.push(MINTED[kind].name);
    }
    if (carried.length === 0 && rejected.length === 0) return NO_MINTED;
    if (carried.length === 1 && rejected.length === 0 && carried[0]?.[0] === 'tid') {
      const known = this.knownTenant(mintedName('tid', secure), host, carried[0][1], now);
      if (known !== null) return { ...NO_MINTED, tenant: known };
    }
    return this.readCarried(carried, rejected, secure, host, now);
  }

  private async readCarried(
    carried: [MintedKind, string][],
    rejected: string[],
    secure: boolean,
    host: string,
    now: number,
  ): Promise<MintedCookies> {
    const minted = { ...NO_MINTED, rejected };
    for (const [kind, value] of carried) {
      const name = mintedName(kind, secure);
      const fields = await this.verify(name, host, value, now, MINTED[kind].maxAgeSeconds);
      const ok = fields !== null && this.accept(minted, kind, fields, name, host, value, now);
      if (kind === 'hop') minted.hopCarried = true;
      if (!ok) rejected.push(name);
    }
    return minted;
  }

  /** Take a verified cookie's fields into `minted`; false when they are not the kind's shape. */
  private accept(
    minted: { -readonly [K in keyof MintedCookies]: MintedCookies[K] },
    kind: MintedKind,
    fields: string[],
    name: string,
    host: string,
    value: string,
    now: number,
  ): boolean {
    if (kind === 'tid') {
      const tenant = fields.length === 1 ? asTenantId(fields[0]) : null;
      if (tenant === null || tenant !== fields[0] || tenant === CONSUMER_TENANT) return false;
      minted.tenant = tenant;
      this.rememberTenant(name, host, value, tenant, now);
      return true;
    }
    if (kind === 'trip') {
      const trip = tripOf(fields);
      minted.trip = trip;
      return trip !== null;
    }
    const [id, purpose] = fields as [string, string | undefined];
    if (!HOP_ID.test(id) || fields.length > 2) return false;
    if (purpose === undefined) minted.hop = id;
    else if (purpose === STAY_FIELD) minted.stay = true;
    else return false;
    return true;
  }

  private knownTenant(name: string, host: string, value: string, now: number): string | null {
    const known = this.tenants.get(`${name} ${host} ${value}`);
    if (known === undefined) return null;
    return Math.floor(now / 1000) - known.issued <= MINTED.tid.maxAgeSeconds ? known.tenant : null;
  }

  private rememberTenant(
    name: string,
    host: string,
    value: string,
    tenant: string,
    now: number,
  ): void {
    if (this.tenants.size >= MAX_REMEMBERED_TENANTS) this.tenants.clear();
    const issued = Number(value.slice(0, value.indexOf('.')));
    if (Number.isSafeInteger(issued) && issued <= Math.floor(now / 1000) + FUTURE_SKEW_SECONDS)
      this.tenants.set(`${name} ${host} ${value}`, { tenant, issued });
  }
}

/** The trip cookie's fields: the nonce digest and the deep link (base64url, `-` for none). */
export function tripFields(nonceHash: string, route: RememberedRoute | null): string[] {
  return [nonceHash, route === null ? '-' : base64url(new TextEncoder().encode(routeText(route)))];
}

function tripOf(fields: string[]): SignInTrip | null {
  if (fields.length !== 2) return null;
  const [nonceHash, encoded] = fields as [string, string];
  if (!/^[A-Za-z0-9_-]{43}$/.test(nonceHash)) return null;
  if (encoded === '-') return { nonceHash, route: null };
  const bytes = fromBase64url(encoded);
  const route = bytes === null ? null : rememberedRoute(new TextDecoder().decode(bytes));
  return route === null ? null : { nonceHash, route };
}

/** base64url SHA-256 of a sign-in's nonce, as the trip keeps it and the id_token is checked. */
export async function nonceDigest(nonce: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(nonce));
  return base64url(new Uint8Array(digest));
}

function signedText(name: string, host: string, issued: string, fields: readonly string[]) {
  return new TextEncoder().encode(
    `portal-redirect/1\n${name}\n${host}\n${issued}\n${fields.join('.')}`,
  );
}

/**
 * The edge's cookies when no secret is set: none is trusted, every one carried is cleared by the
 * next navigation.
 */
export function untrusted(
  cookies: Readonly<Record<string, string>>,
  secure: boolean,
): MintedCookies {
  const rejected: string[] = [];
  for (const kind of MINTED_KINDS)
    for (const name of [mintedName(kind, secure), MINTED[kind].name])
      if (cookies[name] !== undefined && !rejected.includes(name)) rejected.push(name);
  return rejected.length === 0 ? NO_MINTED : { ...NO_MINTED, rejected };
}

/** True when the request carries any of the edge's cookie names, under either spelling. */
export function carriesEdgeCookie(cookies: Readonly<Record<string, string>>): boolean {
  for (const name of MINTED_NAMES) if (cookies[name] !== undefined) return true;
  return false;
}

const signers = new WeakMap<readonly string[], CookieSigner>();

/** The signer for a configuration's secrets (one per isolate), or `null` when none is set. */
export function signerFor(secrets: readonly string[]): CookieSigner | null {
  if (secrets.length === 0) return null;
  let signer = signers.get(secrets);
  if (signer === undefined) {
    signer = new CookieSigner(secrets);
    signers.set(secrets, signer);
  }
  return signer;
}
