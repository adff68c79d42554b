// 风险评估 (seed 000 §四, annex 3; R7): assessments per unit with 业务/资产/威胁/脆弱性/已有安全措施,
// risks computed on the server (the worked case 4,3,5 → 4,4,16,高; nothing taken from the client),
// the matrix method over versioned tables, treatment plans, the pre-launch duty, submission
// fulfilling the risk_submit duty, and another tenant's ids answering 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertList, auditTotal, Soft, uniq } from './lib.mjs';
import { tenants, unit, today, addDays, uploadReport, duties } from './assess-fixtures.mjs';

let srv, admin, O, U, uA1, uB;

before(async () => {
  srv = await startServer();
  admin = await srv.admin();
  ({ O, U } = await tenants(srv, admin));
  uA1 = await unit(U.opA, O.A1.id);
  uB = await unit(U.opB, O.B.id);
});
after(async () => { await srv?.close(); });

async function createRA(client, unitId, extra = {}) {
  const r = await client.post(`/api/v1/units/${unitId}/risk-assessments`, {
    scope: '互联网出入口及核心业务系统', started_on: addDays(today(), -10), ...extra,
  });
  assert.equal(r.status, 201, `create risk assessment: ${r}`);
  return r.json;
}

async function add(client, raId, kind, body, status = 201) {
  const r = await client.post(`/api/v1/risk-assessments/${raId}/${kind}`, body);
  assert.equal(r.status, status, `POST ${kind}: ${r}`);
  return r.json;
}

/** One asset (C/I/A), one threat, one vulnerability; returns their ids and the risk. */
async function chain(client, raId, { c = 4, i = 4, a = 4, frequency = 3, severity = 5 } = {}) {
  const biz = await add(client, raId, 'business', { name: uniq('业务'), importance: 4 });
  const asset = await add(client, raId, 'assets', { name: uniq('核心路由器'), kind: '网络设备', business_id: biz.id, confidentiality: c, integrity: i, availability: a });
  const threat = await add(client, raId, 'threats', { name: uniq('远程攻击'), category: '恶意代码', frequency });
  const vuln = await add(client, raId, 'vulns', { name: uniq('弱口令'), asset_id: asset.id, threat_id: threat.id, severity });
  const risks = assertList(await client.get(`/api/v1/risk-assessments/${raId}/risks`)).items;
  return { biz, asset, threat, vuln, risk: risks.find((r) => r.vuln_id === vuln.id) };
}

test('R7 worked case through the API: Ia = 4 (C/I/A 4,4,4), T = 3, Va = 5 → L 4, F 4, R 16, 高', async () => {
  const ra = await createRA(U.opA, uA1.id);
  assert.equal(ra.method, 'multiply');
  assert.equal(ra.table_version, 'R7-multiply');
  assert.equal(ra.status, 'in_progress');
  assert.deepEqual([ra.assets, ra.threats, ra.vulns, ra.controls, ra.risks, ra.files], [[], [], [], [], [], []]);
  const { asset, vuln, risk } = await chain(U.opA, ra.id);
  assert.equal(asset.value, 4, 'asset value by R1\'s S rule: 2^4·3 = 48 → 4');
  assert.deepEqual(
    [risk.asset_value, risk.threat_frequency, risk.severity, risk.likelihood, risk.loss, risk.value, risk.level, risk.level_name, risk.method, risk.table_version],
    [4, 3, 5, 4, 4, 16, 4, '高', 'multiply', 'R7-multiply']);
  const calc = await U.regR.get('/api/v1/risk/compute?asset=4&threat=3&vuln=5');
  assert.equal(calc.status, 200);
  assert.deepEqual([calc.json.likelihood, calc.json.loss, calc.json.value, calc.json.level_name], [4, 4, 16, '高']);
  assertError(await U.regR.get('/api/v1/risk/compute?asset=6&threat=3&vuln=5'), 400, 'validation_failed', 'asset');

  // A change of a rating recomputes the risk on the server.
  const t = await U.opA.patch(`/api/v1/risk-assessments/${ra.id}/vulns/${vuln.id}`, { severity: 1 });
  assert.equal(t.status, 200, `${t}`);
  const after = assertList(await U.opA.get(`/api/v1/risk-assessments/${ra.id}/risks`)).items.find((r) => r.vuln_id === vuln.id);
  assert.deepEqual([after.likelihood, after.loss, after.value, after.level_name], [2, 2, 4, '很低']);
  const full = (await U.regR.get(`/api/v1/risk-assessments/${ra.id}`)).json;
  assert.equal(full.summary.total, 1);
  assert.equal(full.business_entries.length, 1);
  assert.equal(full.summary.by_level[0].count, 1);
});

