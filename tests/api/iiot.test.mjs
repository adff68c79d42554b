// Industrial internet enterprises (R9, seed 004): profiles, self-grading by questionnaire (an
// unanswered question refused), registration verified by the competent regulator within 30
// working days (2025-09-26 → the CLI's answer) or returned with 20 working days to correct, a
// regulator not competent for the type refused, re-grading and 符合性评测 duties, the key list,
// 总结会商, the dashboard, the scoring table replaced as data, other tenants' ids → 404 and bad
// input → 400 naming the field with nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createOrg, userWithClient, assertError, assertList, auditTotal, Soft, uniq,
} from './lib.mjs';

let srv, admin;
const O = {}, U = {};

function today() {
  return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
}

/** `fanghu calendar add-workdays DATE N` against the server's data: the R6 oracle. */
function addWorkdays(date, n) {
  const r = srv.cli(['calendar', 'add-workdays', date, String(n), ...srv.cliArgs()]);
  return r.status === 0 ? r.stdout.trim() : null; // null: the year's notice is not loaded
}

const LOW = { scale: 'micro', business_scope: 'local', iiot_use: 'single', important_systems: 'none', important_data: 'none', industry_importance: 'low', incident_impact: 'minor' };
const HIGH = { scale: 'huge', business_scope: 'national', iiot_use: 'full', important_systems: 'critical', important_data: 'core', industry_importance: 'very_high', incident_impact: 'grave' };
const MID = { ...LOW, important_data: 'core', industry_importance: 'very_high' }; // 30 → 二级

const profile = (extra = {}) => ({
  name: uniq('云南某制造有限公司'),
  types: ['connected', 'platform'],
  contacts: [{ name: '张三', phone: '0871-12345678', email: 'zs@example.cn', role: '信息部经理' }],
  security_lead: { name: '李四', title: '副总经理', phone: '13800000000' },
  ...extra,
});

before(async () => {
  srv = await startServer();
  admin = await srv.admin();
  O.E1 = await createOrg(admin, { name: uniq('甲制造'), kind: 'iiot_connected', province: '53' });
  O.E2 = await createOrg(admin, { name: uniq('乙平台'), kind: 'iiot_platform', province: '53' });
  O.V = await createOrg(admin, { name: uniq('增值企业'), kind: 'vas', province: '53' });
  O.MIIT = await createOrg(admin, { name: uniq('云南省工业和信息化厅'), kind: 'regulator_miit', province: '53', jurisdiction: [{ province: '53', kind: '*' }] });
  O.CA = await createOrg(admin, { name: uniq('云南省通信管理局'), kind: 'regulator_ca', province: '53', jurisdiction: [{ province: '53', kind: '*' }] });
  O.R44 = await createOrg(admin, { name: uniq('广东省通信管理局'), kind: 'regulator_ca', province: '44', jurisdiction: [{ province: '44', kind: '*' }] });
  U.e1 = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: O.E1.id })).client;
  U.e2 = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: O.E2.id })).client;
  U.v = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: O.V.id })).client;
  U.miit = (await userWithClient(srv, admin, { role: 'regulator', org_id: O.MIIT.id })).client;
  U.ca = (await userWithClient(srv, admin, { role: 'regulator', org_id: O.CA.id })).client;
  U.r44 = (await userWithClient(srv, admin, { role: 'regulator', org_id: O.R44.id })).client;
});
after(async () => { await srv?.close(); });

const ent = (id) => `/api/v1/iiot/enterprises/${id}`;
const typeOf = (e, t) => e.types.find((x) => x.type === t);

test('the shipped scoring table is an example, labelled as such', async () => {
  const r = await U.e1.get('/api/v1/iiot/score-table');
  assert.equal(r.status, 200, `${r}`);
  assert.match(r.json.label, /默认评分表（示例），须以主管部门正式发布的评分表替换/);
  assert.equal(r.json.is_default, true);
  assert.equal(r.json.in_force, true);
  assert.deepEqual(r.json.questions.map((q) => q.factor), ['scale', 'business_scope', 'iiot_use', 'important_systems', 'important_data', 'industry_importance', 'incident_impact']);
  const c = await U.e1.post('/api/v1/iiot/grading/compute', { type: 'connected', answers: HIGH });
  assert.equal(c.status, 200, `${c}`);
  assert.deepEqual([c.json.score, c.json.level, c.json.level_name], [100, 3, '三级']);
  assertError(await U.e1.post('/api/v1/iiot/grading/compute', { type: 'connected', answers: { ...LOW, scale: undefined } }), 400, 'validation_failed', 'answers.scale');
});

