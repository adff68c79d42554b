// Threat notices (R8 通报 → 处置反馈 → 核验关闭; seed 000 §六, seed 004 第十条) and sharing (STIX 2.1).
// Two operator organisations of one province with declared ranges, a third in another province;
// the Suricata sample is posted through POST /api/v1/events (an events:write token), plus one
// line that gives the other province's organisation the same indicator. A regulator previews and
// sends one notice to every organisation in its jurisdiction showing the indicator ("一处发现、
// 全网处置"), each recipient with its own status; the loop acknowledge → feedback with evidence →
// reopen → feedback → close; an operator's security team notifying its own tree; overdue
// recipients on the issuer's board and as overdue duties; the STIX bundle checked object by
// object; other tenants' ids → 404 and bad input → 400/409 with nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import {
  startServer, createOrg, userWithClient, uniq, assertError, assertList, auditTotal, listAll, Soft,
} from './lib.mjs';
import { PNG, pdf, today, addDays } from './assess-fixtures.mjs';

const SAMPLE = process.env.FANGHU_EVE_SAMPLE || '/work/shared/data/samples/suricata-verify-eve-sample.json';
const IND = '1.1.1.1'; // seen by A (2.2.2.2) and B (8.8.8.8) in the sample, by X in the extra line
const X_LINE = JSON.stringify({
  timestamp: '2026-03-02T08:00:00.250000+0000', flow_id: 1, event_type: 'alert', src_ip: IND,
  src_port: 4444, dest_ip: '203.0.113.7', dest_port: 443, proto: 'TCP',
  alert: { action: 'allowed', gid: 1, signature_id: 9000001, rev: 1, signature: 'ET CNC Test Botnet Beacon', category: 'Malware Command and Control Activity Detected', severity: 1 },
});

let srv, admin;
const O = {}, U = {};
let threats = []; // every threat, as the system administrator sees them

const byOrg = (org, indicator) => threats.filter((t) => t.org_id === org.id && (!indicator || t.indicator === indicator));
const npath = (n, r) => `/api/v1/notices/${n.id}/recipients/${r.id}`;
const recipientOf = (notice, org) => notice.recipients.find((r) => r.org_id === org.id);

function sql(statement) {
  const r = srv.dbUrl
    ? spawnSync('psql', ['-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', srv.dbUrl, '-c', statement], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-cmd', '.timeout 5000', join(srv.dataDir, 'fanghu.db'), statement], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

async function unit(org, cidrs) {
  const r = await admin.post('/api/v1/units', { org_id: org.id, name: uniq('网络单元'), unit_type: 'internet', status: 'online', ip_ranges: cidrs });
  assert.equal(r.status, 201, `POST /units: ${r}`);
  return r.json;
}

async function upload(client, org, body, name) {
  const r = await client.req('PUT', `/api/v1/files?name=${encodeURIComponent(name)}&org_id=${org.id}`, { body, contentType: 'application/octet-stream' });
  assert.ok(r.status === 201 || r.status === 200, `upload: ${r}`);
  return r.json.id;
}

async function issue(client, body) {
  const r = await client.post('/api/v1/notices', { description: '请立即排查并处置相关主机，封堵恶意地址', deadline: addDays(today(), 7), ...body });
  assert.equal(r.status, 201, `POST /notices: ${r}`);
  return r.json;
}

async function counts() {
  return {
    audit: await auditTotal(admin),
    notices: assertList(await admin.get('/api/v1/notices')).total,
    duties: assertList(await admin.get('/api/v1/duties?kind=notice&limit=1')).total,
  };
}

before(async () => {
  srv = await startServer();
  admin = await srv.admin();
  O.R = await createOrg(admin, { name: uniq('福建省通信管理局'), kind: 'regulator_ca', province: '35', jurisdiction: [{ province: '35', kind: '*' }] });
  O.R2 = await createOrg(admin, { name: uniq('广东省通信管理局'), kind: 'regulator_ca', province: '44', jurisdiction: [{ province: '44', kind: '*' }] });
  O.G = await createOrg(admin, { name: uniq('甲集团'), kind: 'telecom_group', province: '35' });
  O.A = await createOrg(admin, { name: uniq('甲福建'), kind: 'telecom_provincial', province: '35', parent_id: O.G.id });
  O.B = await createOrg(admin, { name: uniq('增值乙'), kind: 'vas', province: '35' });
  O.X = await createOrg(admin, { name: uniq('广东增值'), kind: 'vas', province: '44' });
  U.reg = (await userWithClient(srv, admin, { role: 'regulator', org_id: O.R.id })).client;
  U.reg2 = (await userWithClient(srv, admin, { role: 'regulator', org_id: O.R2.id })).client;
  U.audR = (await userWithClient(srv, admin, { role: 'auditor', org_id: O.R.id })).client;
  for (const k of ['G', 'A', 'B', 'X']) U[k] = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: O[k].id })).client;
  U.staffA = (await userWithClient(srv, admin, { role: 'operator_staff', org_id: O.A.id })).client;
  await unit(O.A, ['2.2.2.2/32', '10.0.0.0/8', '2001:db8:1::/48']);
  await unit(O.B, ['8.8.8.0/24']);
  await unit(O.X, ['203.0.113.0/24']);

  const tok = await admin.post('/api/v1/tokens', { name: uniq('sensor'), scope: 'events:write' });
  assert.equal(tok.status, 201, `${tok}`);
  const sensor = srv.client();
  sensor.bearer = tok.json.token;
  const body = readFileSync(SAMPLE, 'utf8') + X_LINE + '\n';
  const r = await sensor.req('POST', '/api/v1/events', { body, contentType: 'application/x-ndjson' });
  assert.equal(r.status, 200, `POST /events: ${r}`);
  assert.ok(r.json.threats > 0, `${r}`);
  threats = (await listAll(admin, '/api/v1/threats')).items;
  assert.equal(byOrg(O.A, IND).length, 4, JSON.stringify(byOrg(O.A)));
  assert.equal(byOrg(O.B, IND).length, 2, JSON.stringify(byOrg(O.B)));
  assert.equal(byOrg(O.X, IND).length, 1);
});
after(async () => { await srv?.close(); });