test('ratings outside 1..5 and client-computed values are refused; nothing is written', async () => {
  const ra = await createRA(U.opA, uA1.id);
  const { asset, threat, vuln } = await chain(U.opA, ra.id);
  const audits = await auditTotal(admin);
  const soft = new Soft();
  const p = `/api/v1/risk-assessments/${ra.id}`;
  const cases = [
    ['assets', { name: 'x', confidentiality: 6, integrity: 1, availability: 1 }, 'confidentiality'],
    ['assets', { name: 'x', confidentiality: 1, integrity: 0, availability: 1 }, 'integrity'],
    ['assets', { name: 'x', confidentiality: 1, integrity: 1, availability: 2.5 }, 'availability'],
    ['assets', { name: 'x', confidentiality: 1, integrity: 1 }, 'availability'],
    ['threats', { name: 'x', frequency: 0 }, 'frequency'],
    ['vulns', { name: 'x', asset_id: asset.id, threat_id: threat.id, severity: 9 }, 'severity'],
    ['business', { name: 'x', importance: 7 }, 'importance'],
  ];
  for (const [kind, body, field] of cases) {
    await soft.run(`${kind} ${JSON.stringify(body)}`, async () => assertError(await U.opA.post(`${p}/${kind}`, body), 400, 'validation_failed', field));
  }
  await soft.run('asset value from the client', async () => assertError(await U.opA.post(`${p}/assets`, { name: 'x', confidentiality: 1, integrity: 1, availability: 1, value: 5 }), 400, 'unknown_field', 'value'));
  await soft.run('risk level from the client', async () => assertError(await U.opA.patch(`${p}/vulns/${vuln.id}`, { level: 5 }), 400, 'unknown_field', 'level'));
  await soft.run('PATCH rating out of range', async () => assertError(await U.opA.patch(`${p}/assets/${asset.id}`, { availability: 6 }), 400, 'validation_failed', 'availability'));
  await soft.run('PATCH a required rating to null', async () => assertError(await U.opA.patch(`${p}/threats/${threat.id}`, { frequency: null }), 400, 'validation_failed', 'frequency'));
  await soft.run('unknown table', async () => assertError(await U.opA.post(`${p}/hazards`, { name: 'x' }), 404, 'not_found'));
  // References must stay inside the assessment.
  const other = await createRA(U.opA, uA1.id);
  const foreign = await chain(U.opA, other.id);
  const audits2 = await auditTotal(admin);
  await soft.run('vulnerability on another assessment\'s asset', async () => assertError(await U.opA.post(`${p}/vulns`, { name: 'x', asset_id: foreign.asset.id, threat_id: threat.id, severity: 3 }), 400, 'validation_failed', 'asset_id'));
  await soft.run('PATCH to another assessment\'s threat', async () => assertError(await U.opA.patch(`${p}/vulns/${vuln.id}`, { threat_id: foreign.threat.id }), 400, 'validation_failed', 'threat_id'));
  await soft.run('control on another assessment\'s vulnerability', async () => assertError(await U.opA.post(`${p}/controls`, { description: 'x', vuln_id: foreign.vuln.id }), 400, 'validation_failed', 'vuln_id'));
  await soft.run('a row of another assessment is 404 here', async () => assertError(await U.opA.patch(`${p}/assets/${foreign.asset.id}`, { name: 'y' }), 404, 'not_found'));
  await soft.run('risk assessment dates out of order', async () => assertError(await U.opA.post(`/api/v1/units/${uA1.id}/risk-assessments`, { started_on: today(), ended_on: addDays(today(), -1) }), 400, 'validation_failed', 'started_on'));
  await soft.run('risk assessment ending in the future', async () => assertError(await U.opA.patch(p, { ended_on: addDays(today(), 3) }), 400, 'validation_failed', 'ended_on'));
  await soft.run('unknown method', async () => assertError(await U.opA.patch(p, { method: 'guess' }), 400, 'validation_failed', 'method'));
  soft.done('refusals');
  assert.equal(await auditTotal(admin), audits2);
  assert.equal(audits2 - audits, 5, 'only the second assessment and its four rows were written');
  const risks = assertList(await U.opA.get(`${p}/risks`)).items;
  assert.equal(risks.length, 1);
  assert.equal(risks[0].value, 16, 'unchanged');
});

