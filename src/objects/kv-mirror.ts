import type { ProductId } from '../catalogue/types';
import { keys } from '../store/records';
import type { SettingsDeps } from './deps';
import type { SettingsSql } from './schema';

const KV_RETRY_FIRST_MS = 1_000;
const KV_RETRY_MAX_MS = 5 * 60_000;

/** Whether KV lags the object, and when the alarm runs next. */
export interface SyncStatus {
  /** Products whose KV record is older than the object's state. */
  pending: ProductId[];
  /** Failed KV write rounds since the last success (drives the backoff). */
  attempts: number;
  /** When the alarm runs next (epoch ms), or `null`. */
  alarmAt: number | null;
}

/**
 * The edge's copy of each record in KV (the `kv_version` of `toggles`, `kv_attempts` in
 * `meta`): written after every commit, one write at a time so that an older record never lands
 * after a newer one. Its alarm: the next retry while a record lags, backing off.
 */
export class KvMirror {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: SettingsSql,
    private readonly deps: SettingsDeps,
  ) {}

  /** Write every lagging record; queued behind any write already under way. */
  sync(): Promise<void> {
    const run = this.chain.then(() => this.writePending());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Whether KV holds the product's record as the object does. */
  synced(product: ProductId): boolean {
    const stored = this.db.toggle(product);
    return stored === null || stored.kvVersion >= stored.version;
  }

  status(alarmAt: number | null): SyncStatus {
    return {
      pending: this.db.pendingKv().map((t) => t.product),
      attempts: this.attempts(),
      alarmAt,
    };
  }

  /** The next retry while a record lags (1 s, doubling, at most 5 minutes), else `null`. */
  nextAlarm(now: number): number | null {
    if (this.db.pendingKv().length === 0) return null;
    const attempts = Math.max(1, this.attempts());
    return now + Math.min(KV_RETRY_MAX_MS, KV_RETRY_FIRST_MS * 2 ** (attempts - 1));
  }

  private attempts(): number {
    return Number(this.db.meta('kv_attempts') ?? 0);
  }

  private async writePending(): Promise<void> {
    const tenant = this.db.meta('tenant');
    if (tenant === null) return;
    let failed = 0;
    for (const t of this.db.pendingKv()) {
      try {
        await this.deps.kv.put(keys.toggle(tenant, t.product), t.raw);
        this.db.markKvWritten(t.product, t.version);
      } catch (error) {
        failed++;
        console.warn(`KV write of ${t.product} v${t.version} deferred: ${String(error)}`);
      }
    }
    const attempts = this.attempts();
    if (failed > 0) this.db.setMeta('kv_attempts', String(attempts + 1));
    else if (attempts > 0) this.db.setMeta('kv_attempts', '0');
  }
}
