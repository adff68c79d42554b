// Lists of the core console areas as XLSX (GET <list>?format=xlsx): organisations, users, API
// tokens, the audit log, units (their own streamed export), filings, assessments, risk
// assessments, check-item lists, campaigns, annual reports and who has not sent one, and the
// document centre. Each list gets two records or more (codes that need a name among them) and a
// record of another tenant; each export is read as a scoped user and as the administrator and
// compared with the same list's JSON (checkBook), the other tenant's record absent; codes are
// written by the names the console gives them (web/src/format.js), and no token secret is written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, userWithClient, uniq, listAll, assertList } from './lib.mjs';
import { readWorkbook, text } from './xlsx-read.mjs';
import { download, fileName, checkBook, XLSX_TYPE } from './exports-lib.mjs';
import { today, addDays, pdf } from './assess-fixtures.mjs';
import { AUDIT_ACTIONS, AUDIT_ENTITIES, TOKEN_SCOPES } from '../../web/src/format.js';

const YEAR = Number(today().slice(0, 4));
const UNIT = {
  unit_type: 'internet', status: 'online', business_scope: '互联网接入业务', service_scope: '福建省',
  user_types: '个人用户、政企客户', management: '网络安全部负责日常安全管理', technical: '核心—汇聚—接入三层架构',
};

/** What each list declares: its title and header row. */
const DECLARED = {
  '/api/v1/orgs': ['组织机构', ['名称', '单位类型', '统一社会信用代码', '省份', '上级单位', '管辖范围']],
  '/api/v1/users': ['用户', ['用户名', '姓名', '角色', '所属单位', '状态', '已停用', '锁定至', '待改密', '最近登录']],
  '/api/v1/tokens': ['API 令牌', ['名称', '权限范围', '所属用户', '创建时间', '有效期至', '最近使用']],
  '/api/v1/audit': ['审计日志', ['序号', '时间', '操作人', '操作人 ID', '操作', '操作代码', '对象', '对象 ID', '客户端地址', '请求 ID', '哈希']],
  '/api/v1/units': ['网络单元', []],
  '/api/v1/filings': ['备案', ['网络单元', '运行单位', '省份', '类型', '提交时间', '已等待（天）', '状态']],
  '/api/v1/assessments': ['符合性评测', ['网络单元', '所属单位', '开始日期', '结束日期', '评测机构', '评测方式', '得分', '状态', '报送期限', '报送时间']],
  '/api/v1/risk-assessments': ['风险评估', ['网络单元', '所属单位', '开始日期', '结束日期', '方法', '上线前评估', '状态', '报送期限', '报送时间']],
  '/api/v1/checklists': ['检查项清单', ['名称', '版本', '网络单元类型', '级别', '检查项', '导入人', '导入时间', '来源文件']],
  '/api/v1/campaigns': ['专项工作', ['专项工作', '说明', '下发单位', '截止日期', '完成进度', '已报送单位数', '对象单位数']],
  '/api/v1/annual-reports': ['安全防护工作报告', ['年度', '单位', '类型', '截止日期', '状态', '逾期报送', '逾期未报送', '报送时间', '接收确认']],
  '/api/v1/annual-reports/missing': ['未报送安全防护工作报告单位', ['年度', '单位', '类型', '省份', '上级单位', '截止日期', '状态']],
  '/api/v1/doc-catalogue': ['政策文件与标准目录', ['类型', '名称', '发布机关', '文号', '来源']],
  '/api/v1/doc-templates': ['模板与文件', ['名称', '文件名', '说明', '上传时间']],
};
const UNIT_HEADER = ['编号', '所属单位', '网络单元名称', '网络单元类型', '运行状态', '安全等级', '等级值k', '备案状态', '备案编号', '备案日期',
  '关键信息基础设施', '等级保护级别', '上线日期', '业务/应用范围', '服务范围', '用户类型'];

let srv, admin, catalogue;
const O = {}, U = {}, N = {}, secrets = [];

