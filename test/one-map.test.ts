/**
 * One answer per legacy page, whatever asks. Every row of every product's deep-link table (made
 * concrete on each of the product's browser hosts, with and without a query, and for hash-routed
 * products also as the `/#/route` a browser opens), every out-of-scope prefix, and Microsoft's
 * documented links (fixtures/documented-links.json, each with the page that documents it) go
 * through every face that says where a legacy page lands:
 *
 * - the redirect: a real navigation through the Worker, following the hash page to its
 *   continuation as the page's script would (e-mail links are such navigations);
 * - the SIEM rewriter: the per-link function the API hosts use, over one JSON payload per product
 *   read three times (in order, again through the shapes the first read learned, then reversed),
 *   and Endpoint's links also through the Worker's SIEM API host;
 * - the banner's "open this page" link on the page passed with redirection off;
 * - `explain` through the settings API, and its `afterSignIn`: where a sign-in begun from the
 *   link lands.
 *
 * The expected target comes from the row itself (its `to` with the values filled in) or from the
 * fixture, never from the code under test. A page that stays has no target: no face may link it to
 * the Defender portal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEEP_LINKS } from '../src/catalogue/deeplinks';
import { PRODUCTS } from '../src/catalogue/products';
import type { DeepLinkRow, HostPattern, Product, ProductId } from '../src/catalogue/types';
import { type Env, loadConfig } from '../src/config';
import { en } from '../src/i18n/en';
import { rewriteJsonLinks } from '../src/siem/json-links';
import { rewriteLinkShaped } from '../src/siem/link-shapes';
import { adminToken, api } from './api-helpers';
import documented from './fixtures/documented-links.json';
import {
  CookieJar,
  decisionOf,
  EDGE_COOKIE,
  legacySession,
  navigate,
  newTenant,
  seedHost,
  seedToggle,
  send,
  tenantCookie,
  testEnv,
  unsignedJwt,
} from './helpers';

const U = 'https://security.microsoft.com';
/** A value for a `:name` segment, and what a `*` tail stands for. */
const ID = 'da637370718981685665_16349121';
const TAIL = 'tail-a/tail-b';
const QUERY = 'view=list&page=2';
/** Labels of the concrete tenant-specific hosts: this run's own, so host mappings never collide. */
const RUN = crypto.randomUUID().slice(0, 8);

interface Case {
  label: string;
  product: Product;
  /** The legacy URL; `{tid}` stands for the tenant the face asks for. */
  url: string;
  /** Path and query on the unified origin, before the edge adds `tid`; `null` when the page stays. */
  target: string | null;
  /**
   * What the banner can link to: the server never sees a fragment, so for `/#/route` the banner
   * is the hash-routed root's, whose target is the root's.
   */
  bannerTarget: string | null;
  /** The Microsoft page that documents a fixture's link. */
  source?: string;
}

// --- the oracle: the rows and prefixes read as data ---------------------------------------------

function patternOf(host: string): { product: Product; pattern: HostPattern } | null {
  const labels = host.split('.');
  for (const product of PRODUCTS)
    for (const pattern of product.hosts) {
      const want = pattern.pattern.split('.');
      if (want.length === labels.length && want.every((l, i) => l === '*' || l === labels[i]))
        return { product, pattern };
    }
  return null;
}

/** The product's browser hosts, each wildcard label made concrete. */
function hostsOf(product: Product): string[] {
  return product.hosts
    .filter((h) => h.kind === 'browser')
    .map((h) => h.pattern.replace('*.*.', `om${RUN}.eu2.`).replace('*.', `om${RUN}.`));
}

/** A pattern made concrete: `:name` segments get ID, a final `*` gets TAIL. */
function concrete(pattern: string, encode = false): string {
  return pattern
    .split('/')
    .map((s) => (s === '*' ? TAIL : s.startsWith(':') ? (encode ? encodeURIComponent(ID) : ID) : s))
    .join('/');
}

/** The row's target for its concrete legacy page, with or without QUERY. */
function rowTarget(row: DeepLinkRow, withQuery: boolean): string {
  const q = row.to.indexOf('?');
  const path = concrete(q === -1 ? row.to : row.to.slice(0, q));
  const fixed =
    q === -1 ? null : row.to.slice(q + 1).replace(/:[A-Za-z]+/g, encodeURIComponent(ID));
  const kept = withQuery && row.query === 'keep' ? QUERY : null;
  const query = [fixed, kept].filter((p) => p !== null).join('&');
  return query === '' ? path : `${path}?${query}`;
}

function rootTarget(product: Product): string {
  const root = DEEP_LINKS[product.id].rows.find((r) => r.from === '/');
  if (!root) throw new Error(`${product.id} has no root row`);
  return rowTarget(root, false);
}

