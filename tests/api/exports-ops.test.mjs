// Lists as XLSX (导出 XLSX) of the operations pages: 暴露面 entries, 威胁 and 威胁处置通报, 网络安全
// 事件, 应急预案 and 应急演练, 工业互联网企业登记, and the four 检查 lists. Each list gets at least
// two records of the caller's organisation (with codes written by their names) and one of another
// tenant; each export is downloaded by a scoped user and by the system administrator and checked
// against the JSON list of the same caller (header row, one row per item, cells), the other
// tenant's record absent from the scoped workbook and present in the administrator's; the codes
// are written as the console names them (web/src/threat.js, the 登记核验 tab).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, userWithClient, uniq, listAll, assertList } from './lib.mjs';
import { today, addDays } from './assess-fixtures.mjs';
import { text } from './xlsx-read.mjs';
import { download, fileName, checkBook, XLSX_TYPE } from './exports-lib.mjs';
import { SEVERITIES, THREAT_CATEGORIES } from '../../web/src/threat.js';

let srv, admin, catalogue;
const O = {}; // organisations
const U = {}; // clients
const M = {}; // per list: { scoped, mine: [values of `key`], foreign: [values], key, labelled }


async function ok(r, what, status = 201) {
  assert.equal(r.status, status, `${what}: ${r}`);
  return r.json;
}

// ---- fixtures ----------------------------------------------------------------------------------

async function exposure() {
  const entry = (org, inventory, fields) => ({ org_id: org.id, inventory, owner: '信息化部', asset_type: '防火墙', reachable: '办公网', ...fields });
  const a1 = await ok(await U.A.post('/api/v1/exposure/entries', entry(O.A, 'office', { asset_name: uniq('办公出口'), ip: '198.51.100.1' })), 'entry');
  const a2 = await ok(await U.A.post('/api/v1/exposure/entries', entry(O.A, 'vpn', { asset_name: uniq('VPN网关'), ip: '198.51.100.2,198.51.100.3', software: 'OpenVPN 2.6', purpose: '远程办公' })), 'entry');
  const a3 = await ok(await U.A.post('/api/v1/exposure/entries', entry(O.A, 'office', { asset_name: uniq('灾备出口'), ip: '198.51.100.4' })), 'entry');
  await ok(await U.A.put(`/api/v1/exposure/entries/${a3.id}/exception`, { reason: '灾备中心独立出口', reported_to: '集团公司', reported_on: '2026-06-01' }), 'exception', 200);
  const x = await ok(await U.X.post('/api/v1/exposure/entries', entry(O.X, 'office', { asset_name: uniq('乙出口'), ip: '192.0.2.9' })), 'entry');
  M['/api/v1/exposure/entries'] = { scoped: U.A, key: 'asset_name', mine: [a1, a2, a3].map((e) => e.asset_name), foreign: [x.asset_name] };
}

/** An EVE alert towards an address of the organisation's unit. */
const eve = (dest, src, sid, severity, signature, category) => JSON.stringify({
  timestamp: '2026-03-02T08:00:00.250000+0000', flow_id: sid, event_type: 'alert', src_ip: src, src_port: 4444,
  dest_ip: dest, dest_port: 443, proto: 'TCP',
  alert: { action: 'allowed', gid: 1, signature_id: sid, rev: 1, signature, category, severity },
});

