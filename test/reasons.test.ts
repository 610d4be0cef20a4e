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
    const { report, stored } = meaningOf(reason);
    expect(pendingCounters().counters).toBe(report === 'no' || stored === 'no' ? 0 : 1);
    resetCounters();
  });

  it.each(REASONS)('%s: the banner on a passed page, or not', async (reason) => {
    const asked = (value: ToggleValue | null) =>
      bannerWanted(endpoint, decisionOf(reason, newTenant()), facts, page(), {
        enabledFor: async () => ({ ok: true, value }),
      });
    const { banner } = meaningOf(reason);
    expect(await asked(false)).toBe(banner !== 'no');
    expect(await asked(true)).toBe(banner === 'yes');
  });

  it.each(REASONS)('%s: what a shared cache may keep of a pass', (reason) => {
    const headers = new Headers({ 'Cache-Control': 'public, max-age=60' });
    keepFromSharedCaches(headers, reason);
    const { varies } = meaningOf(reason);
    expect(headers.get('cache-control')).toBe(
      varies === 'browser' ? 'private, max-age=60' : 'public, max-age=60',
    );
    expect(headers.get('vary')).toBe(
      varies === 'browser'
        ? 'Cookie, Sec-Fetch-Mode, Sec-Fetch-Site'
        : varies === 'fetch-metadata'
          ? 'Sec-Fetch-Mode'
          : null,
    );
  });

  it('a stored count names each reason the report names, in every language', () => {
    expect(NAMED_PASS_REASONS.length).toBeGreaterThan(0);
    for (const strings of [en, nl])
      for (const reason of NAMED_PASS_REASONS) expect(strings.passReasons[reason]).toBeTruthy();
  });
});