function rowCases(product: Product): Case[] {
  const cases: Case[] = [];
  for (const row of DEEP_LINKS[product.id].rows)
    for (const host of hostsOf(product))
      for (const withQuery of [false, true]) {
        const page = concrete(row.from) + (withQuery ? `?${QUERY}` : '');
        const target = rowTarget(row, withQuery);
        const label = `row ${row.from} on ${host}${withQuery ? ' with a query' : ''}`;
        cases.push({ label, product, url: `https://${host}${page}`, target, bannerTarget: target });
        if (product.hashRouted) cases.push(...hashForms(label, product, host, page, target));
      }
  return cases;
}

/**
 * A hash-routed product's page as a browser opens it (`/#/route`, whose route the server never
 * sees) and as the `?hash=` form the hash page sends back (also a legacy link form).
 */
function hashForms(
  label: string,
  product: Product,
  host: string,
  page: string,
  target: string | null,
): Case[] {
  return [
    {
      label: `${label}, as /#/route`,
      product,
      url: `https://${host}/#${page}`,
      target,
      bannerTarget: rootTarget(product),
    },
    {
      label: `${label}, as ?hash=`,
      product,
      url: `https://${host}/?hash=${encodeURIComponent(page)}`,
      target,
      bannerTarget: target,
    },
  ];
}

function prefixCases(product: Product): Case[] {
  const cases: Case[] = [];
  for (const { prefix } of product.outOfScope)
    for (const host of hostsOf(product))
      for (const page of [prefix, `${prefix}/sub/page`, `${prefix}?${QUERY}`]) {
        const label = `out of scope ${page} on ${host}`;
        cases.push({
          label,
          product,
          url: `https://${host}${page}`,
          target: null,
          bannerTarget: null,
        });
        if (product.hashRouted) cases.push(...hashForms(label, product, host, page, null));
      }
  return cases;
}

function fixtureCases(): Case[] {
  return (documented as { url: string; target: string; source: string }[]).map((entry) => {
    const host = new URL(entry.url.replace('{tid}', 'x')).host;
    const found = patternOf(host);
    if (!found) throw new Error(`no product for ${entry.url}`);
    const target = entry.target === 'stays' ? null : entry.target;
    const atHashRoot = new URL(entry.url.replace('{tid}', 'x')).hash !== '';
    return {
      label: `documented ${entry.url}`,
      source: entry.source,
      product: found.product,
      url: entry.url,
      target,
      bannerTarget: atHashRoot ? rootTarget(found.product) : target,
    };
  });
}

const CASES: Case[] = [
  ...PRODUCTS.flatMap((p) => [...rowCases(p), ...prefixCases(p)]),
  ...fixtureCases(),
];

function full(target: string | null, tenant: string): string | null {
  return target === null ? null : `${U}${target}${target.includes('?') ? '&' : '?'}tid=${tenant}`;
}

// --- the faces ----------------------------------------------------------------------------------

const ON = newTenant();
const OFF = newTenant();
const core = loadConfig(testEnv as unknown as Env).core;
let token = '';
const sessions = new Map<string, string>();

const namesTenant = (url: string) => /[?&]tid=/i.test(url);
const isTenantSpecific = (host: string) => patternOf(host)?.pattern.tenantSpecific === true;
/** The banner's host: a tenant-specific host has one tenant, so OFF's is a sibling of ON's. */
const offHost = (host: string) => (isTenantSpecific(host) ? `off-${host}` : host);