async function threats() {
  for (const [org, cidr] of [[O.A, '198.51.100.0/24'], [O.X, '203.0.113.0/24']])
    await ok(await admin.post('/api/v1/units', { org_id: org.id, name: uniq('网络单元'), unit_type: 'internet', status: 'online', ip_ranges: [cidr] }), 'unit');
  const tok = await ok(await admin.post('/api/v1/tokens', { name: uniq('sensor'), scope: 'events:write' }), 'token');
  const sensor = srv.client();
  sensor.bearer = tok.token;
  const lines = [
    eve('198.51.100.10', '1.1.1.1', 9100001, 1, 'ET CNC Test Botnet Beacon', 'Malware Command and Control Activity Detected'),
    eve('198.51.100.11', '1.0.0.1', 9100002, 2, 'ET SCAN Suspicious inbound to mySQL port 3306', 'Potentially Bad Traffic'),
    eve('198.51.100.12', '9.9.9.9', 9100003, 3, 'ET POLICY Outdated Windows Flash Version IE', 'Potential Corporate Privacy Violation'),
    eve('203.0.113.7', '8.8.4.4', 9100004, 1, 'ET CNC Other Tenant Beacon', 'Malware Command and Control Activity Detected'),
  ];
  await ok(await sensor.req('POST', '/api/v1/events', { body: lines.join('\n') + '\n', contentType: 'application/x-ndjson' }), 'events', 200);
  const all = (await listAll(admin, '/api/v1/threats')).items;
  const mine = all.filter((t) => t.org_id === O.A.id), theirs = all.filter((t) => t.org_id === O.X.id);
  assert.deepEqual(mine.map((t) => t.severity).sort(), [1, 2, 3], JSON.stringify(all));
  assert.equal(theirs.length, 1);
  M['/api/v1/threats'] = { scoped: U.A, key: 'indicator', mine: mine.map((t) => t.indicator), foreign: theirs.map((t) => t.indicator), labelled: ['severity'] };

  // 处置通报: two from A's province's regulator to A, one from the other province's to X.
  const issue = async (client, threatsOf, title) => ok(await client.post('/api/v1/notices', {
    title, description: '请立即排查并处置相关主机', deadline: addDays(today(), 7), threat_ids: threatsOf.map((t) => t.id),
  }), 'notice');
  const n1 = await issue(U.R, mine.slice(0, 1), uniq('通报甲一'));
  const n2 = await issue(U.R, mine.slice(1), uniq('通报甲二'));
  const n3 = await issue(U.R2, theirs, uniq('通报乙'));
  M['/api/v1/notices'] = { scoped: U.A, key: 'title', mine: [n1.title, n2.title], foreign: [n3.title] };
}

async function incidents() {
  const inc = async (client, org, fields) => ok(await client.post('/api/v1/incidents', {
    org_id: org.id, title: uniq('事件'), category: 'attack', grade: 'large', detected_at: '2026-02-12T09:30:00+08:00', ...fields,
  }), 'incident');
  const i1 = await inc(U.A, O.A, { title: uniq('DDoS攻击事件') });
  const i2 = await inc(U.A, O.A, { title: uniq('数据泄露事件'), category: 'data', grade: 'general', response_started_at: '2026-02-12T10:00:00+08:00' });
  const ix = await inc(U.X, O.X, { title: uniq('乙事件') });
  M['/api/v1/incidents'] = { scoped: U.A, key: 'title', mine: [i1.title, i2.title], foreign: [ix.title] };

  const plan = async (client, org, title) => ok(await client.post('/api/v1/emergency-plans', { org_id: org.id, title, scope: '本公司全部网络单元' }), 'plan');
  const p1 = await plan(U.A, O.A, uniq('网络安全事件应急预案'));
  await ok(await U.A.post(`/api/v1/emergency-plans/${p1.id}/versions`, { version: 'v1', approved_on: '2025-05-01', notes: '首次制定' }), 'version');
  const p2 = await plan(U.A, O.A, uniq('数据安全应急预案'));
  const px = await plan(U.X, O.X, uniq('乙预案'));
  M['/api/v1/emergency-plans'] = { scoped: U.A, key: 'title', mine: [p1.title, p2.title], foreign: [px.title] };

  const drill = async (client, org, fields) => ok(await client.post('/api/v1/drills', { org_id: org.id, drill_date: '2026-03-01', ...fields }), 'drill');
  const d1 = await drill(U.A, O.A, { scenario: uniq('核心网遭受DDoS攻击'), plan_id: p1.id, participants: ['网络安全部'], items: [{ description: '告警升级流程', owner: '张三', due_date: '2026-04-01' }] });
  const d2 = await drill(U.A, O.A, { scenario: uniq('勒索软件'), drill_date: '2025-09-01' });
  const dx = await drill(U.X, O.X, { scenario: uniq('乙演练') });
  M['/api/v1/drills'] = { scoped: U.A, key: 'scenario', mine: [d1.scenario, d2.scenario], foreign: [dx.scenario] };
}

const LOW = { scale: 'micro', business_scope: 'local', iiot_use: 'single', important_systems: 'none', important_data: 'none', industry_importance: 'low', incident_impact: 'minor' };
const HIGH = { scale: 'huge', business_scope: 'national', iiot_use: 'full', important_systems: 'critical', important_data: 'core', industry_importance: 'very_high', incident_impact: 'grave' };