test('an enterprise profile: created by its operator, bad input names the field and writes nothing', async () => {
  const audits = await auditTotal(admin);
  const soft = new Soft();
  const bad = [
    ['type of another kind missing the own kind', profile({ types: ['platform'] }), 'types'],
    ['unknown type', profile({ types: ['connected', 'factory'] }), 'types'],
    ['a type twice', profile({ types: ['connected', 'connected'] }), 'types'],
    ['contact without a phone', profile({ contacts: [{ name: '张三' }] }), 'contacts[0].phone'],
    ['security lead without a name', profile({ security_lead: { phone: '1' } }), 'security_lead.name'],
    ['empty name', profile({ name: '' }), 'name'],
    ['types not an array', profile({ types: 'connected' }), 'types'],
  ];
  for (const [label, body, field] of bad)
    await soft.run(label, async () => assertError(await U.e1.put(ent(O.E1.id), body), 400, 'validation_failed', field));
  await soft.run('unknown field', async () => assertError(await U.e1.put(ent(O.E1.id), { ...profile(), level: 3 }), 400, 'unknown_field', 'level'));
  await soft.run('an organisation that is no industrial internet enterprise', async () => assertError(await U.v.put(ent(O.V.id), profile({ types: ['connected'] })), 400, 'validation_failed', 'org_id'));
  await soft.run('a regulator cannot write it', async () => assertError(await U.miit.put(ent(O.E1.id), profile()), 403, 'forbidden'));
  soft.done('profile refusals');
  assert.equal(await auditTotal(admin), audits, 'nothing audited');
  assertError(await U.e1.get(ent(O.E1.id)), 404, 'not_found');

  let r = await U.e1.put(ent(O.E1.id), profile({ name: '甲制造股份有限公司' }));
  assert.equal(r.status, 201, `${r}`);
  assert.equal(r.json.name, '甲制造股份有限公司');
  assert.deepEqual(r.json.types.map((t) => [t.type, t.level, t.registration_status, t.competent_kind]),
    [['connected', null, 'draft', 'regulator_miit'], ['platform', null, 'draft', 'regulator_ca']]);
  assert.equal(r.json.security_lead.name, '李四');
  r = await U.e1.put(ent(O.E1.id), profile({ name: '甲制造股份有限公司' }));
  assert.equal(r.status, 200, `${r}`);
  r = await U.e2.put(ent(O.E2.id), profile({ types: ['platform', 'identifier'], name: '乙工业互联网平台有限公司' }));
  assert.equal(r.status, 201, `${r}`);
  assert.equal(await auditTotal(admin), audits + 3);
  assert.equal((await U.miit.get(ent(O.E1.id))).status, 200, 'the province\'s regulator reads it');
});

