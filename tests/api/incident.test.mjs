// Incidents (网络安全事件, seed 000 §七, R5), emergency plans and drills: grade with the helper's
// suggestion, the reporting duties with the right recipient (较大 → 属地通信管理局, 重大 →
// 部网络安全管理局), the parallel CAC report (4 h, 1 h with CII, from 2025-11-01), the 总结报告
// 10 working days after the response ends (R6, across holidays; a year without a notice is a
// visible error), reports fulfilling duties, the timeline, the 总结报告 as DOCX (via LibreOffice)
// and PDF read back with pdftotext, plans with versions, drills whose rectification items feed
// the duties engine, bad input (400 naming the field, nothing written) and other tenants (404).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, createOrg, userWithClient, uniq, assertError, assertList, auditTotal, TIME_RE, pdfText } from './lib.mjs';

let srv, admin, opA, opB, regR, regR2, dir;
let A, B, unitA, unitCiiA, unitB;

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

before(async () => {
  srv = await startServer();
  admin = await srv.admin();
  dir = mkdtempSync(join(tmpdir(), 'fanghu-incident-'));
  A = await createOrg(admin, { name: uniq('甲福建'), kind: 'telecom_provincial', province: '35' });
  B = await createOrg(admin, { name: uniq('乙集团'), kind: 'telecom_group', province: '11' });
  const R = await createOrg(admin, { name: uniq('福建省通信管理局'), kind: 'regulator_ca', province: '35', jurisdiction: [{ province: '35', kind: '*' }] });
  const R2 = await createOrg(admin, { name: uniq('广东省通信管理局'), kind: 'regulator_ca', province: '44', jurisdiction: [{ province: '44', kind: '*' }] });
  opA = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: A.id })).client;
  opB = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: B.id })).client;
  regR = (await userWithClient(srv, admin, { role: 'regulator', org_id: R.id })).client;
  regR2 = (await userWithClient(srv, admin, { role: 'regulator', org_id: R2.id })).client;
  const mk = async (client, org, name) => {
    const r = await client.post('/api/v1/units', { org_id: org, name: uniq(name), unit_type: 'internet', status: 'online' });
    assert.equal(r.status, 201, `POST /units: ${r}`);
    return r.json.id;
  };
  unitA = await mk(opA, A.id, '福建IDC');
  unitCiiA = await mk(opA, A.id, '福建核心网');
  const c = await opA.put(`/api/v1/units/${unitCiiA}/cii`, { cii: true, authority: '工业和信息化部', date: '2024-01-10' });
  assert.equal(c.status, 200, `cii: ${c}`);
  unitB = await mk(opB, B.id, '乙单元');
});

after(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (srv) await srv.close();
});

function incident(fields = {}) {
  return {
    org_id: A.id, title: uniq('DDoS攻击事件'), category: 'attack', grade: 'large',
    detected_at: '2026-02-12T09:30:00+08:00', ...fields,
  };
}

async function create(client, fields) {
  const r = await client.post('/api/v1/incidents', incident(fields));
  assert.equal(r.status, 201, `POST /incidents: ${r}`);
  return r.json;
}

/** The duties of an incident or a drill (subject:id), by key suffix. */
async function duties(subject, id, client = admin) {
  const r = await client.get(`/api/v1/duties?limit=500&from=2000-01-01`);
  assert.equal(r.status, 200, `GET /duties: ${r}`);
  const out = {};
  for (const d of r.json.items) {
    const prefix = `${subject}:${id}:`;
    if (d.key.startsWith(prefix)) out[d.key.slice(prefix.length)] = d;
  }
  return out;
}

const deadline = (inc, key) => inc.deadlines.find((d) => d.key === key);

