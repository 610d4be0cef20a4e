/**
 * A product's phases (opt-in, on by default from a date, locked from a date) as configuration:
 * PRODUCT_PHASES and its older shorthand LOCKED_PRODUCTS, Microsoft's published dates as a
 * preset, and what the edge, the API and the settings page make of them.
 */
import { describe, expect, it } from 'vitest';
import type { ProductId } from '../src/catalogue/types';
import type { Env } from '../src/config';
import { parseConfig } from '../src/config';
import worker from '../src/index';
import { phaseAt } from '../src/model/phases';
import { adminToken, apiRequest, expectError } from './api-helpers';
import { decisionOf, navigation, newTenant, seedToggle, testEnv } from './helpers';
import { Browser } from './settings-page-browser';

const phasesOf = (env: Partial<Env>) => {
  const config = parseConfig({
    ...testEnv,
    PRODUCT_PHASES: '',
    LOCKED_PRODUCTS: '',
    ...env,
  } as Env);
  return {
    problems: config.problems,
    of: (id: ProductId) => config.products.find((p) => p.id === id)!.phases,
  };
};
const DEC_2026 = Date.parse('2026-12-07T00:00:00Z');

describe('PRODUCT_PHASES', () => {
  it('keeps the catalogue without it: Office on by default since October 2021, the rest opt-in', () => {
    const { of, problems } = phasesOf({});
    expect(problems.filter((p) => p.includes('PHASES'))).toEqual([]);
    expect(of('office')).toEqual({ onByDefaultFrom: '2021-10-01T00:00:00Z', lockedFrom: null });
    for (const id of ['endpoint', 'identity', 'cloudapps'] as const)
      expect(of(id)).toEqual({ onByDefaultFrom: null, lockedFrom: null });
  });

  it("'microsoft' applies every date Microsoft published", () => {
    const { of } = phasesOf({ PRODUCT_PHASES: 'microsoft' });
    // The dates as Microsoft's pages give them (catalogue/phases.ts cites each).
    expect(of('endpoint')).toEqual({ onByDefaultFrom: null, lockedFrom: null });
    expect(of('office')).toEqual({ onByDefaultFrom: '2021-10-01T00:00:00Z', lockedFrom: null });
    expect(of('identity')).toEqual({
      onByDefaultFrom: '2023-01-31T00:00:00Z',
      lockedFrom: '2023-07-02T00:00:00Z',
    });
    expect(of('cloudapps')).toEqual({
      onByDefaultFrom: '2024-05-01T00:00:00Z',
      lockedFrom: '2024-06-16T00:00:00Z',
    });
    const config = parseConfig({ ...testEnv, PRODUCT_PHASES: 'microsoft' } as Env);
    expect(config.products.map((p) => [p.id, phaseAt(p, DEC_2026)])).toEqual([
      ['endpoint', 'opt-in'],
      ['office', 'on-by-default'],
      ['identity', 'locked'],
      ['cloudapps', 'locked'],
    ]);
  });

  it('takes a product at a time: a preset name, or the dates (a field left out keeps the catalogue)', () => {
    const { of, problems } = phasesOf({
      PRODUCT_PHASES: JSON.stringify({
        identity: 'microsoft',
        endpoint: { onByDefaultFrom: '2027-03-01T00:00:00Z' },
        office: 'opt-in',
      }),
    });
    expect(problems).toEqual([]);
    expect(of('identity').lockedFrom).toBe('2023-07-02T00:00:00Z');
    expect(of('endpoint')).toEqual({ onByDefaultFrom: '2027-03-01T00:00:00Z', lockedFrom: null });
    expect(of('office')).toEqual({ onByDefaultFrom: null, lockedFrom: null });
    expect(of('cloudapps')).toEqual({ onByDefaultFrom: null, lockedFrom: null });
  });

  it('reads LOCKED_PRODUCTS as the lock of the same phases; PRODUCT_PHASES wins a conflict', () => {
    const alone = phasesOf({
      LOCKED_PRODUCTS: JSON.stringify({ endpoint: '2027-01-01T00:00:00Z' }),
    });
    expect(alone.of('endpoint')).toEqual({
      onByDefaultFrom: null,
      lockedFrom: '2027-01-01T00:00:00Z',
    });
    const both = phasesOf({
      PRODUCT_PHASES: JSON.stringify({ endpoint: { lockedFrom: '2028-01-01T00:00:00Z' } }),
      LOCKED_PRODUCTS: JSON.stringify({ endpoint: '2027-01-01T00:00:00Z' }),
    });
    expect(both.of('endpoint').lockedFrom).toBe('2028-01-01T00:00:00Z');
    expect(both.problems).toEqual([
      'LOCKED_PRODUCTS.endpoint ignored: PRODUCT_PHASES.endpoint sets lockedFrom',
    ]);
  });

  it('takes ISO-8601 only, written as the catalogue writes instants, and names unknown products', () => {
    const { of, problems } = phasesOf({
      PRODUCT_PHASES: JSON.stringify({
        endpoint: { onByDefaultFrom: '2027-03-01', lockedFrom: '2027-06-01T02:00:00+02:00' },
        office: { onByDefaultFrom: '6/16/2024' },
        entpoint: 'microsoft',
      }),
      LOCKED_PRODUCTS: '{"__proto__": "2020-01-01", "identity": "2024"}',
    });
    expect(of('endpoint')).toEqual({
      onByDefaultFrom: '2027-03-01T00:00:00Z',
      lockedFrom: '2027-06-01T00:00:00Z',
    });
    expect(of('office').onByDefaultFrom).toBe('2021-10-01T00:00:00Z');
    expect(of('identity').lockedFrom).toBeNull();
    expect(problems).toEqual([
      'PRODUCT_PHASES.entpoint names no product: ignored',
      'LOCKED_PRODUCTS.__proto__ names no product: ignored',
      'PRODUCT_PHASES.office.onByDefaultFrom must be an ISO-8601 date or null: ignored',
      'LOCKED_PRODUCTS.identity must be an ISO-8601 date: ignored',
    ]);
  });

  it('names every unusable part, and keeps the catalogue for it', () => {
    const { of, problems } = phasesOf({
      PRODUCT_PHASES: JSON.stringify({
        endpoint: 'soon',
        office: { onByDefaultFrom: 'yesterday', lockedFrom: 7 },
        identity: [1],
      }),
    });
    expect(problems).toEqual([
      'PRODUCT_PHASES.endpoint must be microsoft or opt-in, or an object: ignored',
      'PRODUCT_PHASES.office.onByDefaultFrom must be an ISO-8601 date or null: ignored',
      'PRODUCT_PHASES.office.lockedFrom must be an ISO-8601 date or null: ignored',
      'PRODUCT_PHASES.identity must be an object { onByDefaultFrom, lockedFrom }: ignored',
    ]);
    expect(of('office')).toEqual({ onByDefaultFrom: '2021-10-01T00:00:00Z', lockedFrom: null });
    expect(phasesOf({ PRODUCT_PHASES: 'micro' }).problems).toEqual([
      'PRODUCT_PHASES is not JSON: ignored',
    ]);
  });
});

