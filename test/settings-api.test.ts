import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import type { Env } from '../src/config';
import { keys } from '../src/store/records';
import { adminToken, api, apiRequest, expectError, putProduct } from './api-helpers';
import { decisionOf, navigate, navigation, newTenant, seedHost, testEnv } from './helpers';
import { faultyKv } from './kv-faults';
import { dumpSql } from './tenant-settings-helpers';
import { overrideDeps } from './settings-deps';

interface State {
  product: string;
  enabled: boolean;
  source: string;
  locked: boolean;
  version: number;
  changedAt: string | null;
  changedBy: { oid: string; name: string } | null;
}

const put = putProduct;

describe('GET /tenants/{tenantId}/redirection', () => {
  it('lists every product in catalogue order with defaults for a new tenant', async () => {
    const tenant = newTenant();
    const res = await api('GET', `/tenants/${tenant}/redirection`, {
      token: await adminToken(tenant, ['security-reader']),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { tenantId: string; products: State[] };
    expect(body.tenantId).toBe(tenant);
    const opted = (product: string) => ({
      product,
      enabled: false,
      mode: 'off',
      source: 'default',
      locked: false,
      phase: 'opt-in',
      onByDefaultFrom: null,
      lockedFrom: null,
      version: 0,
      changedAt: null,
      changedBy: null,
    });
    expect(body.products).toEqual([
      opted('endpoint'),
      // On by default since Microsoft's date (catalogue/phases.ts): on without a choice.
      {
        ...opted('office'),
        enabled: true,
        mode: 'on',
        phase: 'on-by-default',
        onByDefaultFrom: '2021-10-01T00:00:00Z',
      },
      // Dated in 2099 by the Worker under test (vitest.config.ts): still opt-in today.
      {
        ...opted('identity'),
        onByDefaultFrom: '2099-01-31T00:00:00Z',
        lockedFrom: '2099-07-02T00:00:00Z',
      },
      opted('cloudapps'),
    ]);
  });

  it('accepts the tenant id in any case', async () => {
    const tenant = newTenant();
    const res = await api('GET', `/tenants/${tenant.toUpperCase()}/redirection`, {
      token: await adminToken(tenant, ['global-reader']),
    });
    expect(res.status).toBe(200);
  });
});

describe('PUT and GET /tenants/{tenantId}/redirection/{product}', () => {
  it('enables, reports who and when, and versions with an ETag', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-admin'], {
      name: 'Ada Admin',
      oid: 'oid-ada',
    });
    const before = await api('GET', `/tenants/${tenant}/redirection/endpoint`, { token });
    expect(before.headers.get('etag')).toBe('"0"');
    const res = await put(tenant, 'endpoint', { enabled: true }, token);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    const state = (await res.json()) as State;
    expect(state).toMatchObject({
      product: 'endpoint',
      enabled: true,
      source: 'tenant',
      locked: false,
      version: 1,
      changedBy: { oid: 'oid-ada', name: 'Ada Admin' },
    });
    expect(Date.now() - Date.parse(state.changedAt!)).toBeLessThan(60_000);
    const after = await api('GET', `/tenants/${tenant}/redirection/endpoint`, { token });
    expect(await after.json()).toEqual(state);
    expect(after.headers.get('etag')).toBe('"1"');
  });

  it('treats setting the chosen value again as a no-op: same version, no audit entry', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['global-admin']);
    await put(tenant, 'identity', { enabled: true }, token);
    const again = await put(tenant, 'identity', { enabled: true }, token);
    expect(again.status).toBe(200);
    expect(again.headers.get('etag')).toBe('"1"');
    // Office is on by default: "on" becomes the tenant's own choice (it holds if the default
    // moves), once; asking again changes nothing.
    const office = await put(tenant, 'office', { enabled: true }, token);
    expect(await office.json()).toMatchObject({ source: 'tenant', version: 1 });
    const officeAgain = await put(tenant, 'office', { enabled: true }, token);
    expect(officeAgain.headers.get('etag')).toBe('"1"');
    const audit = (await (
      await api('GET', `/tenants/${tenant}/redirection/audit`, { token })
    ).json()) as { entries: unknown[] };
    expect(audit.entries).toHaveLength(2);
  });

  it('keeps feedback with the audit entry when disabling, and only then', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-admin'], {
      name: 'Bo',
      oid: 'oid-bo',
      preferred_username: 'bo@contoso.test',
    });
    await put(
      tenant,
      'office',
      { enabled: false, feedback: 'Our runbooks still point at the old portal.' },
      token,
    );
    await put(tenant, 'office', { enabled: true, feedback: 'ignored when enabling' }, token);
    const res = await api('GET', `/tenants/${tenant}/redirection/audit`, { token });
    const { entries, cursor } = (await res.json()) as {
      entries: Record<string, unknown>[];
      cursor: string | null;
    };
    expect(cursor).toBeNull();
    expect(entries.map((e) => [e.product, e.enabled, e.previous, e.feedback])).toEqual([
      ['office', true, false, null],
      ['office', false, true, 'Our runbooks still point at the old portal.'],
    ]);
    expect(entries[0]).toMatchObject({
      actor: {
        oid: 'oid-bo',
        name: 'Bo',
        upn: 'bo@contoso.test',
        idp: `https://login.microsoftonline.com/${tenant}/v2.0`,
      },
    });
    expect(Object.keys(entries[0]!).sort()).toEqual([
      'actor',
      'at',
      'enabled',
      'event',
      'feedback',
      'id',
      'mode',
      'previous',
      'previousMode',
      'product',
      'scheduledFor',
      'via',
    ]);
    expect(entries[0]).toMatchObject({ event: 'change', scheduledFor: null });
  });

  it('honours If-Match: the current ETag applies, a stale or malformed one answers 412', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-admin']);
    expect(
      (await put(tenant, 'endpoint', { enabled: true }, token, { 'If-Match': '"0"' })).status,
    ).toBe(200);
    const stale = await put(tenant, 'endpoint', { enabled: false }, token, { 'If-Match': '"0"' });
    expect(stale.headers.get('etag')).toBe('"1"');
    await expectError(stale, 412, 'precondition_failed');
    await expectError(
      await put(tenant, 'endpoint', { enabled: false }, token, { 'If-Match': 'nonsense' }),
      412,
      'precondition_failed',
    );
    expect(
      (await put(tenant, 'endpoint', { enabled: false }, token, { 'If-Match': 'W/"1"' })).status,
    ).toBe(200);
    expect(
      (await put(tenant, 'endpoint', { enabled: true }, token, { 'If-Match': '*' })).status,
    ).toBe(200);
  });

  it('answers 409 for a locked product and writes nothing', async () => {
    const tenant = newTenant();
    const env = {
      ...testEnv,
      LOCKED_PRODUCTS: JSON.stringify({ endpoint: '2020-01-01T00:00:00Z' }),
    } as Env;
    const token = await adminToken(tenant, ['global-admin']);
    const req = apiRequest('PUT', `/tenants/${tenant}/redirection/endpoint`, {
      token,
      body: { enabled: false },
    });
    await expectError(await worker.fetch(req, env), 409, 'locked');
    expect(await testEnv.TOGGLES.get(keys.toggle(tenant, 'endpoint'))).toBeNull();
    const state = await worker.fetch(
      apiRequest('GET', `/tenants/${tenant}/redirection/endpoint`, { token }),
      env,
    );
    expect(await state.json()).toMatchObject({ enabled: true, locked: true });
  });
});

