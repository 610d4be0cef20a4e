/**
 * SIEM API payloads follow the tenant's toggle. The fixture is Microsoft's published example
 * response of the Defender for Endpoint SIEM API
 * (https://learn.microsoft.com/defender-endpoint/pull-alerts-using-rest-api, "Response"),
 * extended with the link fields of the field mapping
 * (https://learn.microsoft.com/defender-endpoint/api-portal-mapping) and with awkward JSON.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Env } from '../src/config';
import { loadConfig } from '../src/config';
import { mapLegacyLink } from '../src/core/links';
import {
  JsonLinkScanner,
  MAX_REPLACEMENT_BYTES,
  newStats,
  type Rewrite,
  rewriteJsonLinks,
} from '../src/siem/json-links';
import { mapLegacyLinkShaped, rewriteLinkShaped } from '../src/siem/link-shapes';
import worker from '../src/index';
import { newTenant, seedToggle, send, testEnv, unsignedJwt } from './helpers';

const SIEM = 'https://wdatp-alertexporter-eu.windows.com';
const origin = (testEnv as unknown as { PASSTHROUGH_ORIGIN: string }).PASSTHROUGH_ORIGIN;

function siemRequest(
  path: string,
  tenant: string | null,
  claims: Record<string, unknown> = {},
): Request {
  const token = unsignedJwt({
    aud: 'https://graph.windows.net',
    ...(tenant ? { tid: tenant } : {}),
    ...claims,
  });
  return new Request(`${SIEM}${path}`, {
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
  });
}

/** The origin's own bytes for a path, fetched straight from the demo origin. */
async function originBytes(path: string): Promise<string> {
  const res = await fetch(`${origin}${path}`, {
    headers: {
      'X-Forwarded-Host': 'wdatp-alertexporter-eu.windows.com',
      Authorization: 'Bearer x',
    },
  });
  return res.text();
}

/** The fixture with exactly the link values replaced, everything else byte for byte. */
function expectedRewrite(raw: string, tenant: string): string {
  const q = `?tid=${tenant}`;
  return raw
    .replace(
      '"LinkToWDATP": "https://securitycenter.windows.com/alert/da637370718981685665_16349121"',
      `"LinkToWDATP": "https://security.microsoft.com/alert/da637370718981685665_16349121${q}"`,
    )
    .replace(
      '"IncidentLinkToWDATP": "https://securitycenter.windows.com/incidents/byalert?alertId=da637370718981685665_16349121&source=SIEM"',
      `"IncidentLinkToWDATP": "https://security.microsoft.com/incidents/byalert?alertId=da637370718981685665_16349121&source=SIEM&tid=${tenant}"`,
    )
    .replace(
      '"LinkToWDATP":"https:\\/\\/securitycenter.microsoft.com\\/alert\\/da637371-escaped"',
      `"LinkToWDATP":"https://security.microsoft.com/alert/da637371-escaped${q}"`,
    )
    .replace(
      '"IncidentLinkToWDATP" :   "https://securitycenter.windows.com/incidents/42"',
      `"IncidentLinkToWDATP" :   "https://security.microsoft.com/incidents/42${q}"`,
    )
    .replace(
      '"Notes":{"LinkToWDATP":"https://securitycenter.windows.com/alert/nested"',
      `"Notes":{"LinkToWDATP":"https://security.microsoft.com/alert/nested${q}"`,
    );
}

describe('SIEM API: the routing table in both states', () => {
  it('OFF: the payload passes byte for byte (LinkTo*WDATP stay on securitycenter, LinkTo*MTP unchanged)', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', false);
    const res = await send(siemRequest('/api/alerts', tenant));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-redirect-decision')).toBe('pass');
    expect(res.headers.get('x-redirect-reason')).toBe('toggle-off');
    expect(await res.text()).toBe(await originBytes('/api/alerts'));
    const fresh = await send(siemRequest('/api/alerts', newTenant()));
    expect(fresh.headers.get('x-redirect-reason')).toBe('default-off');
  });

  it('ON: only LinkToWDATP and IncidentLinkToWDATP move, to exactly where a click would land', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await send(siemRequest('/api/alerts?limit=20', tenant));
    expect(res.headers.get('x-redirect-reason')).toBe('links-rewritten');
    expect(res.headers.get('content-length')).toBeNull();
    const body = await res.text();
    const raw = await originBytes('/api/alerts');
    expect(body).toBe(expectedRewrite(raw, tenant));
    const alerts = JSON.parse(body) as Record<string, unknown>[];
    expect(alerts[0]!.LinkToMTP).toBe(
      'https://security.microsoft.com/alert/da637370718981685665_16349121',
    );
    expect(alerts[0]!.Description).toContain('https://securitycenter.windows.com/alert/');
    expect((alerts[1]!.Tags as string[])[1]).toBe(
      'https://securitycenter.windows.com/alert/in-array',
    );
    // The rewritten link is where the edge redirects a click on the old one.
    const click = await send(
      new Request(
        `https://securitycenter.windows.com/alert/da637370718981685665_16349121?tid=${tenant}`,
        { headers: { 'Sec-Fetch-Mode': 'navigate' }, redirect: 'manual' },
      ),
    );
    expect(click.headers.get('location')).toBe(alerts[0]!.LinkToWDATP);
  });
});