describe("Microsoft's dates, as the edge and the settings API apply them", () => {
  const env = { ...testEnv, PRODUCT_PHASES: 'microsoft' } as Env;

  it('moves every Identity user, whatever the tenant chose; Endpoint stays a choice', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'identity', false);
    const identity = await worker.fetch(
      navigation(`https://portal.atp.azure.com/timeline?tid=${tenant}`),
      env,
    );
    expect(decisionOf(identity)).toEqual({ decision: 'redirect', reason: 'locked' });
    const endpoint = await worker.fetch(
      navigation(`https://securitycenter.windows.com/alerts?tid=${tenant}`),
      env,
    );
    expect(decisionOf(endpoint)).toEqual({ decision: 'pass', reason: 'default-off' });
  });

  it('answers a change of a locked product 409, and its state says since when', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['global-admin']);
    const put = apiRequest('PUT', `/tenants/${tenant}/redirection/cloudapps`, {
      token,
      body: { mode: 'off' },
    });
    await expectError(await worker.fetch(put, env), 409, 'locked');
    const state = await worker.fetch(
      apiRequest('GET', `/tenants/${tenant}/redirection/cloudapps`, { token }),
      env,
    );
    expect(await state.json()).toMatchObject({
      mode: 'on',
      locked: true,
      phase: 'locked',
      onByDefaultFrom: '2024-05-01T00:00:00Z',
      lockedFrom: '2024-06-16T00:00:00Z',
    });
  });
});

describe('a choice made before the default moves', () => {
  it('holds after the date: off chosen while opt-in stays off once the product is on by default', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['global-admin']);
    const before = {
      ...testEnv,
      PRODUCT_PHASES: JSON.stringify({ endpoint: { onByDefaultFrom: '2099-01-01T00:00:00Z' } }),
    } as Env;
    const put = await worker.fetch(
      apiRequest('PUT', `/tenants/${tenant}/redirection/endpoint`, {
        token,
        body: { mode: 'off' },
      }),
      before,
    );
    // Off is today's default, and still the tenant's own choice: stored, with its version.
    expect(await put.json()).toMatchObject({ mode: 'off', source: 'tenant', version: 1 });
    const after = {
      ...testEnv,
      PRODUCT_PHASES: JSON.stringify({ endpoint: { onByDefaultFrom: '2020-01-01T00:00:00Z' } }),
    } as Env;
    const res = await worker.fetch(
      navigation(`https://securitycenter.windows.com/alerts?tid=${tenant}`),
      after,
    );
    expect(decisionOf(res)).toEqual({ decision: 'pass', reason: 'toggle-off' });
    const fresh = await worker.fetch(
      navigation(`https://securitycenter.windows.com/alerts?tid=${newTenant()}`),
      after,
    );
    expect(decisionOf(fresh)).toEqual({ decision: 'redirect', reason: 'default-on' });
  });
});

describe('the settings page says where each product stands', () => {
  it('on by default since a date, on by default and mandatory from dates to come', async () => {
    // The Worker under test runs with Identity's phases in 2099 (vitest.config.ts).
    const b = new Browser();
    await b.signIn(newTenant(), 'security-admin');
    const html = await (await b.go('/settings')).text();
    const section = (id: string) =>
      html.slice(
        html.indexOf(`data-product="${id}"`),
        html.indexOf('</section>', html.indexOf(`data-product="${id}"`)),
      );
    expect(section('office')).toContain(
      'On by default since 1 October 2021: organizations that never chose are redirected.',
    );
    expect(section('identity')).toContain(
      'On by default from 31 January 2099 for organizations that have not chosen.',
    );
    expect(section('identity')).toContain(
      'Redirection becomes mandatory on 2 July 2099: after that it cannot be turned off.',
    );
    expect(section('endpoint')).not.toContain('data-phase');
    // Off only by default, with a date to come: off can be kept as the tenant's own choice.
    expect(section('identity')).toContain('data-confirm="dialog-identity-keep"');
    expect(section('identity')).toContain('Keep off');
    expect(section('endpoint')).not.toContain('Keep off');
  });
});