test('较大: 属地通信管理局 within 1 hour, CAC within 4 hours, 总结报告 10 working days after the response', async () => {
  const inc = await create(opA, {
    title: uniq('省内用户信息泄露'), category: 'data', pi_leaked: 1200000,
    response_started_at: '2026-02-12T10:00:00+08:00', response_ended_at: '2026-02-13T18:00:00+08:00',
    unit_ids: [unitA], orgs_affected: '某政企客户',
  });
  assert.equal(inc.grade, 'large');
  assert.equal(inc.grade_name, '较大');
  assert.equal(inc.suggested_grade, 'large', 'the helper: 120万 users ≥ 100万 → 较大');
  assert.equal(inc.grade_inputs.pi_leaked, 1200000);
  assert.equal(inc.status, 'closed', 'status follows the response times');
  assert.deepEqual(inc.units.map((u) => u.id), [unitA]);
  assert.equal(inc.report_recipient, 'local_ca');
  assert.match(inc.report_recipient_name, /^属地通信管理局（福建省通信管理局）$/);
  assert.equal(inc.report_due_at, '2026-02-12T10:30:00+08:00');
  assert.equal(inc.report_status, 'overdue');
  const cac = deadline(inc, 'cac');
  assert.ok(cac, 'CAC deadline for 较大 after 2025-11-01');
  assert.equal(cac.due_at, '2026-02-12T13:30:00+08:00');
  assert.equal(cac.within, '发现后4小时内');
  assert.match(cac.recipient_name, /网信/);
  const summary = deadline(inc, 'summary');
  assert.equal(summary.due_date, '2026-03-05', '2026-02-13 + 10 working days across the Spring Festival');
  assert.equal(summary.due_at, null);
  assert.equal(summary.recipient, 'local_ca');

  let d = await duties('incident', inc.id);
  assert.deepEqual(Object.keys(d).sort(), ['cac', 'report', 'summary']);
  assert.equal(d.report.due_date, '2026-02-12');
  assert.match(d.report.title, /属地通信管理局/);
  assert.doesNotMatch(d.report.title, /工业和信息化部/);
  assert.match(d.report.fulfils, /福建省通信管理局/);
  assert.equal(d.report.source, '工网安函〔2025〕331号 §七');
  assert.equal(d.report.state, 'overdue');
  assert.equal(d.report.org_id, A.id);
  assert.match(d.cac.title, /网信部门/);
  assert.equal(d.cac.due_date, '2026-02-12');
  assert.equal(d.summary.due_date, '2026-03-05');
  assert.equal(d.summary.title, '网络安全事件总结报告');

  // Reports fulfil their duties: on time, late, and the summary.
  let r = await opA.post(`/api/v1/incidents/${inc.id}/reports`, { kind: 'immediate', recipient: 'local_ca', sent_at: '2026-02-12T10:15:00+08:00', method: 'phone', note: '电话报告值班人员' });
  assert.equal(r.status, 201, `report: ${r}`);
  assert.equal(r.json.report_status, 'done');
  assert.equal(r.json.reports[0].recipient_name, '属地通信管理局（福建省通信管理局）');
  assert.equal(r.json.reports[0].method_name, '电话');
  r = await opA.post(`/api/v1/incidents/${inc.id}/reports`, { kind: 'immediate', recipient: 'cac', recipient_name: '福建省委网信办', sent_at: '2026-02-12T14:00:00+08:00', method: 'email' });
  assert.equal(r.status, 201, `cac report: ${r}`);
  assert.equal(deadline(r.json, 'cac').state, 'done_late');
  r = await opA.post(`/api/v1/incidents/${inc.id}/reports`, { kind: 'summary', recipient: 'local_ca', sent_at: '2026-03-02T16:00:00+08:00', method: 'document' });
  assert.equal(r.status, 201, `summary report: ${r}`);
  assert.equal(deadline(r.json, 'summary').state, 'done');
  d = await duties('incident', inc.id);
  assert.equal(d.report.done_at, '2026-02-12');
  assert.equal(d.report.state, 'done');
  assert.equal(d.cac.done_at, '2026-02-12');
  assert.equal(d.summary.done_at, '2026-03-02');

  // Withdrawing a report reopens its duty.
  const rid = r.json.reports.find((x) => x.kind === 'summary').id;
  r = await opA.del(`/api/v1/incidents/${inc.id}/reports/${rid}`);
  assert.equal(r.status, 200, `withdraw: ${r}`);
  assert.equal(deadline(r.json, 'summary').state, 'overdue');
  d = await duties('incident', inc.id);
  assert.equal(d.summary.done_at, null);
  assertError(await opA.del(`/api/v1/incidents/${inc.id}/reports/${rid}`), 404, 'not_found');
});

test('worked case across the National Day week: ended 2025-09-26 → 总结报告 due 2025-10-16; no CAC before 2025-11-01', async () => {
  const inc = await create(opA, {
    detected_at: '2025-09-25T20:10:00+08:00', response_started_at: '2025-09-25T20:30:00+08:00',
    response_ended_at: '2025-09-26T17:00:00+08:00',
  });
  assert.equal(deadline(inc, 'summary').due_date, '2025-10-16');
  assert.equal(deadline(inc, 'cac'), undefined, 'CAC rules apply from 2025-11-01');
  const d = await duties('incident', inc.id);
  assert.deepEqual(Object.keys(d).sort(), ['report', 'summary']);
  assert.equal(d.summary.due_date, '2025-10-16');
});

