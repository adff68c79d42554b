// Inspections (R10, seed 003): a campaign over the organisations in scope with a checklist
// imported as data (CSV and XLSX, all or nothing, every bad row named); self-inspection findings
// and reports fulfilling their duty; the 双随机 draw from a recorded seed — reproducible through
// the API and `fanghu inspect draw --verify`, never an inspector on his own group, an impossible
// draw refused with nothing written; item scores giving the quantified score; a rectification
// notice closed by the organisation's report, an overdue one escalated to the regulator's duties;
// other tenants' ids → 404 and bad input → 400 naming the field with nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BIN, startServer, createOrg, userWithClient, assertError, assertList, auditTotal, Soft, uniq,
} from './lib.mjs';
import { xlsx, today, addDays } from './assess-fixtures.mjs';

const SEED = '5eed0000000000000000000000000000000000000000000000000000000000aa';
let srv, admin, campaign, items, draw;
const O = {}, U = {}, OP = {}; // OP: org id → operator client

const CSV = (rows) => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n') + '\r\n';
const HEADER = ['area', 'point', 'method', 'evidence', 'score', 'max score'];
const ITEMS = [
  ['网络安全', '边界访问控制', '查看边界设备配置', '配置截图', '未配置访问控制策略扣 2 分', '2'],
  ['主机安全', '弱口令', '远程检测', '检测报告', '发现一处扣 1 分', '3'],
  ['数据安全', '用户个人信息保护', '查阅制度、现场询问', '制度文件', '', '5'],
  ['管理', '应急预案', '查阅文件', '预案文本', '', '0.5'],
];
const put = (client, id, body, filename = 'items.csv') => client.req('PUT', `/api/v1/inspect/campaigns/${id}/checklist?filename=${encodeURIComponent(filename)}`,
  { body, contentType: filename.endsWith('.xlsx') ? 'application/octet-stream' : 'text/csv' });

before(async () => {
  srv = await startServer();
  admin = await srv.admin();
  O.R = await createOrg(admin, { name: uniq('福建省通信管理局'), kind: 'regulator_ca', province: '35', jurisdiction: [{ province: '35', kind: '*' }] });
  O.R2 = await createOrg(admin, { name: uniq('广东省通信管理局'), kind: 'regulator_ca', province: '44', jurisdiction: [{ province: '44', kind: '*' }] });
  O.GA = await createOrg(admin, { name: uniq('甲集团'), kind: 'telecom_group', province: '11' });
  O.A1 = await createOrg(admin, { name: uniq('甲福建'), kind: 'telecom_provincial', province: '35', parent_id: O.GA.id });
  O.GB = await createOrg(admin, { name: uniq('乙集团'), kind: 'telecom_group', province: '11' });
  O.B1 = await createOrg(admin, { name: uniq('乙福建'), kind: 'telecom_provincial', province: '35', parent_id: O.GB.id });
  for (const k of ['V1', 'V2', 'V3']) O[k] = await createOrg(admin, { name: uniq(`增值${k}`), kind: 'vas', province: '35' });
  O.X = await createOrg(admin, { name: uniq('广东增值'), kind: 'vas', province: '44' });
  U.reg = (await userWithClient(srv, admin, { role: 'regulator', org_id: O.R.id })).client;
  U.reg2 = (await userWithClient(srv, admin, { role: 'regulator', org_id: O.R2.id })).client;
  for (const k of ['A1', 'B1', 'V1', 'V2', 'V3', 'X']) {
    U[k] = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: O[k].id })).client;
    OP[O[k].id] = U[k];
  }
});
after(async () => { await srv?.close(); });

