/**
 * A token bucket: `perMinute` requests at once, refilled continuously at `perMinute` a minute.
 * In memory: an evicted object starts with a full bucket, which only ever allows more.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly perMinute: number,
    now: number,
  ) {
    this.tokens = perMinute;
    this.updatedAt = now;
  }

  /** Take one token: `0` when taken, else the whole seconds until one is available. */
  take(now: number): number {
    const refillPerMs = this.perMinute / 60_000;
    this.tokens = Math.min(
      this.perMinute,
      this.tokens + Math.max(0, now - this.updatedAt) * refillPerMs,
    );
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / refillPerMs / 1000));
  }
}
