// Internet exposure surface (R4; seed 000 §五 and annex 4): the three inventories (CRUD, scope,
// audit), the ≤ 2 office-exit rule with and without 报备 and the violation on the organisation's
// and the regulator's dashboards, the limit as data, duplicate addresses within and across
// organisations, import with bad rows (all or nothing), export in the template's layout checked
// through LibreOffice and read back by the importer, nmap scans (scan1.xml) with shadow exposure,
// declared-not-seen and the difference of two scans, hostile XML refused, another tenant's ids
// → 404, nothing written on bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startServer, assertError, assertList, createOrg, userWithClient, uniq, auditTotal, Soft,
} from './lib.mjs';
import { xlsx, zip } from './assess-fixtures.mjs';

const SCAN1 = readFileSync('/work/shared/data/samples/scan1.xml');
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const OFFICE_HEADERS = ['序号', '责任主体', '资产名称', '资产类型', 'IP 地址', '可访问的网络和系统', '其他'];
const REMOTE_HEADERS = ['序号', '责任主体', '资产名称', '资产类型', 'IP 地址', '软件类型、版本', '用途描述', '可访问的网络和系统', '其他'];
const SHEETS = ['办公网互联网出入口', 'VPN出入口', '零信任网络出入口'];
const TITLE = '互联网暴露面信息';
const HEADINGS = ['一、办公网互联网出入口情况', '二、虚拟专用网络（VPN）出入口情况', '三、零信任网络出入口情况'];

let srv, admin, dir;
const O = {}; // organisations
const U = {}; // clients