describe('GET /tenants/{tenantId}/redirection/audit', () => {
  it('pages newest first with limit and cursor, and filters by product', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-admin']);
    for (let i = 0; i < 5; i++) {
      await put(tenant, 'endpoint', { enabled: i % 2 === 0 }, token);
      await put(tenant, 'identity', { enabled: i % 2 === 0 }, token);
    }
    const first = (await (
      await api('GET', `/tenants/${tenant}/redirection/audit?limit=4`, { token })
    ).json()) as { entries: { at: string }[]; cursor: string };
    expect(first.entries).toHaveLength(4);
    expect(first.cursor).toEqual(expect.any(String));
    const rest = (await (
      await api(
        'GET',
        `/tenants/${tenant}/redirection/audit?limit=100&cursor=${encodeURIComponent(first.cursor)}`,
        { token },
      )
    ).json()) as { entries: { at: string }[]; cursor: null };
    expect(rest.entries).toHaveLength(6);
    expect(rest.cursor).toBeNull();
    const all = [...first.entries, ...rest.entries].map((e) => e.at);
    expect(all).toEqual([...all].sort().reverse());
    const endpoint = (await (
      await api('GET', `/tenants/${tenant}/redirection/audit?product=endpoint`, { token })
    ).json()) as { entries: { product: string }[] };
    expect(endpoint.entries.map((e) => e.product)).toEqual(Array(5).fill('endpoint'));
  });

  it('rejects a limit outside 1..100, an unknown product and a bad cursor', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-reader']);
    for (const q of [
      'limit=0',
      'limit=101',
      'limit=abc',
      'product=defender',
      `cursor=${'x'.repeat(3000)}`,
    ]) {
      await expectError(
        await api('GET', `/tenants/${tenant}/redirection/audit?${q}`, { token }),
        400,
        'invalid_request',
      );
    }
  });
});