describe('SIEM API: what passes untouched, and why', () => {
  it('ON, links already on the unified portal: the payload passes byte for byte', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const path = '/api/alerts?count=3000&links=unified';
    const res = await send(siemRequest(path, tenant));
    expect(res.headers.get('x-redirect-reason')).toBe('links-rewritten');
    const body = await res.text();
    expect(body).toContain('"LinkToWDATP":"https://security.microsoft.com/alert/');
    expect(body).toBe(await originBytes(path));
  });

  it('no token, or a token without tid: unknown-tenant, and the origin 401 is passed on', async () => {
    const none = await send(new Request(`${SIEM}/api/alerts`));
    expect(none.status).toBe(401);
    expect(none.headers.get('x-redirect-reason')).toBe('unknown-tenant');
    expect(await none.text()).toContain('Unauthorized');
    const noTid = await send(siemRequest('/api/alerts', null));
    expect(noTid.headers.get('x-redirect-reason')).toBe('unknown-tenant');
    expect(await noTid.text()).toBe(await originBytes('/api/alerts'));
  });

  it('error responses, non-JSON and unknown encodings pass untouched with the reason', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const cases: [string, number, string][] = [
      ['/api/alerts?status=500', 500, 'error-response'],
      ['/api/alerts?status=429', 429, 'error-response'],
      ['/api/alerts?type=text/plain', 200, 'not-json'],
      ['/api/alerts?type=text/html', 200, 'not-json'],
      ['/api/alerts?encoding=zstd', 200, 'unsupported-encoding'],
    ];
    for (const [path, status, reason] of cases) {
      const res = await send(siemRequest(path, tenant));
      expect([res.status, res.headers.get('x-redirect-reason')], path).toEqual([status, reason]);
      expect(await res.text(), path).toBe(await originBytes(path));
    }
  });

  it("an unreachable origin answers 502 with the tenant's real reason", async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const env = { ...testEnv, PASSTHROUGH_ORIGIN: 'http://127.0.0.1:9' } as Env;
    const res = await worker.fetch(siemRequest('/api/alerts', tenant), env);
    expect([res.status, res.headers.get('x-redirect-reason')]).toEqual([502, 'toggle-on']);
    const anonymous = await worker.fetch(siemRequest('/api/alerts', null), env);
    expect([anonymous.status, anonymous.headers.get('x-redirect-reason')]).toEqual([
      502,
      'unknown-tenant',
    ]);
  });

  it('gzip and brotli from the origin are rewritten too', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    for (const encoding of ['gzip', 'br']) {
      const res = await send(siemRequest(`/api/alerts?encoding=${encoding}`, tenant));
      expect(res.headers.get('x-redirect-reason'), encoding).toBe('links-rewritten');
      const alerts = JSON.parse(await res.text()) as { LinkToWDATP: string }[];
      expect(alerts[0]!.LinkToWDATP, encoding).toBe(
        `https://security.microsoft.com/alert/da637370718981685665_16349121?tid=${tenant}`,
      );
    }
  });
});

const properties = new Set(['LinkToWDATP', 'IncidentLinkToWDATP']);
const rewrite = (v: string) =>
  v.startsWith('https://securitycenter.')
    ? v.replace(
        /^https:\/\/securitycenter\.(windows|microsoft)\.com/,
        'https://security.microsoft.com',
      )
    : null;

