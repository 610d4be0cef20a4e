import { SignJWT, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { DIRECTORY_ROLES, type RoleName } from '../src/catalogue/roles';
import { entraClaims, signToken } from '../src/auth/dev-tokens';
import {
  AUDIENCE,
  adminToken,
  api,
  expectError,
  rawToken,
  strangerKey,
  trustedKey,
} from './api-helpers';
import { base64url, newTenant } from './helpers';

const now = () => Math.floor(Date.now() / 1000);

async function expectUnauthorized(res: Response, label: string): Promise<void> {
  expect(res.status, label).toBe(401);
  expect(res.headers.get('www-authenticate'), label).toBe('Bearer error="invalid_token"');
  // The same body whatever the cause: the cause goes to the logs only.
  expect(await res.json(), label).toEqual({
    error: 'unauthorized',
    message: 'A valid access token is required.',
  });
}

const read = (tenant: string, token?: string) =>
  api('GET', `/tenants/${tenant}/redirection`, token ? { token } : {});

describe('token attacks: every forgery answers the same 401', () => {
  it('no token, a malformed header, garbage', async () => {
    const tenant = newTenant();
    await expectUnauthorized(await read(tenant), 'no token');
    for (const header of [
      'Basic abc',
      'Bearer',
      'Bearer a.b',
      'bearer !!!',
      `Bearer ${'a'.repeat(10)}.${'b'.repeat(10)}.c`,
    ]) {
      await expectUnauthorized(
        await api('GET', `/tenants/${tenant}/redirection`, { headers: { Authorization: header } }),
        header,
      );
    }
  });

  it('alg none', async () => {
    const tenant = newTenant();
    const claims = entraClaims({ tenant, roles: ['global-admin'], audience: AUDIENCE });
    await expectUnauthorized(
      await read(tenant, rawToken({ alg: 'none', typ: 'JWT' }, claims)),
      'alg none',
    );
    await expectUnauthorized(
      await read(tenant, rawToken({ alg: 'none', kid: trustedKey().kid }, claims, 'AAAA')),
      'alg none with kid',
    );
  });

  it('HS256 signed with the public key as the secret', async () => {
    const tenant = newTenant();
    const claims = entraClaims({ tenant, roles: ['global-admin'], audience: AUDIENCE });
    const secret = new TextEncoder().encode(JSON.stringify(trustedKey().publicJwk));
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: trustedKey().kid })
      .sign(secret);
    await expectUnauthorized(await read(tenant, token), 'HS256');
  });

  it('an unknown kid, and a valid signature by a key the Worker does not trust', async () => {
    const tenant = newTenant();
    const claims = entraClaims({ tenant, roles: ['global-admin'], audience: AUDIENCE });
    await expectUnauthorized(
      await read(tenant, await signToken(trustedKey().privateJwk, 'no-such-kid', claims)),
      'unknown kid',
    );
    const attacker = await strangerKey();
    await expectUnauthorized(
      await read(tenant, await signToken(attacker.privateJwk, attacker.kid, claims)),
      'attacker key, trusted kid',
    );
  });

  it('a tampered payload', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-reader']);
    const [header, , signature] = token.split('.');
    const elevated = entraClaims({ tenant, roles: ['global-admin'], audience: AUDIENCE });
    const tampered = `${header}.${base64url(new TextEncoder().encode(JSON.stringify(elevated)))}.${signature}`;
    await expectUnauthorized(await read(tenant, tampered), 'tampered');
  });

  it('expired, not yet valid, and missing exp; skew within 5 minutes is tolerated', async () => {
    const tenant = newTenant();
    await expectUnauthorized(
      await read(tenant, await adminToken(tenant, ['global-admin'], { exp: now() - 360 })),
      'expired',
    );
    await expectUnauthorized(
      await read(tenant, await adminToken(tenant, ['global-admin'], { nbf: now() + 360 })),
      'nbf future',
    );
    await expectUnauthorized(
      await read(tenant, await adminToken(tenant, ['global-admin'], { exp: undefined })),
      'no exp',
    );
    expect(
      (await read(tenant, await adminToken(tenant, ['global-admin'], { exp: now() - 240 }))).status,
    ).toBe(200);
    expect(
      (await read(tenant, await adminToken(tenant, ['global-admin'], { nbf: now() + 240 }))).status,
    ).toBe(200);
  });

  it('a wrong audience', async () => {
    const tenant = newTenant();
    for (const aud of ['api://other', 'https://graph.microsoft.com', ['api://other']]) {
      await expectUnauthorized(
        await read(tenant, await adminToken(tenant, ['global-admin'], { aud })),
        `aud ${String(aud)}`,
      );
    }
  });

  it('a wrong issuer, or one that names another tenant than tid', async () => {
    const tenant = newTenant();
    const other = newTenant();
    for (const iss of [
      'https://evil.example/v2.0',
      `https://login.microsoftonline.com/${other}/v2.0`,
      `https://sts.windows.net/${other}/`,
      `https://login.microsoftonline.com/${tenant}/v2.0/`,
      `https://login.microsoftonline.com/common/v2.0`,
      `http://login.microsoftonline.com/${tenant}/v2.0`,
    ]) {
      await expectUnauthorized(
        await read(tenant, await adminToken(tenant, ['global-admin'], { iss })),
        iss,
      );
    }
    await expectUnauthorized(
      await read(tenant, await adminToken(tenant, ['global-admin'], { tid: 'contoso' })),
      'non-GUID tid',
    );
  });

  it('accepts both Entra issuer forms (v2.0 and sts.windows.net)', async () => {
    const tenant = newTenant();
    expect(
      (await read(tenant, await adminToken(tenant, ['security-reader'], {}, 'v2'))).status,
    ).toBe(200);
    expect(
      (await read(tenant, await adminToken(tenant, ['security-reader'], {}, 'v1'))).status,
    ).toBe(200);
  });
});