describe('GET /tenants/{tenantId}/redirection/explain', () => {
  it('answers what the edge would do, with and without a session', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-admin']);
    await put(tenant, 'endpoint', { enabled: true }, token);
    const url = encodeURIComponent('https://securitycenter.windows.com/alert/da123?source=SIEM');
    const redirect = await api('GET', `/tenants/${tenant}/redirection/explain?url=${url}`, {
      token,
    });
    expect(await redirect.json()).toEqual({
      product: 'endpoint',
      action: 'redirect',
      reason: 'toggle-on',
      location: `https://security.microsoft.com/alert/da123?source=SIEM&tid=${tenant}`,
      // The same link without a known tenant: remembered, and used at the sign-in.
      afterSignIn: `https://security.microsoft.com/alert/da123?source=SIEM&tid=${tenant}`,
    });
    // A link longer than the edge remembers: the sign-in lands on the home, and explain says so.
    const long = encodeURIComponent(
      `https://securitycenter.windows.com/alert/da123?note=${'x'.repeat(1100)}`,
    );
    const longAnswer = (await (
      await api('GET', `/tenants/${tenant}/redirection/explain?url=${long}`, { token })
    ).json()) as { afterSignIn: string };
    expect(longAnswer.afterSignIn).toBe(`https://security.microsoft.com/?tid=${tenant}`);
    const sticky = await api(
      'GET',
      `/tenants/${tenant}/redirection/explain?url=${url}&session=true`,
      { token },
    );
    expect(await sticky.json()).toEqual({
      product: 'endpoint',
      action: 'pass',
      reason: 'session-sticky',
      location: null,
      afterSignIn: `https://security.microsoft.com/alert/da123?source=SIEM&tid=${tenant}`,
    });
    const unknown = await api(
      'GET',
      `/tenants/${tenant}/redirection/explain?url=${encodeURIComponent('https://example.com/')}`,
      { token },
    );
    expect(await unknown.json()).toEqual({
      product: null,
      action: 'pass',
      reason: 'unknown-host',
      location: null,
      afterSignIn: null,
    });
    const office = await api(
      'GET',
      `/tenants/${tenant}/redirection/explain?url=${encodeURIComponent('https://protection.office.com/ediscovery')}`,
      { token },
    );
    expect(await office.json()).toMatchObject({
      product: 'office',
      action: 'pass',
      reason: 'out-of-scope',
    });
  });

  it("answers a hash route with the browser's whole trip: the hash page, then its continuation", async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-admin']);
    await put(tenant, 'cloudapps', { enabled: true }, token);
    const explain = async (url: string, session = false) =>
      (await (
        await api(
          'GET',
          `/tenants/${tenant}/redirection/explain?url=${encodeURIComponent(url)}${session ? '&session=true' : ''}`,
          { token },
        )
      ).json()) as Record<string, unknown>;
    const alerts = `https://security.microsoft.com/alerts?tid=${tenant}`;
    for (const session of [false, true])
      expect(await explain('https://portal.cloudappsecurity.com/#/alerts', session)).toEqual({
        product: 'cloudapps',
        action: 'redirect',
        reason: 'toggle-on',
        location: alerts,
        afterSignIn: alerts,
      });
    // No route: the hash page's own fallback. A route that stays: the trip ends where it began.
    expect(await explain('https://portal.cloudappsecurity.com/#')).toMatchObject({
      location: `https://security.microsoft.com/cloudapps/dashboard?tid=${tenant}`,
    });
    expect(await explain('https://protection.office.com/#/mailflow')).toMatchObject({
      product: 'office',
      action: 'pass',
      reason: 'out-of-scope',
      location: null,
    });
  });

  it("never answers with another tenant's state, whatever the case of its tid", async () => {
    const [mine, theirs] = [newTenant(), newTenant()];
    await put(theirs, 'endpoint', { enabled: true });
    const token = await adminToken(mine, ['security-reader']);
    for (const tid of ['tid', 'TID', 'Tid', '%74id']) {
      const url = encodeURIComponent(`https://securitycenter.windows.com/alerts?${tid}=${theirs}`);
      const res = await api('GET', `/tenants/${mine}/redirection/explain?url=${url}`, { token });
      expect(await res.json(), tid).toEqual({
        product: 'endpoint',
        action: 'pass',
        reason: 'default-off',
        location: null,
        afterSignIn: null,
      });
    }
  });

  it("on a tenant-specific host mapped to another tenant, answers with this tenant's state", async () => {
    const [mine, theirs] = [newTenant(), newTenant()];
    const host = `x${theirs.slice(0, 8)}.atp.azure.com`;
    await seedHost(host, theirs);
    await put(theirs, 'identity', { enabled: true });
    const token = await adminToken(mine, ['security-reader']);
    const url = encodeURIComponent(`https://${host}/timeline`);
    const res = await api('GET', `/tenants/${mine}/redirection/explain?url=${url}`, { token });
    expect(await res.json()).toMatchObject({ reason: 'default-off', location: null });
  });

  it('rejects a missing, relative or non-http URL', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-reader']);
    for (const q of [
      '',
      'url=/alerts',
      'url=javascript:alert(1)',
      'url=https%3A%2F%2Fx&session=maybe',
    ]) {
      await expectError(
        await api('GET', `/tenants/${tenant}/redirection/explain?${q}`, { token }),
        400,
        'invalid_request',
      );
    }
  });
});