// ---------------------------------------------------------------------------------------------
test('the same-indicator preview lists every organisation in the caller\'s scope showing it', async () => {
  const tA = byOrg(O.A, IND)[0];
  const sum = (org) => byOrg(org, IND).reduce((n, t) => n + t.event_count, 0);
  const view = async (client) => assertList(await client.get(`/api/v1/threats/${tA.id}/same-indicator`)).items;

  const reg = await view(U.reg);
  assert.deepEqual(reg.map((x) => [x.org_id, x.threats, x.event_count, x.indicator]),
    [[O.A.id, 4, sum(O.A), IND], [O.B.id, 2, sum(O.B), IND]].sort((a, b) => Number(a[0]) - Number(b[0])));
  assert.equal(reg.find((x) => x.org_id === O.A.id).org_name, O.A.name);
  assert.deepEqual((await view(admin)).map((x) => x.org_id).sort(), [O.A.id, O.B.id, O.X.id].sort());
  assert.deepEqual((await view(U.A)).map((x) => x.org_id), [O.A.id], 'an operator sees its own tree only');
  assert.deepEqual((await view(U.G)).map((x) => x.org_id), [O.A.id]);

  for (const [client, label] of [[U.reg2, 'another regulator'], [U.X, 'another province\'s operator'], [U.B, 'another operator']])
    assertError(await client.get(`/api/v1/threats/${tA.id}/same-indicator`), 404, 'not_found');
  assertError(await U.reg.get('/api/v1/threats/abc/same-indicator'), 404, 'not_found');
  assertError(await U.reg.get('/api/v1/threats/999999/same-indicator'), 404, 'not_found');
});

// ---------------------------------------------------------------------------------------------
test('bad input names the field and writes nothing', async () => {
  const tA = byOrg(O.A, IND)[0], tX = byOrg(O.X, IND)[0], tB = byOrg(O.B)[0];
  const body = { description: '通报内容', deadline: addDays(today(), 3), threat_ids: [tA.id] };
  const before0 = await counts();
  const soft = new Soft();
  const bad = [
    ['a deadline in the past', U.reg, { ...body, deadline: addDays(today(), -1) }, 400, 'validation_failed', 'deadline'],
    ['not a date', U.reg, { ...body, deadline: '2026-02-30' }, 400, 'validation_failed', 'deadline'],
    ['no deadline', U.reg, { ...body, deadline: undefined }, 400, 'validation_failed', 'deadline'],
    ['no description', U.reg, { ...body, description: '' }, 400, 'validation_failed', 'description'],
    ['no threats', U.reg, { ...body, threat_ids: [] }, 400, 'validation_failed', 'threat_ids'],
    ['threats missing', U.reg, { ...body, threat_ids: undefined }, 400, 'validation_failed', 'threat_ids'],
    ['not a threat id', U.reg, { ...body, threat_ids: ['abc'] }, 400, 'validation_failed', 'threat_ids'],
    ['a number instead of an id string', U.reg, { ...body, threat_ids: [Number(tA.id)] }, 400, 'validation_failed', 'threat_ids'],
    ['a threat outside the jurisdiction', U.reg, { ...body, threat_ids: [tA.id, tX.id] }, 404, 'not_found', 'threat_ids'],
    ['a threat that does not exist', U.reg, { ...body, threat_ids: ['99999999'] }, 404, 'not_found', 'threat_ids'],
    ['a threat outside the operator\'s tree', U.A, { ...body, threat_ids: [tB.id] }, 404, 'not_found', 'threat_ids'],
    ['same_indicator not a boolean', U.reg, { ...body, same_indicator: 'yes' }, 400, 'validation_failed', 'same_indicator'],
    ['an unknown field', U.reg, { ...body, org_ids: [O.A.id] }, 400, 'unknown_field', 'org_ids'],
    ['a title too long', U.reg, { ...body, title: '长'.repeat(100) }, 400, 'validation_failed', 'title'],
  ];
  for (const [label, client, b, status, code, field] of bad)
    await soft.run(label, async () => assertError(await client.post('/api/v1/notices', b), status, code, field));
  for (const [label, client] of [['the system administrator', admin], ['an auditor', U.audR]])
    await soft.run(label, async () => assertError(await client.post('/api/v1/notices', body), 403, 'forbidden'));
  await soft.run('not JSON', async () => assertError(await U.reg.req('POST', '/api/v1/notices', { body: '{"description":' }), 400, 'bad_json'));
  soft.done('notice refusals');
  assert.deepEqual(await counts(), before0, 'nothing written');
  for (const k of ['status', 'limit'])
    assertError(await U.reg.get(`/api/v1/notices?${k}=bogus`), 400, 'validation_failed', k);
});

