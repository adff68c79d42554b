// Lists as XLSX (导出 XLSX, issue 6 "any list in the console → its columns"): GET <list>?format=xlsx
// for every list of GET /api/v1/exports — the declared header row, one row per item of the list
// with the same filters (all pages, not only the first), cells equal to the JSON items (numbers as
// number cells, booleans 是/否, codes by their names), scope kept (another tenant's rows never
// appear), a bad format or a list without an export refused naming the field, and a workbook
// that LibreOffice opens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, assertError, assertList, createOrg, userWithClient, uniq, uscc, listAll } from './lib.mjs';
import { readWorkbook } from './xlsx-read.mjs';
import { download, fileName, checkBook, XLSX_TYPE } from './exports-lib.mjs';

let srv, admin, dir, catalogue;
const O = {};
const U = {};

before(async () => {
  srv = await startServer();
  admin = await srv.admin();
  dir = mkdtempSync(join(tmpdir(), 'fanghu-exports-'));
  O.A = await createOrg(admin, { name: uniq('导出甲公司'), kind: 'vas', province: '35', uscc: uscc() });
  O.B = await createOrg(admin, { name: uniq('导出乙公司'), kind: 'vas', province: '44', uscc: uscc() });
  U.A = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: O.A.id })).client;
  U.B = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: O.B.id })).client;
  // 510 graded units of A make 510+ duties (a filing each): the duties export spans two pages of the handler.
  const lines = ['所属单位统一社会信用代码,网络单元名称,网络单元类型,运行状态,上线日期,社会影响力I,规模和服务范围R,服务重要性V,I赋值理由,R赋值理由,V赋值理由'];
  for (let i = 0; i < 510; i++) lines.push(`${O.A.uscc},导出单元${String(i).padStart(3, '0')},dns,在网运行,2026-01-05,3,3,3,省内影响,全省用户,基础服务`);
  const imp = await U.A.req('POST', '/api/v1/units/import', { body: lines.join('\n') + '\n', contentType: 'text/csv' });
  assert.equal(imp.status, 201, `${imp}`);
  const unitB = await U.B.post('/api/v1/units', { org_id: O.B.id, name: uniq('乙单元'), unit_type: 'dns' });
  assert.equal(unitB.status, 201, `${unitB}`);
  const c = await admin.get('/api/v1/exports');
  assert.equal(c.status, 200, `${c}`);
  catalogue = c.json.items;
});
after(async () => {
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the catalogue names the exported lists with their columns', () => {
  assert.ok(catalogue.length >= 1);
  for (const e of catalogue) {
    assert.match(e.path, /^\/api\/v1\//);
    assert.ok(e.title && e.title.length <= 31, e.title);
    if (!e.streamed) assert.ok(e.columns.length > 0 && e.columns.every((c) => c.key && c.header), e.path);
  }
  assert.ok(catalogue.some((e) => e.path === '/api/v1/duties'));
});

test('every list exports all its rows, the declared columns, cells equal to the list', async () => {
  const books = [];
  for (const e of catalogue.filter((x) => !x.streamed && !x.path.includes(':'))) {
    const { items } = await listAll(admin, e.path);
    const r = await download(srv, admin, `${e.path}?format=xlsx`);
    assert.equal(r.status, 200, `${e.path}: ${r.body.toString().slice(0, 300)}`);
    assert.equal(r.headers.get('content-type'), XLSX_TYPE);
    assert.match(fileName(r.headers), new RegExp(`^${e.title}-\\d{4}-\\d{2}-\\d{2}\\.xlsx$`));
    checkBook(e, r.body, items);
    const file = join(dir, `${books.length}.xlsx`);
    writeFileSync(file, r.body);
    books.push({ e, file, items });
  }
  // LibreOffice opens every one of them: each converts, its first line being the header row.
  const lo = spawnSync('soffice', [`-env:UserInstallation=file://${join(dir, 'lo-profile')}`, '--headless', '--convert-to',
    'csv:Text - txt - csv (StarCalc):44,34,76,1', '--outdir', join(dir, 'csv'), ...books.map((b) => b.file)], { encoding: 'utf8', timeout: 300000 });
  assert.equal(lo.status, 0, `soffice: ${lo.stderr}`);
  for (const [i, b] of books.entries()) {
    const csv = join(dir, 'csv', `${i}.csv`);
    assert.ok(existsSync(csv), `${b.e.path}: LibreOffice did not convert it`);
    const first = readFileSync(csv, 'utf8').replace(/^\uFEFF/, '').split('\n')[0];
    const cells = [...first.matchAll(/"((?:[^"]|"")*)"|([^,]+)|(?<=,|^)(?=,|$)/g)].map((m) => (m[1] ?? m[2] ?? '').replace(/""/g, '"'));
    assert.deepEqual(cells, b.e.columns.map((c) => c.header), `${b.e.path}: header as LibreOffice reads it`);
  }
});

