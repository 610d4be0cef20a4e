/**
 * The edge's own cookies: what it remembers in a browser, and acts on only because it minted the
 * value itself. Each is signed by the edge (HMAC with a Worker secret, `edge/signed-cookies.ts`),
 * bound to its name, the legacy host and the time it was issued; the core sees only what
 * verified. A cookie planted from a sibling host, copied from another host, forged or expired
 * verifies as nothing.
 *
 * - `tid`: the tenant a verified sign-in that this browser started revealed (30 days);
 * - `trip`: a sign-in the legacy portal started in this browser: a digest of its nonce and the
 *   deep link that caused it (10 minutes, used once);
 * - `hop`: the hash page's marker, which lets its own continuation skip the stickiness step
 *   (one minute, used once); or, with the field `stay`, the marker the edge sets when it sends a
 *   continuation whose route stays back to the portal's root with that route in its fragment:
 *   that root passes to the portal once, so the portal's app opens the route.
 */

export type MintedKind = 'tid' | 'trip' | 'hop';

/** Each cookie's name (without the `__Host-` prefix it has over https) and lifetime. */
export const MINTED: Readonly<Record<MintedKind, { name: string; maxAgeSeconds: number }>> = {
  tid: { name: 'portal_redirect_tid', maxAgeSeconds: 30 * 24 * 60 * 60 },
  // About the time an Entra ID sign-in takes, with room for MFA.
  trip: { name: 'portal_redirect_trip', maxAgeSeconds: 10 * 60 },
  // The hash page's script runs at once; a minute covers a slow device, not a later visit.
  hop: { name: 'portal_redirect_hop', maxAgeSeconds: 60 },
};

export const MINTED_KINDS: readonly MintedKind[] = ['tid', 'trip', 'hop'];

/**
 * The cookie's name on a host served over https (`secure`) or plain http (local runs only).
 * `__Host-` (RFC 6265bis 4.1.3.2): the browser keeps it only if it is Secure, host-only and
 * Path=/, so no sibling host can set or shadow it.
 */
export function mintedName(kind: MintedKind, secure: boolean): string {
  return secure ? HOST_NAMES[kind] : MINTED[kind].name;
}

const HOST_NAMES: Readonly<Record<MintedKind, string>> = {
  tid: `__Host-${MINTED.tid.name}`,
  trip: `__Host-${MINTED.trip.name}`,
  hop: `__Host-${MINTED.hop.name}`,
};

/** Every name of the edge's cookies, under either spelling. */
export const MINTED_NAMES: readonly string[] = MINTED_KINDS.flatMap((kind) => [
  MINTED[kind].name,
  HOST_NAMES[kind],
]);

/** A sign-in the legacy portal started in this browser, as the edge saw it begin. */
export interface SignInTrip {
  /** base64url SHA-256 of the nonce in the portal's authorize request. */
  nonceHash: string;
  /** The same-host path and query whose navigation the portal sent to sign in, if usable. */
  route: { path: string; query: string } | null;
}

/** The edge's cookies a request carried, after verification. */
export interface MintedCookies {
  /** The tenant cookie's tenant, when it verified. */
  tenant: string | null;
  trip: SignInTrip | null;
  /** The hop marker's id, when it verified. */
  hop: string | null;
  /** A stay marker verified: this root navigation carries a route that stays (used once). */
  stay: boolean;
  /** A hop marker was carried, valid or not: the next navigation clears it (used once). */
  hopCarried: boolean;
  /**
   * Names of the edge's cookies that were carried but did not verify (forged, expired, another
   * host's, the unprefixed name over https): the next navigation clears them.
   */
  rejected: readonly string[];
}

/** A request with none of the edge's cookies (most of them). */
export const NO_MINTED: MintedCookies = Object.freeze({
  tenant: null,
  trip: null,
  hop: null,
  stay: false,
  hopCarried: false,
  rejected: Object.freeze([]) as readonly string[],
});

/** The hop cookie's second field for a stay marker. */
export const STAY_FIELD = 'stay';

/** The query parameter of the hash page's continuation that carries the hop marker's id. */
export const HOP_PARAM = 'pr_hop';