test('重大 routes to 工业和信息化部网络安全管理局; a report to the local bureau does not fulfil it', async () => {
  const inc = await create(opA, { grade: 'major', outage_scope: 'multi_province', users_affected: 3000000, detected_at: '2026-03-02T08:00:00+08:00' });
  assert.equal(inc.suggested_grade, 'major');
  assert.equal(inc.report_recipient, 'miit');
  assert.equal(inc.report_recipient_name, '工业和信息化部网络安全管理局');
  assert.equal(deadline(inc, 'cac').due_at, '2026-03-02T12:00:00+08:00');
  let d = await duties('incident', inc.id);
  assert.match(d.report.title, /工业和信息化部网络安全管理局/);
  let r = await opA.post(`/api/v1/incidents/${inc.id}/reports`, { kind: 'immediate', recipient: 'local_ca', sent_at: '2026-03-02T08:20:00+08:00', method: 'phone' });
  assert.equal(r.status, 201);
  assert.equal(r.json.report_status, 'overdue');
  r = await opA.post(`/api/v1/incidents/${inc.id}/reports`, { kind: 'immediate', recipient: 'miit', sent_at: '2026-03-02T08:40:00+08:00', method: 'system' });
  assert.equal(r.json.report_status, 'done');
  d = await duties('incident', inc.id);
  assert.equal(d.report.done_at, '2026-03-02');

  // Downgraded to 一般 by the user: the recipient follows; the grade change is on the timeline.
  r = await opA.patch(`/api/v1/incidents/${inc.id}`, { grade: 'general' });
  assert.equal(r.status, 200, `patch: ${r}`);
  assert.equal(r.json.report_recipient, 'local_ca');
  assert.equal(r.json.report_status, 'done', 'the local bureau was told at 08:20');
  assert.equal(deadline(r.json, 'cac'), undefined, 'no CAC report below 较大');
  assert.ok(r.json.warnings.some((w) => w.code === 'grade_differs' && w.field === 'grade'));
  const t = await opA.get(`/api/v1/incidents/${inc.id}/timeline`);
  assert.ok(t.json.items.some((e) => e.kind === 'grade' && e.title.includes('重大 → 一般')), JSON.stringify(t.json.items));
});

test('CII involved: the CAC report is due within 1 hour', async () => {
  const inc = await create(opA, { cii: true, unit_ids: [unitCiiA], detected_at: '2026-03-10T08:00:00+08:00' });
  const cac = deadline(inc, 'cac');
  assert.equal(cac.due_at, '2026-03-10T09:00:00+08:00');
  assert.equal(cac.within, '发现后1小时内');
  const d = await duties('incident', inc.id);
  assert.match(d.cac.fulfils, /1小时内/);
  // A CII unit affected but cii not set: a warning, the flag stays the user's.
  const w = await create(opA, { unit_ids: [unitCiiA], detected_at: '2026-03-10T08:00:00+08:00' });
  assert.equal(w.cii, false);
  assert.equal(deadline(w, 'cac').due_at, '2026-03-10T12:00:00+08:00');
  assert.ok(w.warnings.some((x) => x.code === 'cii_unit'));
});

test('an incident just detected is pending, due one hour after detection', async () => {
  const detected = new Date(Date.now() - 10 * 60e3);
  const iso = new Date(detected.getTime() + 8 * 3600e3).toISOString().slice(0, 19) + '+08:00';
  const inc = await create(opA, { detected_at: iso, grade: 'general' });
  assert.equal(inc.detected_at, iso);
  assert.equal(inc.report_status, 'pending');
  const due = new Date(detected.getTime() + 3600e3 + 8 * 3600e3).toISOString().slice(0, 19) + '+08:00';
  assert.equal(inc.report_due_at, due);
  assert.equal(inc.status, 'open');
  assert.equal(deadline(inc, 'summary').state, 'waiting');
  const d = await duties('incident', inc.id);
  assert.deepEqual(Object.keys(d), ['report'], 'no summary duty before the response ends');
});

test('a summary deadline in a year without a holiday notice is a visible error, not a guess', async () => {
  const years = (await opA.get('/api/v1/calendar')).json.years;
  assert.ok(!years.includes(2006), 'no notice for 2006 (the State Council notices start with 2007)');
  const inc = await create(opA, {
    detected_at: '2006-06-01T09:00:00+08:00', response_started_at: '2006-06-01T09:30:00+08:00',
    response_ended_at: '2006-06-02T12:00:00+08:00',
  });
  const s = deadline(inc, 'summary');
  assert.equal(s.state, 'error');
  assert.equal(s.due_date, null);
  assert.match(s.error, /2006/);
  assert.ok(inc.warnings.some((w) => w.code === 'calendar_missing' && w.field === 'response_ended_at' && /2006/.test(w.message)));
  const d = await duties('incident', inc.id);
  assert.deepEqual(Object.keys(d), ['report'], 'no summary duty on a guessed date');
  // A year with a notice: the deadline appears.
  const r = await opA.patch(`/api/v1/incidents/${inc.id}`, { detected_at: '2025-06-01T09:00:00+08:00', response_started_at: '2025-06-01T09:30:00+08:00', response_ended_at: '2025-06-02T12:00:00+08:00' });
  assert.equal(r.status, 200, `patch: ${r}`);
  assert.equal(deadline(r.json, 'summary').due_date, '2025-06-16');
  assert.deepEqual(r.json.warnings, []);
});