// ---------------------------------------------------------------------------------------------
test('一处发现、全网处置: one notice to every organisation with the indicator, each with its own status through the loop', async () => {
  const tA = byOrg(O.A, IND)[0];
  const deadline = addDays(today(), 10);
  const n = await issue(U.reg, { title: uniq('僵尸网络控制端通报'), threat_ids: [tA.id], same_indicator: true, deadline });
  assert.deepEqual([n.issuer_org_id, n.issuer_side, n.deadline, n.same_indicator, n.indicators], [O.R.id, 'regulator', deadline, true, [IND]]);
  assert.deepEqual(n.recipients.map((r) => r.org_id).sort(), [O.A.id, O.B.id].sort(), 'X is outside the jurisdiction');
  assert.deepEqual(n.summary, { recipients: 2, closed: 0, overdue: 0 });
  let rA = recipientOf(n, O.A), rB = recipientOf(n, O.B);
  assert.deepEqual([rA.status, rA.reason, rB.status, rB.reason], ['issued', 'selected', 'issued', 'same_indicator']);
  assert.deepEqual(rA.threats.map((t) => t.id).sort(), byOrg(O.A, IND).map((t) => t.id).sort());
  assert.deepEqual(rA.threats.filter((t) => t.selected).map((t) => t.id), [tA.id]);
  assert.deepEqual(rB.threats.map((t) => t.id).sort(), byOrg(O.B, IND).map((t) => t.id).sort());

  // each recipient sees the notice with its own recipient only; other tenants do not see it
  const seen = async (client) => (await client.get(`/api/v1/notices/${n.id}`)).json.recipients.map((r) => r.org_id);
  assert.deepEqual(await seen(U.A), [O.A.id]);
  assert.deepEqual(await seen(U.B), [O.B.id]);
  assert.equal((await seen(U.reg)).length, 2);
  for (const client of [U.X, U.reg2]) {
    assertError(await client.get(`/api/v1/notices/${n.id}`), 404, 'not_found');
    assert.equal(assertList(await client.get('/api/v1/notices')).total, 0);
  }
  assert.equal(assertList(await U.B.get(`/api/v1/notices?org_id=${O.B.id}&status=issued`)).total, 1);
  assertError(await U.B.get(npath(n, rA)), 404, 'not_found');

  // the duty of each recipient
  const duty = async (client, org, r) => assertList(await client.get(`/api/v1/duties?org_id=${org.id}&kind=notice&limit=500`)).items.find((d) => d.key === `notice:${n.id}:recipient:${r.id}`);
  const dA = await duty(U.A, O.A, rA);
  assert.ok(dA, 'A owes the disposal');
  assert.deepEqual([dA.title, dA.due_date, dA.source, dA.done_at, dA.state], ['威胁通报处置', deadline, '331号 §六；实施细则第十条', null, 'due_soon']);
  assert.ok(await duty(U.B, O.B, rB));

  // transitions not allowed from the current status, and the wrong side: refused, nothing written
  let c0 = await counts();
  assertError(await U.A.post(`${npath(n, rA)}/feedback`, { measures: 'x', result: 'y' }), 409, 'conflict', 'status');
  assertError(await U.reg.post(`${npath(n, rA)}/close`, {}), 409, 'conflict', 'status');
  assertError(await U.reg.post(`${npath(n, rA)}/acknowledge`, {}), 403, 'forbidden');
  assertError(await U.B.post(`${npath(n, rA)}/acknowledge`, {}), 404, 'not_found');
  assertError(await U.A.post(`${npath(n, rA)}/acknowledge`, { note: 'x' }), 400, 'unknown_field', 'note');
  assert.deepEqual(await counts(), c0);

  let r = await U.staffA.post(`${npath(n, rA)}/acknowledge`);
  assert.equal(r.status, 200, `${r}`);
  assert.deepEqual([r.json.status, r.json.acknowledged_by], ['acknowledged', U.staffA.username]);
  assertError(await U.A.post(`${npath(n, rA)}/acknowledge`, {}), 409, 'conflict', 'status');

  // feedback: evidence must be a file the caller sees
  const own = await upload(U.A, O.A, PNG, '封堵截图.png');
  const foreign = await upload(U.B, O.B, pdf(), '乙单位报告.pdf');
  c0 = await counts();
  const fb = { measures: '已在出口防火墙封堵 1.1.1.1，并对受控主机查杀', result: '已处置，未再发现告警' };
  assertError(await U.A.post(`${npath(n, rA)}/feedback`, { ...fb, evidence_file_ids: [foreign] }), 404, 'not_found', 'evidence_file_ids');
  assertError(await U.A.post(`${npath(n, rA)}/feedback`, { ...fb, evidence_file_ids: ['xyz'] }), 400, 'validation_failed', 'evidence_file_ids');
  assertError(await U.A.post(`${npath(n, rA)}/feedback`, { ...fb, evidence_file_ids: [own, own] }), 400, 'validation_failed', 'evidence_file_ids');
  assertError(await U.A.post(`${npath(n, rA)}/feedback`, { ...fb, result: '' }), 400, 'validation_failed', 'result');
  assertError(await U.A.post(`${npath(n, rA)}/feedback`, { result: 'x' }), 400, 'validation_failed', 'measures');
  assert.deepEqual(await counts(), c0);
  assert.equal((await U.A.get(npath(n, rA))).json.status, 'acknowledged');

  r = await U.A.post(`${npath(n, rA)}/feedback`, { ...fb, evidence_file_ids: [own] });
  assert.equal(r.status, 200, `${r}`);
  assert.deepEqual([r.json.status, r.json.rounds, r.json.feedback.length], ['feedback_submitted', 1, 1]);
  assert.deepEqual(r.json.feedback[0].evidence.map((f) => [f.id, f.name, f.org_id]), [[own, '封堵截图.png', O.A.id]]);
  assert.equal(r.json.feedback[0].verdict, null);
  // the issuer can read the evidence
  const dl = await U.reg.get(`/api/v1/files/${own}`);
  assert.equal(dl.status, 200, `${dl}`);

  // the issuer verifies: reopened with a reason (back to acknowledged)
  assertError(await U.A.post(`${npath(n, rA)}/close`, {}), 403, 'forbidden');
  assertError(await U.A.post(`${npath(n, rA)}/reopen`, { reason: 'x' }), 403, 'forbidden');
  assertError(await U.reg.post(`${npath(n, rA)}/reopen`, {}), 400, 'validation_failed', 'reason');
  assertError(await U.reg.post(`${npath(n, rA)}/reopen`, { reason: '  ' }), 400, 'validation_failed', 'reason');
  r = await U.reg.post(`${npath(n, rA)}/reopen`, { reason: '受控主机仍有外联，请彻底清除' });
  assert.equal(r.status, 200, `${r}`);
  assert.deepEqual([r.json.status, r.json.feedback[0].verdict, r.json.feedback[0].verdict_note], ['acknowledged', 'reopened', '受控主机仍有外联，请彻底清除']);
  assertError(await U.reg.post(`${npath(n, rA)}/close`, {}), 409, 'conflict', 'status');

  // feedback again, then closed
  const report = await upload(U.A, O.A, pdf(), '处置报告.pdf');
  r = await U.A.post(`${npath(n, rA)}/feedback`, { measures: '重装受控主机系统，更换口令', result: '复测无告警', evidence_file_ids: [report, own] });
  assert.deepEqual([r.status, r.json.status, r.json.rounds], [200, 'feedback_submitted', 2]);
  assert.deepEqual(r.json.feedback[1].evidence.map((f) => f.id), [report, own]);
  r = await U.reg.post(`${npath(n, rA)}/close`, { note: '核验通过' });
  assert.equal(r.status, 200, `${r}`);
  assert.deepEqual([r.json.status, r.json.closed_on, r.json.closed_late, r.json.overdue], ['closed', today(), false, false]);
  assert.deepEqual([r.json.feedback[1].verdict, r.json.feedback[1].verdict_note], ['closed', '核验通过']);
  c0 = await counts();
  assertError(await U.reg.post(`${npath(n, rA)}/close`, {}), 409, 'conflict', 'status');
  assertError(await U.reg.post(`${npath(n, rA)}/reopen`, { reason: '再查' }), 409, 'conflict', 'status');
  assertError(await U.A.post(`${npath(n, rA)}/feedback`, fb), 409, 'conflict', 'status');
  assert.deepEqual(await counts(), c0);

  // B's recipient is untouched; A's duty is gone with the closing, B's remains
  const full = (await U.reg.get(`/api/v1/notices/${n.id}`)).json;
  assert.deepEqual([recipientOf(full, O.A).status, recipientOf(full, O.B).status], ['closed', 'issued']);
  assert.deepEqual(full.summary, { recipients: 2, closed: 1, overdue: 0 });
  assert.equal(await duty(U.A, O.A, rA), undefined);
  assert.ok(await duty(U.B, O.B, rB));

  // every transition audited, for the recipient organisation
  const hist = assertList(await admin.get(`/api/v1/audit?entity=notice_recipient&entity_id=${rA.id}&limit=50`)).items;
  assert.deepEqual(hist.map((a) => a.action).reverse(),
    ['notice.deliver', 'notice.acknowledge', 'notice.feedback', 'notice.reopen', 'notice.feedback', 'notice.close']);
  const reopen = hist.find((a) => a.action === 'notice.reopen');
  assert.deepEqual([reopen.before.status, reopen.after.status, reopen.after.verdict.note], ['feedback_submitted', 'acknowledged', '受控主机仍有外联，请彻底清除']);
  assert.equal(assertList(await admin.get(`/api/v1/audit?action=notice.issue&entity_id=${n.id}`)).total, 1);
  assert.ok(assertList(await U.audR.get(`/api/v1/audit?action=notice.issue&entity_id=${n.id}`)).total >= 1, 'the regulator\'s auditor sees the issue');

  // a recipient of one notice under another notice's id: 404
  const other = await issue(U.reg, { threat_ids: [byOrg(O.B)[0].id] });
  assertError(await U.reg.get(`/api/v1/notices/${other.id}/recipients/${rA.id}`), 404, 'not_found');
  assertError(await U.A.post(`/api/v1/notices/${other.id}/recipients/${rA.id}/acknowledge`), 404, 'not_found');
});