test('duties: all pages, the filters of the list, codes by name, scope kept', async () => {
  const entry = catalogue.find((e) => e.path === '/api/v1/duties');
  const { items: all } = await listAll(U.A, '/api/v1/duties');
  assert.ok(all.length > 500, `${all.length} duties: more than one page of the handler`);
  const r = await download(srv, U.A, '/api/v1/duties?format=xlsx&limit=5&offset=3');
  assert.equal(r.status, 200);
  const rows = checkBook(entry, r.body, all, { labelled: new Set(['kind']) });
  const kind = entry.columns.findIndex((c) => c.key === 'kind');
  assert.ok(rows.slice(1).every((row) => row[kind] === '定级备案' || !/^[a-z_]+$/.test(row[kind])), 'kinds by their names');
  const org = entry.columns.findIndex((c) => c.key === 'org_name');
  assert.ok(rows.slice(1).every((row) => row[org] === O.A.name), 'only the caller\'s organisation');
  // A filter of the list applies to the export.
  const q = `/api/v1/duties?unit_id=${all.find((d) => d.unit_name === '导出单元007').unit_id}`;
  const some = assertList(await U.A.get(`${q}&limit=500`)).items;
  assert.ok(some.length > 0 && some.length < all.length);
  checkBook(entry, (await download(srv, U.A, `${q}&format=xlsx`)).body, some, { labelled: new Set(['kind']) });
  // B's export has none of A's rows; B cannot ask for A's.
  const b = readWorkbook((await download(srv, U.B, '/api/v1/duties?format=xlsx')).body)[0].rows;
  assert.ok(b.length > 1 && b.slice(1).every((row) => row[org] === O.B.name));
  const other = await download(srv, U.B, `/api/v1/duties?org_id=${O.A.id}&format=xlsx`);
  if (other.status === 200) assert.equal(readWorkbook(other.body)[0].rows.length, 1, 'header only');
  else assert.equal(other.status, 404);
});

test('a bad format, a list without an export and a write are refused naming format', async () => {
  assertError(await U.A.get('/api/v1/duties?format=csv'), 400, 'validation_failed', 'format');
  assertError(await U.A.get('/api/v1/duties/summary?format=xlsx'), 400, 'validation_failed', 'format');
  assertError(await U.A.post('/api/v1/units?format=xlsx', { name: 'x' }), 400, 'validation_failed', 'format');
  // The list's own validation still speaks first for its filters.
  assertError(await U.A.get('/api/v1/duties?state=nonsense&format=xlsx'), 400, 'validation_failed', 'state');
  assertError(await admin.get('/api/v1/exports?format=xlsx'), 400, 'validation_failed', 'format');
});

test('export-max-rows: a list of exactly that many rows exports; one more is refused naming format, nothing half written', async () => {
  const small = await startServer({ env: { FANGHU_EXPORT_MAX_ROWS: '500' } });
  try {
    const a = await small.admin();
    const org = await createOrg(a, { name: uniq('上限公司'), kind: 'vas', province: '35', uscc: uscc() });
    // 500 VPN exits: one full page of the handler, exactly the limit.
    const head = ['序号', '责任主体', '资产名称', '资产类型', 'IP 地址', '软件类型、版本', '用途描述', '可访问的网络和系统', '其他'];
    const rows = (from, n) => Array.from({ length: n }, (_, i) => [String(from + i + 1), '运维部', `VPN${from + i}`, 'VPN网关', `198.51.${Math.floor((from + i) / 250)}.${((from + i) % 250) + 1}`, 'OpenVPN 2.6', '远程运维', '办公网', ''].join(','));
    const imp = (from, n) => a.req('POST', `/api/v1/orgs/${org.id}/exposure/vpn/import`, { body: [head.join(','), ...rows(from, n)].join('\n') + '\n', contentType: 'text/csv' });
    assert.equal((await imp(0, 500)).status, 201);
    const path = `/api/v1/exposure/entries?org_id=${org.id}&format=xlsx`;
    const ok = await download(small, a, path);
    assert.equal(ok.status, 200, ok.body.toString().slice(0, 300));
    assert.equal(readWorkbook(ok.body)[0].rows.length, 501, 'the header and 500 rows');
    assert.equal((await imp(500, 1)).status, 201);
    const r = await a.get(path);
    assertError(r, 400, 'validation_failed', 'format');
    assert.match(r.json.error.message, /共 501 行，超过导出上限 500 行/);
    assert.equal(r.headers.get('content-disposition'), null, 'no file');
    // The units' own streaming export keeps the same limit.
    const lines = ['所属单位统一社会信用代码,网络单元名称,网络单元类型'];
    for (let i = 0; i < 501; i++) lines.push(`${org.uscc},上限单元${i},dns`);
    assert.equal((await a.req('POST', '/api/v1/units/import', { body: lines.join('\n') + '\n', contentType: 'text/csv' })).status, 201);
    for (const p of ['/api/v1/units?format=xlsx', '/api/v1/units/export']) {
      const u = await a.get(p);
      assertError(u, 400, 'validation_failed', 'format');
      assert.match(u.json.error.message, /导出上限 500 行/);
    }
    assert.equal((await download(small, a, '/api/v1/orgs?format=xlsx')).status, 200, 'a short list still exports');
  } finally {
    await small.close();
  }
});
