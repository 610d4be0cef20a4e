import type { Product } from '../catalogue/types';
import type { Decision } from '../core/decide';
import type { RequestFacts } from '../core/facts';
import { routeToRemember } from '../core/remember';
import { meaningOf } from '../core/reasons';
import { routeOf } from '../core/route';
import { hashPage, mintedCookie } from './respond';
import { type CookieSigner, nonceDigest, tripFields } from './signed-cookies';
import { MAX_NONCE_LENGTH } from './signin';
import { mintedName } from '../core/minted';
import type { SignInConfig } from '../config/signin';

/**
 * The start of a sign-in, as the edge sees it begin in a browser: the legacy portal answers a
 * navigation with a redirect to Entra ID's authorize endpoint (OpenID Connect, `form_post`, as
 * ASP.NET's OpenID Connect handler sends it), back to this host's sign-in callback. The edge
 * then remembers, in its signed trip cookie, a digest of the request's nonce and the link the
 * navigation asked for. At the callback only an id_token carrying that nonce decides anything
 * (`core/decide.ts`), once; so a sign-in posted from another site, or replayed into another
 * browser, sets nothing. docs/decision.md says why the edge binds to the trip it saw rather than
 * to the portal's answer to the callback.
 */

/** `/{tenant}/oauth2/v2.0/authorize` or the v1.0 `/{tenant}/oauth2/authorize`. */
const AUTHORIZE_PATH = /^\/[A-Za-z0-9._-]{1,64}\/oauth2\/(?:v2\.0\/)?authorize$/;

export interface SignInStart {
  nonce: string;
  /** The authorize URL, absolute. */
  location: string;
}

/**
 * The sign-in a legacy response starts for this host's callback, or `null` when it starts none.
 * It is the portal's own OpenID Connect request: to an authority of SIGNIN_AUTHORITIES, for one of
 * the product's client ids (SIGNIN_AUDIENCES), form_post with an id_token, a `state` and a `nonce`,
 * back to this host's callback, and the response sets the portal's cookie for it (its correlation
 * cookie). A redirect the portal merely relays (a return URL it follows) sets no such cookie.
 */
export function signInStart(
  response: Response,
  url: URL,
  product: Product,
  signIn: Pick<SignInConfig, 'authorities' | 'audiences'>,
): SignInStart | null {
  if (response.status < 301 || response.status > 308 || response.status === 304) return null;
  const location = response.headers.get('location');
  if (location === null || !URL.canParse(location, url.href)) return null;
  const authorize = new URL(location, url);
  if (!signIn.authorities.has(authorize.origin) || !AUTHORIZE_PATH.test(authorize.pathname))
    return null;
  const query = authorize.searchParams;
  const nonce = query.get('nonce');
  const back = query.get('redirect_uri');
  const clientId = query.get('client_id');
  if (
    query.get('response_mode') !== 'form_post' ||
    !(query.get('response_type') ?? '').split(' ').includes('id_token') ||
    !query.get('state') ||
    !nonce ||
    nonce.length > MAX_NONCE_LENGTH ||
    clientId === null ||
    !(signIn.audiences.get(product.id) ?? []).includes(clientId) ||
    response.headers.getSetCookie().length === 0
  )
    return null;
  if (back === null || !URL.canParse(back)) return null;
  const callback = new URL(back);
  const ours =
    callback.protocol === url.protocol &&
    callback.host === url.host &&
    callback.pathname.toLowerCase() === product.callbackPath;
  return ours ? { nonce, location: authorize.href } : null;
}

/**
 * The portal's redirect to sign in, with the trip cookie added; or, at a hash-routed root whose
 * route the server cannot see, the hash page, whose continuation carries the route to the portal
 * (which starts the sign-in again, now remembered with the route). The portal's own cookies (its
 * correlation and nonce cookies) are kept either way.
 */
export async function rememberSignIn(
  response: Response,
  start: SignInStart,
  decision: Decision,
  facts: RequestFacts,
  product: Product,
  secure: boolean,
  signer: CookieSigner,
): Promise<Response> {
  const atHashRoot =
    routeOf(product, facts.path, facts.query).spaRoot &&
    // Only where a sign-in may still move the browser (the reason table's `signInMayMove`) is
    // the fragment worth a round trip through the hash page before the sign-in starts.
    meaningOf(decision.reason).signInMayMove;
  const route = atHashRoot ? null : routeToRemember(facts.path, facts.query);
  const nonceHash = await nonceDigest(start.nonce);
  const value = await signer.sign(
    mintedName('trip', secure),
    facts.host,
    tripFields(nonceHash, route),
    facts.now,
  );
  const trip = mintedCookie('trip', value, secure);
  if (atHashRoot) {
    const portalCookies = response.headers.getSetCookie();
    return hashPage('sign-in', decision, start.location, facts, secure, signer, [
      ...portalCookies,
      trip,
    ]);
  }
  const answer = new Response(response.body, response);
  answer.headers.append('Set-Cookie', trip);
  answer.headers.set('Cache-Control', 'private, no-store');
  return answer;
}