// ---------------------------------------------------------------------------------------------
test('an operator\'s security team notifies its own tree', async () => {
  const tA = byOrg(O.A, IND)[1];
  const n = await issue(U.G, { threat_ids: [tA.id], same_indicator: true });
  assert.deepEqual([n.issuer_side, n.issuer_org_id, n.recipients.map((r) => r.org_id)], ['operator', O.G.id, [O.A.id]], 'B is not in G\'s tree');
  const rA = n.recipients[0];
  assert.equal((await U.A.post(`${npath(n, rA)}/acknowledge`)).status, 200);
  assert.equal((await U.A.post(`${npath(n, rA)}/feedback`, { measures: '封堵', result: '完成' })).status, 200);
  assertError(await U.A.post(`${npath(n, rA)}/close`), 403, 'forbidden');
  assertError(await U.reg.post(`${npath(n, rA)}/close`), 403, 'forbidden');
  const r = await U.G.post(`${npath(n, rA)}/close`);
  assert.deepEqual([r.status, r.json.status], [200, 'closed']);
  assertError(await U.B.get(`/api/v1/notices/${n.id}`), 404, 'not_found');
  assertError(await U.X.get(`/api/v1/notices/${n.id}`), 404, 'not_found');
  assert.ok(assertList(await U.G.get(`/api/v1/notices?issuer_org_id=${O.G.id}`)).items.some((x) => x.id === n.id));
});