async function ok(promise, status = 201) {
  const r = await promise;
  assert.equal(r.status, status, `${r}`);
  return r.json;
}

/** A unit of org, graded 第3级 and complete enough to submit. */
async function unit(client, orgId, name) {
  const u = await ok(client.post('/api/v1/units', { org_id: orgId, name, ...UNIT }));
  await ok(client.post(`/api/v1/units/${u.id}/grading`, { i: 4, r: 4, v: 3, just_i: '理由一', just_r: '理由二', just_v: '理由三' }), 200);
  return u;
}

before(async () => {
  srv = await startServer();
  admin = await srv.admin();
  // A (北京 group) ⊃ A1 (福建); B another group; V a 福建 company without a report; C a 广东 company;
  // R regulates 福建, R2 广东.
  O.A = await createOrg(admin, { name: uniq('甲集团'), kind: 'telecom_group', province: '11' });
  O.A1 = await createOrg(admin, { name: uniq('甲福建'), kind: 'telecom_provincial', province: '35', parent_id: O.A.id });
  O.B = await createOrg(admin, { name: uniq('乙集团'), kind: 'telecom_group', province: '11' });
  O.V = await createOrg(admin, { name: uniq('某增值企业'), kind: 'vas', province: '35' });
  O.C = await createOrg(admin, { name: uniq('丙广东'), kind: 'vas', province: '44' });
  O.R = await createOrg(admin, { name: uniq('福建省通信管理局'), kind: 'regulator_ca', province: '35', jurisdiction: [{ province: '35', kind: '*' }] });
  O.R2 = await createOrg(admin, { name: uniq('广东省通信管理局'), kind: 'regulator_ca', province: '44', jurisdiction: [{ province: '44', kind: '*' }] });
  for (const [k, role, org] of [['opA', 'operator_admin', 'A'], ['staffA1', 'operator_staff', 'A1'], ['opB', 'operator_admin', 'B'],
    ['regR', 'regulator', 'R'], ['regR2', 'regulator', 'R2'], ['audA', 'auditor', 'A']]) {
    U[k] = (await userWithClient(srv, admin, { role, org_id: O[org].id })).client;
  }

  // Tokens: two of A's administrator (both scopes), one of B's.
  for (const [client, body] of [[U.opA, { name: uniq('甲只读令牌'), scope: 'read' }],
    [U.opA, { name: uniq('甲上报令牌'), scope: 'events:write', expires_at: `${addDays(today(), 90)}T23:59:59+08:00` }],
    [U.opB, { name: (N.tokenB = uniq('乙令牌')), scope: 'read' }]]) {
    secrets.push((await ok(client.post('/api/v1/tokens', body))).token);
  }

  // Units and filings: two of A1 (one approved, one waiting), one of B.
  N.unitA1a = uniq('甲福建IDC');
  N.unitA1b = uniq('甲福建DNS');
  N.unitB = uniq('乙网络单元');
  const ua = await unit(U.opA, O.A1.id, N.unitA1a);
  const ub = await unit(U.staffA1, O.A1.id, N.unitA1b);
  const uB = await unit(U.opB, O.B.id, N.unitB);
  const fa = await ok(U.opA.post(`/api/v1/units/${ua.id}/submit`, {}));
  await ok(U.staffA1.post(`/api/v1/units/${ub.id}/submit`, {}));
  await ok(U.opB.post(`/api/v1/units/${uB.id}/submit`, {}));
  await ok(U.regR.post(`/api/v1/filings/${fa.id}/approve`, { filing_number: uniq('闽备') }), 200);

  // Assessments and risk assessments: two of A1 (one ended), one of B.
  const assessment = (extra) => ({ assessor_kind: 'third_party', assessor_name: '某测评机构', assessor_qualification: '通信网络安全服务能力评定证书', started_on: addDays(today(), -20), ...extra });
  await ok(U.opA.post(`/api/v1/units/${ua.id}/assessments`, assessment({ ended_on: addDays(today(), -5), score: '92.5' })));
  await ok(U.opA.post(`/api/v1/units/${ub.id}/assessments`, assessment({ assessor_kind: 'self', assessor_name: '本单位' })));
  await ok(U.opB.post(`/api/v1/units/${uB.id}/assessments`, assessment({ assessor_name: '乙的测评机构' })));
  await ok(U.opA.post(`/api/v1/units/${ua.id}/risk-assessments`, { started_on: addDays(today(), -10), ended_on: addDays(today(), -2), method: 'matrix' }));
  await ok(U.staffA1.post(`/api/v1/units/${ub.id}/risk-assessments`, { started_on: addDays(today(), -3) }));
  await ok(U.opB.post(`/api/v1/units/${uB.id}/risk-assessments`, { started_on: addDays(today(), -3) }));

  // Check-item lists (not tenant data): two.
  const csv = '序号,area,requirement,method\n1,网络安全,应部署访问控制设备,检查配置\n2,管理,应制定应急预案,查阅文件\n';
  for (const [type, level] of [['internet', 3], ['cdn', 2]]) {
    const q = new URLSearchParams({ name: uniq('防护检查项'), version: 'v1', unit_type: type, level: String(level), filename: `${type}.csv` });
    await ok(admin.req('POST', `/api/v1/checklists?${q}`, { body: csv, contentType: 'text/csv' }));
  }

  // Campaigns: two of R for A1, one of R2 for C.
  await ok(U.regR.post('/api/v1/campaigns', { title: uniq('存量网络单元核查'), description: '核查全部存量网络单元', due_date: addDays(today(), 30), org_ids: [O.A1.id] }));
  await ok(U.regR.post('/api/v1/campaigns', { title: uniq('暴露面清查'), due_date: addDays(today(), -1), org_ids: [O.A1.id, O.V.id] }));
  await ok(U.regR2.post('/api/v1/campaigns', { title: (N.campaignC = uniq('广东专项')), due_date: addDays(today(), 30), org_ids: [O.C.id] }));

  // Annual reports: drafts of A and A1, one of B; V has none.
  await ok(U.opA.post('/api/v1/annual-reports', { org_id: O.A.id, year: YEAR }));
  await ok(U.staffA1.post('/api/v1/annual-reports', { org_id: O.A1.id, year: YEAR }));
  await ok(U.opB.post('/api/v1/annual-reports', { org_id: O.B.id, year: YEAR }));

  // Templates of the document centre (not tenant data): two.
  for (const title of ['安全防护工作报告（模板）', '风险评估报告（模板）']) {
    const q = new URLSearchParams({ name: `${title}.pdf`, title, description: `${title}说明` });
    await ok(admin.req('POST', `/api/v1/doc-templates?${q}`, { body: pdf(0, uniq('m')), contentType: 'application/octet-stream' }));
  }

  catalogue = (await ok(admin.get('/api/v1/exports'), 200)).items;
});
after(async () => {
  await srv?.close();
});

