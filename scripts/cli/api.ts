/**
 * The settings API as `npm run toggles` calls it: one request per call, a bearer token (by
 * default a global-admin token signed with the local dev key), and every way it can fail as one
 * CliError line: no Worker at the URL, or the API's own `{ error, message }`.
 */
import { entraClaims, signToken } from '../../src/auth/dev-tokens.ts';
import { devKey } from '../devkeys.ts';
import { CliError, UsageError } from './run.ts';

export interface ApiOptions {
  /** The Worker's admin origin. */
  url: string;
  /** A bearer token, or `undefined` for one signed with the local dev key. */
  token: string | undefined;
  /** The name in a dev-key token (the audit log's "changed by"). */
  actor: string;
}

const AUDIENCE = 'api://portal-redirect';
const DEV_TOKEN_SECONDS = 600;
/** A Worker that accepts the connection but never answers is a failure too, not a hang. */
const ANSWER_TIMEOUT_MS = 30_000;

/**
 * Where the Worker is when no --url says: PORTAL_REDIRECT_URL, else npm start's own address,
 * http://127.0.0.1:$PORT (PORT as npm start reads it, default 8787).
 */
export function defaultUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PORTAL_REDIRECT_URL) return env.PORTAL_REDIRECT_URL;
  const port = env.PORT ?? '8787';
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65_535)
    throw new UsageError(`PORT is not a port number: ${port}`);
  return `http://127.0.0.1:${port}`;
}

/** The origin to call, checked before anything is sent. */
export function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url is not a URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`--url must be http(s): ${url}`);
  return url.replace(/\/+$/, '');
}

/**
 * One settings API call under /api/tenants/<tenant>/redirection. A 2xx or a 412 (the caller
 * retries with the new version) is returned; anything else is a CliError with the API's code.
 */
export async function callApi(
  options: ApiOptions,
  tenant: string,
  method: string,
  path: string,
  init: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const token = options.token ?? (await devToken(tenant, options.actor));
  const url = `${options.url}/api/tenants/${tenant}/redirection${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
  } catch (error) {
    throw new CliError(
      `no Worker answered at ${options.url} (${why(error)}); start it with npm start, or pass --url`,
    );
  }
  if (res.ok || res.status === 412) return res;
  throw new CliError(await failure(res, method, path));
}

/** The API's error as one line: `403 forbidden: <message>`, with Retry-After when it sent one. */
async function failure(res: Response, method: string, path: string): Promise<string> {
  const text = await res.text();
  const retry = res.headers.get('retry-after');
  const after = retry ? ` (retry after ${retry} s)` : '';
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string')
      return `${res.status} ${body.error}: ${String(body.message ?? '')}${after}`;
  } catch {
    // Not the API's envelope (a proxy's page, say): say what answered instead.
  }
  return `${res.status} ${res.statusText} from ${method} ${path || '/'}, not the settings API's JSON${after}`;
}

/** Why fetch failed, in a word: ECONNREFUSED, a timeout, a TLS error... */
function why(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError')
    return `no answer in ${ANSWER_TIMEOUT_MS / 1000} s`;
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string }) : null;
  return cause?.code ?? cause?.message ?? String(error);
}

/** A global-admin token for `tenant`, signed with the local dev key npm start's Worker trusts. */
async function devToken(tenant: string, name: string): Promise<string> {
  const key = await devKey();
  return signToken(
    key.privateJwk,
    key.kid,
    entraClaims({
      tenant,
      roles: ['global-admin'],
      name,
      audience: AUDIENCE,
      expiresIn: DEV_TOKEN_SECONDS,
    }),
  );
}