describe('the streaming rewriter', () => {
  async function run(chunks: Uint8Array[]): Promise<string> {
    const input = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(c);
        controller.close();
      },
    });
    return new Response(rewriteJsonLinks(input, properties, rewrite)).text();
  }

  /** The scanner itself, fed `chunks` in turn: the text it sends. */
  function scanChunks(chunks: Uint8Array[], rw: Rewrite): string {
    const scanner = new JsonLinkScanner(properties, rw);
    const decoder = new TextDecoder();
    const out = chunks.map((chunk) => decoder.decode(scanner.push(chunk), { stream: true }));
    out.push(decoder.decode(scanner.end()));
    return out.join('');
  }
  const core = loadConfig(testEnv as unknown as Env).core;

  it('gives the same bytes whatever the chunk boundaries: every split point, and every split of three', async () => {
    const raw = new TextEncoder().encode(await originBytes('/api/alerts'));
    const whole = await run([raw]);
    expect(whole).not.toBe(new TextDecoder().decode(raw));
    // Escaped values are decoded; a key spelled with escapes for plain letters is not a key we know.
    expect(whole).toContain(
      '"LinkToWDATP":"https://security.microsoft.com/alert/da637371-escaped"',
    );
    expect(whole).toContain(
      '"Link\\u0054oWDATP":"https:\\/\\/securitycenter.microsoft.com\\/alert\\/da637371"',
    );
    for (let i = 0; i <= raw.length; i++) {
      expect(await run([raw.subarray(0, i), raw.subarray(i)]), `split at ${i}`).toBe(whole);
    }
    // One-byte middle chunks: a property name, a value or an escape split three ways.
    for (let i = 0; i < raw.length - 1; i++) {
      expect(
        await run([raw.subarray(0, i), raw.subarray(i, i + 1), raw.subarray(i + 1)]),
        `split at ${i},${i + 1}`,
      ).toBe(whole);
    }
  });

  it('rewrites exactly the link properties of any JSON document, whatever its layout and chunking', async () => {
    const link = fc.constantFrom(
      'https://securitycenter.windows.com/alert/1',
      'https://securitycenter.microsoft.com/incidents/2',
      'https://elsewhere.example/x',
    );
    const text = fc.oneof(
      link,
      fc.string({
        unit: fc.constantFrom(
          '"',
          '\\',
          'LinkToWDATP',
          '":"',
          ':',
          ',',
          '{',
          '[',
          'a',
          'é',
          '\n',
          '\u0000',
        ),
        maxLength: 8,
      }),
    );
    const key = fc.constantFrom(
      'LinkToWDATP',
      'IncidentLinkToWDATP',
      'XLinkToWDATP',
      'LinkToWDATPx',
      'Title',
      '"LinkToWDATP"',
      'x"LinkToWDATP',
      'a\\',
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        text,
        fc.integer(),
        fc.constant(null),
        tie('object'),
        tie('array'),
      ),
      object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
      array: fc.array(tie('value'), { maxLength: 3 }),
    }));
    const expected = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(expected);
      if (v === null || typeof v !== 'object') return v;
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [
          k,
          properties.has(k) && typeof x === 'string' ? (rewrite(x) ?? x) : expected(x),
        ]),
      );
    };
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(key, value, { maxKeys: 5 }),
        fc.constantFrom(0, 1, 2, '\t'),
        fc.array(fc.nat(), { maxLength: 4 }),
        async (doc, indent, cuts) => {
          const raw = new TextEncoder().encode(JSON.stringify(doc, null, indent));
          const points = [...new Set(cuts.map((c) => c % (raw.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...points].map((at, i) =>
            raw.subarray(at, [...points, raw.length][i]),
          );
          const out = await run(chunks);
          expect(JSON.parse(out)).toEqual(expected(doc));
          return true;
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('writes any replacement as JSON.stringify writes it, wherever the value starts', () => {
    const unit = fc.oneof(
      fc.constantFrom(
        '"',
        '\\',
        '/',
        '\u0000',
        '\u001f',
        '\u007f',
        '\u2028',
        'é',
        '\ud800',
        '\udc00',
        '😀',
      ),
      fc.string({ unit: 'binary', maxLength: 1 }),
      fc.string({ maxLength: 3 }),
    );
    // What precedes the value (any length) is written before the replacement, never over it.
    fc.assert(
      fc.property(
        fc.array(unit, { maxLength: 8 }),
        fc.string({ maxLength: 70 }),
        (parts, before) => {
          const replacement = parts.join('');
          const scanner = new JsonLinkScanner(new Set(['LinkToWDATP']), () => replacement);
          const head = `{"before":${JSON.stringify(before)},"LinkToWDATP":`;
          const bytes = [
            scanner.push(
              new TextEncoder().encode(`${head}"https://securitycenter.windows.com/alert/1"}`),
            ),
            scanner.end(),
          ];
          const out = bytes.map((b) => new TextDecoder().decode(b)).join('');
          expect(out).toBe(`${head}${JSON.stringify(replacement)}}`);
          return true;
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('byte-at-a-time input gives the same bytes', async () => {
    const raw = new TextEncoder().encode(await originBytes('/api/alerts'));
    const bytes = Array.from(raw, (_, i) => raw.subarray(i, i + 1));
    expect(await run(bytes)).toBe(await run([raw]));
  });

  it('maps runs of similar links through their shapes exactly as each link maps alone', () => {
    const start = fc.constantFrom(
      'https://securitycenter.windows.com/alert/',
      'https://securitycenter.windows.com/incidents/byalert?',
      'https://securitycenter.windows.com/incidents/',
      'https://securitycenter.windows.com/machines/m1/',
      'https://securitycenter.microsoft.com/alerts/',
      'https://securitycenter.windows.com/advanced-hunting?',
      // Pages with no row go to the unified home: their query and last segment are left behind.
      'https://securitycenter.windows.com/no-such-page?',
      'https://securitycenter.windows.com/no-such-page/',
      'https://evil.com/alert/',
      // Already on the unified portal: kept, through a kept shape after the first.
      'https://security.microsoft.com/alert/',
    );
    const rest = fc.string({
      unit: fc.constantFrom(
        'da1_2',
        'x',
        '.',
        '..',
        '%41',
        '?',
        '&',
        '=',
        'tid=',
        'TiD',
        'hash=',
        'HASH',
        'alertId=',
        'source=SIEM',
        'da637370718981685665_0',
        '#',
        '\\',
        '/',
        '"',
        'é',
        '+',
        'new',
      ),
      maxLength: 5,
    });
    const tenant = fc.constantFrom('12345678-1234-1234-1234-123456789012', null);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(start, rest), { minLength: 1, maxLength: 30 }),
        tenant,
        fc.array(fc.nat(), { maxLength: 3 }),
        (links, tid, cuts) => {
          const values = links.map(([s, r]) => s + r);
          const raw = new TextEncoder().encode(
            JSON.stringify(values.map((v, n) => ({ n, LinkToWDATP: v }))),
          );
          const points = [...new Set(cuts.map((c) => c % (raw.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...points].map((at, i) =>
            raw.subarray(at, [...points, raw.length][i]),
          );
          const out = JSON.parse(
            scanChunks(chunks, (v) => rewriteLinkShaped(core, v, 'endpoint', tid)),
          ) as { LinkToWDATP: string }[];
          out.forEach((o, n) => {
            expect(o.LinkToWDATP, values[n]).toBe(
              mapLegacyLink(core, values[n] as string, 'endpoint', tid) ?? values[n],
            );
          });
          return true;
        },
      ),
      { numRuns: 2_000 },
    );
    // A payload's links share a few shapes: the rewriter is asked once per shape, not per link.
    let calls = 0;
    const alerts = Array.from({ length: 1000 }, (_, n) => ({
      LinkToWDATP: `https://securitycenter.windows.com/alert/da${n}`,
      IncidentLinkToWDATP: `https://securitycenter.windows.com/incidents/byalert?alertId=da${n}`,
    }));
    const out = scanChunks([new TextEncoder().encode(JSON.stringify(alerts))], (v) => {
      calls++;
      return mapLegacyLinkShaped(core, v, 'endpoint', null);
    });
    expect(out).toContain('"LinkToWDATP":"https://security.microsoft.com/alert/da999"');
    expect(calls).toBe(2);
    // Links already on the unified portal are kept, and asked about once for their host.
    calls = 0;
    const unified = JSON.stringify(alerts).replaceAll(
      'https://securitycenter.windows.com/',
      'https://security.microsoft.com/',
    );
    expect(
      scanChunks([new TextEncoder().encode(unified)], (v) => {
        calls++;
        return rewriteLinkShaped(core, v, 'endpoint', null);
      }),
    ).toBe(unified);
    expect(calls).toBe(1);
  });

  it('one chunk and one byte at a time give the same bytes for any text, JSON or not', () => {
    // In one chunk, values lie whole in the window (links of a known shape are rewritten in place);
    // one byte at a time, every value is held across windows and rewritten by a call. Escaped
    // quotes, over-long values, keys without a colon or a string value: both must agree, with
    // the real link mapping (shapes) and with a plain function.
    const rewriters: Rewrite[] = [
      rewrite,
      (v) => mapLegacyLinkShaped(core, v, 'endpoint', '12345678-1234-1234-1234-123456789012'),
      (v) => rewriteLinkShaped(core, v, 'endpoint', null),
    ];
    const agree = (text: string) => {
      const raw = new TextEncoder().encode(text);
      const bytes = Array.from(raw, (_, i) => raw.subarray(i, i + 1));
      for (const rw of rewriters)
        expect(scanChunks(bytes, rw), text.slice(0, 200)).toBe(scanChunks([raw], rw));
    };
    const unit = fc.constantFrom(
      '"',
      '\\',
      '\\"',
      'LinkToWDATP',
      'IncidentLinkToWDATP',
      '"LinkToWDATP"',
      '":"',
      ':',
      ' ',
      '\n',
      ',',
      '{',
      '}',
      'a',
      'é',
      'https://securitycenter.windows.com/alert/1',
      'https://securitycenter.windows.com/alert/2',
      'https://securitycenter.windows.com/incidents/byalert?alertId=3',
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 30 }), (units) => {
        agree(units.join(''));
        return true;
      }),
      { numRuns: 2_000 },
    );
    // A value too long to hold passes unchanged; the scan resumes inside it, where every quote is escaped.
    const link = (n: number) => `https://securitycenter.windows.com/alert/${n}`;
    agree(
      JSON.stringify({
        LinkToWDATP: `${'x'.repeat(70_000)}"LinkToWDATP":"${link(1)}"`,
        IncidentLinkToWDATP: link(2),
        'x"LinkToWDATP': link(3),
      }),
    );
    // A key whose opening quote is escaped is part of a longer key, not a link property.
    agree(
      JSON.stringify({
        LinkToWDATP: link(1),
        'x"LinkToWDATP': link(2),
        IncidentLinkToWDATP: link(3),
      }),
    );
  });

  it('never throws on broken JSON and leaves it as it was', async () => {
    for (const text of [
      '{"LinkToWDATP":"https://securitycenter.windows.com/a',
      '}}]]{"x":',
      '{"LinkToWDATP":123}',
      '"LinkToWDATP"',
      '{"LinkToWDATP":"bad \\x escape"}',
      '',
    ]) {
      expect(await run([new TextEncoder().encode(text)])).toBe(text);
    }
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    expect(await run([new TextEncoder().encode(deep)])).toBe(deep);
  });

  it('a body that is not UTF-8 is not JSON: from the first invalid byte on, it passes unchanged', async () => {
    const enc = (t: string) => new TextEncoder().encode(t);
    const first = enc('[{"LinkToWDATP":"https://securitycenter.windows.com/alert/1"},');
    const rest = new Uint8Array([
      ...enc('"bad \xff byte: '),
      0xff,
      ...enc('",{"LinkToWDATP":"https://securitycenter.windows.com/alert/2"}]'),
    ]);
    const bytesOf = async (chunks: Uint8Array[], stats = newStats()) => {
      const input = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const c of chunks) controller.enqueue(c);
          controller.close();
        },
      });
      return {
        out: new Uint8Array(
          await new Response(rewriteJsonLinks(input, properties, rewrite, stats)).arrayBuffer(),
        ),
        stats,
      };
    };
    const whole = new Uint8Array([...first, ...rest]);
    const one = await bytesOf([whole]);
    expect(one.out).toEqual(whole);
    expect(one.stats.notUtf8).toBe(true);
    const two = await bytesOf([first, rest]);
    expect(new TextDecoder().decode(two.out.subarray(0, 60))).toContain(
      'https://security.microsoft.com/alert/1',
    );
    expect(two.out.subarray(two.out.length - rest.length)).toEqual(rest);
    // A multi-byte character split between chunks, and one cut off at the very end.
    const e = enc('{"T":"é","LinkToWDATP":"https://securitycenter.windows.com/alert/3"}');
    const split = e.indexOf(0xc3) + 1;
    expect(
      new TextDecoder().decode((await bytesOf([e.subarray(0, split), e.subarray(split)])).out),
    ).toBe('{"T":"é","LinkToWDATP":"https://security.microsoft.com/alert/3"}');
    const cut = new Uint8Array([...enc('{"T":"'), 0xe2, 0x80]);
    expect((await bytesOf([cut])).out).toEqual(cut);
  });

  it('holds at most one value: an over-long value passes through unchanged', async () => {
    const long = `{"LinkToWDATP":"https://securitycenter.windows.com/${'a'.repeat(100_000)}"}`;
    const stats = newStats();
    const out = await new Response(
      rewriteJsonLinks(new Blob([long]).stream(), properties, rewrite, stats),
    ).text();
    expect(out).toBe(long);
    expect(stats.peakHeld).toBeLessThan(200_000);
  });
});

