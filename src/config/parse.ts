/**
 * The parsers every variable goes through. Each takes the raw text and the list of problems:
 * an unusable value is said there (logged once) and the default applies, so a bad variable never
 * stops the Worker.
 */

export const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function json(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

/** https, or http on loopback (or anywhere, `anyHttp`), without credentials. */
export function isHttpsOrLoopback(url: URL, anyHttp = false): boolean {
  return (
    !url.username &&
    !url.password &&
    (url.protocol === 'https:' ||
      (url.protocol === 'http:' && (anyHttp || LOOPBACK.has(url.hostname))))
  );
}

/** An https URL (or http on loopback, for local development and tests), or `null` with the problem noted. */
export function httpUrl(
  raw: string | undefined,
  name: string,
  problems: string[],
  anyHttp: boolean,
): URL | null {
  if (raw === undefined || raw.trim() === '') return null;
  const url = URL.canParse(raw.trim()) ? new URL(raw.trim()) : null;
  if (url !== null && isHttpsOrLoopback(url, anyHttp)) return url;
  problems.push(`${name} is not an https URL: ignored`);
  return null;
}

/** An http(s) origin (path, query and credentials refused), or `null` with the problem noted. */
export function parseOrigin(raw: string | undefined, name: string, problems: string[]): URL | null {
  if (raw === undefined || raw.trim() === '') return null;
  try {
    const url = new URL(raw.trim());
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password)
      throw new Error();
    return new URL(url.origin);
  } catch {
    problems.push(`${name} is not an http(s) origin: ignored`);
    return null;
  }
}

/** A whole number of at least `min` (0 or 1); unset is the default, anything else a problem. */
function wholeNumber(
  min: 0 | 1,
  raw: string | undefined,
  fallback: number,
  name: string,
  problems: string[],
): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (Number.isSafeInteger(n) && n >= min) return n;
  problems.push(`${name} must be a whole number ${min === 0 ? '>= 0' : '> 0'}: using ${fallback}`);
  return fallback;
}

/** A whole number >= 0 (a time, a count that may be none). */
export const int = (raw: string | undefined, fallback: number, name: string, problems: string[]) =>
  wholeNumber(0, raw, fallback, name, problems);

/** A whole number > 0 (a rate, a retention). */
export const positiveInt = (
  raw: string | undefined,
  fallback: number,
  name: string,
  problems: string[],
) => wholeNumber(1, raw, fallback, name, problems);

/** `on` / `off` (any case); unset is the default, anything else a problem and the default. */
export function onOff(
  raw: string | undefined,
  fallback: boolean,
  name: string,
  problems: string[],
): boolean {
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (value === 'on') return true;
  if (value === 'off') return false;
  problems.push(`${name} must be "on" or "off"; using "${fallback ? 'on' : 'off'}"`);
  return fallback;
}

/** A var holding a JSON object keyed by product id, or `null` (with the problem noted). */
export function productMap(
  name: string,
  raw: string | undefined,
  problems: string[],
): Record<string, unknown> | null {
  if (raw === undefined || raw.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push(`${name} is not JSON: ignored`);
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`${name} must be a JSON object keyed by product id: ignored`);
    return null;
  }
  return parsed as Record<string, unknown>;
}