/**
 * Downloads path?query&format=xlsx as client and checks it against the same list's JSON:
 * { rows, items, entry, cells: a column's cells by header, all: every cell's text }.
 */
async function exported(client, path, { query = '', labelled = [] } = {}) {
  const entry = catalogue.find((e) => e.path === path);
  assert.ok(entry, `${path} is in the catalogue`);
  const { items } = await listAll(client, query ? `${path}?${query}` : path);
  const r = await download(srv, client, `${path}?${query ? `${query}&` : ''}format=xlsx`);
  assert.equal(r.status, 200, `${path}: ${r.body.toString().slice(0, 300)}`);
  assert.equal(r.headers.get('content-type'), XLSX_TYPE);
  assert.match(fileName(r.headers), new RegExp(`^${entry.title}-\\d{4}-\\d{2}-\\d{2}\\.xlsx$`));
  const rows = checkBook(entry, r.body, items, { labelled: new Set(labelled) });
  const cells = (header) => {
    const c = entry.columns.findIndex((x) => x.header === header);
    assert.ok(c >= 0, `${path}: a column ${header}`);
    return rows.slice(1).map((row) => text(row[c]));
  };
  return { rows, items, entry, cells, all: rows.flat().map(text).join('\n') };
}

test('the catalogue declares every list of these areas with the console\'s columns', () => {
  for (const [path, [title, headers]] of Object.entries(DECLARED)) {
    const e = catalogue.find((x) => x.path === path);
    assert.ok(e, `${path} exports`);
    assert.equal(e.title, title);
    assert.deepEqual(e.columns.map((c) => c.header), headers, path);
    assert.equal(e.streamed, path === '/api/v1/units', path);
  }
});