// ---------------------------------------------------------------------------------------------
test('recipients not closed by the deadline are on the issuer\'s overdue board and overdue duties', async () => {
  const n1 = await issue(U.reg, { title: uniq('通报一'), threat_ids: [byOrg(O.B, '192.168.2.2')[0].id], deadline: today() });
  const n2 = await issue(U.reg, { title: uniq('通报二'), threat_ids: [byOrg(O.A, '9.9.9.9')[0].id], deadline: today() });
  const [r1, r2] = [n1.recipients[0], n2.recipients[0]];
  const board = async (client) => assertList(await client.get('/api/v1/notices/overdue?limit=500')).items;
  assert.ok(!(await board(U.reg)).some((x) => x.id === r1.id || x.id === r2.id), 'not overdue on its last day');

  // The deadline passes: a black-box test cannot wait, so the stored deadlines are moved back and
  // the duties are rebuilt as the daily job does. n2's is older, so it comes first.
  sql(`UPDATE notices SET deadline = '2025-01-10' WHERE id = ${Number(n1.id)}`);
  sql(`UPDATE notices SET deadline = '2025-01-05' WHERE id = ${Number(n2.id)}`);
  const rc = srv.cli(['duty', 'recompute', ...srv.cliArgs()]);
  assert.equal(rc.status, 0, rc.stderr);

  const items = await board(U.reg);
  const mine = items.filter((x) => x.id === r1.id || x.id === r2.id);
  assert.deepEqual(mine.map((x) => [x.id, x.deadline, x.overdue, x.overdue_name, x.status]),
    [[r2.id, '2025-01-05', true, '逾期未整改', 'issued'], [r1.id, '2025-01-10', true, '逾期未整改', 'issued']]);
  const deadlines = items.map((x) => x.deadline);
  assert.deepEqual(deadlines, [...deadlines].sort(), 'oldest first');
  assert.ok(items.every((x) => x.overdue && x.status !== 'closed'));
  assert.ok(mine[0].days_left < 0);
  assert.deepEqual(mine.map((x) => x.issuer_org_id), [O.R.id, O.R.id]);
  // in the issuer's scope only
  for (const client of [U.reg2, U.X, U.B, U.G])
    assert.ok(!(await board(client)).some((x) => x.id === r1.id || x.id === r2.id));
  assert.ok((await board(admin)).some((x) => x.id === r1.id));

  // the recipient's duty is overdue
  const duties = assertList(await U.B.get(`/api/v1/duties?org_id=${O.B.id}&state=overdue&limit=500`)).items;
  const d = duties.find((x) => x.key === `notice:${n1.id}:recipient:${r1.id}`);
  assert.ok(d, JSON.stringify(duties.map((x) => x.key)));
  assert.deepEqual([d.state, d.due_date, d.title, d.org_id], ['overdue', '2025-01-10', '威胁通报处置', O.B.id]);
  // the lists say so too
  const list = assertList(await U.reg.get('/api/v1/notices?status=overdue&limit=500')).items;
  assert.ok(list.some((x) => x.id === n1.id && x.summary.overdue === 1));
  const one = (await U.B.get(`/api/v1/notices/${n1.id}`)).json;
  assert.deepEqual([one.recipients[0].overdue, one.summary.overdue], [true, 1]);

  // closed late: off the board, duty gone, closed_late on record
  assert.equal((await U.B.post(`${npath(n1, r1)}/acknowledge`)).status, 200);
  assert.equal((await U.B.post(`${npath(n1, r1)}/feedback`, { measures: '已封堵', result: '完成' })).status, 200);
  assert.ok((await board(U.reg)).some((x) => x.id === r1.id), 'feedback alone does not take it off the board');
  const closed = await U.reg.post(`${npath(n1, r1)}/close`);
  assert.deepEqual([closed.json.status, closed.json.closed_late, closed.json.overdue], ['closed', true, false]);
  assert.ok(!(await board(U.reg)).some((x) => x.id === r1.id));
  assert.ok(!assertList(await U.B.get(`/api/v1/duties?org_id=${O.B.id}&limit=500`)).items.some((x) => x.key === d.key));
});

