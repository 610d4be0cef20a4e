/**
 * Dutch completeness: every page of the settings side and the banner, rendered in Dutch with
 * every part showing (changes, schedules, the report, the audit log, confirmations, errors),
 * holds none of the English table's words. The type checker only sees that each key exists; this
 * sees what a Dutch admin reads.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Env } from '../src/config';
import { en } from '../src/i18n/en';
import { nl } from '../src/i18n/nl';
import worker from '../src/index';
import { adminToken, api } from './api-helpers';
import {
  decisionOf,
  EDGE_COOKIE,
  legacySession,
  navigation,
  newTenant,
  seedToggle,
  tenantCookie,
  testEnv,
} from './helpers';
import { Browser } from './settings-page-browser';

const HOLE = '\u0001';
/** Fragments shorter than this are words both languages may share ("On", "CSV"). */
const MIN_FRAGMENT = 5;

/**
 * The English table's text that Dutch must not show: each string, and each literal piece of a
 * function's output (called with placeholders), unless the Dutch table says the same (names,
 * codes).
 */
function englishFragments(a: unknown, b: unknown, out = new Set<string>()): Set<string> {
  if (typeof a === 'string') {
    if (a !== b) for (const piece of pieces(a)) out.add(piece);
  } else if (typeof a === 'function') {
    const call = (f: unknown) =>
      typeof f === 'function'
        ? String((f as (...x: unknown[]) => unknown)(HOLE, HOLE, HOLE, HOLE))
        : '';
    // Numbers in the signature (durations, counts) get a number, not a placeholder.
    const mine = safe(() => call(a)) ?? safe(() => String((a as (n: number) => string)(7)));
    const theirs = safe(() => call(b)) ?? safe(() => String((b as (n: number) => string)(7))) ?? '';
    const dutch = new Set(pieces(theirs));
    for (const piece of pieces(mine ?? '')) if (!dutch.has(piece)) out.add(piece);
  } else if (typeof a === 'object' && a !== null) {
    for (const [key, value] of Object.entries(a))
      englishFragments(value, (b as Record<string, unknown> | undefined)?.[key], out);
  }
  return out;
}

function pieces(text: string): string[] {
  return text
    .split(HOLE)
    .map((p) => p.trim().replace(/^[\s,.:;()·]+|[\s,.:;()·]+$/g, ''))
    .filter((p) => p.length >= MIN_FRAGMENT);
}

function safe<T>(run: () => T): T | undefined {
  try {
    return run();
  } catch {
    return undefined;
  }
}

/** What a reader sees of a page: text, attribute values a screen reader says, no markup. */
function readable(html: string): string {
  const said = [...html.matchAll(/\s(?:aria-label|title|placeholder|alt)="([^"]*)"/g)].map(
    (m) => m[1],
  );
  const text = html
    .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ');
  return [text, ...said]
    .join(' ')
    .replace(/&amp;/g, '&')
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');
}

/** Every piece of text the Dutch table itself holds (a name it keeps, such as "English"). */
function dutchPieces(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const piece of pieces(value)) out.add(piece);
  else if (typeof value === 'object' && value !== null)
    for (const v of Object.values(value)) dutchPieces(v, out);
  return out;
}