test('organisations: the caller\'s tree only; the administrator sees every one; a filter applies', async () => {
  const mine = await exported(U.opA, '/api/v1/orgs');
  assert.deepEqual(mine.cells('名称').sort(), [O.A.name, O.A1.name].sort());
  assert.deepEqual(mine.cells('省份'), mine.items.map((o) => o.province_name));
  assert.ok(mine.cells('省份').includes('福建省'), 'provinces by name');
  assert.deepEqual(mine.cells('上级单位')[mine.cells('名称').indexOf(O.A1.name)], O.A.name);
  assert.ok(!mine.all.includes(O.B.name));
  const all = await exported(admin, '/api/v1/orgs');
  for (const o of Object.values(O)) assert.ok(all.cells('名称').includes(o.name), o.name);
  const regulators = await exported(admin, '/api/v1/orgs', { query: 'kind=regulator_ca' });
  assert.deepEqual(regulators.cells('名称').sort(), [O.R.name, O.R2.name].sort());
  assert.ok(regulators.cells('单位类型').every((k) => k && k !== 'regulator_ca'), 'kinds by name');
  // 管辖范围 as the console words it; operators have none.
  assert.equal(regulators.cells('管辖范围')[regulators.cells('名称').indexOf(O.R.name)], '福建省 · 全部类型');
  assert.equal(regulators.cells('管辖范围')[regulators.cells('名称').indexOf(O.R2.name)], '广东省 · 全部类型');
  assert.ok(mine.cells('管辖范围').every((c) => c === ''));
});

test('users: the caller\'s organisations only; roles by name; the status as its parts', async () => {
  const mine = await exported(U.opA, '/api/v1/users');
  assert.deepEqual(mine.cells('用户名').sort(), [U.opA.username, U.staffA1.username, U.audA.username].sort());
  assert.deepEqual(mine.cells('角色'), mine.items.map((u) => u.role_name));
  assert.ok(mine.cells('角色').every((r) => /[\u4e00-\u9fff]/.test(r)), 'roles in Chinese');
  assert.ok(mine.cells('已停用').every((v) => v === '否') && mine.cells('待改密').every((v) => v === '否'));
  assert.ok(mine.cells('状态').every((v) => v === '正常'), '状态 as the console says it');
  assert.ok(!mine.all.includes(U.opB.username));
  const all = await exported(admin, '/api/v1/users');
  for (const c of Object.values(U)) assert.ok(all.cells('用户名').includes(c.username), c.username);
  const staff = await exported(admin, '/api/v1/users', { query: `role=operator_staff&org_id=${O.A1.id}` });
  assert.deepEqual(staff.cells('用户名'), [U.staffA1.username]);
  const gone = (await userWithClient(srv, admin, { role: 'operator_staff', org_id: O.A1.id })).user;
  assert.equal((await admin.patch(`/api/v1/users/${gone.id}`, { disabled: true })).status, 200);
  const after = await exported(admin, '/api/v1/users', { query: `org_id=${O.A1.id}` });
  assert.equal(after.cells('状态')[after.cells('用户名').indexOf(gone.username)], '已停用');
});

