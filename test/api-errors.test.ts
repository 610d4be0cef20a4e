import { describe, expect, it } from 'vitest';
import { keys } from '../src/store/records';
import { adminToken, api, expectError } from './api-helpers';
import { newTenant, testEnv } from './helpers';
import { dumpSql } from './tenant-settings-helpers';

/**
 * Nothing of the tenant's settings changed: no KV record (the edge's copy) and, in the tenant's
 * object, the only writer, no toggle row and no audit row.
 */
async function nothingWritten(tenant: string): Promise<void> {
  for (const product of ['endpoint', 'office', 'identity', 'cloudapps'] as const) {
    expect(await testEnv.TOGGLES.get(keys.toggle(tenant, product))).toBeNull();
  }
  const sql = await dumpSql(tenant);
  expect(sql.toggles).toEqual([]);
  expect(sql.audit).toEqual([]);
}

describe('bad input on the settings API: a clear 4xx JSON error, nothing written', () => {
  it('the check itself notices a write, in KV and in the object (it can fail)', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['global-admin']);
    await api('PUT', `/tenants/${tenant}/redirection/identity`, { token, body: { enabled: true } });
    await expect(nothingWritten(tenant)).rejects.toThrow();
    // The object's half alone: its rows, with the KV copy gone.
    await testEnv.TOGGLES.delete(keys.toggle(tenant, 'identity'));
    await expect(nothingWritten(tenant)).rejects.toThrow();
  });

  it('400 invalid_request for bodies that are not the documented shape', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['global-admin']);
    const path = `/tenants/${tenant}/redirection/endpoint`;
    const bodies: [string, BodyInit, string?][] = [
      ['bad JSON', '{"enabled": tru'],
      ['empty', ''],
      ['an array', '[true]'],
      ['a string', '"enabled"'],
      ['null', 'null'],
      ['enabled as string', '{"enabled":"true"}'],
      ['enabled as number', '{"enabled":1}'],
      ['missing enabled', '{"feedback":"x"}'],
      ['extra field', '{"enabled":true,"product":"office"}'],
      ['feedback not a string', '{"enabled":false,"feedback":42}'],
      ['feedback too long', JSON.stringify({ enabled: false, feedback: 'x'.repeat(2001) })],
      ['deeply nested', `{"enabled":false,"feedback":${'['.repeat(5000)}${']'.repeat(5000)}}`],
      ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0x65, 0xff, 0xfe, 0x22, 0x7d])],
      ['wrong content type', '{"enabled":true}', 'text/plain'],
    ];
    for (const [label, rawBody, type] of bodies) {
      const res = await api('PUT', path, {
        token,
        rawBody,
        headers: { 'Content-Type': type ?? 'application/json' },
      });
      expect(res.status, label).toBe(400);
      await expectError(res, 400, 'invalid_request');
    }
    await nothingWritten(tenant);
  });

  it('accepts feedback of exactly 2000 characters', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['global-admin']);
    const res = await api('PUT', `/tenants/${tenant}/redirection/office`, {
      token,
      body: { enabled: false, feedback: 'y'.repeat(2000) },
    });
    expect(res.status).toBe(200);
  });

  it('413 for bodies over 16 KiB, however they are sent', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['global-admin']);
    const big = JSON.stringify({ enabled: false, feedback: 'z'.repeat(17_000) });
    await expectError(
      await api('PUT', `/tenants/${tenant}/redirection/endpoint`, {
        token,
        rawBody: big,
        headers: { 'Content-Type': 'application/json' },
      }),
      413,
      'payload_too_large',
    );
    const stream = new Blob([big]).stream();
    await expectError(
      await api('PUT', `/tenants/${tenant}/redirection/endpoint`, {
        token,
        rawBody: stream,
        headers: { 'Content-Type': 'application/json' },
      }),
      413,
      'payload_too_large',
    );
    await nothingWritten(tenant);
  });

  it('400 for a tenant id that is not a GUID, 404 for an unknown product or route', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['global-admin']);
    await expectError(
      await api('GET', '/tenants/contoso/redirection', { token }),
      400,
      'invalid_request',
    );
    await expectError(
      await api('GET', `/tenants/${tenant}x/redirection/endpoint`, { token }),
      400,
      'invalid_request',
    );
    await expectError(
      await api('GET', `/tenants/${tenant}/redirection/defender`, { token }),
      404,
      'not_found',
    );
    await expectError(
      await api('PUT', `/tenants/${tenant}/redirection/defender`, {
        token,
        body: { enabled: true },
      }),
      404,
      'not_found',
    );
    await expectError(await api('GET', '/nope', { token }), 404, 'not_found');
    await expectError(
      await api('DELETE', `/tenants/${tenant}/redirection/endpoint`, { token }),
      404,
      'not_found',
    );
  });

  it('400 for a cursor the audit log did not issue, or a bad filter', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['global-admin']);
    const audit = `/tenants/${tenant}/redirection/audit`;
    for (const query of [
      'cursor=bogus',
      `cursor=${btoa('1.2.3')}`,
      `cursor=${'A'.repeat(65)}`,
      'from=yesterday',
      'to=2026-13-01T00:00:00Z',
      'actor=',
      `actor=${'a'.repeat(513)}`,
      'product=constructor',
    ]) {
      await expectError(await api('GET', `${audit}?${query}`, { token }), 400, 'invalid_request');
    }
    for (const query of ['', '?format=xml', '?format=CSV']) {
      await expectError(
        await api('GET', `${audit}/export${query}`, { token }),
        400,
        'invalid_request',
      );
    }
  });

  it('copes with huge headers and 10,000 cookies', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['global-admin']);
    const cookies = Array.from({ length: 10_000 }, (_, i) => `c${i}=${i}`).join('; ');
    const res = await api('GET', `/tenants/${tenant}/redirection`, {
      token,
      headers: { Cookie: cookies, 'X-Big': 'h'.repeat(60_000) },
    });
    expect(res.status).toBe(200);
  });
});