test('bad input: 400 naming the field, nothing written', async () => {
  const before = await auditTotal(admin);
  const count = (await admin.get('/api/v1/incidents?limit=1')).json.total;
  const cases = [
    [{ response_started_at: '2026-02-12T10:00:00+08:00', response_ended_at: '2026-02-12T09:59:59+08:00' }, 'response_ended_at'],
    [{ grade: 'severe' }, 'grade'],
    [{ grade: '较大' }, 'grade'],
    [{ unit_ids: [unitB] }, 'unit_ids', 404],
    [{ unit_ids: [unitA, '99999999'] }, 'unit_ids', 404],
    [{ category: 'virus' }, 'category'],
    [{ response_started_at: '2026-02-12T09:00:00+08:00' }, 'response_started_at'],
    [{ response_ended_at: '2026-02-12T11:00:00+08:00' }, 'response_started_at'],
    [{ detected_at: '2099-01-01T00:00:00+08:00' }, 'detected_at'],
    [{ detected_at: '2026-02-30T00:00:00+08:00' }, 'detected_at'],
    [{ status: 'closed' }, 'status'],
    [{ status: 'responding' }, 'status'],
    [{ status: 'done' }, 'status'],
    [{ outage_scope: 'county' }, 'outage_scope'],
    [{ pi_leaked: -1 }, 'pi_leaked'],
    [{ org_id: B.id }, 'org_id', 404],
    [{ title: '' }, 'title'],
    [{ color: 'red' }, 'color'],
  ];
  // Another tenant's (or no) unit or organisation answers 404, as if it did not exist.
  for (const [fields, field, status = 400] of cases) {
    const r = await opA.post('/api/v1/incidents', incident(fields));
    assert.equal(r.status, status, `${JSON.stringify(fields)}: ${r}`);
    assert.equal(r.json.error.field, field, `${JSON.stringify(fields)}: ${r}`);
  }
  // PATCH and reports: the same rules, nothing changed.
  const inc = await create(opA, { response_started_at: '2026-02-12T10:00:00+08:00' });
  const mid = await auditTotal(admin);
  const p = await opA.patch(`/api/v1/incidents/${inc.id}`, { response_ended_at: '2026-02-12T09:00:00+08:00' });
  assertError(p, 400, 'validation_failed', 'response_ended_at');
  assertError(await opA.patch(`/api/v1/incidents/${inc.id}`, { grade: 'huge' }), 400, 'validation_failed', 'grade');
  assertError(await opA.patch(`/api/v1/incidents/${inc.id}`, { unit_ids: [unitB] }), 404, 'not_found', 'unit_ids');
  const reports = [
    [{ kind: 'immediate', recipient: 'local_ca', sent_at: '2026-02-12T09:00:00+08:00', method: 'phone' }, 'sent_at'],
    [{ kind: 'immediate', recipient: 'police', sent_at: '2026-02-12T10:00:00+08:00', method: 'phone' }, 'recipient'],
    [{ kind: 'immediate', recipient: 'local_ca', sent_at: '2026-02-12T10:00:00+08:00', method: 'fax' }, 'method'],
    [{ kind: 'summary', recipient: 'local_ca', sent_at: '2026-02-20T10:00:00+08:00', method: 'document' }, 'kind'],
    [{ kind: 'immediate', recipient: 'local_ca', sent_at: '2026-02-12T10:00:00+08:00', method: 'phone', file_id: '0'.repeat(64) }, 'file_id', 404],
  ];
  for (const [body, field, status = 400] of reports) {
    assertError(await opA.post(`/api/v1/incidents/${inc.id}/reports`, body), status, status === 404 ? 'not_found' : 'validation_failed', field);
  }
  const again = await opA.get(`/api/v1/incidents/${inc.id}`);
  assert.equal(again.json.response_ended_at, null);
  assert.equal(again.json.grade, 'large');
  assert.deepEqual(again.json.reports, []);
  assert.equal(await auditTotal(admin), mid, 'nothing audited after the valid create');
  assert.equal((await admin.get('/api/v1/incidents?limit=1')).json.total, count + 1);
  assert.equal(mid, before + 1, 'only the one valid incident was written');
});