async function iiot() {
  const enterprise = async (client, org, types) => {
    const ent = `/api/v1/iiot/enterprises/${org.id}`;
    await ok(await client.put(ent, {
      name: org.name, types, contacts: [{ name: '张三', phone: '0591-12345678', email: 'zs@example.cn', role: '信息部经理' }],
      security_lead: { name: '李四', title: '副总经理', phone: '13800000000' },
    }), 'profile');
    for (const [i, type] of types.entries())
      await ok(await client.post(`${ent}/gradings`, { type, answers: i ? LOW : HIGH, graded_on: '2026-09-01' }), 'grading');
    return (await ok(await client.post(`${ent}/registrations`, { submitted_on: '2026-09-10' }), 'registration')).items;
  };
  const mine = await enterprise(U.E1, O.E1, ['connected', 'platform']);
  const theirs = await enterprise(U.EX, O.EX, ['connected']);
  // The platform's registration goes back for correction (the correction clock), the other waits.
  const platform = mine.find((x) => x.type === 'platform');
  await ok(await U.R.post(`/api/v1/iiot/registrations/${platform.id}/return`, { reasons: [{ field: 'level', reason: '定级不准确' }] }), 'return', 200);
  M['/api/v1/iiot/registrations'] = { scoped: U.E1, key: 'org_name', mine: [O.E1.name], foreign: [O.EX.name], labelled: ['clock.deadline'], min: 2 };
}

const CSV = (rows) => rows.map((r) => r.join(',')).join('\r\n') + '\r\n';
const CHECKLIST = CSV([
  ['area', 'point', 'method', 'evidence', 'score', 'max score'],
  ['网络安全', '边界访问控制', '查看边界设备配置', '配置截图', '未配置扣 2 分', '2'],
  ['主机安全', '弱口令', '远程检测', '检测报告', '发现一处扣 1 分', '3'],
]);

/** A campaign of the regulator over the vas organisations of its province, drawn, scored, with notices. */
async function campaign(reg, province, n) {
  const c = await ok(await reg.post('/api/v1/inspect/campaigns', {
    title: uniq('网络安全检查'), focus: '弱口令、中高危漏洞', scope: { kinds: ['vas'], provinces: [province] }, self_due: addDays(today(), 30),
  }), 'campaign');
  await ok(await reg.req('PUT', `/api/v1/inspect/campaigns/${c.id}/checklist?filename=items.csv`, { body: CHECKLIST, contentType: 'text/csv' }), 'checklist', 200);
  const items = assertList(await reg.get(`/api/v1/inspect/campaigns/${c.id}/items`)).items;
  for (const name of ['检查员甲', '检查员乙']) await ok(await reg.post('/api/v1/inspect/inspectors', { name, expertise: '网络安全检查' }), 'inspector');
  await ok(await reg.post(`/api/v1/inspect/campaigns/${c.id}/draw`, { n, team_size: 1 }), 'draw');
  const spots = assertList(await reg.get(`/api/v1/inspect/spot-checks?campaign_id=${c.id}`)).items;
  assert.equal(spots.length, n);
  const notices = [];
  for (const s of spots) {
    await ok(await reg.put(`/api/v1/inspect/spot-checks/${s.id}/scores`, { items: items.map((i, k) => ({ item_id: i.id, score: k ? '1.5' : '2' })) }), 'scores', 200);
    await ok(await reg.post(`/api/v1/inspect/spot-checks/${s.id}/complete`, { summary: '发现问题 1 项' }), 'complete', 200);
    notices.push(await ok(await reg.post(`/api/v1/inspect/spot-checks/${s.id}/notices`, { problems: [{ item_id: items[1].id, description: '存在弱口令' }], due_date: addDays(today(), 15) }), 'notice'));
  }
  return { c, spots, notices };
}

async function inspections() {
  const mine = await campaign(U.R, '35', 2);
  const theirs = await campaign(U.R2, '44', 1);
  // A second campaign of the regulator, not drawn yet (抽查 blank, its targets' self-inspections pending).
  const second = await ok(await U.R.post('/api/v1/inspect/campaigns', {
    title: uniq('数据安全专项检查'), focus: '用户个人信息保护', scope: { kinds: ['vas'], provinces: ['35'] }, self_due: addDays(today(), 40),
  }), 'campaign');
  M['/api/v1/inspect/campaigns'] = { scoped: U.R, key: 'title', mine: [mine.c.title, second.title], foreign: [theirs.c.title] };
  // The targets (and those drawn, and noticed): V1 and V2 in 35, X in 44. Notice numbers count per
  // regulator, so the organisation tells them apart.
  M['/api/v1/inspect/self-inspections'] = { scoped: U.R, key: 'org_name', mine: [O.V1.name, O.V2.name], foreign: [O.X.name] };
  M['/api/v1/inspect/spot-checks'] = { scoped: U.R, key: 'org_name', mine: mine.spots.map((s) => s.org_name), foreign: theirs.spots.map((s) => s.org_name) };
  M['/api/v1/inspect/notices'] = { scoped: U.R, key: 'org_name', mine: mine.notices.map((x) => x.org_name), foreign: theirs.notices.map((x) => x.org_name) };
}