describe('authorisation', () => {
  it("another tenant's token is forbidden (delegated admins sign in to the customer's tenant)", async () => {
    const [mine, theirs] = [newTenant(), newTenant()];
    const token = await adminToken(theirs, ['global-admin']);
    await expectError(await read(mine, token), 403, 'forbidden');
    await expectError(
      await api('PUT', `/tenants/${mine}/redirection/endpoint`, { token, body: { enabled: true } }),
      403,
      'forbidden',
    );
    // A partner's delegated admin holds a token of the customer's tenant, without oid: allowed.
    const gdap = await adminToken(mine, ['security-admin'], { oid: undefined });
    expect(
      (
        await api('PUT', `/tenants/${mine}/redirection/endpoint`, {
          token: gdap,
          body: { enabled: true },
        })
      ).status,
    ).toBe(200);
  });

  it('app roles (`roles`) do not count, and a token without wids has no role', async () => {
    const tenant = newTenant();
    const asRoles = await adminToken(tenant, [], {
      roles: [DIRECTORY_ROLES['global-admin'], 'GlobalAdministrator'],
    });
    await expectError(await read(tenant, asRoles), 403, 'forbidden');
    const noWids = await adminToken(tenant, [], { wids: undefined });
    await expectError(await read(tenant, noWids), 403, 'forbidden');
  });

  const ALL_ROLES = Object.keys(DIRECTORY_ROLES) as RoleName[];
  const WRITERS: Record<string, RoleName[]> = {
    endpoint: ['global-admin', 'security-admin'],
    office: ['global-admin', 'security-admin'],
    identity: ['global-admin', 'security-admin'],
    cloudapps: ['global-admin', 'security-admin', 'cloud-app-security-admin'],
  };

  it.each(ALL_ROLES)(
    '%s: reads everything, writes exactly the products its role allows',
    async (role) => {
      const tenant = newTenant();
      const token = await adminToken(tenant, [role]);
      expect((await read(tenant, token)).status).toBe(200);
      expect((await api('GET', `/tenants/${tenant}/redirection/audit`, { token })).status).toBe(
        200,
      );
      expect(
        (
          await api(
            'GET',
            `/tenants/${tenant}/redirection/explain?url=https%3A%2F%2Fprotection.office.com%2F`,
            { token },
          )
        ).status,
      ).toBe(200);
      for (const [product, writers] of Object.entries(WRITERS)) {
        expect(
          (await api('GET', `/tenants/${tenant}/redirection/${product}`, { token })).status,
        ).toBe(200);
        const res = await api('PUT', `/tenants/${tenant}/redirection/${product}`, {
          token,
          body: { enabled: product !== 'office' },
        });
        if (writers.includes(role)) expect(res.status, `${role} writes ${product}`).toBe(200);
        else await expectError(res, 403, 'forbidden');
      }
    },
  );

  it('a token carrying several roles gets the union', async () => {
    const tenant = newTenant();
    const token = await adminToken(tenant, ['security-reader', 'cloud-app-security-admin']);
    expect(
      (
        await api('PUT', `/tenants/${tenant}/redirection/cloudapps`, {
          token,
          body: { enabled: true },
        })
      ).status,
    ).toBe(200);
    await expectError(
      await api('PUT', `/tenants/${tenant}/redirection/endpoint`, {
        token,
        body: { enabled: true },
      }),
      403,
      'forbidden',
    );
  });
});

describe('key import sanity', () => {
  it('the trusted test key really verifies (so the forgeries above fail for their own reason)', async () => {
    const key = await importJWK(trustedKey().publicJwk as Parameters<typeof importJWK>[0], 'RS256');
    expect(key).toBeTruthy();
    const tenant = newTenant();
    expect((await read(tenant, await adminToken(tenant, ['global-reader']))).status).toBe(200);
  });
});