test('self-grading: an unanswered question is refused by name; the level is stored with answers and table version', async () => {
  const audits = await auditTotal(admin);
  const missing = { ...HIGH };
  delete missing.incident_impact;
  let r = await U.e1.post(`${ent(O.E1.id)}/gradings`, { type: 'connected', answers: missing, graded_on: '2025-09-20' });
  assertError(r, 400, 'validation_failed', 'answers.incident_impact');
  assert.match(r.json.error.message, /发生网络安全事件的影响后果/);
  r = await U.e1.post(`${ent(O.E1.id)}/gradings`, { type: 'connected', answers: { ...LOW, scale: null, business_scope: null } });
  assertError(r, 400, 'validation_failed');
  assert.deepEqual(r.json.error.fields, ['answers.scale', 'answers.business_scope']);
  const soft = new Soft();
  await soft.run('unknown option', async () => assertError(await U.e1.post(`${ent(O.E1.id)}/gradings`, { type: 'connected', answers: { ...HIGH, scale: 'gigantic' } }), 400, 'validation_failed', 'answers.scale'));
  await soft.run('undeclared type', async () => assertError(await U.e1.post(`${ent(O.E1.id)}/gradings`, { type: 'identifier', answers: HIGH }), 400, 'validation_failed', 'type'));
  await soft.run('future date', async () => assertError(await U.e1.post(`${ent(O.E1.id)}/gradings`, { type: 'connected', answers: HIGH, graded_on: '2999-01-01' }), 400, 'validation_failed', 'graded_on'));
  await soft.run('not a date', async () => assertError(await U.e1.post(`${ent(O.E1.id)}/gradings`, { type: 'connected', answers: HIGH, graded_on: '2025-02-30' }), 400, 'validation_failed', 'graded_on'));
  await soft.run('no type', async () => assertError(await U.e1.post(`${ent(O.E1.id)}/gradings`, { answers: HIGH }), 400, 'validation_failed', 'type'));
  soft.done('grading refusals');
  assert.equal(await auditTotal(admin), audits, 'nothing audited');
  assert.deepEqual(assertList(await U.e1.get(`${ent(O.E1.id)}/gradings`)).items, [], 'nothing graded');

  r = await U.e1.post(`${ent(O.E1.id)}/gradings`, { type: 'connected', answers: HIGH, graded_on: '2025-09-20', note: '年度自主定级' });
  assert.equal(r.status, 201, `${r}`);
  const c = typeOf(r.json, 'connected');
  assert.deepEqual([c.level, c.level_name, c.score, c.max_score, c.table_version, c.graded_on, c.level_since],
    [3, '三级', 100, 100, 'default-example-2025', '2025-09-20', '2025-09-20']);
  assert.equal(c.assessment_due, '2026-09-20', '三级: 每年一次 (第七条)');
  assert.ok(r.json.warnings.some((w) => w.code === 'monitoring_platform'), '第九条: 三级企业建设企业级安全监测平台');
  r = await U.e1.post(`${ent(O.E1.id)}/gradings`, { type: 'platform', answers: MID, graded_on: '2025-09-21' });
  assert.equal(r.status, 201, `${r}`);
  assert.deepEqual([typeOf(r.json, 'platform').level, typeOf(r.json, 'platform').score], [2, 30]);
  assert.equal(typeOf(r.json, 'platform').assessment_due, '2027-09-21', '二级: 每两年一次');
  const g = assertList(await U.e1.get(`${ent(O.E1.id)}/gradings?type=connected`)).items;
  assert.equal(g.length, 1);
  assert.deepEqual(g[0].answers, HIGH);
  assert.equal(g[0].table_version, 'default-example-2025');
  assert.equal(await auditTotal(admin), audits + 2);
  r = await U.e2.post(`${ent(O.E2.id)}/gradings`, { type: 'platform', answers: MID, graded_on: '2025-09-01' });
  assert.equal(r.status, 201, `${r}`);
});

let regConnected, regPlatform;

test('registration: verification due 30 working days after submission (R6), each item to its competent regulator', async () => {
  const due = addWorkdays('2025-09-26', 30);
  assert.equal(due, '2025-11-13', 'the National Day week skipped, the make-up days counted');
  const audits = await auditTotal(admin);
  const soft = new Soft();
  await soft.run('before the grading', async () => assertError(await U.e1.post(`${ent(O.E1.id)}/registrations`, { submitted_on: '2025-09-01' }), 400, 'validation_failed', 'submitted_on'));
  await soft.run('in the future', async () => assertError(await U.e1.post(`${ent(O.E1.id)}/registrations`, { submitted_on: '2999-01-01' }), 400, 'validation_failed', 'submitted_on'));
  await soft.run('an ungraded type', async () => assertError(await U.e2.post(`${ent(O.E2.id)}/registrations`, { types: ['identifier'], submitted_on: '2025-09-26' }), 400, 'validation_failed', 'types'));
  await soft.run('a regulator cannot register', async () => assertError(await U.miit.post(`${ent(O.E1.id)}/registrations`, {}), 403, 'forbidden'));
  soft.done('registration refusals');
  assert.equal(await auditTotal(admin), audits, 'nothing written');
  // an incomplete profile: every missing field named
  const bare = await createOrg(admin, { name: uniq('丙标识'), kind: 'iiot_identifier', province: '53' });
  const ub = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: bare.id })).client;
  assert.equal((await ub.put(ent(bare.id), { name: '丙标识解析有限公司', types: ['identifier'] })).status, 201);
  assert.equal((await ub.post(`${ent(bare.id)}/gradings`, { type: 'identifier', answers: LOW, graded_on: '2025-09-01' })).status, 201);
  const audits2 = await auditTotal(admin);
  const inc = await ub.post(`${ent(bare.id)}/registrations`, { submitted_on: '2025-09-26' });
  assertError(inc, 400, 'validation_failed');
  assert.deepEqual(inc.json.error.fields, ['contacts', 'security_lead']);
  assert.match(inc.json.error.message, /网络安全负责人/);
  assert.equal(await auditTotal(admin), audits2, 'nothing written');

  const r = await U.e1.post(`${ent(O.E1.id)}/registrations`, { submitted_on: '2025-09-26', comment: '首次登记' });
  assert.equal(r.status, 201, `${r}`);
  assert.equal(r.json.items.length, 2);
  [regConnected, regPlatform] = r.json.items;
  assert.deepEqual([regConnected.type, regConnected.competent_kind, regConnected.level, regConnected.status], ['connected', 'regulator_miit', 3, 'submitted']);
  assert.deepEqual([regPlatform.type, regPlatform.competent_kind, regPlatform.level], ['platform', 'regulator_ca', 2]);
  for (const item of r.json.items) {
    assert.equal(item.submitted_on, '2025-09-26');
    assert.equal(item.verify_due, due);
    const k = item.clock;
    assert.equal(k.deadline, 'verification');
    assert.equal(k.due, due);
    assert.equal(k.workdays_total, 30);
    assert.equal(k.workdays_elapsed + k.workdays_remaining, 30, `${JSON.stringify(k)}`);
    assert.equal(k.overdue, today() > due);
  }
  assert.equal(await auditTotal(admin), audits2 + 2);
  const d = assertList(await admin.get(`/api/v1/duties?org_id=${O.E1.id}&limit=500`)).items;
  const verify = d.find((x) => x.key === `iiot:${O.E1.id}:verify:connected`);
  assert.ok(verify, `verify duty: ${JSON.stringify(d.map((x) => x.key))}`);
  assert.equal(verify.due_date, due);
  assert.equal(verify.done_at, null);
  assertError(await U.e1.post(`${ent(O.E1.id)}/registrations`, { types: ['connected'], submitted_on: '2025-09-27' }), 409, 'conflict', 'types');
  const snap = await U.miit.get(`/api/v1/iiot/registrations/${regConnected.id}`);
  assert.equal(snap.status, 200);
  assert.equal(snap.json.snapshot.security_lead.name, '李四');
  assert.equal(snap.json.snapshot.level_name, '三级');
});