describe('Dutch pages hold no English', () => {
  const dutch = dutchPieces(nl);
  const fragments = [...englishFragments(en, nl)].filter((f) => !dutch.has(f));
  /** A fragment as a whole word or phrase: "Observe" is not in "Observeren". */
  const seen = (text: string, fragment: string) =>
    new RegExp(`(?<!\\p{L})${fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\p{L})`, 'u').test(
      text,
    );

  it('the Dutch table says nothing the English one says, but names and codes', () => {
    // Words both languages write the same way: names, codes, loanwords.
    const SAME = new Set([
      'tenant',
      'auditProduct',
      'auditFeedback',
      'filterProduct',
      'exportCsv',
      'exportJson',
      'areas.secure-score',
    ]);
    const same: string[] = [];
    const walk = (a: unknown, b: unknown, path: string) => {
      if (typeof a === 'string') {
        if (a === b && !SAME.has(path)) same.push(path);
      } else if (typeof a === 'object' && a !== null && !Array.isArray(a)) {
        for (const [k, v] of Object.entries(a))
          walk(v, (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      }
    };
    walk(en, nl, '');
    expect(same).toEqual([]);
  });

  it('the check sees the English table (it can fail)', () => {
    expect(fragments.length).toBeGreaterThan(150);
    expect(fragments).toContain('Show the numbers');
    expect(fragments).toContain('Nothing was saved');
  });

  it('every settings page, dialog, error page and the banner, in Dutch', async () => {
    const tenant = newTenant();
    const b = new Browser();
    b.lang = 'nl-NL,nl;q=0.9';
    await b.signIn(tenant, 'global-admin', 'Daan');
    // Something in every part: changes (one with feedback), a schedule, counts for the report.
    const token = await adminToken(tenant, ['global-admin'], { name: 'Bo' });
    await api('PUT', `/tenants/${tenant}/redirection/identity`, { token, body: { mode: 'on' } });
    await api('PUT', `/tenants/${tenant}/redirection/identity`, {
      token,
      body: { mode: 'off', feedback: 'nog niet' },
    });
    await seedToggle(tenant, 'endpoint', 'observe');
    const at = new Date(Date.now() + 86_400_000).toISOString();
    const made = await api('POST', `/tenants/${tenant}/redirection/schedules`, {
      token,
      body: { product: 'office', mode: 'off', at },
    });
    const { id } = (await made.json()) as { id: string };
    await api('POST', `/tenants/${tenant}/redirection/schedules`, {
      token,
      body: { product: 'cloudapps', mode: 'on', at },
    });
    await api('DELETE', `/tenants/${tenant}/redirection/schedules/${id}`, { token });
    const env = { ...testEnv, REPORT_FLUSH_SECONDS: '0' } as Env;
    const minted = `${EDGE_COOKIE.tid}=${await tenantCookie('securitycenter.windows.com', tenant)}`;
    for (const url of [
      `https://securitycenter.windows.com/alerts?tid=${tenant}`,
      'https://securitycenter.windows.com/a/page/no/row/knows',
      `https://securitycenter.windows.com/serviceHealth?tid=${tenant}`,
    ]) {
      const ctx = createExecutionContext();
      await worker.fetch(navigation(url, { cookies: `sccauth=1; ${minted}` }), env, ctx);
      await worker.fetch(navigation(url, { cookies: minted }), env, ctx);
      await waitOnExecutionContext(ctx);
    }

    const pages: [string, string][] = [];
    const page = async (label: string, path: string, init?: Parameters<Browser['go']>[1]) => {
      const html = await (await b.go(path, init)).text();
      pages.push([label, html]);
      return html;
    };
    const settings = await page('settings', '/settings?saved=identity');
    expect(settings).toContain('<html lang="nl">');
    expect(settings).toContain('data-chart');
    expect(settings).toContain('data-schedule=');
    for (const mode of ['on', 'off', 'observe'])
      await page(`confirm ${mode}`, `/settings/confirm/cloudapps?mode=${mode}&version=0`);
    await page('audit', '/settings/audit');
    await page('audit filtered, invalid', '/settings/audit?from=gisteren');
    // Refusals said on the page: a stale tab, a past schedule, a schedule already gone.
    await page('stale', '/settings/identity', {
      method: 'POST',
      form: { csrf: b.csrf(settings), mode: 'on', version: '0' },
    });
    await page('schedule refused', '/settings/schedules', {
      method: 'POST',
      form: { csrf: b.csrf(settings), product: 'endpoint', mode: 'on', at: '2020-01-01T00:00' },
    });
    await page('schedule gone', `/settings/schedules/${id}/cancel`, {
      method: 'POST',
      form: { csrf: b.csrf(settings) },
    });
    await page('error 403', '/settings/endpoint', {
      method: 'POST',
      form: { csrf: 'x', mode: 'on' },
    });
    await page('error 404', '/settings/nergens');
    const signedOut = new Browser();
    signedOut.lang = 'nl';
    pages.push(['sign-in', await (await signedOut.go('/settings')).text()]);

    // The banner on a legacy page of a signed-in user whose tenant has redirection off
    // (Identities, turned off above).
    const legacy = await worker.fetch(
      navigation(`https://portal.atp.azure.com/timeline?tid=${tenant}`, {
        cookies: await legacySession('portal.atp.azure.com'),
        headers: { 'Accept-Language': 'nl-NL,nl;q=0.9' },
      }),
      testEnv,
    );
    expect(decisionOf(legacy).reason).toBe('session-sticky');
    const banner = await legacy.text();
    expect(banner).toContain('portal-redirect-banner');
    pages.push(['banner', banner.slice(banner.indexOf('<div id="portal-redirect-banner"'))]);

    const found: string[] = [];
    for (const [label, html] of pages) {
      const text = readable(html);
      for (const fragment of fragments)
        if (seen(text, fragment)) found.push(`${label}: "${fragment}"`);
    }
    expect(found).toEqual([]);
  });
});