before(async () => {
  srv = await startServer();
  admin = await srv.admin();
  dir = mkdtempSync(join(tmpdir(), 'fanghu-exposure-'));
  O.G = await createOrg(admin, { name: uniq('甲通信集团'), kind: 'telecom_group', province: '11' });
  O.P = await createOrg(admin, { name: uniq('甲福建公司'), kind: 'telecom_provincial', province: '35', parent_id: O.G.id });
  O.Q = await createOrg(admin, { name: uniq('甲福建导入'), kind: 'telecom_provincial', province: '35', parent_id: O.G.id });
  O.S = await createOrg(admin, { name: uniq('甲福建扫描'), kind: 'telecom_provincial', province: '35', parent_id: O.G.id });
  O.V = await createOrg(admin, { name: uniq('福建增值'), kind: 'vas', province: '35' });
  O.B = await createOrg(admin, { name: uniq('乙通信集团'), kind: 'telecom_group', province: '11' });
  O.B1 = await createOrg(admin, { name: uniq('乙广东公司'), kind: 'telecom_provincial', province: '44', parent_id: O.B.id });
  O.R = await createOrg(admin, { name: uniq('福建省通信管理局'), kind: 'regulator_ca', province: '35', jurisdiction: [{ province: '35', kind: '*' }] });
  U.opG = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: O.G.id })).client;
  U.opP = (await userWithClient(srv, admin, { role: 'operator_staff', org_id: O.P.id })).client;
  U.opV = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: O.V.id })).client;
  U.opB = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: O.B.id })).client;
  U.regR = (await userWithClient(srv, admin, { role: 'regulator', org_id: O.R.id })).client;
});
after(async () => {
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const entry = (orgId, inventory, fields = {}) => ({
  org_id: orgId, inventory, owner: '信息化部', asset_name: uniq('出口'), asset_type: '防火墙',
  ip: '203.0.113.1', reachable: '办公网', other: '', ...fields,
});

async function create(client, body, status = 201) {
  const r = await client.post('/api/v1/exposure/entries', body);
  assert.equal(r.status, status, `POST /exposure/entries ${JSON.stringify(body)}: ${r}`);
  return r.json;
}

async function count(orgId, inventory = '') {
  const q = `org_id=${orgId}${inventory ? `&inventory=${inventory}` : ''}&limit=1`;
  return assertList(await admin.get(`/api/v1/exposure/entries?${q}`)).total;
}

async function download(client, path) {
  const r = await fetch(srv.base + path, { headers: { cookie: client.cookieHeader() }, signal: AbortSignal.timeout(60000) });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

function postRaw(client, path, body, contentType) {
  return client.req('POST', path, { body, contentType });
}

const CSV = (rows) => Buffer.from(rows.map((r) => r.map((c) => /[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c).join(',')).join('\r\n') + '\r\n');

/** An XLSX of sheets [[name, rows]]: a number is a number cell, a string an inline string, an
 * empty row (or cell) left out as Excel leaves it. */
function workbook(sheets) {
  const col = (i) => String.fromCharCode(65 + i);
  const esc = (v) => String(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const cell = (v, ref) => typeof v === 'number' ? `<c r="${ref}"><v>${v}</v></c>`
    : v === '' ? '' : `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${esc(v)}</t></is></c>`;
  const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const PKG = 'http://schemas.openxmlformats.org/package/2006/relationships';
  const files = {
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
    '_rels/.rels': `<Relationships xmlns="${PKG}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${REL}"><sheets>${sheets.map(([name], i) => `<sheet name="${esc(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<Relationships xmlns="${PKG}">${sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('')}</Relationships>`,
  };
  sheets.forEach(([, rows], i) => {
    const data = rows.map((cells, r) => cells.length ? `<row r="${r + 1}">${cells.map((v, c) => cell(v, `${col(c)}${r + 1}`)).join('')}</row>` : '').join('');
    files[`xl/worksheets/sheet${i + 1}.xml`] = `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${data}</sheetData></worksheet>`;
  });
  return zip(files);
}

/** RFC 4180 CSV (LibreOffice's output) into rows of cells. */
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') q = false; else cell += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += ch;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

// ---------------------------------------------------------------------------------------------

test('entries: create, read, list, update, delete, audited; shapes and canonical addresses', async () => {
  const a0 = await auditTotal(admin, 'action=exposure.create');
  const e = await create(U.opP, entry(O.P.id, 'vpn', {
    ip: '203.0.113.10/32；2001:DB8:5::/48\n198.51.100.0/28', software: 'Sangfor SSL VPN 7.6', purpose: '远程办公',
  }));
  assert.equal(e.inventory, 'vpn');
  assert.equal(e.inventory_name, 'VPN出入口');
  assert.equal(e.org_id, O.P.id);
  assert.equal(e.org_name, O.P.name);
  assert.equal(e.seq, 1);
  assert.equal(e.ip, '203.0.113.10; 2001:db8:5::/48; 198.51.100.0/28');
  assert.deepEqual(e.addresses, ['203.0.113.10', '2001:db8:5::/48', '198.51.100.0/28']);
  assert.equal(e.software, 'Sangfor SSL VPN 7.6');
  assert.equal(e.purpose, '远程办公');
  assert.equal(e.exception, null);
  assert.deepEqual(e.duplicates, []);
  for (const k of ['id', 'owner', 'asset_name', 'asset_type', 'reachable', 'other', 'created_at', 'updated_at', 'warnings']) assert.ok(k in e, k);

  const office = await create(U.opP, entry(O.P.id, 'office', { ip: '203.0.113.20' }));
  assert.equal(office.software, null, 'office exits have no 软件类型、版本 column');
  assert.equal(office.purpose, null);

  // Read: the operator, its group, the regulator of 福建, the administrator; not another tenant.
  for (const c of [U.opP, U.opG, U.regR, admin]) assert.equal((await c.get(`/api/v1/exposure/entries/${e.id}`)).status, 200);
  assertError(await U.opB.get(`/api/v1/exposure/entries/${e.id}`), 404, 'not_found');
  assertError(await U.opV.get(`/api/v1/exposure/entries/${e.id}`), 404, 'not_found');

  const list = assertList(await U.opP.get(`/api/v1/exposure/entries?org_id=${O.P.id}&inventory=vpn`));
  assert.ok(list.items.some((x) => x.id === e.id) && list.items.every((x) => x.inventory === 'vpn'));
  assert.equal(assertList(await U.opB.get(`/api/v1/exposure/entries?org_id=${O.P.id}`)).total, 0, 'no rows of another tenant');
  assert.ok(assertList(await U.regR.get(`/api/v1/exposure/entries?q=Sangfor`)).total === 0, 'q matches name, owner, ip only');
  assert.ok(assertList(await U.regR.get(`/api/v1/exposure/entries?q=203.0.113.10`)).items.some((x) => x.id === e.id));

  const p = await U.opP.patch(`/api/v1/exposure/entries/${e.id}`, { ip: '203.0.113.11', asset_type: 'VPN 网关' });
  assert.equal(p.status, 200, `PATCH: ${p}`);
  assert.deepEqual(p.json.addresses, ['203.0.113.11']);
  assert.equal(p.json.asset_type, 'VPN 网关');
  assert.equal(p.json.software, 'Sangfor SSL VPN 7.6', 'untouched fields stay');

  const audits = assertList(await admin.get(`/api/v1/audit?action=exposure.update&limit=50`)).items;
  const upd = audits.find((x) => x.entity_id === e.id);
  assert.ok(upd, 'update audited');
  assert.equal(upd.before.ip, '203.0.113.10; 2001:db8:5::/48; 198.51.100.0/28');
  assert.equal(upd.after.ip, '203.0.113.11');
  assert.equal(await auditTotal(admin, 'action=exposure.create'), a0 + 2);

  assert.equal((await U.opP.del(`/api/v1/exposure/entries/${e.id}`)).status, 204);
  assertError(await U.opP.get(`/api/v1/exposure/entries/${e.id}`), 404, 'not_found');
  assert.ok(assertList(await admin.get('/api/v1/audit?action=exposure.delete&limit=50')).items.some((x) => x.entity_id === e.id && x.after === null));
});

test('entries: bad input names the field and writes nothing; roles and other tenants', async () => {
  const before = await count(O.P.id);
  const audits = await auditTotal(admin);
  const soft = new Soft();
  const bad = [
    [{ ip: '203.0.113' }, 'ip'],
    [{ ip: '203.0.113.1/24' }, 'ip'],
    [{ ip: '' }, 'ip'],
    [{ ip: '203.0.113.5; 203.0.113.5' }, 'ip'],
    [{ owner: '' }, 'owner'],
    [{ asset_name: 'x'.repeat(201) }, 'asset_name'],
    [{ software: 'OpenVPN 2.6' }, 'software'], // office exits have no such column
    [{ purpose: '远程' }, 'purpose'],
    [{ inventory: 'dmz' }, 'inventory'],
    [{ org_id: O.B1.id }, 'org_id', 404], // another tenant's organisation: as if it did not exist
    [{ org_id: O.R.id }, 'org_id', 404], // a regulator outside the caller's tree
  ];
  for (const [fields, field, status = 400] of bad) {
    await soft.run(`${JSON.stringify(fields)}`, async () => assertError(await U.opP.post('/api/v1/exposure/entries', entry(O.P.id, 'office', fields)), status, status === 404 ? 'not_found' : 'validation_failed', field));
  }
  await soft.run('unknown field', async () => assertError(await U.opP.post('/api/v1/exposure/entries', { ...entry(O.P.id, 'office'), port: 443 }), 400, 'unknown_field'));
  await soft.run('regulator cannot write', async () => assertError(await U.regR.post('/api/v1/exposure/entries', entry(O.P.id, 'office')), 403, 'forbidden'));
  soft.done('refusals');
  assert.equal(await count(O.P.id), before, 'nothing written');
  assert.equal(await auditTotal(admin), audits, 'nothing audited');

  const e = await create(U.opP, entry(O.P.id, 'zero_trust', { ip: '203.0.113.30', software: '零信任网关 3.1', purpose: '研发访问' }));
  const ids = [e.id, '999999999'];
  for (const id of ids) {
    assertError(await U.opB.get(`/api/v1/exposure/entries/${id}`), 404, 'not_found');
    assertError(await U.opB.patch(`/api/v1/exposure/entries/${id}`, { owner: 'x' }), 404, 'not_found');
    assertError(await U.opB.del(`/api/v1/exposure/entries/${id}`), 404, 'not_found');
    assertError(await U.opB.put(`/api/v1/exposure/entries/${id}/exception`, { reason: 'x', reported_on: '2025-01-01' }), 404, 'not_found');
  }
  assertError(await U.regR.patch(`/api/v1/exposure/entries/${e.id}`, { owner: 'x' }), 403, 'forbidden');
  assertError(await U.opP.patch(`/api/v1/exposure/entries/${e.id}`, { ip: 'not-an-ip' }), 400, 'validation_failed', 'ip');
  assert.equal((await U.opP.get(`/api/v1/exposure/entries/${e.id}`)).json.ip, '203.0.113.30', 'unchanged after a refused update');
  for (const path of [`/api/v1/orgs/${O.P.id}/exposure.xlsx`, `/api/v1/orgs/${O.P.id}/exposure/reconciliation`,
    `/api/v1/orgs/${O.P.id}/exposure/scan-diff`, `/api/v1/exposure/summary?org_id=${O.P.id}`, `/api/v1/exposure/duplicates?org_id=${O.P.id}`]) {
    assertError(await U.opB.get(path), 404, 'not_found');
  }
  assertError(await postRaw(U.opB, `/api/v1/orgs/${O.P.id}/exposure/office/import`, CSV([OFFICE_HEADERS]), 'text/csv'), 404, 'not_found');
  assertError(await U.opP.get('/api/v1/exposure/entries?inventory=dmz'), 400, 'validation_failed', 'inventory');
});

test('R4: a third office exit of a provincial company without 报备 is a violation on both dashboards', async () => {
  const exits = [];
  for (let i = 1; i <= 2; i++) exits.push(await create(U.opP, entry(O.P.id, 'office', { ip: `198.18.${i}.1`, asset_name: `出口${i}` })));
  // The office exit created by the first test is the third: count what is there now.
  const all = (await U.opP.get(`/api/v1/exposure/summary?org_id=${O.P.id}`)).json;
  assert.equal(all.ruleset.version, 'seed000-5');
  assert.equal(all.ruleset.max_office_exits, 2);
  assert.match(all.ruleset.source, /331号/);
  assert.equal(all.office_exits.applies, true);
  assert.equal(all.office_exits.exits, 3);
  assert.equal(all.office_exits.violation, true);
  assert.equal(all.office_exits.excess, 1);
  assert.equal(all.violations.count, 1);
  const third = all.office_exits.entries.find((x) => x.excess);
  assert.equal(third.seq, 3, 'the third exit is the one over the limit');

  const ent = (await U.opP.get(`/api/v1/exposure/entries/${third.id}`)).json;
  assert.ok(ent.warnings.some((w) => w.code === 'office_exit_limit'), JSON.stringify(ent.warnings));
  assert.ok(!(await U.opP.get(`/api/v1/exposure/entries/${exits[0].id}`)).json.warnings.some((w) => w.code === 'office_exit_limit'));

  // The organisation's, its group's, the regulator's and the administrator's dashboards; not another tenant's.
  for (const [name, c] of Object.entries({ opP: U.opP, opG: U.opG, regR: U.regR, admin })) {
    const v = assertList(await c.get('/api/v1/exposure/violations'));
    const mine = v.items.find((x) => x.org_id === O.P.id);
    assert.ok(mine, `${name} sees the violation`);
    assert.equal(mine.exits, 3);
    assert.equal(mine.reported, 0);
    assert.equal(mine.limit, 2);
    assert.equal(mine.excess, 1);
    assert.equal(mine.org_kind, 'telecom_provincial');
    assert.deepEqual(mine.excess_entries.map((x) => x.id), [third.id]);
    assert.match(mine.message, /报备/);
    const s = (await c.get('/api/v1/exposure/summary')).json;
    assert.ok(s.violations.items.some((x) => x.org_id === O.P.id), `${name}: summary lists the violation`);
  }
  assert.ok(!assertList(await U.opB.get('/api/v1/exposure/violations')).items.some((x) => x.org_id === O.P.id));

  // 报备: reason, date; reported_to defaults to the group company.
  assertError(await U.opP.put(`/api/v1/exposure/entries/${third.id}/exception`, { reason: '灾备出口', reported_on: '2999-01-01' }), 400, 'validation_failed', 'reported_on');
  assertError(await U.opP.put(`/api/v1/exposure/entries/${third.id}/exception`, { reported_on: '2025-06-01' }), 400, 'validation_failed', 'reason');
  assertError(await U.regR.put(`/api/v1/exposure/entries/${third.id}/exception`, { reason: 'x', reported_on: '2025-06-01' }), 403, 'forbidden');
  const ex = await U.opP.put(`/api/v1/exposure/entries/${third.id}/exception`, { reason: '省级灾备中心独立出口', reported_on: '2025-06-01' });
  assert.equal(ex.status, 200, `exception: ${ex}`);
  assert.equal(ex.json.exception.reported_to, O.G.name);
  assert.equal(ex.json.exception.reason, '省级灾备中心独立出口');
  assert.equal(ex.json.exception.reported_on, '2025-06-01');
  assert.ok(!ex.json.warnings.some((w) => w.code === 'office_exit_limit'));
  assert.ok(assertList(await admin.get('/api/v1/audit?action=exposure.exception&limit=20')).items.some((x) => x.entity_id === third.id));
  let s = (await U.opP.get(`/api/v1/exposure/summary?org_id=${O.P.id}`)).json;
  assert.equal(s.office_exits.violation, false);
  assert.equal(s.office_exits.reported, 1);
  assert.ok(!assertList(await U.regR.get('/api/v1/exposure/violations')).items.some((x) => x.org_id === O.P.id));

  // A fourth exit: one 报备 covers one exit.
  const fourth = await create(U.opP, entry(O.P.id, 'office', { ip: '198.18.4.1', asset_name: '出口4' }));
  s = (await U.regR.get(`/api/v1/exposure/summary?org_id=${O.P.id}`)).json;
  assert.equal(s.office_exits.violation, true);
  assert.deepEqual(s.violations.items[0].excess_entries.map((x) => x.id), [fourth.id]);

  // Removing the 报备 brings the third back; an exception on a VPN entry is refused.
  assert.equal((await U.opG.del(`/api/v1/exposure/entries/${third.id}/exception`)).status, 200);
  assertError(await U.opG.del(`/api/v1/exposure/entries/${third.id}/exception`), 404, 'not_found');
  s = (await U.opP.get(`/api/v1/exposure/summary?org_id=${O.P.id}`)).json;
  assert.equal(s.office_exits.excess, 2);
  const vpn = await create(U.opP, entry(O.P.id, 'vpn', { ip: '198.18.9.9' }));
  assertError(await U.opP.put(`/api/v1/exposure/entries/${vpn.id}/exception`, { reason: 'x', reported_on: '2025-06-01' }), 400, 'validation_failed', 'inventory');

  // The limit binds provincial companies only.
  for (let i = 1; i <= 3; i++) await create(U.opV, entry(O.V.id, 'office', { ip: `198.19.${i}.1` }));
  const sv = (await U.opV.get(`/api/v1/exposure/summary?org_id=${O.V.id}`)).json;
  assert.equal(sv.office_exits.exits, 3);
  assert.equal(sv.office_exits.applies, false);
  assert.equal(sv.office_exits.violation, false);
  assert.ok(!assertList(await admin.get('/api/v1/exposure/violations')).items.some((x) => x.org_id === O.V.id));
});

test('duplicates: the same address twice within an organisation and across organisations is flagged', async () => {
  const a = await create(U.opP, entry(O.P.id, 'vpn', { ip: '192.0.2.77' }));
  const b = await create(U.opP, entry(O.P.id, 'zero_trust', { ip: '192.0.2.64/26' }));
  const c = await create(U.opB, entry(O.B1.id, 'office', { ip: '192.0.2.77' }));
  const ea = (await U.opP.get(`/api/v1/exposure/entries/${a.id}`)).json;
  const inOrg = ea.duplicates.find((d) => d.entry_id === b.id);
  assert.ok(inOrg, JSON.stringify(ea.duplicates));
  assert.equal(inOrg.kind, 'inside');
  assert.equal(inOrg.same_org, true);
  assert.equal(inOrg.other, '192.0.2.64/26');
  const across = ea.duplicates.find((d) => !d.same_org);
  assert.ok(across, 'the other tenant declared the same address');
  assert.equal(across.kind, 'same');
  assert.equal(across.org_name, null, 'the other tenant stays anonymous to this operator');
  assert.equal(across.entry_id, null);
  assert.ok(ea.warnings.some((w) => w.code === 'duplicate_address'));
  // The administrator sees who.
  const adm = (await admin.get(`/api/v1/exposure/entries/${a.id}`)).json.duplicates.find((d) => !d.same_org);
  assert.equal(adm.org_name, O.B1.name);
  assert.equal(adm.entry_id, c.id);

  const d = assertList(await U.opP.get(`/api/v1/exposure/duplicates?org_id=${O.P.id}`)).items;
  assert.ok(d.some((x) => x.entry_id === a.id && x.other_entry_id === null && x.kind === 'same'), JSON.stringify(d));
  assert.ok(d.some((x) => [x.entry_id, x.other_entry_id].sort().join() === [a.id, b.id].sort().join()));
  const all = assertList(await admin.get('/api/v1/exposure/duplicates')).items;
  assert.equal(all.filter((x) => [x.entry_id, x.other_entry_id].sort().join() === [a.id, c.id].sort().join()).length, 1, 'a pair is listed once');
  const s = (await U.opP.get(`/api/v1/exposure/summary?org_id=${O.P.id}`)).json;
  assert.ok(s.duplicates.same_org >= 2 && s.duplicates.other_org >= 1, JSON.stringify(s.duplicates));
  assert.ok(!assertList(await U.opB.get('/api/v1/exposure/duplicates')).items.some((x) => x.other_org_id === O.P.id), 'B never learns P');
});

test('import: CSV and XLSX per inventory; bad rows all reported, nothing written', async () => {
  const url = (inv) => `/api/v1/orgs/${O.Q.id}/exposure/${inv}/import`;
  const audits = await auditTotal(admin);
  const bad = CSV([
    OFFICE_HEADERS,
    ['1', '信息化部', '互联网出口一', '防火墙', '203.0.113.101', '办公网', ''],
    ['2', '', '互联网出口二', '防火墙', '203.0.113.102', '办公网', ''],
    ['3', '信息化部', '互联网出口三', '路由器', '203.0.113.300', '办公网', ''],
    ['', '', '', '', '', '', ''],
    ['x', '信息化部', '', '路由器', '203.0.113.1/24', '办公网', ''],
  ]);
  const r = await postRaw(U.opG, url('office'), bad, 'text/csv');
  assertError(r, 400, 'validation_failed', 'file');
  const rows = r.json.error.rows;
  assert.ok(Array.isArray(rows), `error.rows: ${r}`);
  const by = (line, field) => rows.find((x) => x.line === line && x.field === field);
  assert.ok(by(3, 'owner'), JSON.stringify(rows));
  assert.ok(by(4, 'ip') && /203\.0\.113\.300/.test(by(4, 'ip').message));
  assert.ok(by(6, 'seq') && by(6, 'asset_name') && by(6, 'ip'));
  assert.ok(!rows.some((x) => x.line === 2 || x.line === 5), 'good and blank rows are not reported');
  assert.equal(r.json.error.row_count, 4);
  assert.equal(await count(O.Q.id), 0, 'nothing written');
  assert.equal(await auditTotal(admin), audits, 'nothing audited');

  const soft = new Soft();
  await soft.run('office layout into the VPN inventory', async () => {
    const x = await postRaw(U.opG, url('vpn'), CSV([OFFICE_HEADERS, ['1', 'a', 'b', 'c', '203.0.113.1', '', '']]), 'text/csv');
    assertError(x, 400, 'validation_failed', 'file');
    assert.deepEqual(x.json.error.rows.map((e) => e.field).sort(), ['purpose', 'software']);
  });
  await soft.run('VPN columns in the office inventory', async () => {
    const x = await postRaw(U.opG, url('office'), CSV([REMOTE_HEADERS]), 'text/csv');
    assertError(x, 400, 'validation_failed', 'file');
    assert.equal(x.json.error.rows.length, 2);
  });
  await soft.run('unknown column', async () => assertError(await postRaw(U.opG, url('office'), CSV([[...OFFICE_HEADERS, '端口']]), 'text/csv'), 400, 'validation_failed', 'file'));
  await soft.run('GBK', async () => assertError(await postRaw(U.opG, url('office'), Buffer.from([0xd0, 0xf2, 0xba, 0xc5, 0x0a]), 'text/csv'), 400, 'validation_failed', 'file'));
  await soft.run('empty body', async () => assertError(await postRaw(U.opG, url('office'), '', 'text/csv'), 400, 'validation_failed', 'file'));
  await soft.run('header only', async () => assertError(await postRaw(U.opG, url('office'), CSV([OFFICE_HEADERS]), 'text/csv'), 400, 'validation_failed', 'file'));
  await soft.run('unknown inventory', async () => assertError(await postRaw(U.opG, url('dmz'), CSV([OFFICE_HEADERS]), 'text/csv'), 404, 'not_found'));
  await soft.run('regulator', async () => assertError(await postRaw(U.regR, url('office'), CSV([OFFICE_HEADERS]), 'text/csv'), 403, 'forbidden'));
  await soft.run('another tenant', async () => assertError(await postRaw(U.opB, url('office'), CSV([OFFICE_HEADERS]), 'text/csv'), 404, 'not_found'));
  soft.done('import refusals');
  assert.equal(await count(O.Q.id), 0, 'still nothing written');

  // A good CSV (white space in headers and cells tolerated, 序号 optional).
  const good = CSV([
    ['序号', '责任主体', '资产名称', '资产类型', 'IP地址', '可访问的网络和系统', '其他'],
    ['1', ' 信息化部 ', '互联网出口一', '防火墙', '203.0.113.101; 2001:db8:101::/64', '办公网、OA', '电信 1G'],
    ['2', '信息化部', '互联网出口二', '防火墙', '203.0.113.102', '办公网', '联通 1G'],
  ]);
  const ok = await postRaw(U.opG, url('office'), good, 'text/csv');
  assert.equal(ok.status, 201, `import: ${ok}`);
  assert.equal(ok.json.created, 2);
  assert.equal(ok.json.inventory, 'office');
  const first = (await admin.get(`/api/v1/exposure/entries/${ok.json.first_id}`)).json;
  assert.equal(first.owner, '信息化部');
  assert.deepEqual(first.addresses, ['203.0.113.101', '2001:db8:101::/64']);
  assert.ok(assertList(await admin.get('/api/v1/audit?action=exposure.import&limit=10')).items.some((x) => x.after?.created === 2 && x.after?.inventory === 'office'));

  // XLSX with the template's title row above the header.
  const book = xlsx([
    ['二、虚拟专用网络（VPN）出入口情况'],
    REMOTE_HEADERS,
    ['1', '信息化部', 'SSL VPN', 'VPN 网关', '203.0.113.110', 'Sangfor SSL VPN 7.6', '远程办公', 'OA、邮件', ''],
  ]);
  const x = await postRaw(U.opG, url('vpn'), book, 'application/octet-stream');
  assert.equal(x.status, 201, `xlsx import: ${x}`);
  assert.equal(x.json.created, 1);
  assert.equal(await count(O.Q.id, 'vpn'), 1);
});

test('import: annex 4\'s document — each list from its section, 序号 as numbers; a sheet per list; a missing or repeated heading refused', async () => {
  const org = await createOrg(admin, { name: uniq('甲附件四导入'), kind: 'telecom_provincial', province: '35', parent_id: O.G.id });
  const url = (inv) => `/api/v1/orgs/${org.id}/exposure/${inv}/import`;
  const office = (n, ip) => [n, '信息化部', `出口${n}`, '防火墙', ip, '办公网', ''];
  const remote = (n, ip) => [n, '信息化部', `网关${n}`, 'VPN 网关', ip, 'OpenVPN 2.6', '远程办公', 'OA', ''];
  const doc = (sections) => [[TITLE], ...sections.flatMap((rows, k) => [...(k ? [[]] : []), ...rows])];
  const good = doc([
    // A blank row left inside a list loses nothing: the list runs to the next heading.
    [[HEADINGS[0]], OFFICE_HEADERS, office(1, '203.0.113.61'), [], office(2, '203.0.113.62')],
    [['  二、虚拟专用网络（VPN）出入口情况  '], REMOTE_HEADERS, remote(1, '203.0.113.63')],
    [[HEADINGS[2]], REMOTE_HEADERS.map((h) => h.replace(' ', '')), remote(1, '203.0.113.64'), remote('2', '203.0.113.65')],
  ]);
  const book = workbook([['附件4', good]]);
  const got = {};
  for (const [inv, n] of [['office', 2], ['vpn', 1], ['zero_trust', 2]]) {
    const r = await postRaw(U.opG, url(inv), book, 'application/octet-stream');
    assert.equal(r.status, 201, `${inv}: ${r}`);
    assert.equal(r.json.created, n, inv);
    got[inv] = assertList(await admin.get(`/api/v1/exposure/entries?org_id=${org.id}&inventory=${inv}&limit=10`)).items.map((e) => e.ip);
  }
  assert.deepEqual(got, { office: ['203.0.113.61', '203.0.113.62'], vpn: ['203.0.113.63'], zero_trust: ['203.0.113.64', '203.0.113.65'] });
  // The same document as CSV.
  const r = await postRaw(U.opG, url('vpn'), CSV(good.map((row) => row.map(String))), 'text/csv');
  assert.equal(r.status, 201, `CSV: ${r}`);
  assert.equal(r.json.created, 1);

  // A workbook with a sheet per list (as exported before): the list's sheet.
  const sheets = workbook([[SHEETS[0], [OFFICE_HEADERS, office(1, '203.0.113.66')]], [SHEETS[1], [REMOTE_HEADERS, remote(1, '203.0.113.67'), remote(2, '203.0.113.68')]]]);
  const s = await postRaw(U.opG, url('vpn'), sheets, 'application/octet-stream');
  assert.equal(s.status, 201, `sheet per list: ${s}`);
  assert.equal(s.json.created, 2);

  const before = await count(org.id);
  const soft = new Soft();
  await soft.run('no heading of the list', async () => {
    const x = await postRaw(U.opG, url('zero_trust'), workbook([['附件4', doc([[[HEADINGS[0]], OFFICE_HEADERS, office(1, '203.0.113.69')]])]]), 'application/octet-stream');
    assertError(x, 400, 'validation_failed', 'file');
    assert.match(x.json.error.message, /三、零信任网络出入口情况/);
  });
  await soft.run('the heading twice', async () => {
    const x = await postRaw(U.opG, url('office'), workbook([['附件4', doc([[[HEADINGS[0]], OFFICE_HEADERS, office(1, '203.0.113.69')], [[HEADINGS[0]], OFFICE_HEADERS, office(2, '203.0.113.70')]])]]), 'application/octet-stream');
    assertError(x, 400, 'validation_failed', 'file');
    assert.match(x.json.error.message, /一、办公网互联网出入口情况.*2 次/);
  });
  await soft.run('a heading and nothing under it', async () => assertError(await postRaw(U.opG, url('vpn'), workbook([['附件4', doc([[[HEADINGS[1]]]])]]), 'application/octet-stream'), 400, 'validation_failed'));
  await soft.run('a bad row in a section is reported at its line', async () => {
    const x = await postRaw(U.opG, url('vpn'), workbook([['附件4', doc([[[HEADINGS[0]], OFFICE_HEADERS], [[HEADINGS[1]], REMOTE_HEADERS, remote(1, '203.0.113.300')]])]]), 'application/octet-stream');
    assertError(x, 400, 'validation_failed', 'file');
    assert.deepEqual(x.json.error.rows.map((e) => [e.line, e.field]), [[7, 'ip']]);
  });
  await soft.run('序号 not a positive integer', async () => {
    const x = await postRaw(U.opG, url('office'), workbook([['附件4', doc([[[HEADINGS[0]], OFFICE_HEADERS, office(1.5, '203.0.113.71')]])]]), 'application/octet-stream');
    assertError(x, 400, 'validation_failed', 'file');
    assert.deepEqual(x.json.error.rows.map((e) => [e.line, e.field]), [[4, 'seq']]);
  });
  // The row limit is per list: a long list below does not stop a short one above, and a list
  // past 20 000 rows is refused.
  const long = workbook([['附件4', doc([[[HEADINGS[0]], OFFICE_HEADERS, office(1, '203.0.113.72')],
    [[HEADINGS[1]], REMOTE_HEADERS, ...Array.from({ length: 20001 }, (_, k) => remote(k + 1, `198.18.${k >> 8}.${k & 255}`))]])]]);
  await soft.run('a short list above a long one', async () => {
    const x = await postRaw(U.opG, url('office'), long, 'application/octet-stream');
    assert.equal(x.status, 201, `${x}`);
    assert.equal(x.json.created, 1);
  });
  await soft.run('a list past 20 000 rows', async () => {
    const x = await postRaw(U.opG, url('vpn'), long, 'application/octet-stream');
    assertError(x, 400, 'validation_failed', 'file');
    assert.match(x.json.error.message, /第 20008 行.*20000/);
  });
  soft.done('document refusals');
  assert.equal(await count(org.id), before + 1, 'nothing written but the short list');
});

test('export: annex 4 as one document — title, the three headings, exact header rows, 序号 numbers (LibreOffice) — read back by the importer', { timeout: 240000 }, async () => {
  const org = await createOrg(admin, { name: uniq('甲导出公司'), kind: 'telecom_provincial', province: '35', parent_id: O.G.id });
  const made = {
    office: [await create(admin, entry(org.id, 'office', { ip: '203.0.113.201', other: '=1+1' })), await create(admin, entry(org.id, 'office', { ip: '203.0.113.202', asset_type: '007' }))],
    vpn: [await create(admin, entry(org.id, 'vpn', { ip: '203.0.113.210; 2001:db8:210::1', software: 'OpenVPN 2.6', purpose: '运维' }))],
    zero_trust: [],
  };
  const r = await download(U.opG, `/api/v1/orgs/${org.id}/exposure.xlsx`);
  assert.equal(r.status, 200, r.body.toString().slice(0, 300));
  assert.equal(r.headers.get('content-type'), XLSX_TYPE);
  assert.match(decodeURIComponent(r.headers.get('content-disposition') || ''), /互联网暴露面信息\.xlsx/);
  assert.equal(r.body.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
  const file = join(dir, 'export.xlsx');
  writeFileSync(file, r.body);
  const lo = spawnSync('soffice', [`-env:UserInstallation=file://${join(dir, 'lo-profile')}`, '--headless', '--convert-to',
    'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1', '--outdir', dir, file], { encoding: 'utf8', timeout: 180000 });
  assert.equal(lo.status, 0, `soffice: ${lo.stderr}`);
  // One sheet, laid out as the template: rows as LibreOffice shows them, trailing blank cells cut.
  assert.deepEqual(readdirSync(dir).filter((f) => /^export.*\.csv$/.test(f)), [`export-${TITLE}.csv`]);
  const rows = parseCsv(readFileSync(join(dir, `export-${TITLE}.csv`), 'utf8').replace(/^\uFEFF/, ''))
    .map((row) => { const cut = [...row]; while (cut.length && cut.at(-1) === '') cut.pop(); return cut; });
  const inv = ['office', 'vpn', 'zero_trust'];
  const want = [[TITLE]];
  const at = {}; // inventory → the sheet row (0-based) of its heading
  inv.forEach((i, k) => {
    if (k) want.push([]);
    at[i] = want.length;
    want.push([HEADINGS[k]], k ? REMOTE_HEADERS : OFFICE_HEADERS);
    made[i].forEach((e, n) => want.push([String(n + 1), e.owner, e.asset_name, e.asset_type, e.ip,
      ...(k ? [e.software, e.purpose] : []), e.reachable, e.other]));
  });
  // Rows of the list, cut like the CSV's.
  for (const row of want) while (row.length && row.at(-1) === '') row.pop();
  assert.deepEqual(rows, want, 'the whole sheet, row by row');
  assert.equal(rows[at.office + 2][6], '=1+1', 'text, never a formula');
  assert.equal(rows[at.office + 3][3], '007', 'text keeps its zeros');

  // In the file: 序号 number cells, everything else text; the title and headings merged and
  // bold, the title larger; two tables on a sheet: no autofilter, no frozen pane.
  const xml = spawnSync('unzip', ['-p', file, 'xl/worksheets/sheet1.xml'], { encoding: 'utf8' }).stdout;
  const cell = (ref) => xml.match(new RegExp(`<c r="${ref}"[^>]*?(?:/>|>.*?</c>)`))?.[0] ?? '';
  for (const i of inv) {
    made[i].forEach((_, n) => {
      const seq = cell(`A${at[i] + 3 + n}`); // heading, header, then the rows (1-based)
      assert.match(seq, new RegExp(`<v>${n + 1}</v>`), `${i} 序号 ${n + 1}: ${seq}`);
      assert.doesNotMatch(seq, / t="/, `${i} 序号 ${n + 1} is a number cell: ${seq}`);
      assert.match(cell(`B${at[i] + 3 + n}`), / t="inlineStr"/);
    });
  }
  const merges = [...xml.matchAll(/<mergeCell ref="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(merges, ['A1:I1', `A${at.office + 1}:G${at.office + 1}`, `A${at.vpn + 1}:I${at.vpn + 1}`, `A${at.zero_trust + 1}:I${at.zero_trust + 1}`]);
  assert.doesNotMatch(xml, /<autoFilter|<pane/);
  const styles = spawnSync('unzip', ['-p', file, 'xl/styles.xml'], { encoding: 'utf8' }).stdout;
  const fonts = [...styles.match(/<fonts[^>]*>(.*?)<\/fonts>/s)[1].matchAll(/<font>(.*?)<\/font>/gs)].map((m) => m[1]);
  const xfs = [...styles.match(/<cellXfs[^>]*>(.*?)<\/cellXfs>/s)[1].matchAll(/<xf [^>]*?(?:\/>|>.*?<\/xf>)/gs)].map((m) => m[0]);
  const style = (ref) => xfs[Number(cell(ref).match(/ s="(\d+)"/)?.[1] ?? 0)];
  const font = (ref) => fonts[Number(style(ref).match(/fontId="(\d+)"/)[1])];
  assert.match(font('A1'), /<b\/>/);
  assert.match(font('A1'), /<sz val="16"\/>/);
  assert.match(style('A1'), /horizontal="center"/);
  for (const i of inv) assert.match(font(`A${at[i] + 1}`), /<b\/>/, `${i} heading bold`);
  assert.match(font(`A${at.vpn + 2}`), /<b\/>/, 'header rows bold as before');

  // The importer reads each list back from its section.
  const copy = await createOrg(admin, { name: uniq('甲导入副本'), kind: 'telecom_provincial', province: '35', parent_id: O.G.id });
  for (const i of inv.slice(0, 2)) {
    const back = await postRaw(admin, `/api/v1/orgs/${copy.id}/exposure/${i}/import`, r.body, 'application/octet-stream');
    assert.equal(back.status, 201, `re-import ${i}: ${back}`);
    assert.equal(back.json.rows, made[i].length);
    assert.equal(back.json.created, made[i].length);
    assert.equal(back.json.duplicates, made[i].length, 'every address is now declared twice');
  }
  assertError(await postRaw(admin, `/api/v1/orgs/${copy.id}/exposure/zero_trust/import`, r.body, 'application/octet-stream'), 400, 'validation_failed', 'file');
  const orig = assertList(await admin.get(`/api/v1/exposure/entries?org_id=${org.id}&limit=50`)).items;
  const again = assertList(await admin.get(`/api/v1/exposure/entries?org_id=${copy.id}&limit=50`)).items;
  const strip = (e) => [e.inventory, e.seq, e.owner, e.asset_name, e.asset_type, e.ip, e.software, e.purpose, e.reachable, e.other];
  assert.deepEqual(again.map(strip), orig.map(strip));

  // LibreOffice's own save of the workbook reads back too.
  const resaved = join(dir, 'resaved');
  const lo2 = spawnSync('soffice', [`-env:UserInstallation=file://${join(dir, 'lo-profile')}`, '--headless', '--convert-to', 'xlsx',
    '--outdir', resaved, file], { encoding: 'utf8', timeout: 180000 });
  assert.equal(lo2.status, 0, `soffice: ${lo2.stderr}`);
  const copy2 = await createOrg(admin, { name: uniq('甲另存副本'), kind: 'telecom_provincial', province: '35', parent_id: O.G.id });
  const back = await postRaw(admin, `/api/v1/orgs/${copy2.id}/exposure/vpn/import`, readFileSync(join(resaved, 'export.xlsx')), 'application/octet-stream');
  assert.equal(back.status, 201, `re-import of LibreOffice's save: ${back}`);
  assert.equal(back.json.created, 1);

  // The empty template; other tenants get 404.
  const t = await download(U.opB, '/api/v1/exposure/template.xlsx');
  assert.equal(t.status, 200);
  writeFileSync(join(dir, 'template.xlsx'), t.body);
  const tx = spawnSync('unzip', ['-p', join(dir, 'template.xlsx'), 'xl/worksheets/sheet1.xml'], { encoding: 'utf8' });
  const texts = [...tx.stdout.matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((m) => m[1]);
  assert.deepEqual(texts, [TITLE, HEADINGS[0], ...OFFICE_HEADERS, HEADINGS[1], ...REMOTE_HEADERS, HEADINGS[2], ...REMOTE_HEADERS], 'the empty template');
  assertError(await U.opB.get(`/api/v1/orgs/${org.id}/exposure.xlsx`), 404, 'not_found');
});

// ---------------------------------------------------------------------------------------------
// Scans.

/** scan1.xml with one listener stopped, the SSH version changed, a later time, and a second host
 * (127.0.0.2) that is up with every port closed. */
function scan2() {
  let s = SCAN1.toString('utf8');
  s = s.replace(/<port protocol="tcp" portid="19090">.*?<\/port>\n?/, '');
  s = s.replace('9.2p1 Debian 2+deb12u10', '9.2p1 Debian 2+deb12u11');
  s = s.replaceAll('1795226315', '1795312715');
  s = s.replace('</host>\n<runstats>', '</host>\n<host><status state="up" reason="localhost-response"/><address addr="127.0.0.2" addrtype="ipv4"/><ports><extraports state="closed" count="20000"/></ports></host>\n<runstats>');
  return Buffer.from(s);
}

test('scans: nmap XML of scan1.xml; shadow exposure, declared seen / not seen / not covered; the difference of two scans', async () => {
  const total = assertList(await admin.get('/api/v1/scans?limit=1')).total;
  // The organisation declares 127.0.0.0/8 through a network unit, nothing in its inventories.
  const u = await admin.post('/api/v1/units', { org_id: O.S.id, name: uniq('办公网'), unit_type: 'internet', status: 'online', ip_ranges: ['127.0.0.0/8'] });
  assert.equal(u.status, 201, `unit: ${u}`);
  const r = await postRaw(admin, '/api/v1/scans', SCAN1, 'application/xml');
  assert.equal(r.status, 201, `POST /scans: ${r}`);
  const scan = r.json;
  assert.equal(scan.hosts, 1);
  assert.equal(scan.hosts_up, 1);
  assert.equal(scan.open_ports, 4);
  assert.equal(scan.scanner, 'nmap');
  assert.equal(scan.version, '7.93');
  assert.equal(scan.started_at, '2026-11-21T09:58:35+08:00', 'start="1795226315" in Beijing time');
  assert.equal(scan.finished_at, '2026-11-21T10:01:31+08:00');
  assert.match(scan.args, /--exclude-ports/);
  const reached = scan.organisations.find((o) => o.org_id === O.S.id);
  assert.ok(reached, JSON.stringify(scan.organisations));
  assert.equal(reached.counts.shadow, 4);
  assert.equal(assertList(await admin.get('/api/v1/scans?limit=1')).total, total + 1);
  assert.ok(assertList(await admin.get('/api/v1/audit?action=exposure.scan_import&limit=5')).items.some((x) => x.entity_id === scan.id));

  const full = (await admin.get(`/api/v1/scans/${scan.id}`)).json;
  const host = full.host_list[0];
  assert.equal(host.address, '127.0.0.1');
  assert.equal(host.hostname, 'localhost');
  assert.deepEqual(host.ports.map((p) => [p.protocol, p.port, p.state, p.service, p.product, p.version, p.tunnel]), [
    ['tcp', 2222, 'open', 'ssh', 'OpenSSH', '9.2p1 Debian 2+deb12u10', ''],
    ['tcp', 18080, 'open', 'http', 'SimpleHTTPServer', '0.6', ''],
    ['tcp', 18443, 'open', 'http', 'OpenSSL s_server -www httpd', '', 'ssl'],
    ['tcp', 19090, 'open', '', '', '', ''],
  ]);

  // Nothing declared: four open services are shadow exposure, with product and version.
  let rec = (await U.opG.get(`/api/v1/orgs/${O.S.id}/exposure/reconciliation`)).json;
  assert.equal(rec.scan.id, scan.id);
  assert.equal(rec.scan.args, undefined, 'an organisation does not see the scan command (other targets)');
  assert.equal(rec.counts.hosts, 1);
  assert.equal(rec.counts.shadow, 4);
  const ssh = rec.shadow.find((x) => x.port === 2222);
  assert.deepEqual([ssh.address, ssh.protocol, ssh.service, ssh.product, ssh.version], ['127.0.0.1', 'tcp', 'ssh', 'OpenSSH', '9.2p1 Debian 2+deb12u10']);
  assert.equal(ssh.unit_name, u.json.name);

  // Declare 127.0.0.1 (VPN) and 127.0.0.2 (office): seen, and not covered by scan1.
  const e1 = await create(admin, entry(O.S.id, 'vpn', { ip: '127.0.0.1', software: 'OpenSSH 9.2', purpose: '运维' }));
  const e2 = await create(admin, entry(O.S.id, 'office', { ip: '127.0.0.2' }));
  assert.ok(e1.warnings.some((w) => w.code === 'not_public'), 'a loopback address is flagged');
  rec = (await U.regR.get(`/api/v1/orgs/${O.S.id}/exposure/reconciliation?scan_id=${scan.id}`)).json;
  assert.equal(rec.counts.shadow, 0);
  assert.equal(rec.counts.declared_seen, 1);
  assert.equal(rec.declared_seen[0].entry_id, e1.id);
  assert.equal(rec.declared_seen[0].services.length, 4);
  assert.deepEqual(rec.declared_not_covered.map((x) => x.entry_id), [e2.id]);
  assert.equal(rec.counts.declared_not_seen, 0);

  // scan2: 127.0.0.2 scanned with nothing open; 19090 closed; OpenSSH upgraded.
  const r2 = await postRaw(admin, '/api/v1/scans', scan2(), 'application/xml');
  assert.equal(r2.status, 201, `scan2: ${r2}`);
  rec = (await U.opG.get(`/api/v1/orgs/${O.S.id}/exposure/reconciliation`)).json;
  assert.equal(rec.scan.id, r2.json.id, 'the latest scan by scan time');
  assert.deepEqual(rec.declared_not_seen.map((x) => [x.entry_id, x.address, x.hosts_scanned]), [[e2.id, '127.0.0.2', 1]]);
  assert.equal(rec.counts.declared_seen, 1);
  const diff = (await U.opG.get(`/api/v1/orgs/${O.S.id}/exposure/scan-diff`)).json;
  assert.equal(diff.from.id, scan.id);
  assert.equal(diff.to.id, r2.json.id);
  assert.deepEqual(diff.closed.map((x) => [x.address, x.port]), [['127.0.0.1', 19090]]);
  assert.deepEqual(diff.opened, []);
  assert.deepEqual(diff.changed.map((x) => [x.port, x.before.version, x.after.version]), [[2222, '9.2p1 Debian 2+deb12u10', '9.2p1 Debian 2+deb12u11']]);
  assert.deepEqual(diff.counts, { opened: 0, closed: 1, changed: 1, unverified: 0 });
  const back = (await U.opG.get(`/api/v1/orgs/${O.S.id}/exposure/scan-diff?from=${r2.json.id}&to=${scan.id}`)).json;
  assert.deepEqual(back.opened.map((x) => [x.port, x.host_scanned_before]), [[19090, true]]);
  assertError(await U.opG.get(`/api/v1/orgs/${O.S.id}/exposure/scan-diff?from=${scan.id}`), 400, 'validation_failed', 'to');
  assertError(await U.opG.get(`/api/v1/orgs/${O.S.id}/exposure/reconciliation?scan_id=abc`), 400, 'validation_failed', 'scan_id');

  // Summary of the organisation carries the latest scan's counts.
  const sum = (await U.opG.get(`/api/v1/exposure/summary?org_id=${O.S.id}`)).json;
  assert.equal(sum.scan.id, r2.json.id);
  assert.equal(sum.scan.counts.declared_not_seen, 1);

  // Scope of scans: a system scan is not listed for operators; another tenant's scan never reaches S.
  assertError(await U.opG.get(`/api/v1/scans/${scan.id}`), 404, 'not_found');
  assert.ok(!assertList(await U.opG.get('/api/v1/scans')).items.some((x) => x.id === scan.id));
  const b = await postRaw(U.opB, '/api/v1/scans', SCAN1, 'application/xml');
  assert.equal(b.status, 201, `operator scan: ${b}`);
  assert.deepEqual(b.json.organisations, [], 'a scan of B reaches only B\'s tree');
  assertError(await U.opG.get(`/api/v1/orgs/${O.S.id}/exposure/reconciliation?scan_id=${b.json.id}`), 404, 'not_found');
  assertError(await U.opG.get(`/api/v1/scans/${b.json.id}`), 404, 'not_found');
  assert.equal((await U.opB.get(`/api/v1/scans/${b.json.id}`)).status, 200);
  assertError(await U.regR.post('/api/v1/scans', {}), 400, 'validation_failed', 'file');
  const aud = (await userWithClient(srv, admin, { role: 'auditor', org_id: O.R.id })).client;
  assertError(await postRaw(aud, '/api/v1/scans', SCAN1, 'application/xml'), 403, 'forbidden');
});

test('scans: malformed or hostile XML is refused with validation_failed and nothing is written', { timeout: 120000 }, async () => {
  const scans = assertList(await admin.get('/api/v1/scans?limit=1')).total;
  const audits = await auditTotal(admin);
  const hosts = Array.from({ length: 65537 }, (_, i) => `<host><address addr="10.${i >> 16}.${(i >> 8) & 255}.${i & 255}"/></host>`).join('');
  const cases = {
    'billion laughs': '<?xml version="1.0"?><!DOCTYPE nmaprun [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><nmaprun args="&c;"/>',
    'external entity': '<?xml version="1.0"?><!DOCTYPE nmaprun [<!ENTITY x SYSTEM "file:///etc/passwd">]><nmaprun args="&x;"/>',
    'external DTD': '<!DOCTYPE nmaprun SYSTEM "http://127.0.0.1:9/nmap.dtd"><nmaprun/>',
    'parameter entity': '<!DOCTYPE nmaprun [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><nmaprun/>',
    'deep nesting': '<nmaprun>' + '<a>'.repeat(5000) + '</a>'.repeat(5000) + '</nmaprun>',
    'huge attribute': `<nmaprun args="${'A'.repeat(70000)}"/>`,
    'too many hosts': `<nmaprun>${hosts}</nmaprun>`,
    'not nmap': '<?xml version="1.0"?><html><body/></html>',
    'not XML': 'Nmap scan report for 127.0.0.1\n22/tcp open ssh\n',
    'truncated': SCAN1.subarray(0, 1000),
    'bad port': '<nmaprun><host><address addr="192.0.2.1"/><ports><port protocol="tcp" portid="99999"/></ports></host></nmaprun>',
    'bad address': '<nmaprun><host><address addr="999.0.2.1" addrtype="ipv4"/></host></nmaprun>',
  };
  const soft = new Soft();
  for (const [name, body] of Object.entries(cases)) {
    await soft.run(name, async () => {
      const r = await postRaw(admin, '/api/v1/scans', body, 'application/xml');
      assertError(r, 400, 'validation_failed', 'file');
    });
  }
  soft.done('hostile scans');
  assert.equal(assertList(await admin.get('/api/v1/scans?limit=1')).total, scans, 'no scan written');
  assert.equal(await auditTotal(admin), audits, 'nothing audited');
  assert.equal((await admin.get('/api/v1/health')).status, 200, 'the server is still up');
});

test('CLI: fanghu import nmap FILE (when hooked into `fanghu import`)', async (t) => {
  const file = join(dir, 'scan1.xml');
  writeFileSync(file, SCAN1);
  const help = srv.cli(['import', 'nmap', '--help']);
  if (!/import nmap/.test(help.stdout + help.stderr)) {
    t.skip('`fanghu import nmap` is not hooked into src/cli_rules.c yet');
    return;
  }
  const before = assertList(await admin.get('/api/v1/scans?limit=1')).total;
  const r = srv.cli(['import', 'nmap', file, '--json', ...srv.cliArgs()]);
  assert.equal(r.status, 0, `cli: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  assert.equal(out.open_ports, 4);
  assert.ok(out.organisations.some((o) => o.org_id === O.S.id));
  assert.equal(assertList(await admin.get('/api/v1/scans?limit=1')).total, before + 1);
  const bomb = join(dir, 'bomb.xml');
  writeFileSync(bomb, '<!DOCTYPE nmaprun [<!ENTITY a "x">]><nmaprun args="&a;"/>');
  const bad = srv.cli(['import', 'nmap', bomb, ...srv.cliArgs()]);
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /DTD/);
  assert.equal(assertList(await admin.get('/api/v1/scans?limit=1')).total, before + 1);
});

test('the office-exit limit is data: a new version applies and is audited; only the administrator sets it', async () => {
  const cur = (await U.regR.get('/api/v1/exposure/rulesets')).json;
  assert.equal(cur.current.version, 'seed000-5');
  assert.equal(cur.current.max_office_exits, 2);
  assert.ok(cur.versions.some((v) => v.version === 'seed000-5' && v.created_by === null));
  assertError(await U.opP.put('/api/v1/exposure/rulesets', { version: 'x', max_office_exits: 3, source: 'y' }), 403, 'forbidden');
  assertError(await admin.put('/api/v1/exposure/rulesets', { version: 'x', max_office_exits: 101, source: 'y' }), 400, 'validation_failed', 'max_office_exits');
  assertError(await admin.put('/api/v1/exposure/rulesets', { version: 'seed000-5', max_office_exits: 3, source: 'y' }), 409, 'conflict', 'version');
  const before = (await U.opP.get(`/api/v1/exposure/summary?org_id=${O.P.id}`)).json.office_exits;
  assert.equal(before.violation, true);
  const r = await admin.put('/api/v1/exposure/rulesets', { version: 'test-2026', max_office_exits: before.exits, source: '测试：次年函件放宽' });
  assert.equal(r.status, 201, `ruleset: ${r}`);
  assert.equal(r.json.current.version, 'test-2026');
  const after = (await U.opP.get(`/api/v1/exposure/summary?org_id=${O.P.id}`)).json;
  assert.equal(after.ruleset.version, 'test-2026');
  assert.equal(after.office_exits.limit, before.exits);
  assert.equal(after.office_exits.violation, false);
  assert.ok(assertList(await admin.get('/api/v1/audit?action=exposure_ruleset.create&limit=5')).items.some((x) => x.after.version === 'test-2026'));
  assertError(await admin.put('/api/v1/exposure/rulesets', { version: 'test-2026', max_office_exits: 2, source: 'y' }), 409, 'conflict', 'version');
});