test('another tenant gets 404 everywhere; the regulator sees incidents once reported', async () => {
  const inc = await create(opA, { title: uniq('未报告事件') });
  const plan = (await opA.post('/api/v1/emergency-plans', { org_id: A.id, title: uniq('预案') })).json;
  const drill = (await opA.post('/api/v1/drills', { org_id: A.id, drill_date: '2026-01-05', scenario: '勒索软件', items: [{ description: '补丁', owner: '张三', due_date: '2026-02-01' }] })).json;
  const item = drill.items[0].id;
  const reads = [
    `/api/v1/incidents/${inc.id}`, `/api/v1/incidents/${inc.id}/timeline`,
    `/api/v1/incidents/${inc.id}/summary-report.docx`, `/api/v1/incidents/${inc.id}/summary-report.pdf`,
    `/api/v1/emergency-plans/${plan.id}`, `/api/v1/drills/${drill.id}`,
  ];
  const writes = [
    ['patch', `/api/v1/incidents/${inc.id}`, { title: 'x' }],
    ['post', `/api/v1/incidents/${inc.id}/reports`, { kind: 'immediate', recipient: 'local_ca', sent_at: '2026-02-12T10:00:00+08:00', method: 'phone' }],
    ['del', `/api/v1/incidents/${inc.id}/reports/1`],
    ['patch', `/api/v1/emergency-plans/${plan.id}`, { title: 'x' }],
    ['post', `/api/v1/emergency-plans/${plan.id}/versions`, { version: 'v9' }],
    ['patch', `/api/v1/emergency-plans/${plan.id}/versions/1`, { notes: 'x' }],
    ['patch', `/api/v1/drills/${drill.id}`, { scenario: 'x' }],
    ['post', `/api/v1/drills/${drill.id}/items`, { description: 'x', owner: 'y', due_date: '2026-03-01' }],
    ['patch', `/api/v1/drills/${drill.id}/items/${item}`, { status: 'done' }],
  ];
  const audit = await auditTotal(admin);
  for (const c of [opB, regR2]) {
    for (const p of reads) assertError(await c.get(p), 404, 'not_found');
    for (const [m, p, body] of writes) {
      const r = m === 'del' ? await c.del(p) : await c[m](p, body);
      assertError(r, 404, 'not_found');
    }
    for (const p of ['/api/v1/incidents', '/api/v1/emergency-plans', '/api/v1/drills']) {
      const l = assertList(await c.get(p));
      assert.ok(!l.items.some((x) => [inc.id, plan.id, drill.id].includes(x.id) && x.org_id === A.id), `${p} leaks`);
    }
  }
  assert.equal(await auditTotal(admin), audit);
  for (const p of ['/api/v1/incidents/99999999', '/api/v1/incidents/abc', '/api/v1/drills/99999999', '/api/v1/emergency-plans/0']) {
    assertError(await opA.get(p), 404, 'not_found');
  }
  // B cannot create records for A, nor use A's units, plans or files.
  assertError(await opB.post('/api/v1/incidents', incident({ org_id: A.id })), 404, 'not_found', 'org_id');
  assertError(await opB.post('/api/v1/drills', { org_id: B.id, drill_date: '2026-01-05', scenario: 's', plan_id: plan.id }), 404, 'not_found', 'plan_id');

  // The jurisdiction's regulator: nothing before the first report, read-only after.
  assertError(await regR.get(`/api/v1/incidents/${inc.id}`), 404, 'not_found');
  assert.ok(!assertList(await regR.get(`/api/v1/incidents?org_id=${A.id}&limit=500`)).items.some((x) => x.id === inc.id));
  const rep = await opA.post(`/api/v1/incidents/${inc.id}/reports`, { kind: 'immediate', recipient: 'local_ca', sent_at: '2026-02-12T10:00:00+08:00', method: 'system' });
  assert.equal(rep.status, 201);
  const seen = await regR.get(`/api/v1/incidents/${inc.id}`);
  assert.equal(seen.status, 200, `regulator: ${seen}`);
  assert.ok(assertList(await regR.get(`/api/v1/incidents?org_id=${A.id}&limit=500`)).items.some((x) => x.id === inc.id));
  assert.equal((await regR.get(`/api/v1/incidents/${inc.id}/timeline`)).status, 200);
  assertError(await regR.patch(`/api/v1/incidents/${inc.id}`, { title: 'x' }), 403, 'forbidden');
  assertError(await regR.post('/api/v1/incidents', incident()), 403, 'forbidden');
  assert.equal((await regR.get(`/api/v1/emergency-plans/${plan.id}`)).status, 200);
  assert.equal((await regR.get(`/api/v1/drills/${drill.id}`)).status, 200);
  assertError(await regR.get(`/api/v1/incidents/stats?org_id=${A.id}&year=2026`), 403, 'forbidden');
  // Still nothing for the other province's regulator.
  assertError(await regR2.get(`/api/v1/incidents/${inc.id}`), 404, 'not_found');
});

test('timeline: detection, response, reports and status changes in time order', async () => {
  const inc = await create(opA, { detected_at: '2026-04-01T08:00:00+08:00', status: 'open' });
  let r = await opA.patch(`/api/v1/incidents/${inc.id}`, { response_started_at: '2026-04-01T08:30:00+08:00' });
  assert.equal(r.json.status, 'responding');
  await opA.post(`/api/v1/incidents/${inc.id}/reports`, { kind: 'immediate', recipient: 'local_ca', sent_at: '2026-04-01T08:45:00+08:00', method: 'phone' });
  await opA.post(`/api/v1/incidents/${inc.id}/reports`, { kind: 'progress', recipient: 'local_ca', sent_at: '2026-04-01T12:00:00+08:00', method: 'email' });
  r = await opA.patch(`/api/v1/incidents/${inc.id}`, { response_ended_at: '2026-04-02T18:00:00+08:00' });
  assert.equal(r.json.status, 'closed');
  // An explicit reopening is kept through later edits that leave the times alone.
  r = await opA.patch(`/api/v1/incidents/${inc.id}`, { status: 'responding' });
  assert.equal(r.json.status, 'responding');
  r = await opA.patch(`/api/v1/incidents/${inc.id}`, { measures: '封堵攻击源地址，扩容清洗能力' });
  assert.equal(r.json.status, 'responding');
  const t = assertList(await opA.get(`/api/v1/incidents/${inc.id}/timeline`));
  const kinds = t.items.map((e) => e.kind);
  assert.deepEqual(kinds.slice(0, 5), ['detected', 'response_started', 'report', 'report', 'response_ended']);
  for (let i = 1; i < t.items.length; i++) assert.ok(t.items[i - 1].at <= t.items[i].at, 'ordered by time');
  for (const e of t.items) assert.match(e.at, TIME_RE);
  assert.ok(t.items.some((e) => e.kind === 'created'));
  const statuses = t.items.filter((e) => e.kind === 'status').map((e) => e.title);
  assert.deepEqual(statuses, ['状态变更：待处置 → 应急处置中', '状态变更：应急处置中 → 已结束', '状态变更：已结束 → 应急处置中']);
  assert.match(t.items[2].title, /事件报告：报属地通信管理局（福建省通信管理局）（电话）/);
});

