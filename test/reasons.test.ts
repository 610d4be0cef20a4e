/**
 * The reason table decides what the edge does with each reason: every reason goes through the
 * report counter, the banner and the cache headers, and each does what its row says.
 */
import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../src/catalogue/products';
import type { Decision } from '../src/core/decide';
import { navigationFacts } from '../src/core/facts';
import { meaningOf, NAMED_PASS_REASONS, REASONS } from '../src/core/reasons';
import { bannerWanted } from '../src/edge/banner';
import { keepFromSharedCaches } from '../src/edge/passthrough';
import { countDecision, pendingCounters, resetCounters } from '../src/edge/report-counter';
import type { ToggleValue } from '../src/model/toggle';
import { en } from '../src/i18n/en';
import { nl } from '../src/i18n/nl';
import { newTenant, testEnv } from './helpers';

const endpoint = PRODUCTS.find((p) => p.id === 'endpoint')!;
const page = () => new Response('<body></body>', { headers: { 'Content-Type': 'text/html' } });
const facts = navigationFacts(new URL('https://securitycenter.windows.com/alerts'));
const decisionOf = (reason: (typeof REASONS)[number], tenant: string): Decision => ({
  action: 'pass',
  reason,
  product: 'endpoint',
  tenant,
});

/**
 * The contract, written out: which reasons the report counts, which give a passed page the
 * banner, which a shared cache may keep, and which make the hash page worth a trip before a
 * sign-in. A row changed in the table must be changed here too.
 */
const NOT_COUNTED = [
  'unknown-host',
  'sign-in-unverified',
  'sign-in-unbound',
  'not-navigation',
  'api-host',
  'links-rewritten',
  'not-json',
  'error-response',
  'unsupported-encoding',
];
const NAMED_IN_REPORT = [
  'out-of-scope',
  'session-sticky',
  'unknown-tenant',
  'toggle-off',
  'default-off',
  'observe-would-redirect',
  'store-unavailable',
];
const BANNER = { yes: ['toggle-off', 'default-off'], 'if-off': ['session-sticky'] };
const SAID_STORED = {
  yes: ['toggle-on', 'toggle-off', 'observe-would-redirect'],
  no: ['default-on', 'default-off'],
};
const SHARED_CACHE_MAY_KEEP = [
  'unknown-host',
  'out-of-scope',
  'api-host',
  'links-rewritten',
  'not-json',
  'error-response',
  'unsupported-encoding',
];
const HASH_PAGE_BEFORE_SIGN_IN = ['session-sticky', 'unknown-tenant', 'store-unavailable'];

describe('the reason table is the contract written out', () => {
  const where = (pick: (r: (typeof REASONS)[number]) => boolean) => REASONS.filter(pick);
  it('says which reasons the report counts, names, and reads a stored setting from', () => {
    expect(where((r) => meaningOf(r).report === 'no')).toEqual(NOT_COUNTED);
    expect([...NAMED_PASS_REASONS]).toEqual(NAMED_IN_REPORT);
    expect(where((r) => meaningOf(r).stored === 'yes')).toEqual(SAID_STORED.yes);
    expect(where((r) => meaningOf(r).stored === 'no')).toEqual(SAID_STORED.no);
  });
  it('says which passed pages get the banner, which a cache may keep, when the hash page helps', () => {
    expect(where((r) => meaningOf(r).banner === 'yes')).toEqual(BANNER.yes);
    expect(where((r) => meaningOf(r).banner === 'if-off')).toEqual(BANNER['if-off']);
    expect(where((r) => meaningOf(r).varies === 'url')).toEqual(SHARED_CACHE_MAY_KEEP);
    expect(where((r) => meaningOf(r).varies === 'fetch-metadata')).toEqual(['not-navigation']);
    expect(where((r) => meaningOf(r).signInMayMove)).toEqual(HASH_PAGE_BEFORE_SIGN_IN);
  });
});

describe('each reason does what its row of the table says', () => {
  it.each(REASONS)('%s: counted for the report, or not', (reason) => {
    // Counted when the report takes the reason and the tenant has a setting of its own (the
    // isolate says it has; a reason that read the setting says so itself).
    resetCounters(Date.now());
    countDecision(
      decisionOf(reason, newTenant()),
      facts,
      () => true,
      testEnv.TENANT_SETTINGS,
      3_600_000,
      undefined,
    );
    const counted = !NOT_COUNTED.includes(reason) && !SAID_STORED.no.includes(reason);
    expect(pendingCounters().counters).toBe(counted ? 1 : 0);
    resetCounters();
  });

  it.each(REASONS)('%s: the banner on a passed page, or not', async (reason) => {
    const asked = (value: ToggleValue | null) =>
      bannerWanted(endpoint, decisionOf(reason, newTenant()), facts, page(), {
        enabledFor: async () => ({ ok: true, value }),
      });
    const always = BANNER.yes.includes(reason);
    expect(await asked(false)).toBe(always || BANNER['if-off'].includes(reason));
    expect(await asked(true)).toBe(always);
  });

  it.each(REASONS)('%s: what a shared cache may keep of a pass', (reason) => {
    const headers = new Headers({ 'Cache-Control': 'public, max-age=60' });
    keepFromSharedCaches(headers, reason);
    const shared = SHARED_CACHE_MAY_KEEP.includes(reason);
    const fetchMetadata = reason === 'not-navigation';
    expect(headers.get('cache-control')).toBe(
      shared || fetchMetadata ? 'public, max-age=60' : 'private, max-age=60',
    );
    expect(headers.get('vary')).toBe(
      shared ? null : fetchMetadata ? 'Sec-Fetch-Mode' : 'Cookie, Sec-Fetch-Mode, Sec-Fetch-Site',
    );
  });

  it('a stored count names each reason the report names, in every language', () => {
    expect(NAMED_PASS_REASONS.length).toBeGreaterThan(0);
    for (const strings of [en, nl])
      for (const reason of NAMED_PASS_REASONS) expect(strings.passReasons[reason]).toBeTruthy();
  });
});