// ---------------------------------------------------------------------------------------------
// STIX 2.1: the structure of every object (required properties, id formats, timestamps,
// references resolved inside the bundle), deterministic ids recomputed here.
const STIX_NS = '00abedb4-aa42-466c-9c01-fed23315a9b7';
const FANGHU_NS = '78a3696b-e0fe-58cd-88de-fd3f13b7021b';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const STIX_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const INDICATOR_TYPES = ['anomalous-activity', 'anonymization', 'benign', 'compromised', 'malicious-activity', 'attribution', 'unknown'];

function uuid5(ns, name) {
  const h = createHash('sha1').update(Buffer.concat([Buffer.from(ns.replace(/-/g, ''), 'hex'), Buffer.from(name, 'utf8')])).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
// "2022-01-26T05:38:21.448899+08:00" → "2022-01-25T21:38:21.448Z"
const utcMs = (t) => new Date(t.replace(/(\.\d{3})\d*/, '$1')).toISOString();

function checkBundle(b) {
  assert.deepEqual(Object.keys(b).sort(), ['id', 'objects', 'type']);
  assert.equal(b.type, 'bundle');
  assert.match(b.id, new RegExp(`^bundle--${UUID}$`));
  assert.ok(Array.isArray(b.objects) && b.objects.length > 0);
  const byId = new Map();
  for (const o of b.objects) {
    assert.ok(!byId.has(o.id), `duplicate id ${o.id}`);
    byId.set(o.id, o);
  }
  const ref = (id, type) => {
    assert.ok(byId.has(id), `dangling reference ${id}`);
    assert.equal(byId.get(id).type, type, `${id} should be a ${type}`);
  };
  const ts = (o, k) => assert.match(o[k], STIX_TS, `${o.type}.${k}: ${o[k]}`);
  const required = {
    identity: ['name'],
    indicator: ['pattern', 'pattern_type', 'valid_from'],
    'observed-data': ['first_observed', 'last_observed', 'number_observed', 'object_refs'],
    sighting: ['sighting_of_ref'],
    'ipv4-addr': ['value'],
    'ipv6-addr': ['value'],
  };
  for (const o of b.objects) {
    assert.ok(o.type in required, `unexpected type ${o.type}`);
    assert.match(o.id, new RegExp(`^${o.type}--${UUID}$`));
    assert.equal(o.spec_version, '2.1');
    for (const k of required[o.type]) assert.ok(o[k] !== undefined && o[k] !== null, `${o.type} lacks ${k}`);
    if (o.type.endsWith('-addr')) {
      assert.ok(o.type === 'ipv4-addr' ? net.isIPv4(o.value) : net.isIPv6(o.value), o.value);
      assert.equal(o.id, `${o.type}--${uuid5(STIX_NS, JSON.stringify({ value: o.value }))}`, 'SCO id per STIX 2.1 §2.9');
      continue;
    }
    // SDOs and SROs
    ts(o, 'created');
    ts(o, 'modified');
    assert.ok(o.modified >= o.created, `${o.id}: modified before created`);
    if (o.created_by_ref) ref(o.created_by_ref, 'identity');
    if (o.type === 'indicator') {
      const m = /^\[(ipv4-addr|ipv6-addr):value = '([^']+)'\]$/.exec(o.pattern);
      assert.ok(m, o.pattern);
      assert.ok(m[1] === 'ipv4-addr' ? net.isIPv4(m[2]) : net.isIPv6(m[2]));
      assert.equal(o.pattern_type, 'stix');
      ts(o, 'valid_from');
      assert.ok(Array.isArray(o.indicator_types) && o.indicator_types.length && o.indicator_types.every((t) => INDICATOR_TYPES.includes(t)));
      assert.ok(Array.isArray(o.labels) && o.labels.length && o.labels.every((l) => typeof l === 'string' && l));
      for (const e of o.external_references || []) assert.equal(typeof e.source_name, 'string');
    }
    if (o.type === 'observed-data') {
      ts(o, 'first_observed');
      ts(o, 'last_observed');
      assert.ok(o.first_observed <= o.last_observed);
      assert.ok(Number.isInteger(o.number_observed) && o.number_observed >= 1 && o.number_observed <= 999999999);
      assert.ok(o.object_refs.length > 0 && o.object_refs.every((id) => byId.has(id) && byId.get(id).type.endsWith('-addr')));
      assert.equal(o.objects, undefined, 'objects is deprecated in 2.1');
    }
    if (o.type === 'sighting') {
      ref(o.sighting_of_ref, 'indicator');
      for (const id of o.observed_data_refs || []) ref(id, 'observed-data');
      for (const id of o.where_sighted_refs || []) ref(id, 'identity');
      ts(o, 'first_seen');
      ts(o, 'last_seen');
      assert.ok(o.first_seen <= o.last_seen);
      assert.ok(Number.isInteger(o.count) && o.count >= 0 && o.count <= 999999999);
    }
  }
  return byId;
}

