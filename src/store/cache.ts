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
    if (this.entries.size > this.maxEntries) this.evict();
  }

  /** How many entries the cache holds (at most the bound it was made with). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Drop the oldest writes (Map keeps insertion order) down to 15/16 of the bound, in one pass:
   * evicting one key per write makes each `keys()` walk past the slots earlier deletions left
   * until the Map compacts, which at the bound costs more than the lookup it serves.
   */
  private evict(): void {
    // A bound under 16 loses one entry at a time; the newest write always stays.
    const keep = this.maxEntries - (this.maxEntries >> 4);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= keep) break;
      this.entries.delete(key);
    }
  }
}