test('a campaign covers the organisations in scope; bad input names the field and writes nothing', async () => {
  const body = { title: uniq('2026年电信和互联网行业网络安全检查'), focus: '弱口令、中高危漏洞、用户个人信息保护', scope: { kinds: ['telecom_provincial', 'vas'], provinces: ['35'] }, self_due: addDays(today(), 30) };
  const audits = await auditTotal(admin);
  const soft = new Soft();
  const bad = [
    ['a regulator kind in scope', { ...body, scope: { kinds: ['regulator_ca'], provinces: ['35'] } }, 'scope'],
    ['an unknown province', { ...body, scope: { kinds: ['vas'], provinces: ['99'] } }, 'scope'],
    ['no kinds', { ...body, scope: { kinds: [], provinces: ['35'] } }, 'scope'],
    ['outside the jurisdiction', { ...body, scope: { kinds: ['vas'], provinces: ['44'] } }, 'scope'],
    ['a due date in the past', { ...body, self_due: '2020-01-01' }, 'self_due'],
    ['not a date', { ...body, self_due: '2026-13-01' }, 'self_due'],
    ['no title', { ...body, title: '' }, 'title'],
    ['no focus', { ...body, focus: undefined }, 'focus'],
  ];
  for (const [label, b, field] of bad)
    await soft.run(label, async () => assertError(await U.reg.post('/api/v1/inspect/campaigns', b), 400, 'validation_failed', field));
  await soft.run('an operator', async () => assertError(await U.A1.post('/api/v1/inspect/campaigns', body), 403, 'forbidden'));
  await soft.run('an unknown field', async () => assertError(await U.reg.post('/api/v1/inspect/campaigns', { ...body, n: 3 }), 400, 'unknown_field', 'n'));
  soft.done('campaign refusals');
  assert.equal(await auditTotal(admin), audits, 'nothing audited');
  assert.equal(assertList(await U.reg.get('/api/v1/inspect/campaigns')).total, 0);

  const r = await U.reg.post('/api/v1/inspect/campaigns', body);
  assert.equal(r.status, 201, `${r}`);
  campaign = r.json;
  assert.equal(campaign.summary.targets, 5);
  assert.deepEqual(campaign.scope.kinds.map((k) => k.code), ['telecom_provincial', 'vas']);
  assert.equal(campaign.scope.provinces[0].name, '福建省');
  assert.equal(campaign.checklist, null);
  assert.equal(campaign.draw, null);
  assert.equal(await auditTotal(admin), audits + 1);
  // the organisations in scope see the campaign (without the summary), others do not
  const seen = await U.V1.get(`/api/v1/inspect/campaigns/${campaign.id}`);
  assert.equal(seen.status, 200);
  assert.equal(seen.json.summary, undefined);
  assert.equal(assertList(await U.V1.get('/api/v1/inspect/campaigns')).total, 1);
  assert.equal(assertList(await U.X.get('/api/v1/inspect/campaigns')).total, 0);
  assert.equal(assertList(await U.reg2.get('/api/v1/inspect/campaigns')).total, 0);
  // each target owes its self-inspection report by the due date
  const d = assertList(await admin.get(`/api/v1/duties?org_id=${O.V2.id}&kind=inspection`)).items;
  const duty = d.find((x) => x.key === `inspection:${campaign.id}:self:${O.V2.id}`);
  assert.ok(duty, JSON.stringify(d));
  assert.deepEqual([duty.due_date, duty.done_at], [body.self_due, null]);
});

test('the checklist is imported as data: all or nothing, every bad row named; CSV and XLSX', async () => {
  const audits = await auditTotal(admin);
  const soft = new Soft();
  await soft.run('bad rows', async () => {
    const r = await put(U.reg, campaign.id, CSV([HEADER, ITEMS[0], ['', '要点', '方法', '', '', '1'], ['主机安全', '审计', '查看', '', '', 'x'], ITEMS[0]]));
    assertError(r, 400, 'validation_failed', 'file');
    assert.deepEqual(r.json.error.rows.map((x) => [x.line, x.field]), [[3, 'area'], [4, 'max_score'], [5, 'point']]);
  });
  await soft.run('a missing column', async () => {
    const r = await put(U.reg, campaign.id, CSV([['area', 'point', 'method', 'score'], ['a', 'b', 'c', '1']]));
    assertError(r, 400, 'validation_failed', 'file');
    assert.deepEqual(r.json.error.rows.map((x) => x.field), ['evidence', 'max_score']);
  });
  await soft.run('an empty body', async () => assertError(await put(U.reg, campaign.id, ''), 400, 'validation_failed', 'file'));
  await soft.run('GBK', async () => assertError(await put(U.reg, campaign.id, Buffer.from([0xd5, 0xe2, 0x2c, 0x0a])), 400, 'validation_failed', 'file'));
  await soft.run('an operator of a target', async () => assertError(await put(U.A1, campaign.id, CSV([HEADER, ...ITEMS])), 403, 'forbidden'));
  await soft.run('another province', async () => assertError(await put(U.reg2, campaign.id, CSV([HEADER, ...ITEMS])), 404, 'not_found'));
  soft.done('import refusals');
  assert.equal(await auditTotal(admin), audits, 'nothing audited');
  assert.equal(assertList(await U.reg.get(`/api/v1/inspect/campaigns/${campaign.id}/items`)).total, 0, 'nothing imported');

  let r = await put(U.reg, campaign.id, CSV([HEADER, ...ITEMS]));
  assert.equal(r.status, 200, `${r}`);
  assert.deepEqual([r.json.checklist.item_count, r.json.checklist.max_total, r.json.checklist.source_name], [4, '10.5', 'items.csv']);
  r = await put(U.reg, campaign.id, xlsx([['检查领域', '检查要点', '检查方法', '佐证材料', '评分标准', '分值'], ...ITEMS]), '2026年检查要点与评分标准.xlsx');
  assert.equal(r.status, 200, `xlsx with Chinese headers: ${r}`);
  assert.deepEqual([r.json.checklist.item_count, r.json.checklist.max_total], [4, '10.5']);
  items = assertList(await U.V1.get(`/api/v1/inspect/campaigns/${campaign.id}/items`)).items;
  assert.deepEqual(items.map((i) => [i.seq, i.area, i.max_score]), [[1, '网络安全', '2'], [2, '主机安全', '3'], [3, '数据安全', '5'], [4, '管理', '0.5']]);
  assert.equal(items[0].criteria, '未配置访问控制策略扣 2 分');
  assert.equal(await auditTotal(admin), audits + 2);
});

