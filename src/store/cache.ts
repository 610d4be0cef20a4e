/**
 * A small in-isolate cache with a TTL and a size bound. Expired entries are kept (until evicted)
 * as "last seen" values for when the store is unavailable.
 */
export class IsolateCache<T> {
  private readonly entries = new Map<string, { value: T; expires: number }>();

  constructor(private readonly maxEntries: number) {}

  /** The fresh value, or `undefined` when absent or expired. */
  fresh(key: string, now: number): T | undefined {
    const entry = this.entries.get(key);
    return entry !== undefined && entry.expires > now ? entry.value : undefined;
  }

  /** The last value stored, fresh or not. */
  lastSeen(key: string): T | undefined {
    return this.entries.get(key)?.value;
  }

  set(key: string, value: T, expires: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires });
    // Map keeps insertion order: the first key is the oldest write.
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