test('API tokens: the caller\'s own; scopes by the console\'s names; never a secret', async () => {
  const mine = await exported(U.opA, '/api/v1/tokens', { labelled: ['scope'] });
  assert.equal(mine.items.length, 2);
  assert.deepEqual(mine.cells('有效期至').filter((c, i) => !mine.items[i].expires_at), ['长期有效'], 'no expiry: as the console says');
  assert.ok(mine.cells('最近使用').every((c, i) => mine.items[i].last_used_at || c === '从未使用'));
  assert.deepEqual(mine.cells('权限范围'), mine.items.map((t) => TOKEN_SCOPES[t.scope]));
  assert.ok(mine.cells('权限范围').includes('事件上报（events:write）'));
  assert.deepEqual(mine.cells('所属用户'), [U.opA.username, U.opA.username]);
  assert.ok(!mine.all.includes(N.tokenB));
  const all = await exported(admin, '/api/v1/tokens', { labelled: ['scope'] });
  assert.ok(all.cells('名称').includes(N.tokenB));
  for (const book of [mine, all]) {
    assert.ok(!/fh_[A-Za-z0-9_-]{16,}/.test(book.all), 'no secret');
    for (const s of secrets) assert.ok(!book.all.includes(s) && !book.all.includes(s.slice(3, 20)), 'no part of a secret');
  }
});

test('audit log: an auditor of A sees A\'s records only, actions and objects by the console\'s names', async () => {
  const check = (book) => {
    assert.deepEqual(book.cells('操作'), book.items.map((a) => AUDIT_ACTIONS[a.action] ?? a.action));
    assert.deepEqual(book.cells('操作代码'), book.items.map((a) => a.action));
    assert.deepEqual(book.cells('对象'), book.items.map((a) => AUDIT_ENTITIES[a.entity] ?? a.entity));
  };
  const mine = await exported(U.audA, '/api/v1/audit', { labelled: ['action', 'entity'] });
  check(mine);
  assert.ok(mine.items.length >= 2);
  assert.ok(mine.cells('操作').includes('登记网络单元') && mine.cells('对象').includes('网络单元'));
  assert.ok(!mine.cells('操作人').includes(U.opB.username), 'B\'s records are not A\'s');
  const all = await exported(admin, '/api/v1/audit', { labelled: ['action', 'entity'] });
  check(all);
  assert.ok(all.cells('操作人').includes(U.opB.username));
  assert.ok(all.cells('操作').includes('创建 API 令牌'));
  const tokens = await exported(admin, '/api/v1/audit', { query: 'action=token.create', labelled: ['action', 'entity'] });
  assert.equal(tokens.items.length, 3);
  assert.ok(tokens.cells('操作').every((a) => a === '创建 API 令牌'));
});