test('self-inspection: findings per item, the report once every item has one, fulfilling the duty', async () => {
  const mine = assertList(await U.A1.get(`/api/v1/inspect/self-inspections?campaign_id=${campaign.id}`)).items;
  assert.equal(mine.length, 1, 'an organisation sees its own self-inspection only');
  const si = mine[0];
  assert.deepEqual([si.org_id, si.status, si.item_count, si.findings_count], [O.A1.id, 'pending', 4, 0]);
  assert.equal(assertList(await U.reg.get(`/api/v1/inspect/self-inspections?campaign_id=${campaign.id}`)).total, 5);
  const path = `/api/v1/inspect/self-inspections/${si.id}`;
  const audits = await auditTotal(admin);
  const soft = new Soft();
  await soft.run('an item of nowhere', async () => assertError(await U.A1.put(`${path}/findings`, { items: [{ item_id: '999999', result: 'conform' }] }), 400, 'validation_failed', 'items'));
  await soft.run('an unknown result', async () => assertError(await U.A1.put(`${path}/findings`, { items: [{ item_id: items[0].id, result: 'conform' }, { item_id: items[1].id, result: 'maybe' }] }), 400, 'validation_failed', 'items'));
  await soft.run('a nonconformity without the finding', async () => assertError(await U.A1.put(`${path}/findings`, { items: [{ item_id: items[1].id, result: 'nonconform' }] }), 400, 'validation_failed', 'items'));
  await soft.run('no items', async () => assertError(await U.A1.put(`${path}/findings`, { items: [] }), 400, 'validation_failed', 'items'));
  await soft.run('the regulator does not fill it in', async () => assertError(await U.reg.put(`${path}/findings`, { items: [{ item_id: items[0].id, result: 'conform' }] }), 403, 'forbidden'));
  await soft.run('another operator', async () => assertError(await U.B1.put(`${path}/findings`, { items: [{ item_id: items[0].id, result: 'conform' }] }), 404, 'not_found'));
  await soft.run('a report with items unanswered', async () => assertError(await U.A1.post(`${path}/submit`, { summary: '自查完成' }), 400, 'validation_failed', 'items'));
  soft.done('self-inspection refusals');
  assert.equal(await auditTotal(admin), audits, 'nothing audited');
  assert.equal((await U.A1.get(path)).json.findings_count, 0, 'not even the good element');

  let r = await U.A1.put(`${path}/findings`, { items: [
    { item_id: items[0].id, result: 'conform' },
    { item_id: items[1].id, result: 'nonconform', finding: '2 台网管设备使用弱口令', action: '已边查边改，修改为强口令' },
    { item_id: items[2].id, result: 'na', finding: '不收集用户个人信息' },
  ] });
  assert.equal(r.status, 200, `${r}`);
  assert.equal(r.json.findings_count, 3);
  assert.equal(r.json.items[1].finding.result_name, '不符合');
  r = await U.A1.post(`${path}/submit`, { summary: '自查完成' });
  assertError(r, 400, 'validation_failed', 'items');
  assert.match(r.json.error.message, /第 4 项「应急预案」/);
  assert.equal((await U.A1.put(`${path}/findings`, { items: [{ item_id: items[3].id, result: 'conform' }] })).status, 200);
  r = await U.A1.post(`${path}/submit`, { summary: '本单位按检查重点完成自查，发现问题 1 项，已整改。' });
  assert.equal(r.status, 200, `${r}`);
  assert.equal(r.json.status, 'submitted');
  assertError(await U.A1.post(`${path}/submit`, { summary: 'again' }), 409, 'conflict');
  assertError(await U.A1.put(`${path}/findings`, { items: [{ item_id: items[3].id, result: 'na' }] }), 409, 'conflict');
  const duty = assertList(await U.A1.get(`/api/v1/duties?org_id=${O.A1.id}&kind=inspection`)).items.find((x) => x.key === `inspection:${campaign.id}:self:${O.A1.id}`);
  assert.equal(duty.done_at, today());
  assert.equal((await U.reg.get(path)).status, 200, 'the regulator reads it');
  assert.equal((await U.reg.get(`/api/v1/inspect/campaigns/${campaign.id}`)).json.summary.self_submitted, 1);
});