/** A binary download with the client's session. */
async function download(client, path) {
  const r = await fetch(srv.base + path, { headers: { cookie: client.cookieHeader() }, signal: AbortSignal.timeout(60000) });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

function run(cmd, args, timeout = 60000) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout });
  assert.ok(!r.error, `${cmd}: ${r.error}`);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const squash = (s) => s.replace(/\s+/g, '');

test('事件总结报告 as PDF and DOCX, read back', { timeout: 240000 }, async () => {
  const title = `${uniq('门户网站篡改')} <一期 & "二期">`;
  const inc = await create(opA, {
    title, category: 'attack', grade: 'large', unit_ids: [unitA], orgs_affected: '福建省某政务平台',
    detected_at: '2026-02-12T09:30:00+08:00', response_started_at: '2026-02-12T10:00:00+08:00',
    response_ended_at: '2026-02-13T18:00:00+08:00', pi_leaked: 150000,
    description: '门户网站首页被篡改，植入非法链接。', discovery: '监测平台告警后值班人员人工核实。',
    impact: '门户网站中断服务约六小时。', measures: '下线页面，恢复备份，封堵漏洞。',
    cause: '内容管理系统存在文件上传漏洞。', rectification: '升级内容管理系统，部署网页防篡改。',
  });
  await opA.post(`/api/v1/incidents/${inc.id}/reports`, { kind: 'immediate', recipient: 'local_ca', sent_at: '2026-02-12T10:10:00+08:00', method: 'phone', note: '首报' });
  const want = [
    squash(title) + '总结报告',
    '一、事件概况', '二、发生时间与发现经过', '三、影响范围', '四、处置过程与措施', '五、原因分析',
    '六、整改措施', '七、报告记录',
    '门户网站首页被篡改，植入非法链接。', '监测平台告警后值班人员人工核实。', '门户网站中断服务约六小时。',
    '下线页面，恢复备份，封堵漏洞。', '内容管理系统存在文件上传漏洞。', '升级内容管理系统，部署网页防篡改。',
    '较大', '网络攻击事件', '2026年2月12日9时30分', '2026年2月13日18时00分', '福建省某政务平台',
    '属地通信管理局（福建省通信管理局）', '首报', '150000户', '（2026年3月5日前）',
  ];
  const check = (text, what) => {
    const missing = want.filter((w) => !text.includes(w));
    assert.deepEqual(missing, [], `${what}: missing from the text:\n${text.slice(0, 3000)}`);
  };
  const pdf = await download(opA, `/api/v1/incidents/${inc.id}/summary-report.pdf`);
  assert.equal(pdf.status, 200, `pdf: ${pdf.status} ${pdf.body.toString().slice(0, 300)}`);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  assert.equal(pdf.body.subarray(0, 5).toString('latin1'), '%PDF-');
  const cd = decodeURIComponent((pdf.headers.get('content-disposition') || '').match(/filename\*=UTF-8''([^;]+)/)[1]);
  assert.equal(cd, `${title}总结报告.pdf`);
  writeFileSync(join(dir, 'summary.pdf'), pdf.body);
  check(pdfText(join(dir, 'summary.pdf')), 'PDF');

  const docx = await download(opA, `/api/v1/incidents/${inc.id}/summary-report.docx`);
  assert.equal(docx.status, 200);
  assert.equal(docx.headers.get('content-type'), DOCX_TYPE);
  assert.equal(docx.body.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
  const file = join(dir, 'summary.docx');
  writeFileSync(file, docx.body);
  run('soffice', [`-env:UserInstallation=file://${join(dir, 'lo-profile')}`, '--headless',
    '--convert-to', 'pdf', '--outdir', join(dir, 'lo'), file], 180000);
  const converted = join(dir, 'lo', 'summary.pdf');
  assert.ok(existsSync(converted), 'LibreOffice wrote no PDF');
  check(pdfText(converted), 'DOCX via LibreOffice');
});

test('emergency plans keep versions; the current one is the latest approved', async () => {
  const up = await opA.req('PUT', `/api/v1/files?name=${encodeURIComponent('应急预案.pdf')}`, {
    body: Buffer.from(`%PDF-1.4\n% ${uniq('plan')}\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n`), contentType: 'application/pdf',
  });
  assert.ok(up.status === 201 || up.status === 200, `upload: ${up}`);
  let r = await opA.post('/api/v1/emergency-plans', { org_id: A.id, title: '网络安全事件应急预案', scope: '本公司全部网络单元' });
  assert.equal(r.status, 201, `plan: ${r}`);
  const plan = r.json;
  assert.equal(plan.current, null);
  r = await opA.post(`/api/v1/emergency-plans/${plan.id}/versions`, { version: 'v1', approved_on: '2024-05-01', notes: '首次制定' });
  assert.equal(r.status, 201, `v1: ${r}`);
  r = await opA.post(`/api/v1/emergency-plans/${plan.id}/versions`, { version: 'v2', approved_on: '2025-06-01', file_id: up.json.id });
  assert.equal(r.status, 201, `v2: ${r}`);
  r = await opA.post(`/api/v1/emergency-plans/${plan.id}/versions`, { version: 'v3', notes: '修订稿，待审批' });
  assert.equal(r.status, 201);
  assert.equal(r.json.versions.length, 3);
  assert.equal(r.json.current.version, 'v2');
  assert.equal(r.json.current.file.id, up.json.id);
  assertError(await opA.post(`/api/v1/emergency-plans/${plan.id}/versions`, { version: 'v2' }), 409, 'conflict', 'version');
  assertError(await opA.post(`/api/v1/emergency-plans/${plan.id}/versions`, { version: 'v4', approved_on: '2099-01-01' }), 400, 'validation_failed', 'approved_on');
  const v3 = r.json.versions.find((v) => v.version === 'v3').id;
  r = await opA.patch(`/api/v1/emergency-plans/${plan.id}/versions/${v3}`, { approved_on: '2026-01-15' });
  assert.equal(r.status, 200, `approve v3: ${r}`);
  assert.equal(r.json.current.version, 'v3');
  // The regulator of the jurisdiction sees the plan and can download its file.
  const g = await regR.get(`/api/v1/emergency-plans/${plan.id}`);
  assert.equal(g.status, 200);
  assert.equal((await regR.get(`/api/v1/files/${up.json.id}`)).status, 200);
  assertError(await opA.patch(`/api/v1/emergency-plans/${plan.id}/versions/99999999`, { notes: 'x' }), 404, 'not_found');
  assertError(await opB.post(`/api/v1/emergency-plans`, { org_id: B.id, title: 'x', nope: 1 }), 400, 'unknown_field', 'nope');

  // A drill on the plan takes the version in force on its date.
  r = await opA.post('/api/v1/drills', {
    org_id: A.id, drill_date: '2025-03-01', scenario: '核心网遭受DDoS攻击', plan_id: plan.id,
    participants: ['网络安全部', '运维中心'], findings: '告警升级流程不清晰',
    items: [
      { description: '修订告警升级流程', owner: '王五', due_date: '2025-04-30' },
      { description: '补充清洗设备', owner: '赵六', due_date: '2027-06-30' },
    ],
  });
  assert.equal(r.status, 201, `drill: ${r}`);
  const drill = r.json;
  assert.equal(drill.plan.id, plan.id);
  assert.equal(drill.plan_version.version, 'v1', 'v2 was approved only after the drill');
  assert.deepEqual(drill.participants, ['网络安全部', '运维中心']);
  assert.equal(drill.open_items, 2);
  let d = await duties('drill', drill.id);
  const keys = Object.keys(d).sort();
  assert.equal(keys.length, 2);
  for (const k of keys) {
    assert.equal(d[k].title, '演练问题整改');
    assert.equal(d[k].source, '331号 §七');
    assert.equal(d[k].org_id, A.id);
  }
  const [first, second] = drill.items;
  assert.equal(d[`item:${first.id}`].due_date, '2025-04-30');
  assert.equal(d[`item:${first.id}`].state, 'overdue');
  assert.match(d[`item:${first.id}`].fulfils, /修订告警升级流程/);
  r = await opA.patch(`/api/v1/drills/${drill.id}/items/${first.id}`, { status: 'done' });
  assert.equal(r.status, 200, `item done: ${r}`);
  assert.equal(r.json.open_items, 1);
  d = await duties('drill', drill.id);
  assert.ok(d[`item:${first.id}`].done_at);
  assert.equal(d[`item:${second.id}`].done_at, null);
  r = await opA.post(`/api/v1/drills/${drill.id}/items`, { description: '开展复盘培训', owner: '钱七', due_date: '2026-12-31' });
  assert.equal(r.status, 201);
  assert.equal(Object.keys(await duties('drill', drill.id)).length, 3);
  // Bad input names the field and writes nothing.
  const audit = await auditTotal(admin);
  assertError(await opA.post(`/api/v1/drills/${drill.id}/items`, { description: 'x', owner: 'y', due_date: '2026-02-30' }), 400, 'validation_failed', 'due_date');
  assertError(await opA.patch(`/api/v1/drills/${drill.id}/items/${second.id}`, { status: 'closed' }), 400, 'validation_failed', 'status');
  assertError(await opA.patch(`/api/v1/drills/${drill.id}`, { drill_date: '2099-01-01' }), 400, 'validation_failed', 'drill_date');
  assertError(await opA.patch(`/api/v1/drills/${drill.id}`, { plan_version_id: '99999999' }), 404, 'not_found', 'plan_version_id');
  assertError(await opA.post('/api/v1/drills', { org_id: A.id, drill_date: '2025-03-01', scenario: 's', items: [{ description: 'x', owner: '' , due_date: '2025-01-01' }] }), 400, 'validation_failed', 'items');
  assertError(await opA.post('/api/v1/drills', { org_id: A.id, drill_date: '2025-03-01', scenario: 's', participants: ['', 'x'] }), 400, 'validation_failed', 'participants');
  assert.equal(await auditTotal(admin), audit);
  // Choosing the plan again takes its version in force on the date; a later date takes v3.
  r = await opA.patch(`/api/v1/drills/${drill.id}`, { drill_date: '2026-02-01', plan_id: plan.id });
  assert.equal(r.json.plan_version.version, 'v3');
  const list = assertList(await opA.get(`/api/v1/drills?org_id=${A.id}&year=2026`));
  assert.ok(list.items.some((x) => x.id === drill.id));
  assert.ok(assertList(await opA.get(`/api/v1/emergency-plans?org_id=${A.id}`)).items.some((x) => x.id === plan.id));
});

test('annual-report counts: plans, drills, incidents, 重大 and above in the last three years', async () => {
  const org = await createOrg(admin, { name: uniq('丙福建'), kind: 'telecom_provincial', province: '35' });
  const op = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: org.id })).client;
  const base = { org_id: org.id, title: uniq('事件'), category: 'malware' };
  for (const [grade, at] of [['major', '2026-01-10T10:00:00+08:00'], ['especially_major', '2024-05-01T10:00:00+08:00'],
    ['major', '2023-01-10T10:00:00+08:00'], ['large', '2026-02-01T10:00:00+08:00']]) {
    const r = await op.post('/api/v1/incidents', { ...base, grade, detected_at: at });
    assert.equal(r.status, 201, `${r}`);
  }
  const p = (await op.post('/api/v1/emergency-plans', { org_id: org.id, title: '预案' })).json;
  await op.post(`/api/v1/emergency-plans/${p.id}/versions`, { version: '2026版', approved_on: '2026-03-01' });
  await op.post('/api/v1/drills', { org_id: org.id, drill_date: '2026-04-01', scenario: '演练', items: [{ description: 'x', owner: 'y', due_date: '2026-05-01' }] });
  await op.post('/api/v1/drills', { org_id: org.id, drill_date: '2025-04-01', scenario: '演练' });
  const s = await op.get(`/api/v1/incidents/stats?org_id=${org.id}&year=2026`);
  assert.equal(s.status, 200, `${s}`);
  // (today − 3 years, today] in Asia/Shanghai
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  const from = `${Number(today.slice(0, 4)) - 3}${today.slice(4)}`;
  const majors = ['2026-01-10', '2024-05-01', '2023-01-10'].filter((d) => d > from && d <= today).length;
  assert.deepEqual({ ...s.json }, {
    org_id: org.id, year: 2026, plans: 1, plans_revised: 1, drills: 1, drill_items: 1, drill_items_open: 1,
    incidents: 2, incidents_reported: 0, major_in_last_3_years: majors,
  });
  assertError(await op.get(`/api/v1/incidents/stats?org_id=${A.id}&year=2026`), 404, 'not_found', 'org_id');
  assertError(await op.get(`/api/v1/incidents/stats?org_id=${org.id}&year=20x6`), 400, 'validation_failed', 'year');
});

test('grade helper and rules', async () => {
  let r = await opA.get('/api/v1/incidents/grade-suggestion?pi_leaked=10000000');
  assert.equal(r.status, 200);
  assert.equal(r.json.grade, 'major');
  r = await opA.get('/api/v1/incidents/grade-suggestion?pi_leaked=99999&outage_scope=province');
  assert.equal(r.json.grade, 'large');
  assert.equal(r.json.by_pi_leaked, null);
  r = await opA.get('/api/v1/incidents/grade-suggestion?pi_leaked=99999');
  assert.equal(r.json.grade, null);
  assertError(await opA.get('/api/v1/incidents/grade-suggestion?outage_scope=county'), 400, 'validation_failed', 'outage_scope');
  assertError(await opA.get('/api/v1/incidents/grade-suggestion?pi_leaked=-3'), 400, 'validation_failed', 'pi_leaked');
  r = await opA.get('/api/v1/incidents/rules');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.ruleset.pi_leaked_min, [100000, 1000000, 10000000, 100000000]);
  assert.equal(r.json.ruleset.summary_workdays, 10);
  assert.deepEqual(r.json.grades.map((g) => g.name), ['特别重大', '重大', '较大', '一般']);
  assert.equal(r.json.categories.length, 10);
});