test('units: ?format=xlsx streams the units\' own export, with the list\'s filters and scope', async () => {
  const rowsOf = async (client, path) => {
    const r = await download(srv, client, path);
    assert.equal(r.status, 200, `${path}: ${r.body.toString().slice(0, 300)}`);
    assert.equal(r.headers.get('content-type'), XLSX_TYPE);
    assert.match(fileName(r.headers), /^网络单元-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const [sheet] = readWorkbook(r.body);
    assert.equal(sheet.name, '网络单元');
    assert.deepEqual(sheet.rows[0], UNIT_HEADER);
    return sheet.rows.map((row) => row.map(text));
  };
  const mine = await rowsOf(U.opA, '/api/v1/units?format=xlsx&sort=name&limit=1');
  assert.deepEqual(mine.slice(1).map((row) => row[2]).sort(), [N.unitA1a, N.unitA1b].sort());
  assert.ok(!mine.flat().includes(N.unitB));
  assert.deepEqual(mine, await rowsOf(U.opA, '/api/v1/units/export'), 'the same workbook as /units/export');
  const one = await rowsOf(U.opA, `/api/v1/units?q=${encodeURIComponent(N.unitA1b)}&format=xlsx`);
  assert.deepEqual(one.slice(1).map((row) => row[2]), [N.unitA1b]);
  const all = await rowsOf(admin, '/api/v1/units?format=xlsx');
  assert.deepEqual(all.slice(1).map((row) => row[2]).sort(), [N.unitA1a, N.unitA1b, N.unitB].sort());
});

test('filings: the regulator\'s jurisdiction only, provinces and kinds by name, the status filter', async () => {
  const mine = await exported(U.regR, '/api/v1/filings');
  assert.deepEqual(mine.cells('网络单元').sort(), [N.unitA1a, N.unitA1b].sort());
  assert.ok(mine.cells('省份').every((p) => p === '福建省'));
  assert.ok(mine.cells('类型').every((k) => k === '定级备案'));
  assert.deepEqual(mine.cells('状态').sort(), ['已通过', '待审核'].sort());
  assert.ok(!mine.all.includes(N.unitB));
  const waiting = await exported(U.regR, '/api/v1/filings', { query: 'status=submitted' });
  assert.deepEqual(waiting.cells('网络单元'), [N.unitA1b]);
  assert.equal(assertList(await U.regR2.get('/api/v1/filings')).total, 0);
  const all = await exported(admin, '/api/v1/filings');
  assert.ok(all.cells('网络单元').includes(N.unitB));
  assert.ok(all.cells('省份').includes('北京市'));
});

test('assessments and risk assessments: the caller\'s units only, dates and assessors as their parts', async () => {
  const mine = await exported(U.opA, '/api/v1/assessments');
  assert.deepEqual(mine.cells('网络单元').sort(), [N.unitA1a, N.unitA1b].sort());
  assert.deepEqual(mine.cells('评测方式').sort(), ['委托专业机构评测', '自行评测'].sort());
  assert.deepEqual(mine.cells('状态').sort(), ['已结束，待报送', '评测中'].sort());
  assert.ok(mine.cells('报送期限').some((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)));
  assert.ok(!mine.all.includes(N.unitB) && !mine.all.includes('乙的测评机构'));
  const all = await exported(admin, '/api/v1/assessments');
  assert.ok(all.cells('网络单元').includes(N.unitB));
  const ended = await exported(U.opA, '/api/v1/assessments', { query: 'status=ended' });
  assert.equal(ended.items.length, 1);
  assert.deepEqual(ended.cells('得分'), [ended.items[0].score]);
  assert.match(ended.cells('得分')[0], /^92\.50?$/);

  const risks = await exported(U.opA, '/api/v1/risk-assessments');
  assert.deepEqual(risks.cells('网络单元').sort(), [N.unitA1a, N.unitA1b].sort());
  assert.ok(risks.cells('方法').includes('矩阵法'));
  assert.ok(risks.cells('上线前评估').every((v) => v === '否'));
  assert.ok(!risks.all.includes(N.unitB));
  const allRisks = await exported(admin, '/api/v1/risk-assessments');
  assert.ok(allRisks.cells('网络单元').includes(N.unitB));
  const regular = await exported(U.staffA1, '/api/v1/risk-assessments', { query: 'pre_launch=false&status=in_progress' });
  assert.deepEqual(regular.cells('网络单元'), [N.unitA1b]);
});

test('check-item lists: everyone sees every list; unit types by name; the level filter', async () => {
  const mine = await exported(U.opA, '/api/v1/checklists');
  assert.ok(mine.items.length >= 2);
  assert.ok(mine.cells('网络单元类型').every((t) => t && !/^[a-z_]+$/.test(t)), 'unit types by name');
  assert.deepEqual(mine.rows, (await exported(admin, '/api/v1/checklists')).rows);
  const l2 = await exported(U.opA, '/api/v1/checklists', { query: 'level=2' });
  assert.ok(l2.items.length >= 1 && l2.rows.slice(1).every((row) => row[3] === '第2级'), 'levels as the console says');
  assert.ok(l2.cells('来源文件').includes('cdn.csv'));
});

test('campaigns: those concerning the caller; another province\'s campaign absent', async () => {
  const mine = await exported(U.opA, '/api/v1/campaigns');
  assert.equal(mine.items.length, 2);
  assert.ok(mine.cells('下发单位').every((n) => n === O.R.name));
  assert.ok(mine.cells('说明').includes('核查全部存量网络单元'));
  assert.ok(!mine.all.includes(N.campaignC));
  const regulator = await exported(U.regR, '/api/v1/campaigns');
  assert.deepEqual(regulator.rows.slice(1).map((row) => [row[5].n, row[6].n]).sort(), [[0, 1], [0, 2]]);
  assert.deepEqual(regulator.cells('完成进度').sort(), ['0 / 1 个单位已报送', '0 / 2 个单位已报送']);
  assert.ok(!regulator.all.includes(N.campaignC));
  const all = await exported(admin, '/api/v1/campaigns');
  assert.equal(all.items.length, 3);
  assert.ok(all.cells('专项工作').includes(N.campaignC));
});

test('annual reports and who has not sent one: scope, names of the states', async () => {
  const mine = await exported(U.opA, '/api/v1/annual-reports', { labelled: ['acknowledged'] });
  assert.deepEqual(mine.cells('单位').sort(), [O.A.name, O.A1.name].sort());
  assert.ok(mine.cells('状态').every((s) => s === '草稿'));
  assert.ok(mine.cells('接收确认').every((s) => s === '未确认'));
  assert.ok(mine.rows.slice(1).every((row) => row[0].n === YEAR));
  assert.ok(!mine.all.includes(O.B.name));
  const all = await exported(admin, '/api/v1/annual-reports', { labelled: ['acknowledged'] });
  assert.ok(all.cells('单位').includes(O.B.name));

  const missing = await exported(U.regR, '/api/v1/annual-reports/missing', { query: `year=${YEAR}`, labelled: ['status'] });
  const state = Object.fromEntries(missing.cells('单位').map((n, i) => [n, missing.cells('状态')[i]]));
  assert.deepEqual(state, { [O.A1.name]: '草稿未报送', [O.V.name]: '未编写' }, 'the console\'s words for the states');
  assert.ok(!missing.all.includes(O.C.name));
  const allMissing = await exported(admin, '/api/v1/annual-reports/missing', { query: `year=${YEAR}`, labelled: ['status'] });
  assert.ok(allMissing.cells('单位').includes(O.C.name));
});

test('document centre: the catalogue with the page\'s filters, and the templates', async () => {
  const policies = await exported(U.opA, '/api/v1/doc-catalogue', { query: 'kind=policy' });
  assert.equal(policies.items.length, 7);
  assert.ok(policies.cells('类型').every((k) => k === '政策文件'));
  assert.ok(policies.cells('文号').includes('部令第11号'));
  const found = await exported(admin, '/api/v1/doc-catalogue', { query: `q=${encodeURIComponent('2017〕281')}` });
  assert.deepEqual(found.cells('名称'), ['公共互联网网络安全突发事件应急预案']);
  // The console filters by the issuer too (名称、文号 or 发布机关); so do the list and its export.
  const byIssuer = await exported(U.opA, '/api/v1/doc-catalogue', { query: `q=${encodeURIComponent('工业和信息化部')}` });
  assert.equal(byIssuer.items.length, 5);
  assert.ok(byIssuer.cells('发布机关').every((i) => i === '工业和信息化部'));
  const templates = await exported(U.opA, '/api/v1/doc-templates');
  assert.deepEqual(templates.cells('名称').sort(), ['安全防护工作报告（模板）', '风险评估报告（模板）'].sort());
  assert.ok(templates.cells('文件名').includes('风险评估报告（模板）.pdf'));
  assert.deepEqual(templates.rows, (await exported(admin, '/api/v1/doc-templates')).rows);
});