// The three objects of a threat, found by their deterministic ids, against the threat itself.
function checkThreat(byId, t) {
  const key = `threat:${t.org_id}:${t.unit_id ?? 0}:${t.signature_id}:${t.indicator}`;
  const ind = byId.get(`indicator--${uuid5(FANGHU_NS, `indicator|${key}`)}`);
  const obs = byId.get(`observed-data--${uuid5(FANGHU_NS, `observed-data|${key}`)}`);
  const sig = byId.get(`sighting--${uuid5(FANGHU_NS, `sighting|${key}`)}`);
  assert.ok(ind && obs && sig, `objects of threat ${t.id}`);
  const type = net.isIPv4(t.indicator) ? 'ipv4-addr' : 'ipv6-addr';
  assert.equal(ind.pattern, `[${type}:value = '${t.indicator}']`);
  assert.deepEqual([ind.valid_from, obs.first_observed, obs.last_observed, sig.first_seen, sig.last_seen],
    [utcMs(t.first_seen), utcMs(t.first_seen), utcMs(t.last_seen), utcMs(t.first_seen), utcMs(t.last_seen)]);
  assert.deepEqual([ind.created, ind.modified], [utcMs(t.created_at), utcMs(t.updated_at)]);
  assert.deepEqual([obs.number_observed, sig.count], [t.event_count, t.event_count]);
  assert.ok(ind.labels.includes(t.category) && ind.labels.includes(t.category_name));
  assert.equal(sig.sighting_of_ref, ind.id);
  assert.deepEqual(sig.observed_data_refs, [obs.id]);
  assert.deepEqual(obs.object_refs, [`${type}--${uuid5(STIX_NS, JSON.stringify({ value: t.indicator }))}`]);
  return { ind, obs, sig };
}

