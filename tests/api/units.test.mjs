// Network units (issue 3): grading (R1) with every bad value refused, CIDR validation, the unit-type
// catalogue, the filing workflow (submit naming every missing field, return with reasons per
// field, resubmit, approve with a filing number, a second approval refused, review only by a
// regulator of the jurisdiction), the change filing a filed unit's change opens (R3), MLPS (R2),
// import (all or nothing) and export, and other tenants' unit ids answering 404 everywhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, userWithClient, uniq, assertError, assertList, auditTotal } from './lib.mjs';

let srv, admin, opA, opB, regR, regR2;
let A, B, unit, unitB;

const full = {
  business_scope: '互联网数据中心托管', service_scope: '本省', user_types: '政企客户',
  management: '网络安全部负责，7×24 值守', technical: '核心-汇聚-接入三层，防火墙隔离',
};

before(async () => {
  srv = await startServer();
  admin = await srv.admin();
  A = await createOrg(admin, { name: uniq('甲福建'), kind: 'telecom_provincial', province: '35' });
  B = await createOrg(admin, { name: uniq('乙集团'), kind: 'telecom_group', province: '11' });
  const R = await createOrg(admin, { name: uniq('福建省通信管理局'), kind: 'regulator_ca', province: '35', jurisdiction: [{ province: '35', kind: '*' }] });
  const R2 = await createOrg(admin, { name: uniq('广东省通信管理局'), kind: 'regulator_ca', province: '44', jurisdiction: [{ province: '44', kind: '*' }] });
  opA = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: A.id })).client;
  opB = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: B.id })).client;
  regR = (await userWithClient(srv, admin, { role: 'regulator', org_id: R.id })).client;
  regR2 = (await userWithClient(srv, admin, { role: 'regulator', org_id: R2.id })).client;
  let r = await opA.post('/api/v1/units', { org_id: A.id, name: uniq('福建IDC'), unit_type: 'idc', status: 'online', ip_ranges: ['203.0.113.0/24', '2001:db8:10::/48'] });
  assert.equal(r.status, 201, `${r}`);
  unit = r.json;
  r = await opB.post('/api/v1/units', { org_id: B.id, name: uniq('乙骨干'), unit_type: 'ip_bearer', status: 'online' });
  assert.equal(r.status, 201, `${r}`);
  unitB = r.json;
});
after(async () => { await srv?.close(); });

test('R1 grading: worked cases through the API, every bad value refused naming the field', async () => {
  for (const [i, r, v, k, level] of [[1, 1, 1, 1.0, 1], [1, 5, 5, 4.5, 5], [4, 4, 3, 3.7, 3], [3, 3, 5, 4.0, 4]]) {
    const c = await opA.get(`/api/v1/grading/compute?i=${i}&r=${r}&v=${v}`);
    assert.equal(c.status, 200, `${c}`);
    assert.equal(c.json.k, k);
    assert.equal(c.json.level, level);
  }
  const audits = await auditTotal(admin);
  const reasons = { just_i: '影响全省', just_r: '覆盖全省', just_v: '承载重要业务' };
  for (const [body, field] of [
    [{ i: 0, r: 1, v: 1, ...reasons }, 'i'], [{ i: 1, r: 6, v: 1, ...reasons }, 'r'],
    [{ i: 1, r: 1, v: 2.5, ...reasons }, 'v'], [{ i: '3', r: 1, v: 1, ...reasons }, 'i'],
    [{ i: 3, r: 3, v: 3, just_i: '', just_r: 'x', just_v: 'x' }, 'just_i'],
  ]) {
    assertError(await opA.post(`/api/v1/units/${unit.id}/grading`, body), 400, 'validation_failed', field);
  }
  assert.equal(await auditTotal(admin), audits, 'nothing written');
  const g = await opA.post(`/api/v1/units/${unit.id}/grading`, { i: 4, r: 4, v: 3, ...reasons });
  assert.equal(g.status, 200, `${g}`);
  assert.equal(g.json.level, 3);
  assert.equal(g.json.grading.k, 3.7);
  const h = assertList(await opA.get(`/api/v1/units/${unit.id}/gradings`));
  assert.equal(h.items[0].s, 40);
});

