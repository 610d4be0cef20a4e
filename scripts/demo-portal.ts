/**
 * The demo legacy portals' sign-in, as the real ones do it where the edge depends on it (an
 * ASP.NET app with the OpenID Connect handler in front of Entra ID):
 *
 * - a navigation without a live session cookie of the product answers 302 to Entra ID's
 *   authorize endpoint: `response_mode=form_post`, a fresh `state` and `nonce`, the
 *   `redirect_uri` of this host's `/signin-oidc`, and a correlation cookie for the state
 *   (`.AspNetCore.Correlation.<state>`, `SameSite=None; Secure` over https);
 * - `POST /signin-oidc` checks the state against that cookie and the id_token (signature,
 *   issuer, `aud` = the portal's client id, `nonce` = the state's), then sets the product's
 *   session cookie and redirects to the page that started the sign-in;
 * - a session cookie whose value the portal does not hold (never issued, or expired) is treated
 *   as no session.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { PRODUCTS } from '../src/catalogue/products';
import type { Product, ProductId } from '../src/catalogue/types';
import { HostIndex } from '../src/core/hosts';
import { asTenantId } from '../src/core/tenant';
import { CONSUMER_TENANT, entraIssuer } from '../src/lib/entra';
import { DEMO_CLIENT_IDS } from './demo-clients.ts';

export interface PortalOptions {
  /** Entra ID's origin the portals send browsers to (default: login.microsoftonline.com). */
  authority: string;
  /** The public key set the portals verify id_tokens with; without one, no sign-in completes. */
  jwks: { keys: (JsonWebKey & { kid?: string })[] } | null;
  /** How long a session lasts. */
  sessionSeconds: number;
  /** A session value accepted for as long as the portal runs (load tests sign in once, by hand). */
  fixedSession?: string;
}

const CORRELATION = '.AspNetCore.Correlation.';
const PENDING_MAX_AGE_MS = 15 * 60_000;
const hosts = new HostIndex(PRODUCTS);

export class DemoPortals {
  private readonly sessions = new Map<string, { product: ProductId; expires: number }>();
  private readonly pending = new Map<
    string,
    { nonce: string; returnUrl: string; host: string; product: ProductId; created: number }
  >();

  constructor(private readonly options: PortalOptions) {}

  /** The browser-host product of a request's (forwarded) host, or `null`. */
  productOf(host: string): Product | null {
    const match = hosts.match(host);
    return match?.host.kind === 'browser' ? match.product : null;
  }

  /** True when the request carries a session cookie of the product that the portal holds. */
  hasSession(req: IncomingMessage, product: Product): boolean {
    const cookies = cookiesOf(req);
    return product.sessionCookies.some((name) => {
      const value = cookies.get(name);
      if (value === undefined) return false;
      if (this.options.fixedSession !== undefined && value === this.options.fixedSession)
        return true;
      const session = this.sessions.get(value);
      return (
        session !== undefined && session.product === product.id && session.expires > Date.now()
      );
    });
  }