test('the regulator\'s inbox: only the types it verifies, each with its working-day clock', async () => {
  const miit = assertList(await U.miit.get('/api/v1/iiot/registrations?status=submitted')).items;
  assert.ok(miit.some((x) => x.id === regConnected.id));
  assert.ok(!miit.some((x) => x.id === regPlatform.id), '平台企业 goes to the 通信管理局');
  assert.ok(miit.every((x) => x.competent_kind === 'regulator_miit'));
  const ca = assertList(await U.ca.get('/api/v1/iiot/registrations?status=submitted')).items;
  assert.ok(ca.some((x) => x.id === regPlatform.id) && !ca.some((x) => x.id === regConnected.id));
  const item = ca.find((x) => x.id === regPlatform.id);
  assert.equal(item.clock.workdays_total, 30);
  assert.equal(typeof item.clock.workdays_elapsed, 'number');
  assert.equal(assertList(await U.r44.get('/api/v1/iiot/registrations')).total, 0);
  assert.ok(!assertList(await U.e2.get('/api/v1/iiot/registrations')).items.some((x) => x.org_id === O.E1.id));
  assertError(await U.miit.get('/api/v1/iiot/registrations?status=pending'), 400, 'validation_failed', 'status');
  assertError(await U.miit.get('/api/v1/iiot/registrations?type=factory'), 400, 'validation_failed', 'type');
});

test('verification by a regulator not competent for the type is refused; the competent one verifies', async () => {
  const audits = await auditTotal(admin);
  const soft = new Soft();
  await soft.run('省工信厅 on a 平台企业', async () => {
    const r = await U.miit.post(`/api/v1/iiot/registrations/${regPlatform.id}/verify`, {});
    assertError(r, 403, 'forbidden');
    assert.match(r.json.error.message, /省通信管理局/);
  });
  await soft.run('省通信管理局 on a 联网工业企业', async () => assertError(await U.ca.post(`/api/v1/iiot/registrations/${regConnected.id}/verify`, {}), 403, 'forbidden'));
  await soft.run('省通信管理局 returning a 联网工业企业', async () => assertError(await U.ca.post(`/api/v1/iiot/registrations/${regConnected.id}/return`, { reasons: [{ field: 'level', reason: 'x' }] }), 403, 'forbidden'));
  await soft.run('the enterprise itself', async () => assertError(await U.e1.post(`/api/v1/iiot/registrations/${regConnected.id}/verify`, {}), 403, 'forbidden'));
  await soft.run('another province', async () => assertError(await U.r44.post(`/api/v1/iiot/registrations/${regPlatform.id}/verify`, {}), 404, 'not_found'));
  soft.done('verification refusals');
  assert.equal(await auditTotal(admin), audits, 'nothing audited');
  assert.equal((await U.ca.get(`/api/v1/iiot/registrations/${regPlatform.id}`)).json.status, 'submitted');

  const r = await U.miit.post(`/api/v1/iiot/registrations/${regConnected.id}/verify`, { comment: '材料齐全，定级准确' });
  assert.equal(r.status, 200, `${r}`);
  assert.deepEqual([r.json.status, r.json.reviewed_on, r.json.clock], ['verified', today(), null]);
  assertError(await U.miit.post(`/api/v1/iiot/registrations/${regConnected.id}/verify`, {}), 409, 'conflict');
  const e = (await U.e1.get(ent(O.E1.id))).json;
  assert.deepEqual([typeOf(e, 'connected').registration_status, typeOf(e, 'connected').verified_on], ['verified', today()]);
  const verify = e.duties.find((x) => x.key === `iiot:${O.E1.id}:verify:connected`);
  assert.equal(verify.done_at, today());
});