describe('GET /api/openapi.json', () => {
  it('is an OpenAPI 3.1 document generated from the validating schemas', async () => {
    const res = await api('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      // biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document, read as loose JSON.
      paths: Record<string, Record<string, any>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/tenants/{tenantId}/redirection',
      '/api/tenants/{tenantId}/redirection/audit',
      '/api/tenants/{tenantId}/redirection/audit/export',
      '/api/tenants/{tenantId}/redirection/explain',
      '/api/tenants/{tenantId}/redirection/report',
      '/api/tenants/{tenantId}/redirection/schedules',
      '/api/tenants/{tenantId}/redirection/schedules/{id}',
      '/api/tenants/{tenantId}/redirection/{product}',
    ]);
    const putOp = doc.paths['/api/tenants/{tenantId}/redirection/{product}']!.put;
    const body = putOp.requestBody.content['application/json'].schema;
    expect(body).toMatchObject({ type: 'object', additionalProperties: false });
    expect(body.properties.mode).toMatchObject({ enum: ['on', 'off', 'observe'] });
    expect(body.properties).toHaveProperty('enabled');
    expect(body.properties.feedback.anyOf ?? [body.properties.feedback]).toEqual(
      expect.arrayContaining([expect.objectContaining({ maxLength: 2000 })]),
    );
    expect(Object.keys(putOp.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '409', '412', '413', '429', '503']),
    );
    expect(putOp.responses['429'].headers).toHaveProperty('Retry-After');
    const auditOp = doc.paths['/api/tenants/{tenantId}/redirection/audit']!.get;
    expect(auditOp.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['product', 'actor', 'from', 'to', 'limit', 'cursor']),
    );
    const exportOp = doc.paths['/api/tenants/{tenantId}/redirection/audit/export']!.get;
    expect(Object.keys(exportOp.responses['200'].content)).toEqual([
      'text/csv',
      'application/json',
    ]);
    expect(exportOp.responses['200'].headers).toHaveProperty('Content-Disposition');
    expect(
      exportOp.parameters.find((p: { name: string }) => p.name === 'format').schema.enum,
    ).toEqual(['csv', 'json']);
    const product = doc.paths['/api/tenants/{tenantId}/redirection/{product}']!.get.parameters.find(
      (p: { name: string }) => p.name === 'product',
    );
    expect(product.schema.enum).toEqual(['endpoint', 'office', 'identity', 'cloudapps']);
  });
});