describe('the WebAssembly scan', () => {
  const core = loadConfig(testEnv as unknown as Env).core;
  const enc = (text: string) => new TextEncoder().encode(text);
  /** `raw` cut into `n` chunks of about the same length. */
  const cut = (raw: Uint8Array, n: number) =>
    Array.from({ length: n }, (_, k) =>
      raw.subarray(Math.floor((k * raw.length) / n), Math.floor(((k + 1) * raw.length) / n)),
    );
  const text = (parts: Uint8Array[]) =>
    new TextDecoder().decode(new Uint8Array(parts.flatMap((p) => [...p])));

  it('bodies that take turns on the one instance keep their own tenant and link shapes', () => {
    // Two SIEM responses streamed at once (one WebAssembly instance per isolate): each must come
    // out exactly as it does alone, with its own tenant in every link.
    const alerts = JSON.stringify(
      Array.from({ length: 3000 }, (_, n) => ({
        LinkToWDATP: `https://securitycenter.windows.com/alert/da${n}`,
        IncidentLinkToWDATP: `https://securitycenter.windows.com/incidents/byalert?alertId=da${n}&source=SIEM`,
      })),
    );
    const tenants = [
      '11111111-1111-1111-1111-111111111111',
      '22222222-2222-2222-2222-222222222222',
    ];
    const scanners = tenants.map(
      (tid) =>
        new JsonLinkScanner(properties, (v) => mapLegacyLinkShaped(core, v, 'endpoint', tid)),
    );
    const chunks = cut(enc(alerts), 9);
    const outs: Uint8Array[][] = [[], []];
    for (const chunk of chunks)
      for (const k of [0, 1]) outs[k]?.push((scanners[k] as JsonLinkScanner).push(chunk));
    for (const k of [0, 1]) outs[k]?.push((scanners[k] as JsonLinkScanner).end());
    tenants.forEach((tid, k) => {
      const alone = new JsonLinkScanner(properties, (v) =>
        mapLegacyLinkShaped(core, v, 'endpoint', tid),
      );
      const solo = text([alone.push(enc(alerts)), alone.end()]);
      const out = text(outs[k] as Uint8Array[]);
      expect(out).toBe(solo);
      expect(out.split(`tid=${tid}`).length - 1).toBe(6000);
      expect(out).not.toContain(tenants[1 - k]);
    });
  });

  it('a replacement longer than the value: the output area fills up, is sent, and the scan goes on', () => {
    const values = Array.from({ length: 2000 }, (_, n) => ({ LinkToWDATP: `v${n}` }));
    const long = (v: string) => `${v}:${'é'.repeat(3000)}`; // 6 KB for a value of 5 bytes: 12 MB out of 40 KB in
    const scanner = new JsonLinkScanner(properties, long);
    const out = text([scanner.push(enc(JSON.stringify(values))), scanner.end()]);
    expect(out).toBe(JSON.stringify(values.map((v) => ({ LinkToWDATP: long(v.LinkToWDATP) }))));
    // One too long for an output area at all keeps its value; one byte less fits.
    const huge = new JsonLinkScanner(properties, () => 'x'.repeat(MAX_REPLACEMENT_BYTES + 1));
    expect(text([huge.push(enc('{"LinkToWDATP":"a","LinkToWDATP":"b"}')), huge.end()])).toBe(
      '{"LinkToWDATP":"a","LinkToWDATP":"b"}',
    );
    const most = new JsonLinkScanner(properties, () => 'x'.repeat(MAX_REPLACEMENT_BYTES));
    const filler = 'f'.repeat(600 * 1024); // the value lands after a whole read's worth of output
    expect(text([most.push(enc(`{"a":"${filler}","LinkToWDATP":""}`)), most.end()])).toBe(
      `{"a":"${filler}","LinkToWDATP":"${'x'.repeat(MAX_REPLACEMENT_BYTES)}"}`,
    );
  });

  it('more than four property names, and whitespace around the colon up to 256 bytes', () => {
    const names = ['LinkA', 'LinkB', 'LinkC', 'LinkD', 'LinkE', 'LinkF', 'Link\u00e9'];
    const doc = Object.fromEntries(
      names.map((name, n) => [name, `https://securitycenter.windows.com/alert/${n}`]),
    );
    const scanner = new JsonLinkScanner(new Set(names), rewrite);
    const out = text([
      ...cut(enc(JSON.stringify({ doc, list: [doc, doc] }, null, 1)), 5).map((c) =>
        scanner.push(c),
      ),
      scanner.end(),
    ]);
    expect(JSON.parse(out)).toEqual(
      JSON.parse(
        JSON.stringify({ doc, list: [doc, doc] }).replaceAll(
          'securitycenter.windows.com',
          'security.microsoft.com',
        ),
      ),
    );
    const spaced = (gap: number) =>
      `{"LinkToWDATP"${' '.repeat(gap)}:\n"https://securitycenter.windows.com/alert/1"}`;
    const scan = (t: string) => {
      const s = new JsonLinkScanner(properties, rewrite);
      return text([...cut(enc(t), 3).map((c) => s.push(c)), s.end()]);
    };
    expect(scan(spaced(255))).toBe(
      spaced(255).replace('securitycenter.windows.com', 'security.microsoft.com'),
    );
    expect(scan(spaced(300))).toBe(spaced(300));
  });
});