test('a return for correction gives 20 working days (R6), and a resubmission restarts the 30', async () => {
  const audits = await auditTotal(admin);
  const soft = new Soft();
  await soft.run('no reasons', async () => assertError(await U.ca.post(`/api/v1/iiot/registrations/${regPlatform.id}/return`, { reasons: [] }), 400, 'validation_failed', 'reasons'));
  await soft.run('a reason without text', async () => assertError(await U.ca.post(`/api/v1/iiot/registrations/${regPlatform.id}/return`, { reasons: [{ field: 'level' }] }), 400, 'validation_failed', 'reasons'));
  await soft.run('missing body field', async () => assertError(await U.ca.post(`/api/v1/iiot/registrations/${regPlatform.id}/return`, { comment: 'x' }), 400, 'validation_failed', 'reasons'));
  soft.done('return refusals');
  assert.equal(await auditTotal(admin), audits);

  const due = addWorkdays(today(), 20);
  const r = await U.ca.post(`/api/v1/iiot/registrations/${regPlatform.id}/return`, { reasons: [{ field: 'level', reason: '定级不准确：平台服务覆盖全国' }], comment: '请补正' });
  if (due === null) { // today's year + 20 working days needs a notice not loaded: an error, never a guess
    assertError(r, 422, 'calendar_missing');
    return;
  }
  assert.equal(r.status, 200, `${r}`);
  assert.deepEqual([r.json.status, r.json.correction_due], ['returned', due]);
  assert.deepEqual(r.json.reasons, [{ field: 'level', reason: '定级不准确：平台服务覆盖全国' }]);
  assert.deepEqual([r.json.clock.deadline, r.json.clock.workdays_total, r.json.clock.workdays_elapsed, r.json.clock.workdays_remaining, r.json.clock.overdue],
    ['correction', 20, 0, 20, false]);
  const duties = (await U.e1.get(ent(O.E1.id))).json.duties;
  const corr = duties.find((x) => x.key === `iiot:${O.E1.id}:correction:platform`);
  assert.ok(corr, JSON.stringify(duties));
  assert.equal(corr.due_date, due);
  assert.equal(corr.kind, 'correction');
  assert.ok(duties.find((x) => x.key === `iiot:${O.E1.id}:verify:platform`).done_at);

  // corrected: re-graded (allowed while returned) and registered again, not dated before the return
  let g = await U.e1.post(`${ent(O.E1.id)}/gradings`, { type: 'platform', answers: HIGH });
  assert.equal(g.status, 201, `${g}`);
  assertError(await U.e1.post(`${ent(O.E1.id)}/registrations`, { types: ['platform'], submitted_on: '2025-10-01' }), 400, 'validation_failed', 'submitted_on');
  const again = addWorkdays(today(), 30);
  const s = await U.e1.post(`${ent(O.E1.id)}/registrations`, { types: ['platform'] });
  if (again === null) {
    assertError(s, 422, 'calendar_missing');
  } else {
    assert.equal(s.status, 201, `${s}`);
    assert.deepEqual([s.json.items[0].verify_due, s.json.items[0].level], [again, 3]);
    const d = (await U.e1.get(ent(O.E1.id))).json.duties;
    assert.ok(!d.some((x) => x.key === `iiot:${O.E1.id}:correction:platform`), 'the correction is done');
  }
});