test('inspectors: the regulator\'s roster', async () => {
  const soft = new Soft();
  await soft.run('an operator', async () => assertError(await U.A1.post('/api/v1/inspect/inspectors', { name: '张三' }), 403, 'forbidden'));
  await soft.run('an organisation it does not see', async () => assertError(await U.reg.post('/api/v1/inspect/inspectors', { name: '张三', org_id: O.X.id }), 404, 'not_found', 'org_id'));
  await soft.run('no name', async () => assertError(await U.reg.post('/api/v1/inspect/inspectors', { expertise: '渗透测试' }), 400, 'validation_failed', 'name'));
  soft.done('roster refusals');
  // I1 belongs to 甲集团 (through 甲福建), I2 to V1, I4 to 乙集团; I3 and I5 to none
  for (const [name, org] of [['检查员甲', O.A1.id], ['检查员乙', O.V1.id], ['检查员丙', undefined], ['检查员丁', O.B1.id], ['检查员戊', undefined]]) {
    const r = await U.reg.post('/api/v1/inspect/inspectors', { name, ...(org ? { org_id: org } : {}), expertise: '网络安全检查' });
    assert.equal(r.status, 201, `${r}`);
  }
  const extra = await U.reg.post('/api/v1/inspect/inspectors', { name: '已离职' });
  const off = await U.reg.patch(`/api/v1/inspect/inspectors/${extra.json.id}`, { active: false });
  assert.deepEqual([off.status, off.json.active], [200, false]);
  assertError(await U.reg2.patch(`/api/v1/inspect/inspectors/${extra.json.id}`, { active: true }), 404, 'not_found');
  assert.equal(assertList(await U.reg.get('/api/v1/inspect/inspectors')).total, 5);
  assert.equal(assertList(await U.reg.get('/api/v1/inspect/inspectors?all=1')).total, 6);
  assert.equal(assertList(await U.reg2.get('/api/v1/inspect/inspectors')).total, 0);
});

test('the 双随机 draw: impossible draws refused with nothing written; recorded with its seed; no inspector on his own group', async () => {
  const path = `/api/v1/inspect/campaigns/${campaign.id}/draw`;
  const audits = await auditTotal(admin);
  const soft = new Soft();
  await soft.run('more targets than the pool', async () => assertError(await U.reg.post(path, { n: 6, seed: SEED }), 400, 'validation_failed', 'n'));
  await soft.run('an inspector pool too small to avoid conflicts', async () => {
    const r = await U.reg.post(path, { n: 1, team_size: 5, seed: SEED });
    assertError(r, 400, 'validation_failed', 'inspectors');
    assert.match(r.json.error.message, /回避/);
  });
  await soft.run('teams larger than the roster', async () => assertError(await U.reg.post(path, { n: 1, team_size: 6 }), 400, 'validation_failed', 'team_size'));
  await soft.run('a bad seed', async () => assertError(await U.reg.post(path, { n: 1, seed: 'not-hex' }), 400, 'validation_failed', 'seed'));
  await soft.run('an inspector of another roster', async () => assertError(await U.reg.post(path, { n: 1, inspector_ids: ['999999'] }), 400, 'validation_failed', 'inspector_ids'));
  await soft.run('no n', async () => assertError(await U.reg.post(path, { seed: SEED }), 400, 'validation_failed', 'n'));
  await soft.run('an operator', async () => assertError(await U.A1.post(path, { n: 1 }), 403, 'forbidden'));
  await soft.run('another province', async () => assertError(await U.reg2.post(path, { n: 1 }), 404, 'not_found'));
  soft.done('draw refusals');
  assert.equal(await auditTotal(admin), audits, 'nothing audited');
  assertError(await U.reg.get(path), 404, 'not_found');
  assert.equal(assertList(await U.reg.get(`/api/v1/inspect/spot-checks?campaign_id=${campaign.id}`)).total, 0, 'no partial draw');

  const r = await U.reg.post(path, { n: 3, team_size: 2, seed: SEED });
  assert.equal(r.status, 201, `${r}`);
  draw = r.json;
  assert.deepEqual([draw.algorithm, draw.seed, draw.n, draw.team_size], ['fy-chacha20-v1', SEED, 3, 2]);
  assert.equal(draw.pool.length, 5);
  assert.deepEqual(draw.pool.map((p) => p.org_id), [O.A1.id, O.B1.id, O.V1.id, O.V2.id, O.V3.id].sort((a, b) => a - b));
  assert.equal(draw.pool.find((p) => p.org_id === O.A1.id).group_id, O.GA.id, 'a provincial company belongs to its group');
  assert.equal(draw.inspectors.length, 5, 'active inspectors only');
  assert.equal(draw.result.length, 3);
  assert.equal(new Set(draw.result.map((x) => x.org_id)).size, 3);
  const groupOf = Object.fromEntries(draw.inspectors.map((i) => [i.id, i.group_id]));
  for (const t of draw.result) {
    const g = draw.pool.find((p) => p.org_id === t.org_id).group_id;
    assert.equal(t.team.length, 2);
    for (const m of t.team) assert.notEqual(groupOf[m.id], g, `inspector ${m.id} on his own group ${g}`);
  }
  assert.match(draw.rerun, /fanghu inspect draw --seed 5eed/);
  assertError(await U.reg.post(path, { n: 3, seed: SEED }), 409, 'conflict');
  assert.deepEqual((await U.reg.get(path)).json, draw, 'the record as drawn');
  assertError(await U.A1.get(path), 404, 'not_found');
  const a = assertList(await admin.get(`/api/v1/audit?action=inspect.draw&entity_id=${draw.id}`)).items;
  assert.equal(a.length, 1);
  assert.equal(a[0].after.seed, SEED);
  assert.deepEqual(a[0].after.result, draw.result);
  assert.match(a[0].after.pool_sm3, /^[0-9a-f]{64}$/);
  const spots = assertList(await U.reg.get(`/api/v1/inspect/spot-checks?campaign_id=${campaign.id}`)).items;
  assert.deepEqual(spots.map((s) => [s.seq, s.org_id, s.team]), draw.result.map((t, i) => [i + 1, t.org_id, t.team]));
});