test('ranges and types: a CIDR like 10.0.0.0/33, host bits set and an unknown type are refused', async () => {
  const before = assertList(await opA.get('/api/v1/units?limit=1')).total;
  assertError(await opA.post('/api/v1/units', { org_id: A.id, name: 'x', unit_type: 'idc', ip_ranges: ['10.0.0.0/33'] }), 400, 'validation_failed', 'ip_ranges');
  assertError(await opA.post('/api/v1/units', { org_id: A.id, name: 'x', unit_type: 'idc', ip_ranges: ['10.0.0.1/8'] }), 400, 'validation_failed', 'ip_ranges');
  assertError(await opA.post('/api/v1/units', { org_id: A.id, name: 'x', unit_type: 'no-such-type' }), 400, 'validation_failed', 'unit_type');
  assertError(await opA.post('/api/v1/units', { org_id: A.id, name: 'x', unit_type: 'idc', colour: 'red' }), 400, 'unknown_field', 'colour');
  assert.equal(assertList(await opA.get('/api/v1/units?limit=1')).total, before, 'nothing created');
  assertError(await opA.get('/api/v1/units?level=9'), 400, 'validation_failed', 'level');
});

test('filing: every missing field named; return with reasons; resubmit; approve once; only the jurisdiction reviews', async () => {
  // Ungraded and incomplete: every missing field is named.
  const bare = (await opA.post('/api/v1/units', { org_id: A.id, name: uniq('空单元'), unit_type: 'cdn' })).json;
  const r0 = await opA.post(`/api/v1/units/${bare.id}/submit`, {});
  assertError(r0, 400, 'validation_failed', 'business_scope');
  assert.deepEqual(r0.json.error.fields, ['business_scope', 'service_scope', 'user_types', 'management', 'technical', 'grading']);

  assert.equal((await opA.patch(`/api/v1/units/${unit.id}`, full)).status, 200);
  const s1 = await opA.post(`/api/v1/units/${unit.id}/submit`, {});
  assert.equal(s1.status, 201, `${s1}`);
  assert.equal(s1.json.status, 'submitted');
  // Editing during review is refused.
  assertError(await opA.patch(`/api/v1/units/${unit.id}`, { technical: 'x' }), 409, 'conflict');

  // The inbox of the competent regulator has it; another province's regulator cannot see it.
  const inbox = assertList(await regR.get('/api/v1/filings?status=submitted'));
  assert.ok(inbox.items.some((f) => f.id === s1.json.id));
  assert.equal(assertList(await regR2.get('/api/v1/filings?status=submitted')).total, 0);
  assertError(await regR2.post(`/api/v1/filings/${s1.json.id}/approve`, {}), 404, 'not_found');
  assertError(await opA.post(`/api/v1/filings/${s1.json.id}/approve`, {}), 403, 'forbidden');

  // Return with a reason per field (a field of the submission).
  assertError(await regR.post(`/api/v1/filings/${s1.json.id}/return`, { reasons: [{ field: 'nonsense', reason: 'x' }] }), 400, 'validation_failed', 'reasons');
  const ret = await regR.post(`/api/v1/filings/${s1.json.id}/return`, { reasons: [{ field: 'technical', reason: '拓扑描述不完整' }] });
  assert.equal(ret.status, 200, `${ret}`);
  assert.equal(ret.json.status, 'returned');
  let u = (await opA.get(`/api/v1/units/${unit.id}`)).json;
  assert.equal(u.filing.status, 'returned');
  assert.ok(u.deadlines.some((d) => d.kind === 'correction'), 'correction deadline shown');
  assertError(await regR.post(`/api/v1/filings/${s1.json.id}/approve`, {}), 409, 'conflict');

  assert.equal((await opA.patch(`/api/v1/units/${unit.id}`, { technical: '核心-汇聚-接入三层，双防火墙，拓扑图见附件' })).status, 200);
  const s2 = await opA.post(`/api/v1/units/${unit.id}/submit`, { comment: '已补正' });
  assert.equal(s2.status, 201, `${s2}`);
  const ok = await regR.post(`/api/v1/filings/${s2.json.id}/approve`, {});
  assert.equal(ok.status, 200, `${ok}`);
  assert.match(ok.json.filing_number, /^35-\d{4}-\d{6}$/);
  assertError(await regR.post(`/api/v1/filings/${s2.json.id}/approve`, {}), 409, 'conflict');
  u = (await opA.get(`/api/v1/units/${unit.id}`)).json;
  assert.equal(u.filing.status, 'filed');
  assert.equal(u.filing.number, ok.json.filing_number);
  assert.ok(u.deadlines.some((d) => d.kind === 'assessment'), '符合性评测 due after filing');
  const timeline = assertList(await opA.get(`/api/v1/units/${unit.id}/filings`));
  assert.deepEqual(timeline.items.map((f) => f.status), ['approved', 'returned']);
  const snap = (await regR.get(`/api/v1/filings/${s1.json.id}`)).json.snapshot;
  assert.equal(snap.technical, full.technical, 'the first submission keeps what was submitted');

  // R3: a change to filed information opens a change filing due in 30 days.
  assert.equal((await opA.patch(`/api/v1/units/${unit.id}`, { service_scope: '本省及邻省' })).status, 200);
  u = (await opA.get(`/api/v1/units/${unit.id}`)).json;
  assert.equal(u.filing.status, 'change_pending');
  assert.ok(u.deadlines.some((d) => d.kind === 'change_filing'));
});

