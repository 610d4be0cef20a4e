import type { HostPattern, Product } from '../catalogue/types';

export interface HostMatch {
  product: Product;
  host: HostPattern;
  /** The normalised host name (lower case, no port, no trailing dot). */
  hostname: string;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Normalise a Host header or URL host: lower case, no port, no trailing dot. Returns `null` for
 * anything that is not a plain DNS name (IPv6 literals, empty labels, odd characters).
 */
export function normaliseHost(raw: string): string | null {
  let host = raw.trim().toLowerCase();
  if (host.startsWith('[')) return null;
  const colon = host.indexOf(':');
  if (colon !== -1) host = host.slice(0, colon);
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.length === 0 || host.length > 253) return null;
  const labels = host.split('.');
  return labels.every((l) => LABEL.test(l)) ? host : null;
}

/**
 * An index over every product's host patterns: exact names in one map, wildcard patterns by
 * their fixed suffix and label count, so a lookup costs the same whatever the catalogue size.
 */
export class HostIndex {
  private readonly exact = new Map<string, HostMatch>();
  /** suffix -> wildcard label count -> match */
  private readonly wild = new Map<string, Map<number, Omit<HostMatch, 'hostname'>>>();
  /** The last host `exactly` looked up, and its answer. */
  private lastExact = '';
  private lastExactMatch: HostMatch | null = null;

  constructor(products: readonly Product[]) {
    for (const product of products) {
      for (const host of product.hosts) {
        const labels = host.pattern.toLowerCase().split('.');
        const stars = labels.findIndex((l) => l !== '*');
        if (stars === 0) {
          this.exact.set(host.pattern.toLowerCase(), {
            product,
            host,
            hostname: host.pattern.toLowerCase(),
          });
          continue;
        }
        const suffix = labels.slice(stars).join('.');
        const byCount = this.wild.get(suffix) ?? new Map();
        byCount.set(stars, { product, host });
        this.wild.set(suffix, byCount);
      }
    }
  }

  /** The match for a host name written exactly as in the catalogue (lower case), else `null`. */
  exactly(hostname: string): HostMatch | null {
    // Links in one payload share their host: comparing with the last one beats hashing it again.
    if (hostname === this.lastExact) return this.lastExactMatch;
    this.lastExact = hostname;
    this.lastExactMatch = this.exact.get(hostname) ?? null;
    return this.lastExactMatch;
  }
  /** The product and host pattern for a raw host, or `null` when it is not a legacy host. */
  match(rawHost: string): HostMatch | null {
    // Most hosts arrive already normal (URL lower-cases them): one map lookup answers.
    const direct = this.exact.get(rawHost);
    if (direct) return direct;
    const hostname = normaliseHost(rawHost);
    if (hostname === null) return null;
    const exact = this.exact.get(hostname);
    if (exact) return exact;
    const labels = hostname.split('.');
    // Wildcards stand for one or two labels in the shipped catalogue; try each split point.
    for (let n = 1; n < labels.length; n++) {
      const found = this.wild.get(labels.slice(n).join('.'))?.get(n);
      if (found) return { ...found, hostname };
    }
    return null;
  }
}
