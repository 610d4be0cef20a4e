import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../src/catalogue/products';
import { HostIndex } from '../src/core/hosts';
import { parseJsonc } from '../scripts/jsonc';
import wranglerText from '../wrangler.jsonc?raw';

interface EnvBlock {
  routes?: { pattern: string }[];
  vars?: Record<string, string>;
}
const config = parseJsonc(wranglerText) as { env: Record<string, EnvBlock> };

/** How each env spells a catalogue host in its routes: production as it is, staging under its zone. */
const SUFFIX: Record<string, string> = { production: '', staging: '.staging.example.net' };

/** A route's host pattern as Cloudflare matches it: `*` is zero or more of any character. */
function routeMatches(pattern: string, host: string): boolean {
  const hostPart = pattern.slice(0, pattern.indexOf('/'));
  const re = new RegExp(`^${hostPart.split('*').map(escapeRegExp).join('.*')}$`);
  return re.test(host);
}
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Host names a catalogue pattern stands for, one per `*` filled with one label. */
const sampleOf = (pattern: string) => pattern.replace(/\*/g, 'contoso');

const index = new HostIndex(PRODUCTS);
const catalogueHosts = PRODUCTS.flatMap((p) => p.hosts.map((h) => h.pattern));

describe('5. every host of the catalogue is routed where it is deployed', () => {
  it('the parser reads comments as comments and strings as strings', () => {
    expect(parseJsonc('{"a": "x//y", // c\n "b": /* d */ 1}')).toEqual({ a: 'x//y', b: 1 });
  });

  it.each(Object.keys(SUFFIX))('%s routes every catalogue host, browser and API', (name) => {
    const env = config.env[name] as EnvBlock;
    const patterns = (env.routes ?? []).map((r) => r.pattern);
    for (const host of catalogueHosts) {
      const sample = sampleOf(host) + (SUFFIX[name] as string);
      expect(
        patterns.some((p) => routeMatches(p, sample)),
        `${name}: no route for ${host}`,
      ).toBe(true);
    }
    expect(
      patterns.every((p) => p.endsWith('/*')),
      `${name}: routes cover whole hosts`,
    ).toBe(true);
  });

  it.each(Object.keys(SUFFIX))(
    '%s routes no host the catalogue lacks (admin hosts aside)',
    (name) => {
      const env = config.env[name] as EnvBlock;
      const admin = (env.vars?.ADMIN_HOSTS ?? '').split(',');
      for (const { pattern } of env.routes ?? []) {
        const host = pattern.slice(0, pattern.indexOf('/'));
        if (admin.includes(host)) continue;
        const suffix = SUFFIX[name] as string;
        expect(host.endsWith(suffix), `${name}: ${pattern} outside its zone`).toBe(true);
        const legacy = sampleOf(host.slice(0, host.length - suffix.length));
        expect(index.match(legacy), `${name}: ${pattern} is not a catalogue host`).not.toBeNull();
      }
    },
  );
});

describe('every deployed env names what production must not guess', () => {
  it.each(Object.keys(SUFFIX))(
    '%s sets SIGNIN_AUDIENCES for every product and never DEV_AUTH',
    (name) => {
      const vars = (config.env[name] as EnvBlock).vars ?? {};
      const audiences = JSON.parse(vars.SIGNIN_AUDIENCES ?? '{}') as Record<string, string>;
      expect(Object.keys(audiences).sort()).toEqual(PRODUCTS.map((p) => p.id).sort());
      expect(vars.DEV_AUTH).toBe('false');
    },
  );
});