describe('the edge follows the API', () => {
  it('a PUT changes what the edge does for that tenant, at once in this isolate', async () => {
    const tenant = newTenant();
    const url = `https://securitycenter.windows.com/alerts?tid=${tenant}`;
    // The first navigation leaves default-off in this isolate's cache for 20 s.
    expect(decisionOf(await navigate(url)).reason).toBe('default-off');
    expect((await put(tenant, 'endpoint', { enabled: true })).status).toBe(200);
    expect(decisionOf(await navigate(url))).toEqual({ decision: 'redirect', reason: 'toggle-on' });
    expect((await put(tenant, 'endpoint', { enabled: false, feedback: 'not yet' })).status).toBe(
      200,
    );
    expect(decisionOf(await navigate(url))).toEqual({ decision: 'pass', reason: 'toggle-off' });
  });

  it('a PUT changes what the edge does for that tenant once its cached read expires', async () => {
    const tenant = newTenant();
    const url = `https://securitycenter.windows.com/alerts?tid=${tenant}`;
    // The edge's isolate cache off, so each navigation reads the KV record the object wrote.
    const edge = () =>
      worker.fetch(navigation(url), { ...testEnv, TOGGLE_CACHE_TTL_SECONDS: '0' } as Env);
    expect(decisionOf(await edge()).reason).toBe('default-off');
    expect((await put(tenant, 'endpoint', { enabled: true })).status).toBe(200);
    expect(decisionOf(await edge())).toEqual({ decision: 'redirect', reason: 'toggle-on' });
    expect((await put(tenant, 'endpoint', { enabled: false, feedback: 'not yet' })).status).toBe(
      200,
    );
    expect(decisionOf(await edge())).toEqual({ decision: 'pass', reason: 'toggle-off' });
  });
});

describe('concurrency', () => {
  it('parallel PUTs lose no audit entry: one entry per applied change', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['global-admin']);
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        put(
          tenant,
          i % 3 === 0 ? 'office' : 'endpoint',
          { enabled: i % 2 === 0, feedback: `w${i}` },
          token,
        ),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const finals = await Promise.all(
      ['endpoint', 'office'].map(
        async (p) =>
          (
            (await (
              await api('GET', `/tenants/${tenant}/redirection/${p}`, { token })
            ).json()) as State
          ).version,
      ),
    );
    const audit = (await (
      await api('GET', `/tenants/${tenant}/redirection/audit?limit=100`, { token })
    ).json()) as { entries: { product: string }[] };
    expect(audit.entries.filter((e) => e.product === 'endpoint')).toHaveLength(finals[0]!);
    expect(audit.entries.filter((e) => e.product === 'office')).toHaveLength(finals[1]!);
    expect(finals[0]! + finals[1]!).toBeGreaterThan(2);
  });
});

describe('store faults on the settings API', () => {
  it('answers 503 with Retry-After when the object cannot import from KV, writes nothing, then recovers', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-admin']);
    const faults = faultyKv(testEnv.TOGGLES, { get: 'throw', list: 'throw' });
    overrideDeps(tenant, { kv: faults.kv });
    for (const path of ['', '/endpoint', '/audit', '/audit/export?format=csv']) {
      const res = await api('GET', `/tenants/${tenant}/redirection${path}`, { token });
      expect(res.headers.get('retry-after'), path).toBe('5');
      await expectError(res, 503, 'unavailable');
    }
    const write = await put(tenant, 'endpoint', { enabled: true }, token);
    expect(write.headers.get('retry-after')).toBe('5');
    await expectError(write, 503, 'unavailable');
    expect(await testEnv.TOGGLES.get(keys.toggle(tenant, 'endpoint'))).toBeNull();
    expect(await dumpSql(tenant)).toMatchObject({ toggles: [], audit: [] });
    // Once KV can be read, the same request goes through.
    faults.mode.get = 'ok';
    faults.mode.list = 'ok';
    expect((await put(tenant, 'endpoint', { enabled: true }, token)).status).toBe(200);
  });
});