test('re-grading is due within 3 months of a factor change; 符合性评测 by level', async () => {
  const soft = new Soft();
  await soft.run('before the grading', async () => assertError(await U.e1.post(`${ent(O.E1.id)}/factor-changes`, { types: ['connected'], changed_on: '2025-01-01', description: '新建产线' }), 400, 'validation_failed', 'changed_on'));
  await soft.run('no description', async () => assertError(await U.e1.post(`${ent(O.E1.id)}/factor-changes`, { changed_on: '2025-11-30' }), 400, 'validation_failed', 'description'));
  await soft.run('assessment in the future', async () => assertError(await U.e1.post(`${ent(O.E1.id)}/assessments`, { type: 'connected', assessed_on: '2999-01-01', agency: 'x', result: 'pass' }), 400, 'validation_failed', 'assessed_on'));
  await soft.run('assessment result', async () => assertError(await U.e1.post(`${ent(O.E1.id)}/assessments`, { type: 'connected', assessed_on: '2026-03-01', agency: 'x', result: 'ok' }), 400, 'validation_failed', 'result'));
  soft.done('refusals');
  let r = await U.e1.post(`${ent(O.E1.id)}/factor-changes`, { types: ['connected'], changed_on: '2025-11-30', description: '新增涉及重要数据的生产系统' });
  assert.equal(r.status, 200, `${r}`);
  assert.deepEqual([typeOf(r.json, 'connected').factor_changed_on, typeOf(r.json, 'connected').regrade_due], ['2025-11-30', '2026-02-28']);
  let duty = r.json.duties.find((x) => x.key === `iiot:${O.E1.id}:regrade:connected`);
  assert.deepEqual([duty.due_date, duty.kind], ['2026-02-28', 'reassessment']);

  r = await U.e1.post(`${ent(O.E1.id)}/assessments`, { type: 'connected', assessed_on: '2026-03-01', agency: '某评测机构', result: 'pass' });
  assert.equal(r.status, 201, `${r}`);
  assert.equal(typeOf(r.json, 'connected').assessment_due, '2027-03-01');
  duty = r.json.duties.find((x) => x.key === `iiot:${O.E1.id}:assessment:connected`);
  assert.equal(duty.due_date, '2027-03-01');
  assert.equal(assertList(await U.miit.get(`${ent(O.E1.id)}/assessments`)).items.length, 1);

  // re-graded after the change: the duty is fulfilled; a new level needs registering again
  r = await U.e1.post(`${ent(O.E1.id)}/gradings`, { type: 'connected', answers: MID, graded_on: '2025-12-15' });
  assert.equal(r.status, 201, `${r}`);
  const c = typeOf(r.json, 'connected');
  assert.deepEqual([c.level, c.factor_changed_on, c.regrade_due, c.registration_status, c.level_since], [2, null, null, 'draft', '2025-12-15']);
  assert.ok(!r.json.duties.some((x) => x.key === `iiot:${O.E1.id}:regrade:connected`));
  assert.equal(c.assessment_due, '2028-03-01', '二级 two years after the last assessment');
});

