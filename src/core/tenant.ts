const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A tenant id in canonical (lower-case) form, or `null` for anything that is not a GUID. */
export function asTenantId(value: string | null | undefined): string | null {
  if (typeof value !== 'string' || !GUID.test(value)) return null;
  return value.toLowerCase();
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
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(b64.padEnd(b64.length + ((4 - (b64.length % 4)) % 4), '='));
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof claims !== 'object' || claims === null) return null;
    return asTenantId((claims as Record<string, unknown>).tid as string | undefined);
  } catch {
    return null;
  }
}
