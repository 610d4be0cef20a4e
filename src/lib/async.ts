/**
 * Reject when `work` has not settled within `ms`: a hung read (KV, a remote key set) must not
 * hold a request or an object. The timer is cleared either way.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what = 'read'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}

/** Wait for `work` (never rejecting) at most `ms`: the work goes on after a timeout. */
export async function waitAtMost(work: Promise<unknown>, ms: number): Promise<void> {
  await withTimeout(work, ms).catch(() => undefined);
}