test('the key-enterprise list, 总结会商 and the dashboard', async () => {
  const audits = await auditTotal(admin);
  const soft = new Soft();
  await soft.run('an operator', async () => assertError(await U.e1.post('/api/v1/iiot/key-enterprises', { org_id: O.E1.id, reason: 'x' }), 403, 'forbidden'));
  await soft.run('no reason', async () => assertError(await U.miit.post('/api/v1/iiot/key-enterprises', { org_id: O.E1.id }), 400, 'validation_failed', 'reason'));
  await soft.run('another province\'s enterprise', async () => assertError(await U.r44.post('/api/v1/iiot/key-enterprises', { org_id: O.E1.id, reason: 'x' }), 404, 'not_found', 'org_id'));
  await soft.run('not an enterprise', async () => assertError(await U.miit.post('/api/v1/iiot/key-enterprises', { org_id: O.V.id, reason: 'x' }), 400, 'validation_failed', 'org_id'));
  await soft.run('meeting in the future', async () => assertError(await U.miit.post('/api/v1/iiot/meetings', { held_on: '2999-01-01', title: 't', participants: 'p', minutes: 'm' }), 400, 'validation_failed', 'held_on'));
  await soft.run('meeting without minutes', async () => assertError(await U.miit.post('/api/v1/iiot/meetings', { held_on: today(), title: 't', participants: 'p' }), 400, 'validation_failed', 'minutes'));
  await soft.run('an operator\'s meeting', async () => assertError(await U.e1.post('/api/v1/iiot/meetings', { held_on: today(), title: 't', participants: 'p', minutes: 'm' }), 403, 'forbidden'));
  soft.done('refusals');
  assert.equal(await auditTotal(admin), audits);

  const k = await U.miit.post('/api/v1/iiot/key-enterprises', { org_id: O.E1.id, reason: '三级企业，涉及重要数据（第九条）' });
  assert.equal(k.status, 201, `${k}`);
  assert.deepEqual([k.json.org_id, k.json.reason, k.json.removed_on], [O.E1.id, '三级企业，涉及重要数据（第九条）', null]);
  assertError(await U.ca.post('/api/v1/iiot/key-enterprises', { org_id: O.E1.id, reason: 'again' }), 409, 'conflict', 'org_id');
  assert.equal((await U.e1.get(ent(O.E1.id))).json.key_enterprise.reason, '三级企业，涉及重要数据（第九条）');
  assert.ok(assertList(await U.ca.get('/api/v1/iiot/key-enterprises')).items.some((x) => x.id === k.json.id));
  assert.ok(!assertList(await U.e2.get('/api/v1/iiot/key-enterprises')).items.some((x) => x.id === k.json.id));
  assert.ok(assertList(await U.miit.get('/api/v1/iiot/enterprises?key=true')).items.every((x) => x.key_enterprise));

  const m = await U.miit.post('/api/v1/iiot/meetings', { held_on: today(), title: '工业互联网安全分类分级工作总结会商', participants: '省工信厅、省通信管理局', minutes: '一、总结本年度工作；二、部署下一阶段任务。' });
  assert.equal(m.status, 201, `${m}`);
  assert.equal((await U.miit.get(`/api/v1/iiot/meetings/${m.json.id}`)).json.minutes, '一、总结本年度工作；二、部署下一阶段任务。');
  assert.ok(assertList(await U.miit.get(`/api/v1/iiot/meetings?year=${today().slice(0, 4)}`)).items.some((x) => x.id === m.json.id));
  assert.equal(assertList(await U.e1.get('/api/v1/iiot/meetings')).total, 0);
  assertError(await U.e1.get(`/api/v1/iiot/meetings/${m.json.id}`), 404, 'not_found');
  assertError(await U.r44.get(`/api/v1/iiot/meetings/${m.json.id}`), 404, 'not_found');

  const d = await U.miit.get('/api/v1/iiot/dashboard');
  assert.equal(d.status, 200, `${d}`);
  assert.ok(d.json.enterprises >= 3);
  const byType = Object.fromEntries(d.json.by_type.map((t) => [t.type, t]));
  assert.equal(byType.connected.levels['2'], 1);
  assert.ok(byType.platform.total >= 2 && byType.platform.levels['2'] >= 1);
  assert.equal(d.json.key_enterprises, 1);
  assert.equal(d.json.meetings.count, 1);
  const d44 = (await U.r44.get('/api/v1/iiot/dashboard')).json;
  assert.deepEqual([d44.enterprises, d44.key_enterprises, d44.meetings.count], [0, 0, 0]);

  const rm = await U.ca.post(`/api/v1/iiot/key-enterprises/${k.json.id}/remove`, { reason: '级别调整为二级' });
  assert.equal(rm.status, 200, `${rm}`);
  assert.equal(rm.json.removed_on, today());
  assertError(await U.ca.post(`/api/v1/iiot/key-enterprises/${k.json.id}/remove`, { reason: 'x' }), 409, 'conflict');
  assert.ok(!assertList(await U.ca.get('/api/v1/iiot/key-enterprises')).items.some((x) => x.id === k.json.id));
  assert.ok(assertList(await U.ca.get('/api/v1/iiot/key-enterprises?all=1')).items.some((x) => x.id === k.json.id));
});

