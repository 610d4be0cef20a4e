import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvCells, csvRow, neutralise, parseCsv } from '../src/objects/audit-export';
import type { AuditEntry } from '../src/model/audit';
import { newTenant, testActor } from './helpers';
import { changeVia, setClock, settingsOf, unwrap } from './tenant-settings-helpers';

const HOSTILE = [
  '=HYPERLINK("http://evil.test","click")',
  '+SUM(1,2)',
  '-2+3',
  '@cmd',
  '\tleading tab',
  '\rleading return',
  'quote " comma , and\r\nnew line',
  'plain text',
];

async function exported(tenant: string, format: 'csv' | 'json') {
  return unwrap(await settingsOf(tenant).exportAudit(tenant, format));
}

describe('TenantSettings: audit export', () => {
  it('exports CSV that parses back to the JSON rows, with formulas neutralised', async () => {
    const tenant = newTenant();
    for (const [i, text] of HOSTILE.entries()) {
      const actor = { ...testActor, name: i === 0 ? "=cmd|' /C calc'!A0" : testActor.name };
      await changeVia(tenant, 'endpoint', true, { actor });
      await changeVia(tenant, 'endpoint', false, { feedback: text, actor });
    }
    const json = await exported(tenant, 'json');
    const entries = (JSON.parse(json.body) as { entries: AuditEntry[] }).entries;
    expect(entries).toHaveLength(HOSTILE.length * 2);
    expect(json.rows).toBe(entries.length);
    expect(entries.map((e) => e.version)).toEqual(
      Array.from({ length: entries.length }, (_, i) => entries.length - i),
    );
    const page = unwrap(await settingsOf(tenant).audit(tenant, { limit: 100 }));
    expect(page.entries).toEqual(entries);

    const csv = await exported(tenant, 'csv');
    expect(csv.contentType).toBe('text/csv; charset=utf-8');
    expect(csv.filename).toMatch(new RegExp(`^audit-${tenant}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
    const rows = parseCsv(csv.body);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows.slice(1)).toEqual(entries.map((e) => csvCells(e).map(neutralise)));
    // No cell a spreadsheet would run, and each neutralised cell is its text with one apostrophe.
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const feedback = rows.slice(1).map((r) => r[CSV_COLUMNS.indexOf('feedback')]);
    expect(feedback.filter((f) => f !== '').reverse()).toEqual(
      HOSTILE.map((t) => (/^[=+\-@\t\r]/.test(t) ? `'${t}` : t)),
    );
  });

  it('writes exactly the CSV a spreadsheet reads, byte for byte (a fixed text, not our parser)', async () => {
    const tenant = newTenant();
    setClock(tenant, Date.UTC(2026, 0, 2, 3, 4, 5));
    await changeVia(tenant, 'endpoint', true);
    const hostile = { ...testActor, name: "=cmd|' /C calc'!A0" };
    await changeVia(tenant, 'endpoint', false, {
      feedback: 'quote " comma , and\r\nnew line',
      actor: hostile,
    });
    const [second, first] = (
      JSON.parse((await exported(tenant, 'json')).body) as { entries: AuditEntry[] }
    ).entries.map((e) => e.id);
    const at = '2026-01-02T03:04:05.000Z';
    const who = '00000000-0000-0000-0000-0000000000aa';
    expect((await exported(tenant, 'csv')).body).toBe(
      'id,at,product,enabled,previous,version,actor_oid,actor_name,actor_upn,actor_idp,feedback,mode,previous_mode,via,event,scheduled_for\r\n' +
        `${second},${at},endpoint,false,true,2,${who},'=cmd|' /C calc'!A0,admin@contoso.test,test,"quote "" comma , and\r\nnew line",off,on,admin,change,\r\n` +
        `${first},${at},endpoint,true,false,1,${who},Test Admin,admin@contoso.test,test,,on,off,admin,change,\r\n`,
    );
  });

  it('writes RFC 4180 fields: quotes doubled, separators and line breaks quoted', () => {
    expect(csvRow(['a', 'b,c', 'say "hi"', 'x\r\ny', '=1+1', '-'])).toBe(
      'a,"b,c","say ""hi""","x\r\ny",\'=1+1,\'-\r\n',
    );
    expect(parseCsv('a,"b,c","say ""hi""","x\r\ny",\'=1+1,\'-\r\n')).toEqual([
      ['a', 'b,c', 'say "hi"', 'x\r\ny', "'=1+1", "'-"],
    ]);
  });

  it('exports an empty log as a header only', async () => {
    const tenant = newTenant();
    const csv = await exported(tenant, 'csv');
    expect(parseCsv(csv.body)).toEqual([[...CSV_COLUMNS]]);
    expect(JSON.parse((await exported(tenant, 'json')).body)).toEqual({
      tenantId: tenant,
      entries: [],
    });
  });
});