before(async () => {
  srv = await startServer();
  admin = await srv.admin();
  O.R = await createOrg(admin, { name: uniq('福建省通信管理局'), kind: 'regulator_ca', province: '35', jurisdiction: [{ province: '35', kind: '*' }] });
  O.R2 = await createOrg(admin, { name: uniq('广东省通信管理局'), kind: 'regulator_ca', province: '44', jurisdiction: [{ province: '44', kind: '*' }] });
  O.A = await createOrg(admin, { name: uniq('甲福建公司'), kind: 'telecom_provincial', province: '35' });
  O.V1 = await createOrg(admin, { name: uniq('增值甲'), kind: 'vas', province: '35' });
  O.V2 = await createOrg(admin, { name: uniq('增值乙'), kind: 'vas', province: '35' });
  O.X = await createOrg(admin, { name: uniq('广东增值'), kind: 'vas', province: '44' });
  O.E1 = await createOrg(admin, { name: uniq('福建制造'), kind: 'iiot_connected', province: '35' });
  O.EX = await createOrg(admin, { name: uniq('广东制造'), kind: 'iiot_connected', province: '44' });
  for (const k of ['A', 'X', 'E1', 'EX']) U[k] = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: O[k].id })).client;
  U.R = (await userWithClient(srv, admin, { role: 'regulator', org_id: O.R.id })).client;
  U.R2 = (await userWithClient(srv, admin, { role: 'regulator', org_id: O.R2.id })).client;
  await exposure();
  await threats();
  await incidents();
  await iiot();
  await inspections();
  catalogue = (await ok(await admin.get('/api/v1/exports'), 'catalogue', 200)).items;
});
after(async () => {
  await srv?.close();
});

// ---- checks ------------------------------------------------------------------------------------

const member = (item, key) => key.split('.').reduce((v, k) => (v == null ? undefined : v[k]), item);

/** The items with the labelled keys' numbers as text: checkBook reads a number as a number cell. */
function asLabelled(items, labelled) {
  return items.map((item) => {
    const copy = structuredClone(item);
    for (const key of labelled) {
      const path = key.split('.'), last = path.pop();
      const parent = path.reduce((v, k) => (v == null ? undefined : v[k]), copy);
      if (parent && typeof parent[last] === 'number') parent[last] = String(parent[last]);
    }
    return copy;
  });
}

/** Downloads path?query&format=xlsx as client and checks it against the JSON list; the rows. */
async function exported(client, path, query = '') {
  const entry = catalogue.find((e) => e.path === path);
  assert.ok(entry, `${path} is in GET /api/v1/exports`);
  const labelled = M[path]?.labelled || [];
  const { items } = await listAll(client, `${path}${query ? `?${query}` : ''}`);
  const r = await download(srv, client, `${path}?${query ? `${query}&` : ''}format=xlsx`);
  assert.equal(r.status, 200, `${path}: ${r.body.toString().slice(0, 300)}`);
  assert.equal(r.headers.get('content-type'), XLSX_TYPE);
  assert.match(fileName(r.headers), new RegExp(`^${entry.title}-\\d{4}-\\d{2}-\\d{2}\\.xlsx$`));
  const rows = checkBook(entry, r.body, asLabelled(items, labelled), { labelled: new Set(labelled) });
  return { entry, items, rows, col: (key) => rows.slice(1).map((row) => text(row[entry.columns.findIndex((c) => c.key === key)] ?? '')) };
}

const LISTS = [
  '/api/v1/exposure/entries', '/api/v1/threats', '/api/v1/notices', '/api/v1/incidents', '/api/v1/emergency-plans',
  '/api/v1/drills', '/api/v1/iiot/registrations', '/api/v1/inspect/campaigns', '/api/v1/inspect/self-inspections',
  '/api/v1/inspect/spot-checks', '/api/v1/inspect/notices',
];