test('STIX 2.1 bundle: structure, deterministic ids, counts and first/last seen; scoped', async () => {
  const picked = [byOrg(O.A, IND)[0], byOrg(O.B, IND)[0], threats.find((t) => t.org_id === O.A.id && net.isIPv6(t.indicator))].filter(Boolean);
  assert.equal(picked.length, 3, 'an IPv6 threat in the sample');
  const url = `/api/v1/threats/stix?ids=${picked.map((t) => t.id).join(',')}`;
  const r = await U.reg.get(url);
  assert.equal(r.status, 200, `${r}`);
  assert.equal(r.headers.get('x-total-count'), '3');
  const byId = checkBundle(r.json);
  const types = r.json.objects.map((o) => o.type);
  assert.deepEqual([types.filter((t) => t === 'identity').length, types.filter((t) => t === 'indicator').length,
    types.filter((t) => t === 'observed-data').length, types.filter((t) => t === 'sighting').length], [1, 3, 3, 3]);
  assert.equal(types.filter((t) => t === 'ipv4-addr').length, 1, 'one SCO for 1.1.1.1, shared');
  assert.equal(types.filter((t) => t === 'ipv6-addr').length, 1);
  for (const t of picked) checkThreat(byId, t);
  const c2 = threats.find((t) => t.org_id === O.X.id);
  assert.equal(c2.category, 'c2');

  // re-exported: the same objects, a new bundle id
  const again = await U.reg.get(url);
  assert.deepEqual(again.json.objects, r.json.objects);
  assert.notEqual(again.json.id, r.json.id);

  // filters, in scope: the regulator does not get X's threat of the same indicator
  const f = await U.reg.get(`/api/v1/threats/stix?indicator=${IND}`);
  assert.equal(f.status, 200, `${f}`);
  const fById = checkBundle(f.json);
  assert.equal(f.headers.get('x-total-count'), '6');
  assert.equal(f.json.objects.filter((o) => o.type === 'indicator').length, 6);
  for (const t of [...byOrg(O.A, IND), ...byOrg(O.B, IND)]) checkThreat(fById, t);
  const all = await admin.get(`/api/v1/threats/stix?indicator=${IND}`);
  const xObjs = checkThreat(checkBundle(all.json), c2);
  assert.deepEqual(xObjs.ind.indicator_types, ['malicious-activity']);
  assert.deepEqual([xObjs.ind.valid_from, xObjs.ind.name], ['2026-03-02T08:00:00.250Z', 'ET CNC Test Botnet Beacon']);
  const limited = await admin.get(`/api/v1/threats/stix?indicator=${IND}&limit=2`);
  assert.deepEqual([limited.headers.get('x-total-count'), limited.json.objects.filter((o) => o.type === 'indicator').length], ['7', 2]);
  const org = await U.reg.get(`/api/v1/threats/stix?org_id=${O.B.id}&category=${byOrg(O.B)[0].category}`);
  checkBundle(org.json);
  assert.ok(org.json.objects.filter((o) => o.type === 'indicator').length >= 1);
  // nothing matches: a bundle of the identity alone
  const none = await U.X.get(`/api/v1/threats/stix?org_id=${O.A.id}`);
  assert.deepEqual([none.status, none.json.objects.map((o) => o.type)], [200, ['identity']]);

  // other tenants' ids and bad input
  assertError(await U.reg2.get(url), 404, 'not_found', 'ids');
  assertError(await U.B.get(url), 404, 'not_found', 'ids');
  for (const [q, field] of [['ids=1,,2', 'ids'], ['ids=abc', 'ids'], ['ids=-1', 'ids'], [`ids=${picked[0].id}&indicator=${IND}`, 'ids'], ['limit=0', 'limit'], ['limit=2001', 'limit']])
    assertError(await U.reg.get(`/api/v1/threats/stix?${q}`), 400, 'validation_failed', field);
  assertError(await U.reg.get(`/api/v1/threats/stix?ids=${Array.from({ length: 501 }, (_, i) => i + 1).join(',')}`), 400, 'validation_failed', 'ids');
});

// ---------------------------------------------------------------------------------------------
test('other tenants\' ids answer 404 on every notice endpoint', async () => {
  const n = await issue(U.reg, { threat_ids: [byOrg(O.A, IND)[2].id] });
  const rA = n.recipients[0];
  const c0 = await counts();
  const soft = new Soft();
  const writes = [['acknowledge', {}], ['feedback', { measures: 'x', result: 'y' }], ['close', {}], ['reopen', { reason: 'x' }]];
  for (const [label, client] of [['another regulator', U.reg2], ['another province\'s operator', U.X], ['another operator', U.B]]) {
    await soft.run(`${label}: get`, async () => assertError(await client.get(`/api/v1/notices/${n.id}`), 404, 'not_found'));
    await soft.run(`${label}: recipient`, async () => assertError(await client.get(npath(n, rA)), 404, 'not_found'));
    for (const [verb, body] of writes)
      await soft.run(`${label}: ${verb}`, async () => assertError(await client.post(`${npath(n, rA)}/${verb}`, body), 404, 'not_found'));
    await soft.run(`${label}: list`, async () => assert.ok(!assertList(await client.get('/api/v1/notices?limit=500')).items.some((x) => x.id === n.id)));
    await soft.run(`${label}: filtered by the recipient`, async () => assert.equal(assertList(await client.get(`/api/v1/notices?org_id=${O.A.id}`)).total, 0));
  }
  for (const p of ['/api/v1/notices/abc', '/api/v1/notices/99999999', `/api/v1/notices/${n.id}/recipients/abc`, `/api/v1/notices/${n.id}/recipients/99999999`])
    await soft.run(p, async () => assertError(await U.reg.get(p), 404, 'not_found'));
  soft.done('tenant isolation');
  assert.deepEqual(await counts(), c0, 'nothing written');
  // the recipient's own side sees it
  assert.equal((await U.A.get(npath(n, rA))).status, 200);
});