function split(url: string): { base: string; fragment: string } {
  const parsed = new URL(url);
  const fragment = parsed.hash.replace(/^#/, '');
  parsed.hash = '';
  return { base: parsed.href.replace(/#$/, ''), fragment };
}

/** What a face answered: a Location on the unified origin, `null` (stays), or what went wrong. */
type Answer = string | null;

/** A navigation as a browser makes it, the hash page's script included. */
async function redirectFace(c: Case): Promise<Answer> {
  const url = c.url.replaceAll('{tid}', ON);
  const { base, fragment } = split(url);
  const host = new URL(base).host;
  const jar = new CookieJar();
  if (!namesTenant(url) && !isTenantSpecific(host))
    jar.set(EDGE_COOKIE.tid, await tenantCookie(host, ON));
  const first = await navigate(base, { cookies: jar.header(), site: 'cross-site' });
  const page = await first.text();
  const decision = decisionOf(first);
  if (decision.decision === 'pass')
    return decision.reason === 'out-of-scope' ? null : `pass: ${decision.reason}`;
  if (first.status === 302) return first.headers.get('location');
  if (first.status !== 200) return `status ${first.status}`;
  // The hash page: with no route it goes to its fallback, else it sends the route back.
  if (fragment === '') {
    const fallback = /else\{location\.replace\(("(?:[^"\\]|\\.)*")\);\}/.exec(page)?.[1];
    return fallback === undefined ? 'no fallback' : (JSON.parse(fallback) as string);
  }
  jar.take(first);
  const hop = /&pr_hop=([A-Za-z0-9_-]{22})'/.exec(page)?.[1];
  const at = new URL(base);
  const continuation = `${at.origin}${at.pathname}${at.search ? `${at.search}&` : '?'}hash=${encodeURIComponent(fragment)}${hop ? `&pr_hop=${hop}` : ''}`;
  const next = await navigate(continuation, { cookies: jar.header(), site: 'same-origin' });
  await next.text();
  const then = decisionOf(next);
  if (then.decision === 'redirect' && next.status === 302) return next.headers.get('location');
  return then.reason === 'out-of-scope' ? null : `continuation: ${then.decision} ${then.reason}`;
}

const OPEN_LINK = new RegExp(`<a href="([^"]*)"[^>]*>${en.bannerOpen}</a>`);

/** The page passed with redirection off (a signed-in session of a tenant that chose off). */
async function bannerFace(c: Case): Promise<Answer> {
  const url = c.url.replaceAll('{tid}', OFF);
  const { base } = split(url);
  const host = offHost(new URL(base).host);
  const at = new URL(base);
  at.host = host;
  let session = sessions.get(host);
  if (session === undefined) {
    session = await legacySession(host);
    sessions.set(host, session);
  }
  const cookies = [session];
  if (!namesTenant(url) && !isTenantSpecific(host))
    cookies.push(`${EDGE_COOKIE.tid}=${await tenantCookie(host, OFF)}`);
  const res = await navigate(at.href, { cookies: cookies.join('; '), site: 'same-origin' });
  const html = await res.text();
  const { reason } = decisionOf(res);
  if (reason === 'out-of-scope')
    return html.includes('portal-redirect-banner') ? 'a banner out of scope' : null;
  if (reason !== 'session-sticky') return `pass: ${reason}`;
  if (!html.includes('portal-redirect-banner')) return 'no banner';
  const href = OPEN_LINK.exec(html)?.[1];
  return href === undefined
    ? null
    : href.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));
}

/** `explain`: where the link goes, and where a sign-in begun from it goes (its remembered link). */
async function explainFace(c: Case): Promise<{ location: Answer; afterSignIn: Answer }> {
  const url = c.url.replaceAll('{tid}', ON);
  const res = await api(
    'GET',
    `/tenants/${ON}/redirection/explain?url=${encodeURIComponent(url)}`,
    { token },
  );
  const body = (await res.json()) as {
    action: string;
    reason: string;
    location: string | null;
    afterSignIn: string | null;
  };
  const location =
    body.action === 'redirect'
      ? body.location
      : body.reason === 'out-of-scope'
        ? null
        : `pass: ${body.reason}`;
  return { location, afterSignIn: body.afterSignIn };
}

/** Each case's SIEM answer, worked out per product in one payload before the cases run. */
const siemAnswers = new Map<string, Answer>();
const siemWorkerAnswers = new Map<string, Answer>();
const keyOf = (c: Case) => `${c.label}\n${c.url}`;

async function rewritten(product: Product, links: string[]): Promise<string[]> {
  const body = new Response(JSON.stringify(links.map((l) => ({ LinkToWDATP: l })))).body;
  if (body === null) throw new Error('no body');
  const out = rewriteJsonLinks(body, new Set(['LinkToWDATP']), (value) =>
    rewriteLinkShaped(core, value, product.id, ON),
  );
  const values = JSON.parse(await new Response(out).text()) as { LinkToWDATP: string }[];
  return values.map((v) => v.LinkToWDATP);
}

async function siemFace(product: Product, cases: Case[]): Promise<void> {
  const links = cases.map((c) => c.url.replaceAll('{tid}', ON));
  const n = links.length;
  // In order, again (each link now meets the shapes the first read learned), then reversed.
  const forward = await rewritten(product, [...links, ...links]);
  const backward = (await rewritten(product, [...links].reverse())).reverse();
  cases.forEach((c, i) => {
    const seen = new Set([forward[i], forward[n + i], backward[i]]);
    const answer =
      seen.size === 1 ? (forward[i] as string) : `shapes disagree: ${[...seen].join(' | ')}`;
    siemAnswers.set(keyOf(c), answer === links[i] ? null : answer);
  });
}

/** Endpoint's links as the SIEM API carries them, through the Worker's API host. */
async function siemWorkerFace(cases: Case[]): Promise<void> {
  const bearer = unsignedJwt({ aud: 'https://graph.windows.net', tid: ON });
  for (let at = 0; at < cases.length; at += 25) {
    const batch = cases.slice(at, at + 25);
    const links = batch.map((c) => c.url.replaceAll('{tid}', ON));
    const query = links.map((l) => `link=${encodeURIComponent(l)}`).join('&');
    const res = await send(
      new Request(`https://wdatp-alertexporter-eu.windows.com/api/alerts?${query}`, {
        headers: { Authorization: `Bearer ${bearer}`, Accept: 'application/json' },
      }),
    );
    const alerts = (await res.json()) as { LinkToWDATP: string; IncidentLinkToWDATP: string }[];
    batch.forEach((c, i) => {
      const { LinkToWDATP: a, IncidentLinkToWDATP: b } = alerts[i] as (typeof alerts)[number];
      const answer = a === b ? a : `fields disagree: ${a} | ${b}`;
      siemWorkerAnswers.set(keyOf(c), answer === links[i] ? null : answer);
    });
  }
}

// --- the run ------------------------------------------------------------------------------------

/** Cases each face answered wrongly, and cases whose faces disagree with each other. */
const wrong = new Map<string, number>();
let facesDisagree = 0;

beforeAll(async () => {
  token = await adminToken(ON, ['security-reader']);
  for (const product of PRODUCTS) {
    await seedToggle(ON, product.id, true);
    await seedToggle(OFF, product.id, false);
  }
  const hosts = new Set(CASES.map((c) => new URL(c.url.replaceAll('{tid}', ON)).host));
  for (const host of hosts)
    if (isTenantSpecific(host)) {
      await seedHost(host, ON);
      await seedHost(offHost(host), OFF);
    }
  for (const product of PRODUCTS)
    await siemFace(
      product,
      CASES.filter((c) => c.product === product),
    );
  await siemWorkerFace(CASES.filter((c) => c.product.id === 'endpoint'));
}, 120_000);

afterAll(() => {
  const tally = [...wrong].map(([face, n]) => `${face} ${n}`).join(', ');
  console.log(
    `one map: ${CASES.length} cases; wrong by face: ${tally || 'none'}; faces disagreeing: ${facesDisagree}`,
  );
});

describe.each(PRODUCTS.map((p) => [p.id, p] as [ProductId, Product]))('%s', (id, product) => {
  const cases = CASES.filter((c) => c.product === product);
  it.each(cases.map((c) => [c.label, c] as [string, Case]))('%s', async (_label, c) => {
    const answers: Record<string, Answer> = {
      redirect: await redirectFace(c),
      siem: siemAnswers.get(keyOf(c)) ?? null,
      banner: await bannerFace(c),
    };
    const explained = await explainFace(c);
    answers.explain = explained.location;
    answers.signIn = explained.afterSignIn;
    const expected: Record<string, Answer> = {
      redirect: full(c.target, ON),
      siem: full(c.target, ON),
      banner: full(c.bannerTarget, OFF),
      explain: full(c.target, ON),
      // The sign-in begun from the link lands where the link does; a page that stays, stays.
      signIn: full(c.target, ON),
    };
    if (id === 'endpoint') {
      answers.siemWorker = siemWorkerAnswers.get(keyOf(c)) ?? null;
      expected.siemWorker = full(c.target, ON);
    }
    for (const face of Object.keys(answers))
      if (answers[face] !== expected[face]) {
        const got = answers[face] ?? null;
        const kind =
          expected[face] === null
            ? 'links a page that stays'
            : got === null
              ? 'keeps a page that moves'
              : got.startsWith(U)
                ? 'another target'
                : 'no answer';
        const key = `${face} (${kind})`;
        wrong.set(key, (wrong.get(key) ?? 0) + 1);
      }
    // Each face's answer with its tenant taken out: where the page lands, said once.
    const landed = new Set(
      Object.entries(answers)
        .filter(([face]) => face !== 'banner' || c.bannerTarget === c.target)
        .map(([, a]) => a?.replace(ON, '{tid}').replace(OFF, '{tid}') ?? null),
    );
    if (landed.size > 1) facesDisagree++;
    expect(answers, c.source ?? c.url).toEqual(expected);
    // A page that stays is linked to the Defender portal by no face.
    if (c.target === null)
      for (const [face, answer] of Object.entries(answers))
        if (face !== 'banner' || c.bannerTarget === null)
          expect(answer?.startsWith(U) ?? false, `${face} links a page that stays`).toBe(false);
  });
});
