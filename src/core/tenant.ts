import { fromBase64url } from '../lib/base64url';

/**
 * A tenant id in canonical (lower-case) form, or `null` for anything that is not a GUID
 * (8-4-4-4-12 hexadecimal digits, either case). Checked a character at a time, with no regular
 * expression: it runs on every redirect. An id already in lower case is returned as it is.
 */
export function asTenantId(value: string | null | undefined): string | null {
  if (typeof value !== 'string' || value.length !== 36) return null;
  let upper = false;
  for (let i = 0; i < 36; i++) {
    const c = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return null; // -
      continue;
    }
    const digit = c >= 0x30 && c <= 0x39; // 0-9
    const lowerHex = c >= 0x61 && c <= 0x66; // a-f
    const upperHex = c >= 0x41 && c <= 0x46; // A-F
    if (upperHex) upper = true;
    else if (!digit && !lowerHex) return null;
  }
  return upper ? value.toLowerCase() : value;
}

/**
 * The `tid` claim of a JWT, read without verifying the signature. Only for routing decisions
 * whose worst outcome for a forged token is sending its own bearer to the wrong portal's sign-in;
 * never for authorisation.
 */
export function unverifiedTenantOf(jwt: string): string | null {
  const parts = jwt.split('.');
  if (parts.length !== 3 || !parts[1] || parts[1].length > 16_384) return null;
  try {
    const bytes = fromBase64url(parts[1]);
    if (bytes === null) return null;
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof claims !== 'object' || claims === null) return null;
    return asTenantId((claims as Record<string, unknown>).tid as string | undefined);
  } catch {
    return null;
  }
}