test('the draw is reproducible from its seed: through the API and through the CLI --verify', async (t) => {
  const v = await U.reg.get(`/api/v1/inspect/draws/${draw.id}/verify`);
  assert.equal(v.status, 200, `${v}`);
  assert.equal(v.json.reproducible, true);
  assert.deepEqual(v.json.result, draw.result);
  assertError(await U.reg2.get(`/api/v1/inspect/draws/${draw.id}/verify`), 404, 'not_found');
  assertError(await U.A1.get(`/api/v1/inspect/draws/${draw.id}/verify`), 404, 'not_found');
  const body = { seed: draw.seed, pool: draw.pool, inspectors: draw.inspectors, n: draw.n, team_size: draw.team_size };
  const replay = await U.X.post('/api/v1/inspect/draws/replay', body);
  assert.equal(replay.status, 200, `anyone holding the record can re-run it: ${replay}`);
  assert.deepEqual(replay.json.result, draw.result);
  assertError(await U.X.post('/api/v1/inspect/draws/replay', { ...body, n: 6 }), 400, 'validation_failed', 'n');
  assertError(await U.X.post('/api/v1/inspect/draws/replay', { ...body, seed: 'ab' }), 400, 'validation_failed', 'seed');
  assertError(await U.X.post('/api/v1/inspect/draws/replay', { ...body, pool: [{ name: 'x' }] }), 400, 'validation_failed', 'pool');

  const dir = mkdtempSync(join(tmpdir(), 'fanghu-draw-'));
  try {
    const f = (name, v) => { const p = join(dir, name); writeFileSync(p, JSON.stringify(v)); return p; };
    const pool = f('pool.json', draw.pool), insp = f('inspectors.json', draw.inspectors), rec = f('draw.json', draw);
    const run = (args) => spawnSync(BIN, ['inspect', 'draw', ...args], { encoding: 'utf8' });
    const base = ['--seed', draw.seed, '--pool', pool, '--inspectors', insp, '--n', String(draw.n), '--team-size', String(draw.team_size)];
    let r = run([...base, '--verify', rec]);
    if (r.status === 2 && /unknown command 'inspect'/.test(r.stderr)) {
      t.skip('`fanghu inspect` is not wired into src/main.c in this binary');
      return;
    }
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout).result, draw.result);
    assert.match(r.stderr, /一致/);
    // the record file itself as pool and inspectors
    r = run(['--seed', draw.seed, '--pool', rec, '--inspectors', rec, '--n', '3', '--verify', rec]);
    assert.equal(r.status, 0, r.stderr);
    const tampered = structuredClone(draw);
    [tampered.result[0], tampered.result[1]] = [tampered.result[1], tampered.result[0]];
    r = run([...base, '--verify', f('tampered.json', tampered)]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /不一致/);
    r = run([...base.slice(0, 6), '--n', '6']);
    assert.equal(r.status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const scoreAll = (id, body) => U.reg.put(`/api/v1/inspect/spot-checks/${id}/scores`, body);

test('spot-check scoring gives the quantified score; a notice goes out and the organisation\'s report closes it', async () => {
  const spots = assertList(await U.reg.get(`/api/v1/inspect/spot-checks?campaign_id=${campaign.id}`)).items;
  const spot = spots[0];
  const owner = OP[spot.org_id];
  const other = Object.values(OP).find((c) => c !== owner && c !== U.X);
  assert.equal((await owner.get(`/api/v1/inspect/spot-checks/${spot.id}`)).status, 200, 'the inspected organisation sees its spot check');
  assertError(await other.get(`/api/v1/inspect/spot-checks/${spot.id}`), 404, 'not_found');
  assert.ok(!assertList(await other.get('/api/v1/inspect/spot-checks')).items.some((s) => s.id === spot.id));
  const path = `/api/v1/inspect/spot-checks/${spot.id}`;
  const audits = await auditTotal(admin);
  const soft = new Soft();
  await soft.run('a score above the item\'s max', async () => assertError(await scoreAll(spot.id, { items: [{ item_id: items[0].id, score: '2.5' }] }), 400, 'validation_failed', 'items'));
  await soft.run('three decimals', async () => assertError(await scoreAll(spot.id, { items: [{ item_id: items[1].id, score: 1.125 }] }), 400, 'validation_failed', 'items'));
  await soft.run('a score on a not-applicable item', async () => assertError(await scoreAll(spot.id, { items: [{ item_id: items[2].id, score: '1', na: true }] }), 400, 'validation_failed', 'items'));
  await soft.run('an item of nowhere', async () => assertError(await scoreAll(spot.id, { items: [{ item_id: '999999', score: '1' }] }), 400, 'validation_failed', 'items'));
  await soft.run('the inspected organisation', async () => assertError(await owner.put(`${path}/scores`, { items: [{ item_id: items[0].id, score: '1' }] }), 403, 'forbidden'));
  await soft.run('completing unscored', async () => assertError(await U.reg.post(`${path}/complete`, {}), 400, 'validation_failed', 'items'));
  await soft.run('a notice before the scores', async () => assertError(await U.reg.post(`${path}/notices`, { problems: [{ description: 'x' }], due_date: addDays(today(), 10) }), 409, 'conflict'));
  soft.done('scoring refusals');
  assert.equal(await auditTotal(admin), audits, 'nothing audited');
  assert.equal((await U.reg.get(path)).json.progress.scored, 0);

  let r = await scoreAll(spot.id, { items: [
    { item_id: items[0].id, score: '2', note: '访问控制策略完备' },
    { item_id: items[1].id, score: 1.5, note: '发现弱口令 1 处' },
    { item_id: items[2].id, na: true },
    { item_id: items[3].id, score: 0 },
  ] });
  assert.equal(r.status, 200, `${r}`);
  assert.deepEqual([r.json.progress.scored, r.json.progress.score, r.json.progress.max_score], [4, '3.5', '5.5']);
  r = await U.reg.post(`${path}/complete`, { summary: '发现问题 2 项' });
  assert.equal(r.status, 200, `${r}`);
  assert.deepEqual([r.json.status, r.json.score, r.json.max_score, r.json.percent], ['scored', '3.5', '5.5', '63.64']);
  assertError(await scoreAll(spot.id, { items: [{ item_id: items[3].id, score: '0.5' }] }), 409, 'conflict');

  const audits2 = await auditTotal(admin);
  const nsoft = new Soft();
  await nsoft.run('a deadline in the past', async () => assertError(await U.reg.post(`${path}/notices`, { problems: [{ description: 'x' }], due_date: '2020-01-01' }), 400, 'validation_failed', 'due_date'));
  await nsoft.run('no problems', async () => assertError(await U.reg.post(`${path}/notices`, { problems: [], due_date: addDays(today(), 10) }), 400, 'validation_failed', 'problems'));
  await nsoft.run('a problem of another checklist', async () => assertError(await U.reg.post(`${path}/notices`, { problems: [{ item_id: '999999', description: 'x' }], due_date: addDays(today(), 10) }), 400, 'validation_failed', 'problems'));
  await nsoft.run('the organisation itself', async () => assertError(await owner.post(`${path}/notices`, { problems: [{ description: 'x' }], due_date: addDays(today(), 10) }), 403, 'forbidden'));
  await nsoft.run('another province', async () => assertError(await U.reg2.post(`${path}/notices`, { problems: [{ description: 'x' }], due_date: addDays(today(), 10) }), 404, 'not_found'));
  nsoft.done('notice refusals');
  assert.equal(await auditTotal(admin), audits2);

  const due = addDays(today(), 15);
  r = await U.reg.post(`${path}/notices`, { problems: [{ item_id: items[1].id, description: '网管设备存在弱口令' }, { description: '未按要求开展应急演练' }], requirements: '限期整改，并对相关责任人问责', due_date: due });
  assert.equal(r.status, 201, `${r}`);
  const notice = r.json;
  assert.equal(notice.title, '网络安全问题整改通知书');
  assert.match(notice.number, /^网安整改〔\d{4}〕\d+号$/);
  assert.deepEqual([notice.status, notice.due_date, notice.days_left, notice.org_id], ['issued', due, 15, spot.org_id]);
  const mine = assertList(await owner.get('/api/v1/inspect/notices')).items;
  assert.ok(mine.some((n) => n.id === notice.id));
  assert.ok(!assertList(await other.get('/api/v1/inspect/notices')).items.some((n) => n.id === notice.id));
  let duty = assertList(await owner.get(`/api/v1/duties?org_id=${spot.org_id}&kind=correction`)).items.find((x) => x.key === `inspection:${campaign.id}:notice:${notice.id}`);
  assert.deepEqual([duty.due_date, duty.done_at], [due, null]);

  const npath = `/api/v1/inspect/notices/${notice.id}`;
  const audits3 = await auditTotal(admin);
  const rsoft = new Soft();
  await rsoft.run('no accountability', async () => assertError(await owner.post(`${npath}/report`, { rectification: '已修改全部弱口令' }), 400, 'validation_failed', 'accountability'));
  await rsoft.run('empty rectification', async () => assertError(await owner.post(`${npath}/report`, { rectification: '', accountability: 'x' }), 400, 'validation_failed', 'rectification'));
  await rsoft.run('the regulator', async () => assertError(await U.reg.post(`${npath}/report`, { rectification: 'x', accountability: 'y' }), 403, 'forbidden'));
  await rsoft.run('another organisation', async () => assertError(await other.post(`${npath}/report`, { rectification: 'x', accountability: 'y' }), 404, 'not_found'));
  rsoft.done('report refusals');
  assert.equal(await auditTotal(admin), audits3);
  assert.equal((await owner.get(npath)).json.status, 'issued');

  r = await owner.post(`${npath}/report`, { rectification: '已修改全部弱口令，补充开展应急演练', accountability: '对网络维护中心负责人通报批评' });
  assert.equal(r.status, 200, `${r}`);
  assert.deepEqual([r.json.status, r.json.closed_on, r.json.closed_late, r.json.accountability], ['closed', today(), false, '对网络维护中心负责人通报批评']);
  assertError(await owner.post(`${npath}/report`, { rectification: 'x', accountability: 'y' }), 409, 'conflict');
  duty = assertList(await owner.get(`/api/v1/duties?org_id=${spot.org_id}&kind=correction`)).items.find((x) => x.key === `inspection:${campaign.id}:notice:${notice.id}`);
  assert.equal(duty.done_at, today());
  const c = (await U.reg.get(`/api/v1/inspect/campaigns/${campaign.id}`)).json.summary;
  assert.deepEqual([c.spot_checks, c.spot_checks_scored, c.notices, c.notices_closed], [3, 1, 1, 1]);
});

test('an overdue notice escalates to the issuing regulator\'s duties', async () => {
  const spot = assertList(await U.reg.get(`/api/v1/inspect/spot-checks?campaign_id=${campaign.id}`)).items[1];
  assert.equal((await scoreAll(spot.id, { items: items.map((i) => ({ item_id: i.id, score: '0' })) })).status, 200);
  assert.equal((await U.reg.post(`/api/v1/inspect/spot-checks/${spot.id}/complete`)).status, 200);
  const r = await U.reg.post(`/api/v1/inspect/spot-checks/${spot.id}/notices`, { problems: [{ description: '边界访问控制缺失' }], due_date: today() });
  assert.equal(r.status, 201, `${r}`);
  const escalation = `inspection:${campaign.id}:escalate:${r.json.id}`;
  const regDuties = async () => assertList(await U.reg.get(`/api/v1/duties?org_id=${O.R.id}&limit=500`)).items;
  assert.ok(!(await regDuties()).some((x) => x.key === escalation), 'not overdue on its last day');

  // The deadline passes: a black-box test cannot wait, so the stored deadline is moved back and
  // the duties are rebuilt as the daily job does.
  const sql = `UPDATE inspect_notices SET due_date = '2025-01-10' WHERE id = ${Number(r.json.id)}`;
  const ed = srv.dbUrl
    ? spawnSync('psql', ['-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', srv.dbUrl, '-c', sql], { encoding: 'utf8' })
    : spawnSync('sqlite3', [join(srv.dataDir, 'fanghu.db'), sql], { encoding: 'utf8' });
  assert.equal(ed.status, 0, ed.stderr);
  const rc = srv.cli(['duty', 'recompute', ...srv.cliArgs()]);
  assert.equal(rc.status, 0, rc.stderr);

  const n = (await U.reg.get(`/api/v1/inspect/notices/${r.json.id}`)).json;
  assert.deepEqual([n.status, n.status_name], ['overdue', '逾期未整改']);
  assert.ok(assertList(await U.reg.get(`/api/v1/inspect/notices?status=overdue&campaign_id=${campaign.id}`)).items.some((x) => x.id === r.json.id));
  const up = (await regDuties()).find((x) => x.key === escalation);
  assert.ok(up, 'the escalation is the regulator\'s duty');
  assert.deepEqual([up.state, up.due_date, up.org_id], ['overdue', '2025-01-10', O.R.id]);
  assert.match(up.title, /逾期未整改督办/);
  const own = assertList(await OP[spot.org_id].get(`/api/v1/duties?org_id=${spot.org_id}&state=overdue`)).items;
  assert.ok(own.some((x) => x.key === `inspection:${campaign.id}:notice:${r.json.id}`));
  assert.equal((await U.reg.get(`/api/v1/inspect/campaigns/${campaign.id}`)).json.summary.notices_overdue, 1);
  // closed late: the escalation stays on record as done, the notice as closed late
  const closed = await OP[spot.org_id].post(`/api/v1/inspect/notices/${r.json.id}/report`, { rectification: '已部署访问控制', accountability: '约谈责任人' });
  assert.deepEqual([closed.json.status, closed.json.closed_late], ['closed', true]);
  const done = (await regDuties()).find((x) => x.key === escalation);
  assert.equal(done.done_at, today());
});

test('a draw without a given seed records a random one, still reproducible', async () => {
  const c = await U.reg.post('/api/v1/inspect/campaigns', { title: uniq('增值电信企业专项检查'), focus: '数据安全', scope: { kinds: ['vas'], provinces: ['35'] }, self_due: addDays(today(), 20) });
  assert.equal(c.status, 201, `${c}`);
  const d = await U.reg.post(`/api/v1/inspect/campaigns/${c.json.id}/draw`, { n: 2, team_size: 1 });
  assert.equal(d.status, 201, `${d}`);
  assert.match(d.json.seed, /^[0-9a-f]{64}$/);
  assert.notEqual(d.json.seed, SEED);
  assert.equal((await U.reg.get(`/api/v1/inspect/draws/${d.json.id}/verify`)).json.reproducible, true);
});

test('another tenant\'s ids answer 404 everywhere', async () => {
  const si = assertList(await U.reg.get(`/api/v1/inspect/self-inspections?campaign_id=${campaign.id}`)).items[0];
  const spot = assertList(await U.reg.get(`/api/v1/inspect/spot-checks?campaign_id=${campaign.id}`)).items[2];
  const notice = assertList(await U.reg.get(`/api/v1/inspect/notices?campaign_id=${campaign.id}`)).items[0];
  const inspector = assertList(await U.reg.get('/api/v1/inspect/inspectors')).items[0];
  const c = `/api/v1/inspect/campaigns/${campaign.id}`;
  const calls = [
    ['GET', c], ['GET', `${c}/items`], ['GET', `${c}/draw`], ['POST', `${c}/draw`, { n: 1 }],
    ['GET', `/api/v1/inspect/draws/${draw.id}/verify`],
    ['GET', `/api/v1/inspect/self-inspections/${si.id}`], ['PUT', `/api/v1/inspect/self-inspections/${si.id}/findings`, { items: [{ item_id: items[0].id, result: 'conform' }] }],
    ['POST', `/api/v1/inspect/self-inspections/${si.id}/submit`, { summary: 'x' }],
    ['GET', `/api/v1/inspect/spot-checks/${spot.id}`], ['PUT', `/api/v1/inspect/spot-checks/${spot.id}/scores`, { items: [{ item_id: items[0].id, score: '1' }] }],
    ['POST', `/api/v1/inspect/spot-checks/${spot.id}/complete`, {}], ['POST', `/api/v1/inspect/spot-checks/${spot.id}/notices`, { problems: [{ description: 'x' }], due_date: addDays(today(), 5) }],
    ['GET', `/api/v1/inspect/notices/${notice.id}`], ['POST', `/api/v1/inspect/notices/${notice.id}/report`, { rectification: 'x', accountability: 'y' }],
    ['PATCH', `/api/v1/inspect/inspectors/${inspector.id}`, { active: false }],
  ];
  const audits = await auditTotal(admin);
  const soft = new Soft();
  for (const [who, client] of [['外省监管', U.reg2], ['外省企业', U.X]])
    for (const [method, path, body] of calls)
      await soft.run(`${who} ${method} ${path}`, async () => assertError(await client.req(method, path, body ? { json: body } : {}), 404, 'not_found'));
  await soft.run('a check-item list PUT', async () => assertError(await put(U.X, campaign.id, CSV([HEADER, ...ITEMS])), 404, 'not_found'));
  for (const path of [`/api/v1/inspect/campaigns/999999`, '/api/v1/inspect/spot-checks/999999', '/api/v1/inspect/notices/999999', '/api/v1/inspect/self-inspections/999999', '/api/v1/inspect/draws/999999/verify'])
    await soft.run(`missing ${path}`, async () => assertError(await admin.get(path), 404, 'not_found'));
  soft.done('404s');
  assert.equal(await auditTotal(admin), audits, 'nothing written');
  for (const list of ['self-inspections', 'spot-checks', 'notices'])
    assert.equal(assertList(await U.X.get(`/api/v1/inspect/${list}`)).total, 0, list);
  assertError(await U.reg.get('/api/v1/inspect/notices?status=late'), 400, 'validation_failed', 'status');
});