test('another tenant\'s ids answer 404 everywhere', async () => {
  const e1 = ent(O.E1.id);
  const reg = regConnected.id;
  const key = assertList(await U.ca.get('/api/v1/iiot/key-enterprises?all=1')).items[0].id;
  const soft = new Soft();
  const calls = [
    ['GET', e1], ['PUT', e1, profile()], ['GET', `${e1}/gradings`], ['POST', `${e1}/gradings`, { type: 'connected', answers: HIGH }],
    ['POST', `${e1}/factor-changes`, { changed_on: today(), description: 'x' }], ['GET', `${e1}/assessments`],
    ['POST', `${e1}/assessments`, { type: 'connected', assessed_on: today(), agency: 'x', result: 'pass' }],
    ['POST', `${e1}/registrations`, {}], ['GET', `/api/v1/iiot/registrations/${reg}`],
    ['POST', `/api/v1/iiot/registrations/${reg}/verify`, {}], ['POST', `/api/v1/iiot/registrations/${reg}/return`, { reasons: [{ field: 'a', reason: 'b' }] }],
    ['POST', `/api/v1/iiot/key-enterprises/${key}/remove`, { reason: 'x' }],
  ];
  const audits = await auditTotal(admin);
  for (const [who, client] of [['另一企业', U.e2], ['外省监管', U.r44]])
    for (const [method, path, body] of calls)
      await soft.run(`${who} ${method} ${path}`, async () => assertError(await client.req(method, path, body ? { json: body } : {}), 404, 'not_found'));
  for (const [method, path] of [['GET', ent(999999)], ['GET', '/api/v1/iiot/registrations/999999'], ['GET', '/api/v1/iiot/meetings/999999'], ['POST', '/api/v1/iiot/key-enterprises/999999/remove']])
    await soft.run(`missing ${path}`, async () => assertError(await admin.req(method, path, method === 'POST' ? { json: { reason: 'x' } } : {}), 404, 'not_found'));
  soft.done('404s');
  assert.equal(await auditTotal(admin), audits, 'nothing written');
  assert.ok(!assertList(await U.e2.get('/api/v1/iiot/enterprises')).items.some((x) => x.org_id === O.E1.id));
  assert.equal(assertList(await U.r44.get('/api/v1/iiot/enterprises')).total, 0);
});

test('the scoring table is data: a new version replaces it, a bad one is refused with nothing written', async () => {
  const t = (await admin.get('/api/v1/iiot/score-table')).json;
  const table = { version: 'yn-2026-01', label: '云南省工业互联网企业定级评分表（2026 版）', source: '云通信局联发〔2026〕1号', thresholds: { level3_min: 70, level2_min: 40 }, questions: t.questions.map(({ factor_name, ...q }) => q) };
  const audits = await auditTotal(admin);
  const soft = new Soft();
  await soft.run('not the administrator', async () => assertError(await U.miit.put('/api/v1/iiot/score-table', table), 403, 'forbidden'));
  await soft.run('a factor missing', async () => assertError(await admin.put('/api/v1/iiot/score-table', { ...table, questions: table.questions.slice(0, 6) }), 400, 'validation_failed', 'questions'));
  await soft.run('thresholds reversed', async () => assertError(await admin.put('/api/v1/iiot/score-table', { ...table, thresholds: { level3_min: 30, level2_min: 40 } }), 400, 'validation_failed', 'thresholds'));
  await soft.run('the default\'s version', async () => assertError(await admin.put('/api/v1/iiot/score-table', { ...table, version: 'default-example-2025' }), 409, 'conflict', 'version'));
  soft.done('table refusals');
  assert.equal(await auditTotal(admin), audits);
  assert.equal(assertList(await admin.get('/api/v1/iiot/score-tables')).total, 1);

  const r = await admin.put('/api/v1/iiot/score-table', table);
  assert.equal(r.status, 200, `${r}`);
  assert.deepEqual([r.json.version, r.json.is_default, r.json.in_force, r.json.thresholds.level3_min], ['yn-2026-01', false, true, 70]);
  assertError(await admin.put('/api/v1/iiot/score-table', table), 409, 'conflict', 'version');
  const list = assertList(await U.e1.get('/api/v1/iiot/score-tables')).items;
  assert.deepEqual(list.map((x) => [x.version, x.in_force]), [['yn-2026-01', true], ['default-example-2025', false]]);
  const old = await U.e1.get('/api/v1/iiot/score-table?version=default-example-2025');
  assert.deepEqual([old.status, old.json.in_force, old.json.is_default], [200, false, true]);
  assertError(await U.e1.get('/api/v1/iiot/score-table?version=nope'), 404, 'not_found');
  // the same answers now give 二级 under the new thresholds, and the grading records the version
  const HIGHISH = { ...HIGH, incident_impact: 'serious', important_data: 'important' }; // 88 → 三级; 60 → 二级 now
  const sixty = { scale: 'micro', business_scope: 'local', iiot_use: 'main', important_systems: 'production', important_data: 'core', industry_importance: 'very_high', incident_impact: 'serious' };
  const g = await U.e2.post(`${ent(O.E2.id)}/gradings`, { type: 'identifier', answers: sixty });
  assert.equal(g.status, 201, `${g}`);
  assert.deepEqual([typeOf(g.json, 'identifier').score, typeOf(g.json, 'identifier').level, typeOf(g.json, 'identifier').table_version], [60, 2, 'yn-2026-01']);
  const h = await U.e2.post('/api/v1/iiot/grading/compute', { type: 'identifier', answers: HIGHISH, version: 'default-example-2025' });
  assert.deepEqual([h.json.table_version, h.json.level], ['default-example-2025', 3]);
});