test('deleting rows: in use → 409; a vulnerability takes its risk with it', async () => {
  const ra = await createRA(U.opA, uA1.id);
  const { biz, asset, threat, vuln } = await chain(U.opA, ra.id);
  const ctl = await add(U.opA, ra.id, 'controls', { description: '已部署防火墙并限制管理地址', vuln_id: vuln.id });
  const p = `/api/v1/risk-assessments/${ra.id}`;
  assertError(await U.opA.del(`${p}/assets/${asset.id}`), 409, 'conflict');
  assertError(await U.opA.del(`${p}/threats/${threat.id}`), 409, 'conflict');
  assertError(await U.opA.del(`${p}/business/${biz.id}`), 409, 'conflict');
  assertError(await U.opA.del(`${p}/vulns/${vuln.id}`), 409, 'conflict');
  assert.equal((await U.opA.del(`${p}/controls/${ctl.id}`)).status, 204);
  assert.equal((await U.opA.del(`${p}/vulns/${vuln.id}`)).status, 204);
  assert.equal(assertList(await U.opA.get(`${p}/risks`)).total, 0);
  assert.equal((await U.opA.del(`${p}/assets/${asset.id}`)).status, 204);
  assert.equal((await U.opA.del(`${p}/threats/${threat.id}`)).status, 204);
  assert.equal((await U.opA.del(`${p}/business/${biz.id}`)).status, 204);
  assertError(await U.opA.del(`${p}/business/${biz.id}`), 404, 'not_found');
  assert.equal((await U.opA.del(p)).status, 204);
  assertError(await U.opA.get(p), 404, 'not_found');
});