for (const path of LISTS) {
  test(`${path}: the scoped user's rows only, the administrator's all, cells equal to the list`, async () => {
    const m = M[path];
    const scoped = await exported(m.scoped, path);
    assert.ok(scoped.items.length >= (m.min ?? 2) && scoped.rows.length - 1 === scoped.items.length, `${path}: ${scoped.items.length} rows`);
    const seen = scoped.col(m.key);
    for (const v of m.mine) assert.ok(seen.includes(v), `${path}: ${v} in the scoped export`);
    for (const v of m.foreign) assert.ok(!seen.includes(v), `${path}: another tenant's ${v} in the scoped export`);
    assert.ok(!scoped.rows.flat().map(text).some((cell) => m.foreign.includes(cell)), `${path}: nothing of the other tenant`);
    const all = await exported(admin, path);
    const every = all.col(m.key);
    for (const v of [...m.mine, ...m.foreign]) assert.ok(every.includes(v), `${path}: ${v} in the administrator's export`);
    assert.ok(all.items.length > scoped.items.length);
  });
}

test('the columns are the console table\'s, composite columns split into their parts', () => {
  const headers = (path) => catalogue.find((e) => e.path === path).columns.map((c) => c.header);
  assert.deepEqual(headers('/api/v1/threats'), ['威胁', '规则编号', '威胁类别', '指标', '单位', '网络单元', '严重程度', '事件数', '最近发现']);
  assert.deepEqual(headers('/api/v1/notices'), ['通报', '下发单位', '指标', '处置期限', '关闭', '接收', '逾期', '下发时间']);
  assert.deepEqual(headers('/api/v1/incidents'), ['事件名称', '所属单位', '类别', '级别', '发现时间', '事件报告', '状态']);
  assert.deepEqual(headers('/api/v1/inspect/campaigns'), ['检查工作', '组织单位', '范围', '自查报告期限', '检查项', '抽查（家）']);
  for (const path of LISTS) assert.ok(!headers(path).includes('操作'), `${path}: no action column`);
});

test('a campaign\'s 范围 reads as the console shows it: kinds, then provinces', async () => {
  const c = await exported(U.R, '/api/v1/inspect/campaigns');
  const scope = c.col('scope_text');
  c.items.forEach((item, i) => assert.equal(scope[i], `${item.scope.kinds.map((k) => k.name).join('、')} · ${item.scope.provinces.map((p) => p.name).join('、')}`));
  assert.ok(scope.every((s) => /^[^a-z]+ · .+省$/.test(s)), scope.join(' | '));
});

test('codes are written by the console\'s names: severities (web/src/threat.js), clocks, categories', async () => {
  const t = await exported(U.A, '/api/v1/threats');
  const severity = t.col('severity');
  t.items.forEach((item, i) => assert.equal(severity[i], SEVERITIES.find((s) => s.value === item.severity).name, `threat ${item.indicator}`));
  assert.deepEqual([...new Set(severity)].sort(), ['中', '低', '高']);
  const category = t.col('category_name');
  t.items.forEach((item, i) => assert.equal(category[i], THREAT_CATEGORIES.find((c) => c.code === item.category).name));
  assert.deepEqual(t.col('unit_name').filter(Boolean).length, t.items.length, '网络单元 as a column of its own');

  // The 登记核验 tab: 核验 while the regulator checks, 补正 once returned.
  const g = await exported(U.E1, '/api/v1/iiot/registrations');
  const clock = g.col('clock.deadline');
  g.items.forEach((item, i) => assert.equal(clock[i], { verification: '核验', correction: '补正' }[item.clock.deadline]));
  assert.deepEqual([...clock].sort(), ['核验', '补正'].sort());

});

test('the filters of the page apply to the export', async () => {
  const vpn = await exported(U.A, '/api/v1/exposure/entries', `org_id=${O.A.id}&inventory=vpn`);
  assert.equal(vpn.items.length, 1);
  assert.deepEqual(vpn.col('inventory_name'), [vpn.items[0].inventory_name]);
  assert.deepEqual(vpn.col('software'), ['OpenVPN 2.6']);
  const office = await exported(U.A, '/api/v1/exposure/entries', 'inventory=office');
  assert.equal(office.items.length, 2);
  assert.deepEqual(office.col('exception.reported_on').sort(), ['', '2026-06-01']);
  const grade = await exported(U.A, '/api/v1/incidents', 'grade=general');
  assert.equal(grade.items.length, 1);
  const returned = await exported(U.E1, '/api/v1/iiot/registrations', 'status=returned');
  assert.deepEqual(returned.col('clock.deadline'), ['补正']);
  // A filter the list refuses is refused for the export too.
  const bad = await download(srv, U.A, '/api/v1/notices?status=nonsense&format=xlsx');
  assert.equal(bad.status, 400);
  assert.equal(JSON.parse(bad.body.toString()).error.field, 'status');
});