describe('huge payloads', () => {
  it('streams 200,000 alerts (~100 MB) through the Worker with memory held flat', async () => {
    const tenant = newTenant();
    await seedToggle(tenant, 'endpoint', true);
    const res = await send(siemRequest('/api/alerts?count=200000', tenant));
    expect(res.headers.get('x-redirect-reason')).toBe('links-rewritten');
    // Read as a stream: count bytes and rewritten links without ever holding the body.
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let bytes = 0;
    let chunks = 0;
    let largestChunk = 0;
    let rewritten = 0;
    let carry = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      chunks++;
      largestChunk = Math.max(largestChunk, value.length);
      const text = carry + decoder.decode(value, { stream: true });
      rewritten += text.split('"LinkToWDATP":"https://security.microsoft.com/alert/').length - 1;
      carry = text.slice(-80);
      rewritten -= carry.split('"LinkToWDATP":"https://security.microsoft.com/alert/').length - 1;
    }
    rewritten += carry.split('"LinkToWDATP":"https://security.microsoft.com/alert/').length - 1;
    expect(bytes).toBeGreaterThan(100_000_000);
    expect(rewritten).toBe(200_000);
    expect(chunks).toBeGreaterThan(100);
    expect(largestChunk).toBeLessThan(4 * 1024 * 1024);
    console.log(
      `SIEM stream: ${bytes} bytes in ${chunks} chunks, largest ${largestChunk} bytes, ${rewritten} LinkToWDATP rewritten`,
    );
  }, 120_000);

  it('the rewriter itself never holds more than one value of the 100 MB stream', async () => {
    const res = await fetch(`${origin}/api/alerts?count=200000`, {
      headers: {
        'X-Forwarded-Host': 'wdatp-alertexporter-eu.windows.com',
        Authorization: 'Bearer x',
      },
    });
    const stats = newStats();
    const out = rewriteJsonLinks(res.body!, properties, rewrite, stats);
    const reader = out.getReader();
    while (!(await reader.read()).done) {
      /* drain */
    }
    expect(stats.bytesIn).toBeGreaterThan(100_000_000);
    expect(stats.rewritten).toBe(400_000);
    expect(stats.peakHeld).toBeLessThan(1024);
    console.log(
      `rewriter: ${stats.bytesIn} bytes in, ${stats.bytesOut} out, ${stats.rewritten} values rewritten, peak held ${stats.peakHeld} bytes`,
    );
  }, 120_000);
});