  /** Answer a navigation without a session: off to Entra ID, as the OIDC handler does. */
  challenge(req: IncomingMessage, res: ServerResponse, product: Product, host: string): void {
    const proto = protoOf(req);
    const state = randomBytes(24).toString('base64url');
    const nonce = `${Date.now()}.${randomBytes(48).toString('base64url')}`;
    const path = req.url ?? '/';
    this.prune();
    this.pending.set(state, {
      nonce,
      returnUrl: path,
      host,
      product: product.id,
      created: Date.now(),
    });
    // A link's ?tid= is the tenant hint the portals pass on; otherwise any work account.
    const q = path.indexOf('?');
    const tid = q === -1 ? null : new URLSearchParams(path.slice(q + 1)).get('tid');
    const tenant = asTenantId(tid) ?? 'organizations';
    const authorize = new URL(`${this.options.authority}/${tenant}/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({
      client_id: DEMO_CLIENT_IDS[product.id],
      redirect_uri: `${proto}://${host}${product.callbackPath}`,
      response_type: 'id_token',
      scope: 'openid profile',
      response_mode: 'form_post',
      nonce,
      state,
      'x-client-SKU': 'ID_NET8_0',
    }).toString();
    res.writeHead(302, {
      Location: authorize.href,
      'Set-Cookie': `${CORRELATION}${state}=N; Path=${product.callbackPath}; Max-Age=900; HttpOnly${proto === 'https' ? '; Secure; SameSite=None' : ''}`,
      'Cache-Control': 'no-cache, no-store',
      'X-Demo-Origin': '1',
    });
    res.end();
  }

  /** `POST /signin-oidc`: complete the sign-in the portal started, or refuse it. */
  async callback(req: IncomingMessage, res: ServerResponse, product: Product, body: Buffer) {
    const form = new URLSearchParams(body.toString());
    const state = form.get('state') ?? '';
    const pending = this.pending.get(state);
    const refuse = (why: string) => {
      res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8', 'X-Demo-Origin': '1' });
      res.end(`<!doctype html><title>Sign-in failed</title><p>Sign-in failed: ${why}</p>`);
    };
    if (pending === undefined || Date.now() - pending.created > PENDING_MAX_AGE_MS)
      return refuse('unknown or expired state');
    if (!cookiesOf(req).has(`${CORRELATION}${state}`)) return refuse('correlation failed');
    if (pending.product !== product.id) return refuse('state of another portal');
    const claims = await this.verify(form.get('id_token') ?? '', product);
    if (claims === null) return refuse('the id_token did not verify');
    // A multi-tenant app's issuer check: the issuer names the token's own tenant, never the
    // consumer one (personal accounts have no organisation to sign in to).
    const tid = String(claims.tid);
    if (claims.iss !== entraIssuer(tid, claims.ver) || tid === CONSUMER_TENANT)
      return refuse('the issuer is not an organisation');
    if (claims.nonce !== pending.nonce) return refuse('nonce mismatch');
    this.pending.delete(state);
    const session = randomBytes(24).toString('base64url');
    this.sessions.set(session, {
      product: product.id,
      expires: Date.now() + this.options.sessionSeconds * 1000,
    });
    const secure = protoOf(req) === 'https' ? '; Secure' : '';
    res.writeHead(302, {
      Location: pending.returnUrl,
      'Set-Cookie': [
        `${product.sessionCookies[0]}=${session}; Path=/; HttpOnly; SameSite=Lax${secure}`,
        `${CORRELATION}${state}=; Path=${product.callbackPath}; Max-Age=0${secure}`,
      ],
      'Cache-Control': 'no-cache, no-store',
      'X-Demo-Origin': '1',
    });
    res.end();
  }

  private async verify(idToken: string, product: Product): Promise<Record<string, unknown> | null> {
    if (this.options.jwks === null) return null;
    try {
      const { payload } = await jwtVerify(idToken, createLocalJWKSet(this.options.jwks as never), {
        algorithms: ['RS256'],
        audience: DEMO_CLIENT_IDS[product.id],
        requiredClaims: ['tid', 'nonce', 'exp'],
      });
      return payload as Record<string, unknown>;
    } catch {
      return null;
    }
  }

  private prune(): void {
    const now = Date.now();
    for (const [state, p] of this.pending)
      if (now - p.created > PENDING_MAX_AGE_MS) this.pending.delete(state);
    for (const [value, s] of this.sessions) if (s.expires <= now) this.sessions.delete(value);
  }
}

/**
 * A top-level navigation, by Sec-Fetch-Mode or, without it, by Accept: the portal's own, simpler
 * test (the edge's is core/facts.ts `isNavigation`).
 */
export function isNavigation(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const mode = req.headers['sec-fetch-mode'];
  if (mode !== undefined) return String(mode).toLowerCase() === 'navigate';
  return String(req.headers.accept ?? '').includes('text/html');
}

/** The scheme the browser used: the edge's X-Forwarded-Proto, https when absent. */
function protoOf(req: IncomingMessage): 'http' | 'https' {
  return String(req.headers['x-forwarded-proto'] ?? 'https') === 'http' ? 'http' : 'https';
}

function cookiesOf(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of String(req.headers.cookie ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0) out.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return out;
}
