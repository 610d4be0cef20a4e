import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import type { Env } from '../src/config';
import { loadConfig, parseConfig } from '../src/config';
import { adminToken, expectError } from './api-helpers';
import { newTenant, testEnv } from './helpers';

const ADMIN = 'http://localhost';

describe('configuration: validated once, problems logged once, never a 500 per request', () => {
  it('a malformed AUTH_JWKS is one logged problem, and the API answers 503 (not 500) each time', async () => {
    const env = { ...testEnv, AUTH_JWKS: '{"keys": [' } as Env;
    expect(parseConfig(env).problems).toEqual([
      'AUTH_JWKS is not a JSON key set ({"keys": [...]}): sign-in answers 503',
    ]);
    const tenant = newTenant();
    const token = await adminToken(tenant, ['global-admin']);
    for (let i = 0; i < 2; i++) {
      const res = await worker.fetch(
        new Request(`${ADMIN}/api/tenants/${tenant}/redirection`, {
          headers: { Authorization: `Bearer ${token}` },
        }),
        env,
      );
      await expectError(res, 503, 'unavailable');
    }
  });

  it('a malformed DEV_SIGNING_KEY turns the dev sign-in off instead of failing each sign-in', async () => {
    const env = { ...testEnv, DEV_SIGNING_KEY: 'not json' } as Env;
    expect(parseConfig(env).problems).toContain(
      'DEV_AUTH is "true" but DEV_SIGNING_KEY is not {"kid", "privateJwk"}: dev sign-in is off',
    );
    const page = await worker.fetch(new Request(`${ADMIN}/settings`), env);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain('Development sign-in');
  });

  it('names every unusable value, and falls back to the documented default', () => {
    const config = parseConfig({
      ...testEnv,
      ADMIN_HOSTS: 'localhost,exa mple',
      KV_READ_TIMEOUT_MS: 'soon',
      SETTINGS_URL: 'javascript:alert(1)',
      AUTH_JWKS: '',
      AUTH_JWKS_URL: 'http://keys.example/keys',
      AUTH_CLIENT_ID: 'client-1',
      AUTH_AUTHORITY: undefined,
      DEV_AUTH: 'yes',
    } as unknown as Env);
    expect(config.problems).toEqual([
      'ADMIN_HOSTS entry "exa mple" is not a host name: ignored',
      'KV_READ_TIMEOUT_MS must be a whole number >= 0: using 1000',
      'SETTINGS_URL is not an https URL: ignored',
      'AUTH_JWKS_URL is not an https URL: ignored',
      'DEV_AUTH must be "true" or "false": dev sign-in is off',
      'AUTH_CLIENT_ID and AUTH_AUTHORITY go together: sign-in with Microsoft is off',
    ]);
    expect(config.kvReadTimeoutMs).toBe(1000);
    expect(config.settingsUrl).toBe('http://127.0.0.1:8787/settings');
    expect(config.auth.keys).toEqual({
      kind: 'remote',
      url: new URL('https://login.microsoftonline.com/common/discovery/v2.0/keys'),
    });
    expect(config.auth.devKey).toBeNull();
    expect(config.auth.oidc).toBeNull();
  });

  it('refuses DEV_AUTH unless every admin host is loopback: anyone could pick any tenant and role', async () => {
    const env = { ...testEnv, ADMIN_HOSTS: 'localhost,settings.contoso.example' } as Env;
    const config = parseConfig(env);
    expect(config.auth.devKey).toBeNull();
    expect(config.problems).toContain(
      'DEV_AUTH is refused: ADMIN_HOSTS names settings.contoso.example, not only loopback hosts; dev sign-in is off',
    );
    const page = await worker.fetch(new Request(`${ADMIN}/settings`), env);
    expect(await page.text()).not.toContain('Development sign-in');
    expect(
      parseConfig({ ...testEnv, ADMIN_HOSTS: 'localhost,127.0.0.1' } as Env).auth.devKey,
    ).not.toBeNull();
  });

  it('is built once per env: the same object answers every request', () => {
    expect(loadConfig(testEnv)).toBe(loadConfig(testEnv));
  });
});