test('matrix method: versioned tables, the version stored with each risk, sysadmin only', async () => {
  let m = await U.opA.get('/api/v1/risk-matrices');
  assert.equal(m.status, 200);
  const builtin = m.json.items.find((x) => x.builtin);
  assert.equal(m.json.current, builtin.version);
  const ra1 = await createRA(U.opA, uA1.id, { method: 'matrix' });
  assert.equal(ra1.table_version, builtin.version);
  const c1 = await chain(U.opA, ra1.id);
  // default tables: L = likelihood[T-1][Va-1] = [3][5] → 4; F = loss[Ia-1][Va-1] = [4][5] → 5; risk[4][5] = 23 → level 4 (band_min 19..23)
  assert.deepEqual([c1.risk.likelihood, c1.risk.loss, c1.risk.value, c1.risk.level_name, c1.risk.method, c1.risk.table_version],
    [builtin.likelihood[2][4], builtin.loss[3][4], builtin.risk[builtin.likelihood[2][4] - 1][builtin.loss[3][4] - 1], '高', 'matrix', builtin.version]);

  const version = uniq('矩阵');
  const flat = (v) => Array.from({ length: 5 }, () => Array(5).fill(v));
  const table = { version, source: '本单位评估方法 2026 版', likelihood: flat(2), loss: flat(3), risk: flat(10), band_min: [1, 5, 9, 15, 20] };
  const audits = await auditTotal(admin);
  const soft = new Soft();
  await soft.run('operator cannot replace', async () => assertError(await U.opA.put('/api/v1/risk-matrices', table), 403, 'forbidden'));
  await soft.run('regulator cannot replace', async () => assertError(await U.regR.put('/api/v1/risk-matrices', table), 403, 'forbidden'));
  await soft.run('four rows', async () => assertError(await admin.put('/api/v1/risk-matrices', { ...table, likelihood: flat(2).slice(1) }), 400, 'validation_failed', 'likelihood'));
  await soft.run('a level outside 1..5', async () => assertError(await admin.put('/api/v1/risk-matrices', { ...table, loss: flat(6) }), 400, 'validation_failed', 'matrix'));
  await soft.run('bands not rising', async () => assertError(await admin.put('/api/v1/risk-matrices', { ...table, band_min: [1, 5, 5, 15, 20] }), 400, 'validation_failed', 'matrix'));
  await soft.run('the built-in version', async () => assertError(await admin.put('/api/v1/risk-matrices', { ...table, version: builtin.version }), 409, 'conflict', 'version'));
  soft.done('matrix refusals');
  assert.equal(await auditTotal(admin), audits);
  m = await admin.put('/api/v1/risk-matrices', table);
  assert.equal(m.status, 201, `${m}`);
  assert.equal(m.json.current, version);
  assert.equal(await auditTotal(admin), audits + 1);
  assertError(await admin.put('/api/v1/risk-matrices', table), 409, 'conflict', 'version');

  const ra2 = await createRA(U.opA, uA1.id, { method: 'matrix' });
  assert.equal(ra2.table_version, version);
  const c2 = await chain(U.opA, ra2.id);
  assert.deepEqual([c2.risk.likelihood, c2.risk.loss, c2.risk.value, c2.risk.level, c2.risk.table_version], [2, 3, 10, 3, version]);
  // The first assessment keeps its table: a recompute gives the same result under the old version.
  await U.opA.patch(`/api/v1/risk-assessments/${ra1.id}/threats/${c1.threat.id}`, { name: '改名' });
  const r1 = assertList(await U.opA.get(`/api/v1/risk-assessments/${ra1.id}/risks`)).items[0];
  assert.equal(r1.table_version, builtin.version);
  assert.equal(r1.value, c1.risk.value);
  // Switching an assessment's method takes the current table and recomputes.
  const sw = await U.opA.patch(`/api/v1/risk-assessments/${ra1.id}`, { method: 'multiply' });
  assert.equal(sw.status, 200, `${sw}`);
  assert.equal(sw.json.table_version, 'R7-multiply');
  assert.equal(sw.json.risks[0].value, 16);
});