test('MLPS (R2): the two levels and the level; bad harms refused', async () => {
  const r = await opA.put(`/api/v1/units/${unit.id}/mlps`, { info: ['order:serious'], service: ['rights:grave'] });
  assert.equal(r.status, 200, `${r}`);
  assert.deepEqual([r.json.mlps.info_level, r.json.mlps.service_level, r.json.mlps.level], [3, 2, 3]);
  assertError(await opA.put(`/api/v1/units/${unit.id}/mlps`, { info: ['moon:grave'], service: ['rights:general'] }), 400, 'validation_failed', 'info');
  assertError(await opA.put(`/api/v1/units/${unit.id}/mlps`, { info: [], service: ['rights:general'] }), 400, 'validation_failed', 'info');
});

test('import is all or nothing and names every bad row; export is an XLSX', async () => {
  const before = assertList(await opA.get('/api/v1/units?limit=1')).total;
  const bad = '所属单位统一社会信用代码,网络单元名称,网络单元类型,IP地址段\n' +
    `${A.uscc},好的单元,idc,10.9.0.0/16\n${A.uscc},,idc,10.0.0.0/33\n${B.uscc},乙的单元,idc,\n`;
  const r = await opA.req('POST', '/api/v1/units/import', { body: bad, contentType: 'text/csv' });
  assertError(r, 400, 'validation_failed', 'file');
  const rows = r.json.error.rows.map((x) => `${x.line}:${x.field}`);
  assert.ok(rows.includes('3:name') && rows.includes('3:ip_ranges') && rows.includes('4:uscc'), rows.join(' '));
  assert.equal(assertList(await opA.get('/api/v1/units?limit=1')).total, before, 'nothing imported');
  const good = `所属单位统一社会信用代码,网络单元名称,网络单元类型\n${A.uscc},导入单元,dns\n`;
  const g = await opA.req('POST', '/api/v1/units/import', { body: good, contentType: 'text/csv' });
  assert.equal(g.status, 201, `${g}`);
  assert.equal(g.json.created, 1);
  const x = await opA.req('GET', '/api/v1/units/export');
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
  assert.equal(x.text.slice(0, 2), 'PK');
});

test("another tenant's unit ids answer 404 on every unit endpoint, and nothing changes", async () => {
  const audits = await auditTotal(admin);
  const id = unitB.id;
  const calls = [
    ['GET', `/api/v1/units/${id}`], ['PATCH', `/api/v1/units/${id}`, { name: 'x' }],
    ['POST', `/api/v1/units/${id}/grading`, { i: 1, r: 1, v: 1, just_i: 'a', just_r: 'b', just_v: 'c' }],
    ['GET', `/api/v1/units/${id}/gradings`], ['POST', `/api/v1/units/${id}/submit`, {}],
    ['POST', `/api/v1/units/${id}/retire`, { reason: 'x' }], ['GET', `/api/v1/units/${id}/filings`],
    ['PUT', `/api/v1/units/${id}/mlps`, { info: ['rights:general'], service: ['rights:general'] }],
    ['POST', `/api/v1/units/${id}/mlps-assessments`, { assessed_on: '2025-01-01', agency: 'x', result: 'pass' }],
    ['PUT', `/api/v1/units/${id}/cii`, { cii: false }], ['POST', `/api/v1/units/${id}/assets`, { name: 'x' }],
    ['DELETE', `/api/v1/units/${id}/assets/1`],
  ];
  for (const [method, path, body] of calls) {
    assertError(await opA.req(method, path, body ? { json: body } : {}), 404, 'not_found');
  }
  assertError(await opA.post('/api/v1/units', { org_id: B.id, name: 'x', unit_type: 'idc' }), 404, 'not_found', 'org_id');
  assert.ok(!assertList(await opA.get('/api/v1/units?limit=500')).items.some((u) => u.id === id));
  assert.equal(await auditTotal(admin), audits, 'nothing written');
});