test('treatment plan, pre-launch duty, submission fulfils the risk_submit duty', async () => {
  const planned = await unit(U.opA, O.A1.id, { status: 'planned', online_date: addDays(today(), 40) });
  const online = (await U.opA.get(`/api/v1/units/${uA1.id}`)).json;
  assert.equal(online.status, 'online');
  assertError(await U.opA.post(`/api/v1/units/${uA1.id}/risk-assessments`, { started_on: today(), pre_launch: true }), 400, 'validation_failed', 'pre_launch');
  const pre = await duties(admin, 'risk_assessment', planned.id);
  assert.ok(pre.some((d) => d.key === `unit:${planned.id}:risk_prelaunch`), `the unit owes a pre-launch assessment: ${JSON.stringify(pre)}`);

  const ra = await createRA(U.staffA1, planned.id, { pre_launch: true });
  assert.equal(ra.pre_launch, true);
  const { risk } = await chain(U.staffA1, ra.id);
  const low = await chain(U.staffA1, ra.id, { c: 1, i: 1, a: 1, frequency: 1, severity: 1 });
  assert.equal(low.risk.level_name, '很低');
  const p = `/api/v1/risk-assessments/${ra.id}`;
  assert.equal((await duties(admin, 'risk_submit', planned.id)).length, 0, 'no submission duty before the end');
  let r = await U.staffA1.patch(p, { ended_on: today(), conclusion: '发现高风险 1 项，已制定整改计划', criteria: '中及以上风险须处置' });
  assert.equal(r.status, 200, `${r}`);
  let due = (await duties(admin, 'risk_submit', planned.id)).filter((d) => d.key === `risk:${ra.id}:submit`);
  assert.equal(due.length, 1, 'the submission duty appears when the assessment ends');
  assert.equal(due[0].due_date, addDays(today(), 30));
  assert.ok(!(await duties(admin, 'risk_assessment', planned.id)).some((d) => d.key === `unit:${planned.id}:risk_prelaunch`), 'an ended pre-launch assessment fulfils the pre-launch duty');

  const audits = await auditTotal(admin);
  const soft = new Soft();
  const treat = (rid, body) => U.staffA1.put(`${p}/risks/${rid}/treatment`, body);
  await soft.run('unknown action', async () => assertError(await treat(risk.id, { action: 'ignore', owner: '张三' }), 400, 'validation_failed', 'action'));
  await soft.run('mitigate without a due date', async () => assertError(await treat(risk.id, { action: 'mitigate', owner: '张三' }), 400, 'validation_failed', 'due_date'));
  await soft.run('no owner', async () => assertError(await treat(risk.id, { action: 'accept' }), 400, 'validation_failed', 'owner'));
  await soft.run('unknown status', async () => assertError(await treat(risk.id, { action: 'accept', owner: 'x', status: 'later' }), 400, 'validation_failed', 'status'));
  await soft.run('a risk of another assessment', async () => assertError(await treat('999999', { action: 'accept', owner: 'x' }), 404, 'not_found'));
  await soft.run('submit with an untreated 高 risk', async () => assertError(await U.staffA1.post(`${p}/submit`, { submitted_to: '福建省通信管理局' }), 400, 'validation_failed', 'risks'));
  soft.done('treatment refusals');
  assert.equal(await auditTotal(admin), audits);

  r = await treat(risk.id, { action: 'mitigate', owner: '网络部 张三', due_date: addDays(today(), 60), note: '更换强口令并启用双因素' });
  assert.equal(r.status, 200, `${r}`);
  const treated = r.json.items.find((x) => x.id === risk.id);
  assert.equal(treated.treatment.action_name, '降低（整改）');
  assert.equal(treated.treatment.status, 'open');
  assertError(await U.staffA1.post(`${p}/submit`, { submitted_to: '福建省通信管理局' }), 400, 'validation_failed', 'report');
  r = await U.staffA1.post(`${p}/files`, { file_id: await uploadReport(U.staffA1, '风险评估报告.pdf'), role: 'report' });
  assert.equal(r.status, 201, `${r}`);
  assert.equal(r.json.summary.untreated, 0, 'the 很低 risk needs no plan');
  r = await U.staffA1.post(`${p}/submit`, { submitted_to: '福建省通信管理局' });
  assert.equal(r.status, 200, `${r}`);
  assert.equal(r.json.status, 'submitted');
  due = (await duties(admin, 'risk_submit', planned.id)).filter((d) => d.key === `risk:${ra.id}:submit`);
  assert.equal(due.length, 0, 'the submission duty disappears after submission');

  // Submitted: the assessment is frozen, the plan's execution is still tracked.
  assertError(await U.staffA1.patch(p, { scope: 'x' }), 409, 'conflict');
  assertError(await U.staffA1.post(`${p}/threats`, { name: 'x', frequency: 2 }), 409, 'conflict');
  assertError(await U.staffA1.del(p), 409, 'conflict');
  assertError(await U.staffA1.post(`${p}/submit`, { submitted_to: 'x' }), 409, 'conflict');
  r = await treat(risk.id, { action: 'mitigate', owner: '网络部 张三', due_date: addDays(today(), 60), status: 'done' });
  assert.equal(r.status, 200);
  const final = (await U.regR.get(p)).json;
  assert.equal(final.risks.find((x) => x.id === risk.id).treatment.status_name, '已完成');
  assert.ok(assertList(await U.regR.get('/api/v1/risk-assessments?pre_launch=true&status=submitted')).items.some((x) => x.id === ra.id));
});

test('another tenant\'s ids → 404 on every endpoint; read-only roles → 403; nothing changes', async () => {
  const ra = await createRA(U.opA, uA1.id);
  const { asset, risk } = await chain(U.opA, ra.id);
  const linked = await U.opA.post(`/api/v1/risk-assessments/${ra.id}/files`, { file_id: await uploadReport(U.opA), role: 'evidence' });
  assert.equal(linked.status, 201, `${linked}`);
  const linkId = linked.json.files[0].link_id, fileId = linked.json.files[0].file_id;
  const audits = await auditTotal(admin);
  const p = `/api/v1/risk-assessments/${ra.id}`;
  const calls = [
    ['GET', p], ['PATCH', p, { scope: 'x' }], ['DELETE', p],
    ['GET', `${p}/assets`], ['POST', `${p}/threats`, { name: 'x', frequency: 2 }],
    ['PATCH', `${p}/assets/${asset.id}`, { name: 'x' }], ['DELETE', `${p}/assets/${asset.id}`],
    ['GET', `${p}/risks`], ['PUT', `${p}/risks/${risk.id}/treatment`, { action: 'accept', owner: 'x' }],
    ['POST', `${p}/files`, { file_id: fileId, role: 'report' }], ['DELETE', `${p}/files/${linkId}`],
    ['POST', `${p}/submit`, { submitted_to: 'x' }],
    ['GET', `/api/v1/units/${uA1.id}/risk-assessments`], ['POST', `/api/v1/units/${uA1.id}/risk-assessments`, { started_on: today() }],
    ['GET', `/api/v1/files/${fileId}`],
  ];
  const soft = new Soft();
  for (const who of ['opB', 'regR2']) {
    for (const [method, path, json] of calls) {
      await soft.run(`${who} ${method} ${path}`, async () => assertError(await U[who].req(method, path, json ? { json } : {}), 404, 'not_found'));
    }
  }
  for (const [method, path, json] of calls.filter(([m]) => m !== 'GET')) {
    await soft.run(`regR ${method} ${path}`, async () => assertError(await U.regR.req(method, path, json ? { json } : {}), 403, 'forbidden'));
  }
  for (const [method, path, json] of [['GET', '/api/v1/risk-assessments/999999'], ['PATCH', `${p}/vulns/999999`, { name: 'x' }], ['POST', '/api/v1/units/999999/risk-assessments', { started_on: today() }]]) {
    await soft.run(`opA ${method} ${path}`, async () => assertError(await U.opA.req(method, path, json ? { json } : {}), 404, 'not_found'));
  }
  soft.done('scope checks');
  assert.equal(await auditTotal(admin), audits, 'nothing written');
  assert.equal((await U.regR.get(p)).json.scope, '互联网出入口及核心业务系统');
  assert.ok(!assertList(await U.opB.get('/api/v1/risk-assessments?limit=500')).items.some((x) => x.id === ra.id));
  assert.ok(assertList(await U.regR.get(`/api/v1/units/${uA1.id}/risk-assessments`)).items.some((x) => x.id === ra.id));
  assert.ok(assertList(await U.opB.get(`/api/v1/units/${uB.id}/risk-assessments`)).total >= 0);
});
