// 安全防护工作报告 (seed 000 §八 and annex 5), 安全风险评估报告 (annex 3) and the document centre.
// A small world — a group company with a provincial company, the 属地通信管理局 and the 部网络安全管理局,
// units at several levels filed and not, a 符合性评测, a 风险评估, exposure entries, a plan, a drill,
// a 较大 incident — then: the annual report's counts in the DOCX (read back through LibreOffice)
// and in the PDF (pdftotext; pdffonts: fonts embedded); submission along R3's routing (the
// provincial company's report reaches its 属地通信管理局 and its group, the group's the ministry),
// the exposure workbook attached, each receiver's acknowledgement, the missing list, the due date
// per year and the annual_report duty; the risk report's sections and table; the catalogue and
// templates; another tenant's ids → 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, createOrg, userWithClient, uniq, assertError, assertList, auditTotal, pdfText } from './lib.mjs';
import { today, addDays, docx as docxBody } from './assess-fixtures.mjs';

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const YEAR = Number(today().slice(0, 4));
/** A day of this year k days before today (never before 1 January). */
const inYear = (k) => { const d = addDays(today(), -k); return d < `${YEAR}-01-01` ? `${YEAR}-01-01` : d; };

const UNIT = {
  unit_type: 'internet', status: 'online', business_scope: '互联网接入业务', service_scope: '福建省',
  user_types: '个人用户、政企客户', management: '网络安全部负责日常安全管理', technical: '核心—汇聚—接入三层架构',
};
const GRADES = { 1: { i: 1, r: 1, v: 1 }, 2: { i: 2, r: 2, v: 2 }, 3: { i: 4, r: 4, v: 3 }, 4: { i: 3, r: 3, v: 5 } };

let srv, admin, dir;
const O = {}, U = {}, unitsP = {};
let raP, raB, riskHigh, planP, drillP;

function run(cmd, args, timeout = 60000) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout });
  assert.ok(!r.error, `${cmd}: ${r.error}`);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Runs SQL on the server's database (SQLite file or PostgreSQL), for dates the API cannot backdate. */
function sql(statement) {
  if (srv.dbUrl) return run('psql', ['-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', srv.dbUrl, '-c', statement]);
  return run('sqlite3', ['-cmd', '.timeout 10000', join(srv.dataDir, 'fanghu.db'), statement]);
}

async function unit(client, orgId, level, fields = {}) {
  const r = await client.post('/api/v1/units', { org_id: orgId, name: uniq('网络单元'), ...UNIT, ...fields });
  assert.equal(r.status, 201, `POST /units: ${r}`);
  if (level) {
    const g = await client.post(`/api/v1/units/${r.json.id}/grading`, { ...GRADES[level], just_i: '理由一', just_r: '理由二', just_v: '理由三' });
    assert.equal(g.status, 200, `grading: ${g}`);
    assert.equal(g.json.level, level);
  }
  return r.json;
}

async function submit(client, unitId) {
  const r = await client.post(`/api/v1/units/${unitId}/submit`, {});
  assert.equal(r.status, 201, `submit unit: ${r}`);
  return r.json.id;
}

async function ok(promise, status = 201) {
  const r = await promise;
  assert.equal(r.status, status, `${r}`);
  return r.json;
}

before(async () => {
  srv = await startServer();
  admin = await srv.admin();
  dir = mkdtempSync(join(tmpdir(), 'fanghu-annual-'));
  O.G = await createOrg(admin, { name: uniq('甲集团'), kind: 'telecom_group', province: '11' });
  O.P = await createOrg(admin, { name: uniq('甲福建公司'), kind: 'telecom_provincial', province: '35', parent_id: O.G.id });
  O.CA = await createOrg(admin, { name: uniq('福建省通信管理局'), kind: 'regulator_ca', province: '35', jurisdiction: [{ province: '35', kind: '*' }] });
  O.CA2 = await createOrg(admin, { name: uniq('广东省通信管理局'), kind: 'regulator_ca', province: '44', jurisdiction: [{ province: '44', kind: '*' }] });
  // The ministry's jurisdiction leaves the group out: it sees the group's report as its receiver.
  O.M = await createOrg(admin, { name: uniq('部网络安全管理局'), kind: 'regulator_ministry', province: '11', jurisdiction: [{ province: '*', kind: 'vas' }] });
  O.V = await createOrg(admin, { name: uniq('某增值电信企业'), kind: 'vas', province: '35' });
  O.B = await createOrg(admin, { name: uniq('乙集团'), kind: 'telecom_group', province: '11' });
  for (const [k, role, org] of [['opG', 'operator_admin', 'G'], ['opP', 'operator_admin', 'P'], ['staffP', 'operator_staff', 'P'],
    ['regCA', 'regulator', 'CA'], ['regCA2', 'regulator', 'CA2'], ['regM', 'national_regulator', 'M'], ['opB', 'operator_admin', 'B'],
    ['audP', 'auditor', 'P']]) {
    U[k] = (await userWithClient(srv, admin, { role, org_id: O[org].id })).client;
  }

  // Units of P: 第3级 filed; 第2级 filed; 第4级 under review; 第3级 returned; 第1级 not submitted;
  // not graded (planned); 第3级 filed then changed (变更备案 pending).
  unitsP.l3 = await unit(U.opP, O.P.id, 3, { name: uniq('福建IDC') });
  unitsP.l2 = await unit(U.opP, O.P.id, 2, { name: uniq('福建门户网站') });
  unitsP.l4 = await unit(U.opP, O.P.id, 4, { name: uniq('福建核心网') });
  unitsP.ret = await unit(U.opP, O.P.id, 3, { name: uniq('福建CDN') });
  unitsP.l1 = await unit(U.opP, O.P.id, 1, { name: uniq('福建测试网') });
  unitsP.none = await unit(U.opP, O.P.id, 0, { name: uniq('福建云平台'), status: 'planned' });
  unitsP.chg = await unit(U.opP, O.P.id, 3, { name: uniq('福建DNS') });
  for (const k of ['l3', 'l2', 'chg']) await ok(U.regCA.post(`/api/v1/filings/${await submit(U.opP, unitsP[k].id)}/approve`, { filing_number: uniq('闽备') }), 200);
  await submit(U.opP, unitsP.l4.id);
  await ok(U.regCA.post(`/api/v1/filings/${await submit(U.opP, unitsP.ret.id)}/return`, { reasons: [{ field: 'technical', reason: '技术情况描述不完整' }] }), 200);
  await ok(U.opP.patch(`/api/v1/units/${unitsP.chg.id}`, { technical: '新增灾备节点' }), 200);
  // Filed long ago, so that 符合性评测 falls due this year: 第3级 (every year) and 第2级 (every two).
  sql(`UPDATE units SET filed_at = '${YEAR - 1}-02-01T10:00:00+08:00' WHERE id = ${unitsP.l3.id}`);
  sql(`UPDATE units SET filed_at = '${YEAR - 2}-03-01T10:00:00+08:00' WHERE id = ${unitsP.l2.id}`);

  // 符合性评测 of the 第3级 unit, ended this year.
  await ok(U.opP.post(`/api/v1/units/${unitsP.l3.id}/assessments`, {
    assessor_kind: 'third_party', assessor_name: '某测评机构', assessor_qualification: '通信网络安全服务能力评定证书',
    started_on: inYear(30), ended_on: inYear(20),
  }));

  // 风险评估 of the 第3级 unit: one 高 risk (Ia 4, T 3, Va 5 → 16) with a plan, one 很低.
  raP = await ok(U.opP.post(`/api/v1/units/${unitsP.l3.id}/risk-assessments`, {
    scope: '互联网出入口及核心业务系统', overview: '评估目的：识别IDC业务系统面临的安全风险。', business: '机房托管、带宽租用',
    criteria: '高及以上风险须在三个月内处置。', conclusion: '建议尽快修复弱口令并加强访问控制。',
    started_on: inYear(25), ended_on: inYear(10),
  }));
  const p = `/api/v1/risk-assessments/${raP.id}`;
  const biz = await ok(U.opP.post(`${p}/business`, { name: 'IDC托管业务', description: '为政企客户提供机房托管', importance: 4 }));
  const asset = await ok(U.opP.post(`${p}/assets`, { name: '核心路由器', kind: '网络设备', business_id: biz.id, confidentiality: 4, integrity: 4, availability: 4 }));
  const threat = await ok(U.opP.post(`${p}/threats`, { name: '远程口令猜解', category: '网络攻击', frequency: 3 }));
  const weak = await ok(U.opP.post(`${p}/vulns`, { name: '管理口令强度不足', asset_id: asset.id, threat_id: threat.id, severity: 5 }));
  await ok(U.opP.post(`${p}/vulns`, { name: '日志保存期限偏短', asset_id: asset.id, threat_id: threat.id, severity: 1 }));
  await ok(U.opP.post(`${p}/controls`, { description: '已部署堡垒机集中管理运维账号', vuln_id: weak.id }));
  const risks = assertList(await U.opP.get(`${p}/risks`)).items;
  riskHigh = risks.find((r) => r.vuln_id === weak.id);
  assert.deepEqual([riskHigh.likelihood, riskHigh.loss, riskHigh.value, riskHigh.level_name], [4, 4, 16, '高']);
  await ok(U.opP.put(`${p}/risks/${riskHigh.id}/treatment`, { action: 'mitigate', owner: '张工', due_date: addDays(today(), 60), status: 'in_progress' }), 200);

  // Exposure: four office exits (one 报备) → one over the limit of 2; one VPN, one zero-trust exit.
  const entry = (inventory, ip, extra = {}) => U.opP.post('/api/v1/exposure/entries', {
    org_id: O.P.id, inventory, owner: '信息化部', asset_name: uniq('出口'), asset_type: '防火墙', ip, reachable: '办公网', other: '', ...extra,
  });
  const exits = [];
  for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4']) exits.push(await ok(entry('office', ip)));
  await ok(U.opP.put(`/api/v1/exposure/entries/${exits[2].id}/exception`, { reason: '灾备中心独立出口', reported_to: '甲集团', reported_on: inYear(40) }), 200);
  await ok(entry('vpn', '198.51.100.10', { software: 'OpenVPN 2.6', purpose: '远程运维' }));
  await ok(entry('zero_trust', '198.51.100.20; 198.51.100.21', { software: '某零信任网关 3.1', purpose: '移动办公' }));

  // An emergency plan revised this year, a drill with two rectification items, a 较大 incident.
  planP = await ok(U.opP.post('/api/v1/emergency-plans', { org_id: O.P.id, title: '网络安全事件应急预案' }));
  await ok(U.opP.post(`/api/v1/emergency-plans/${planP.id}/versions`, { version: 'v2', approved_on: inYear(100) }));
  drillP = await ok(U.opP.post('/api/v1/drills', {
    org_id: O.P.id, drill_date: inYear(50), scenario: '勒索软件攻击应急演练', participants: ['网络安全部', '运维中心'],
    findings: '告警升级流程不清晰', items: [{ description: '修订告警升级流程', owner: '李工', due_date: addDays(today(), 30) },
      { description: '补充备份恢复演练', owner: '王工', due_date: addDays(today(), 40) }],
  }));
  await ok(U.opP.post('/api/v1/incidents', { org_id: O.P.id, title: uniq('DDoS攻击事件'), category: 'attack', grade: 'large', detected_at: `${inYear(60)}T09:30:00+08:00` }));
  // The group: one unit, and a 重大 incident within the last three years.
  await unit(U.opG, O.G.id, 3);
  await ok(U.opG.post('/api/v1/incidents', { org_id: O.G.id, title: uniq('数据泄露事件'), category: 'data', grade: 'major', detected_at: `${YEAR - 1}-05-01T08:00:00+08:00` }));
  // The other tenant.
  const uB = await unit(U.opB, O.B.id, 3);
  raB = await ok(U.opB.post(`/api/v1/units/${uB.id}/risk-assessments`, { started_on: inYear(5) }));
});

after(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (srv) await srv.close();
});

/** A binary download with the client's session. */
async function download(client, path) {
  const r = await fetch(srv.base + path, { headers: { cookie: client.cookieHeader() }, signal: AbortSignal.timeout(120000) });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

function fileName(headers) {
  const m = (headers.get('content-disposition') || '').match(/filename\*=UTF-8''([^;]+)/);
  assert.ok(m, `Content-Disposition: ${headers.get('content-disposition')}`);
  return decodeURIComponent(m[1]);
}

const squash = (s) => s.replace(/\s+/g, '');

function libreofficeText(body, name) {
  const file = join(dir, `${name}.docx`);
  writeFileSync(file, body);
  run('soffice', [`-env:UserInstallation=file://${join(dir, 'lo-profile')}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, file], 180000);
  const pdf = join(dir, `${name}.pdf`);
  assert.ok(existsSync(pdf), 'LibreOffice wrote no PDF');
  return pdfText(pdf);
}

/** The tables of a DOCX as arrays of rows of cell texts (line breaks dropped), from document.xml. */
function docxTables(body, name) {
  const file = join(dir, `${name}-tables.docx`);
  writeFileSync(file, body);
  const xml = run('unzip', ['-p', file, 'word/document.xml']);
  const unescape = (t) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  return xml.split('<w:tbl>').slice(1).map((t) => t.split('</w:tbl>')[0].split('<w:tr>').slice(1).map((row) =>
    row.split('<w:tc>').slice(1).map((cell) => unescape([...cell.matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('')))));
}

function checkEmbedded(file) {
  const rows = run('pdffonts', [file]).split('\n').slice(2).filter((l) => l.trim());
  assert.ok(rows.filter((l) => /CJK/i.test(l.split(/\s+/)[0])).length >= 2, `CJK fonts in:\n${rows.join('\n')}`);
  for (const l of rows) {
    const cols = l.trim().split(/\s+/);
    assert.equal(cols[cols.length - 5], 'yes', `font not embedded: ${l}`);
  }
}

function missingFrom(text, want, what) {
  const missing = want.map(squash).filter((w) => !text.includes(w));
  assert.deepEqual(missing, [], `${what}: missing from the text:\n${text.slice(0, 4000)}`);
}

/** Annex 5's headings in order, and every count of P's world. */
function checkAnnual(text, what) {
  const headings = ['一、已开展工作及成效', '一是定级备案工作开展情况', '二是符合性评测工作开展情况', '三是安全风险评估工作开展情况',
    '四是互联网暴露面管理情况', '五是应急预案及演练工作开展情况', '二、发现问题及整改情况', '三、下一步保护工作方案'];
  let at = text.indexOf(squash(`${O.P.name}安全防护工作报告`) + `（${YEAR}年度）`);
  assert.ok(at >= 0, `${what}: title`);
  for (const h of headings) {
    const next = text.indexOf(h, at);
    assert.ok(next > at, `${what}: heading ${h} missing or out of order`);
    at = next;
  }
  missingFrom(text, [
    // 一是: 7 units (6 online), 4 三级及以上, 1 二级, 1 一级, 1 not graded; 3 filed (1 change pending), 4 not.
    '本单位已正式投入运行的信息通信网络单元共 6 个，另有规划建设中的网络单元 1 个',
    '本单位共有定级备案信息通信网络单元 7 个，其中，4 个三级及以上网络单元，1 个二级网络单元，1 个一级网络单元，1 个尚未定级',
    '3 个网络单元已在通信网络安全防护管理系统中备案，其他 4 个，因为尚未定级（1 个）、已定级未提交备案（1 个）、备案待审核（1 个）、备案被退回补正（1 个）等情况暂未备案',
    '另有 1 个已备案网络单元的备案信息发生变更，尚未完成变更备案',
    `本单位已于 ${Number(today().slice(5, 7))} 月通过通信网络安全防护管理系统完成定级备案信息、资产信息的更新工作`,
    '表1网络单元定级备案情况', '表2未备案及备案信息待更新的网络单元',
    // Table cells wrap anywhere: their names only (the reasons are checked in the facts).
    unitsP.ret.name, unitsP.none.name, unitsP.l1.name, unitsP.l4.name, unitsP.chg.name,
    // 二是: due 2 (the 第3级 filed last year, the 第2级 two years ago), done 1, missed 1.
    '本年度本单位应开展符合性评测的网络单元 2 个，已开展符合性评测的网络单元 1 个，应评未评 1 个',
    '共完成符合性评测 1 次，涉及网络单元 1 个，其中委托专业机构评测 1 次',
    // 三是
    '共完成安全风险评估 1 次，涉及网络单元 1 个，其中上线前评估 0 次', '评估共识别风险 2 项，其中高风险及以上 1 项；已制定处置计划 1 项，已完成处置 0 项',
    // 四是
    '本单位共梳理互联网暴露面 6 项（IP 地址 7 个）：办公网互联网出入口 4 个，虚拟专用网络（VPN）出入口 1 个，零信任网络出入口 1 个',
    '本单位办公网互联网出入口 4 个，其中已报备 1 个，超出限额且未报备 1 个（见表7）', '表7办公网互联网出入口及报备情况', '互联网暴露面信息列表作为附件同步提交',
    // 五是
    '本单位现行网络安全应急预案 1 项，本年度制修订 1 项；本年度开展网络安全事件应急演练 1 次，形成整改项 2 项，尚未完成整改 2 项',
    '本年度发生网络安全事件 1 起（特别重大 0 起、重大 0 起、较大 1 起、一般 0 起）', '本单位未发生重大及以上网络安全事件',
    '表8网络安全应急预案', '表9本年度网络安全事件应急演练情况', '勒索软件攻击应急演练',
    // The operator's own text, and the attachment.
    '本年度全面梳理了网络单元', '个别网络单元备案信息更新不及时', '下一年度将完成全部网络单元的备案', `附件：${O.P.name}互联网暴露面信息（${YEAR}年度）`,
  ], what);
}

async function draftOf(client, orgId) {
  const r = await client.post('/api/v1/annual-reports', { org_id: orgId, year: YEAR });
  assert.equal(r.status, 201, `create draft: ${r}`);
  return r.json;
}

let reportP, reportG;

test('draft: counts from the data, sections stored one by one, routing shown', { timeout: 120000 }, async () => {
  reportP = await draftOf(U.staffP, O.P.id);
  assert.equal(reportP.status, 'draft');
  assert.equal(reportP.due_date, `${YEAR}-11-30`);
  assert.deepEqual(reportP.routing.map((x) => [x.org_id, x.route]), [[O.CA.id, 'local_ca'], [O.G.id, 'group']]);
  assert.deepEqual(reportP.sections.map((s) => s.code), ['overview', 'filing', 'assessment', 'risk', 'exposure', 'emergency', 'problems', 'plan']);
  const f = reportP.facts;
  assert.deepEqual([f.units.total, f.units.online, f.units.level3_plus, f.units.level2, f.units.level1, f.units.ungraded],
    [7, 6, 4, 1, 1, 1]);
  assert.deepEqual([f.units.filed, f.units.up_to_date, f.units.change_pending, f.units.not_filed], [3, 2, 1, 4]);
  assert.deepEqual(f.units.not_filed_by_reason, { not_graded: 1, not_submitted: 1, under_review: 1, returned: 1 });
  assert.equal(f.units.pending.length, 5);
  const why = Object.fromEntries(f.units.pending.map((x) => [x.id, [x.filing_status_name, x.reason]]));
  assert.deepEqual(why[unitsP.ret.id], ['退回补正', '备案被退回补正：技术情况描述不完整（补正期限' + why[unitsP.ret.id][1].split('（补正期限')[1]]);
  assert.match(why[unitsP.l4.id][1], /^已于\d{4}年\d+月\d+日提交备案，待电信主管部门审核$/);
  assert.deepEqual(why[unitsP.l1.id], ['未备案', '已定级为第1级，尚未提交备案']);
  assert.deepEqual(why[unitsP.none.id], ['未备案', '规划建设中，尚未上线；尚未定级']);
  assert.match(why[unitsP.chg.id][1], /^备案信息自\d{4}年\d+月\d+日起发生变更，尚未提交变更备案$/);
  assert.equal(why[unitsP.chg.id][0], '待变更备案');
  assert.deepEqual(f.exposure.office_exits.items.map((x) => [x.seq, x.reported, x.excess, x.reason, x.reported_to]),
    [[1, false, false, null, null], [2, false, false, null, null], [3, true, false, '灾备中心独立出口', '甲集团'], [4, false, true, null, null]]);
  assert.deepEqual(f.emergency.drill_list.map((x) => [x.scenario, x.participants, x.items, x.items_open]), [['勒索软件攻击应急演练', '网络安全部、运维中心', 2, 2]]);
  const l3 = f.assessments.by_level.find((x) => x.level === 3), l2 = f.assessments.by_level.find((x) => x.level === 2);
  assert.deepEqual([l3.units, l3.due, l3.done, l3.missed, l2.units, l2.due, l2.done, l2.missed], [3, 1, 1, 0, 1, 1, 0, 1]);
  assert.deepEqual([f.risk.held, f.risk.risks, f.risk.high, f.risk.treated], [1, 2, 1, 1]);
  assert.deepEqual([f.exposure.entries, f.exposure.office_exits.exits, f.exposure.office_exits.reported, f.exposure.office_exits.excess,
    f.exposure.office_exits.violation], [6, 4, 1, 1, true]);
  assert.deepEqual([f.emergency.plans, f.emergency.drills, f.emergency.incidents, f.emergency.major_occurred], [1, 1, 1, false]);

  const p = `/api/v1/annual-reports/${reportP.id}/sections`;
  const audits = await auditTotal(admin);
  await ok(U.staffP.put(`${p}/overview`, { text: '本年度全面梳理了网络单元和互联网暴露面。\n落实了三同步要求。' }), 200);
  await ok(U.opP.put(`${p}/problems`, { text: '个别网络单元备案信息更新不及时。' }), 200);
  const r = await ok(U.opP.put(`${p}/plan`, { text: '下一年度将完成全部网络单元的备案。' }), 200);
  assert.equal(r.sections.find((s) => s.code === 'plan').text, '下一年度将完成全部网络单元的备案。');
  assert.equal(await auditTotal(admin), audits + 3);
  // Bad input changes nothing.
  assertError(await U.opP.put(`${p}/nosuch`, { text: 'x' }), 404, 'not_found');
  assertError(await U.opP.put(`${p}/plan`, { text: 'x', extra: 1 }), 400, 'unknown_field');
  assertError(await U.opP.put(`${p}/plan`, { text: 'x'.repeat(20001) }), 400, 'validation_failed', 'text');
  assertError(await U.regCA.put(`${p}/plan`, { text: 'x' }), 403, 'forbidden');
  assertError(await U.audP.put(`${p}/plan`, { text: 'x' }), 403, 'forbidden');
  assert.equal(await auditTotal(admin), audits + 3);
  // One draft per organisation and year.
  const dup = await U.opP.post('/api/v1/annual-reports', { org_id: O.P.id, year: YEAR });
  assertError(dup, 409, 'conflict', 'year');
  assert.equal(dup.json.error.report_id, reportP.id);
  assertError(await U.opP.post('/api/v1/annual-reports', { org_id: O.P.id, year: YEAR + 1 }), 400, 'validation_failed', 'year');
  assertError(await U.opP.post('/api/v1/annual-reports', { org_id: O.P.id, year: '2026' }), 400, 'validation_failed', 'year');
  assertError(await U.opP.post('/api/v1/annual-reports', { org_id: O.B.id, year: YEAR }), 404, 'not_found');
  assertError(await admin.post('/api/v1/annual-reports', { org_id: O.CA.id, year: YEAR }), 400, 'validation_failed', 'org_id');
});

test('annual report as DOCX (LibreOffice) and PDF: annex 5 in order with every count', { timeout: 300000 }, async () => {
  const d = await download(U.opP, `/api/v1/annual-reports/${reportP.id}/report.docx`);
  assert.equal(d.status, 200, d.body.toString().slice(0, 300));
  assert.equal(d.headers.get('content-type'), DOCX_TYPE);
  assert.equal(fileName(d.headers), `${O.P.name}安全防护工作报告（${YEAR}年度）.docx`);
  checkAnnual(libreofficeText(d.body, 'annual'), 'DOCX via LibreOffice');
  // The tables behind the counts, row by row.
  const tables = docxTables(d.body, 'annual');
  const byLevel = tables.find((t) => t[0][0] === '安全等级' && t[0].includes('已备案'));
  assert.deepEqual(byLevel.slice(1), [['第5级', '0', '0', '0', '0', '0'], ['第4级', '1', '1', '0', '0', '1'], ['第3级', '3', '3', '2', '1', '1'],
    ['第2级', '1', '1', '1', '0', '0'], ['第1级', '1', '1', '0', '0', '1'], ['未定级', '1', '0', '0', '0', '1'], ['合计', '7', '6', '3', '1', '4']]);
  const pending = tables.find((t) => t[0][4] === '原因');
  assert.deepEqual(pending.slice(1).map((r) => [r[1], r[2], r[3]]), [[unitsP.l4.name, '第4级', '待审核'], [unitsP.ret.name, '第3级', '退回补正'],
    [unitsP.l1.name, '第1级', '未备案'], [unitsP.none.name, '未定级', '未备案'], [unitsP.chg.name, '第3级', '待变更备案']]);
  assert.match(pending[2][4], /^备案被退回补正：技术情况描述不完整（补正期限\d{4}年\d+月\d+日）$/);
  const assess = tables.find((t) => t[0][1] === '评测频次');
  assert.deepEqual(assess.slice(1), [['第5级', '每年', '0', '0', '0', '0'], ['第4级', '每年', '1', '0', '0', '0'], ['第3级', '每年', '3', '1', '1', '0'],
    ['第2级', '每两年', '1', '1', '0', '1'], ['第1级', '不作要求', '1', '0', '0', '0'], ['合计', '', '6', '2', '1', '1']]);
  const exposure = tables.find((t) => t[0][0] === '类别');
  assert.deepEqual(exposure.slice(1), [['办公网互联网出入口', '4', '4'], ['虚拟专用网络（VPN）出入口', '1', '1'], ['零信任网络出入口', '1', '2'], ['合计', '6', '7']]);
  const exits = tables.find((t) => t[0][4] === '报备原因');
  assert.deepEqual(exits.slice(1).map((r) => [r[0], ...r.slice(2, 6)]), [['1', '203.0.113.1', '限额内', '', ''], ['2', '203.0.113.2', '限额内', '', ''],
    ['3', '203.0.113.3', '已报备', '灾备中心独立出口', '甲集团'], ['4', '203.0.113.4', '超出限额', '', '']]);
  const drills = tables.find((t) => t[0][2] === '演练场景');
  assert.deepEqual(drills.slice(1).map((r) => r.slice(2)), [['勒索软件攻击应急演练', '网络安全部、运维中心', '2', '2']]);

  const p = await download(U.regCA, `/api/v1/annual-reports/${reportP.id}/report.pdf`);
  assert.equal(p.status, 200, p.body.toString().slice(0, 300));
  assert.equal(p.headers.get('content-type'), 'application/pdf');
  const file = join(dir, 'annual-direct.pdf');
  writeFileSync(file, p.body);
  assert.match(run('pdfinfo', [file]), /Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
  const text = pdfText(file);
  checkAnnual(text, 'PDF');
  assert.ok(text.includes('（草稿，尚未报送）'), 'a draft says so');
  checkEmbedded(file);
});

test('submission: refused without 二 and 三, then routed to the 属地通信管理局 and the group with the exposure list', { timeout: 120000 }, async () => {
  const G = await draftOf(U.opG, O.G.id);
  reportG = G;
  assert.deepEqual(G.routing.map((x) => [x.org_id, x.route]), [[O.M.id, 'ministry']]);
  assert.equal(G.facts.emergency.major_occurred, true, 'the group had a 重大 incident last year');
  let r = await U.opG.post(`/api/v1/annual-reports/${G.id}/submit`, {});
  assertError(r, 400, 'validation_failed');
  assert.deepEqual(r.json.error.fields, ['sections.problems', 'sections.plan']);
  assertError(await U.regCA.post(`/api/v1/annual-reports/${reportP.id}/submit`, {}), 403, 'forbidden');
  assertError(await U.opB.post(`/api/v1/annual-reports/${reportP.id}/submit`, {}), 404, 'not_found');

  // Before: P is missing for its 属地通信管理局, the group for nobody's jurisdiction but its own tree.
  let missing = assertList(await U.regCA.get(`/api/v1/annual-reports/missing?year=${YEAR}`)).items;
  assert.deepEqual(missing.map((x) => x.org_id).sort(), [O.P.id, O.V.id].sort());
  assert.equal(missing.find((x) => x.org_id === O.P.id).status, 'draft');
  assert.equal(missing.find((x) => x.org_id === O.V.id).status, 'none');
  assert.equal(missing[0].due_date, `${YEAR}-11-30`);

  const duty = async () => (await admin.get(`/api/v1/duties?kind=annual_report&limit=500&from=2000-01-01`)).json.items.find((x) => x.key === `org:${O.P.id}:annual_report:${YEAR}`);
  assert.notEqual((await duty()).state, 'done');

  r = await U.opP.post(`/api/v1/annual-reports/${reportP.id}/submit`, {});
  assert.equal(r.status, 200, `submit: ${r}`);
  assert.equal(r.json.status, 'submitted');
  assert.deepEqual(r.json.submissions.map((x) => [x.org_id, x.route, x.acknowledged_at]), [[O.CA.id, 'local_ca', null], [O.G.id, 'group', null]]);
  assert.equal(r.json.attachment.name, `${O.P.name}互联网暴露面信息（${YEAR}年度）.xlsx`);
  assertError(await U.opP.post(`/api/v1/annual-reports/${reportP.id}/submit`, {}), 409, 'conflict');
  assertError(await U.opP.put(`/api/v1/annual-reports/${reportP.id}/sections/plan`, { text: 'x' }), 409, 'conflict');

  // Both receivers see it among the reports they received; the other CA and tenant do not.
  for (const c of [U.regCA, U.opG]) {
    const got = assertList(await c.get(`/api/v1/annual-reports?received=1&year=${YEAR}`)).items;
    assert.deepEqual(got.map((x) => x.id), [reportP.id]);
  }
  assert.equal(assertList(await U.regCA2.get('/api/v1/annual-reports')).total, 0);
  assert.equal(assertList(await U.opB.get('/api/v1/annual-reports')).total, 0);

  // The exposure list of annex 4, as submitted.
  const x = await download(U.regCA, `/api/v1/annual-reports/${reportP.id}/exposure.xlsx`);
  assert.equal(x.status, 200);
  assert.equal(x.headers.get('content-type'), XLSX_TYPE);
  const book = join(dir, 'attached.xlsx');
  writeFileSync(book, x.body);
  // One sheet laid out as the template: the title, then each list under its heading.
  const sheets = [...run('unzip', ['-p', book, 'xl/workbook.xml']).matchAll(/<sheet name="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(sheets, ['互联网暴露面信息']);
  const xml = run('unzip', ['-p', book, 'xl/worksheets/sheet1.xml']);
  const row = (n) => xml.match(new RegExp(`<row r="${n}"[^>]*>(.*?)</row>`, 's'))?.[1] ?? '';
  const texts = (n) => [...row(n).matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((m) => m[1]);
  const remote = ['序号', '责任主体', '资产名称', '资产类型', 'IP 地址', '软件类型、版本', '用途描述', '可访问的网络和系统', '其他'];
  assert.deepEqual([1, 2, 3].map(texts), [['互联网暴露面信息'], ['一、办公网互联网出入口情况'], ['序号', '责任主体', '资产名称', '资产类型', 'IP 地址', '可访问的网络和系统', '其他']]);
  for (let k = 0; k < 4; k++) {
    assert.match(row(4 + k), new RegExp(`^<c r="A${4 + k}"><v>${k + 1}</v></c>`), `office exit ${k + 1}: 序号 a number`);
    assert.equal(texts(4 + k)[3], ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'][k]);
  }
  assert.equal(row(8), '', 'a blank row after the four office exits');
  assert.deepEqual([9, 10].map(texts), [['二、虚拟专用网络（VPN）出入口情况'], remote]);
  assert.deepEqual(texts(11).slice(3, 5), ['198.51.100.10', 'OpenVPN 2.6']);
  assert.deepEqual([13, 14].map(texts), [['三、零信任网络出入口情况'], remote]);
  assert.deepEqual(texts(15).slice(3, 5), ['198.51.100.20; 198.51.100.21', '某零信任网关 3.1']);
  assert.equal((xml.match(/<row /g) || []).length, 13, 'the title, three headings and header rows, six entries');

  // The duty of the year is done (needs the one-line change in src/duty/producers.c's org_row).
  const done = await duty();
  assert.equal(done.state, 'done');
  assert.equal(done.done_at.slice(0, 10), today());
  missing = assertList(await U.regCA.get(`/api/v1/annual-reports/missing?year=${YEAR}`)).items;
  assert.deepEqual(missing.map((x) => x.org_id), [O.V.id]);

  // The submitted report keeps its facts: a new unit afterwards does not change them.
  await unit(U.opP, O.P.id, 2);
  const after = (await U.opP.get(`/api/v1/annual-reports/${reportP.id}`)).json;
  assert.equal(after.facts.units.total, 7);
  const pdf = await download(U.opG, `/api/v1/annual-reports/${reportP.id}/report.pdf`);
  assert.equal(pdf.status, 200);
  writeFileSync(join(dir, 'submitted.pdf'), pdf.body);
  const text = pdfText(join(dir, 'submitted.pdf'));
  assert.ok(text.includes('本单位共有定级备案信息通信网络单元7个') && !text.includes('草稿'), 'the submitted text');
});

test('acknowledgements: each receiver its own; the group\'s report reaches the ministry only', { timeout: 120000 }, async () => {
  assertError(await U.opP.post(`/api/v1/annual-reports/${reportP.id}/acknowledge`, {}), 403, 'forbidden');
  let r = await U.regCA.post(`/api/v1/annual-reports/${reportP.id}/acknowledge`, { comment: '已收到' });
  assert.equal(r.status, 200, `${r}`);
  assert.equal(r.json.acknowledged, false);
  const ca = r.json.submissions.find((x) => x.org_id === O.CA.id);
  assert.ok(ca.acknowledged_at && ca.acknowledged_by && ca.ack_comment === '已收到');
  assert.equal(r.json.submissions.find((x) => x.org_id === O.G.id).acknowledged_at, null);
  assertError(await U.regCA.post(`/api/v1/annual-reports/${reportP.id}/acknowledge`, {}), 409, 'conflict');
  assertError(await U.regCA2.post(`/api/v1/annual-reports/${reportP.id}/acknowledge`, {}), 404, 'not_found');
  r = await U.opG.post(`/api/v1/annual-reports/${reportP.id}/acknowledge`);
  assert.equal(r.status, 200, `${r}`);
  assert.equal(r.json.acknowledged, true);

  // The group's report: the ministry does not see the group (its jurisdiction is vas) until it
  // receives the report; then it sees it, downloads it and acknowledges.
  assertError(await U.regM.get(`/api/v1/annual-reports/${reportG.id}`), 404, 'not_found');
  let missing = assertList(await U.regM.get(`/api/v1/annual-reports/missing?year=${YEAR}`)).items;
  assert.deepEqual(missing.map((x) => x.org_id), [O.V.id]);
  await ok(U.opG.put(`/api/v1/annual-reports/${reportG.id}/sections/problems`, { text: '集团层面问题。' }), 200);
  await ok(U.opG.put(`/api/v1/annual-reports/${reportG.id}/sections/plan`, { text: '集团下一步方案。' }), 200);
  r = await U.opG.post(`/api/v1/annual-reports/${reportG.id}/submit`);
  assert.equal(r.status, 200, `${r}`);
  assert.deepEqual(r.json.submissions.map((x) => [x.org_id, x.route]), [[O.M.id, 'ministry']]);
  assert.equal((await U.regM.get(`/api/v1/annual-reports/${reportG.id}`)).status, 200);
  assert.deepEqual(assertList(await U.regM.get('/api/v1/annual-reports?received=1')).items.map((x) => x.id), [reportG.id]);
  const pdf = await download(U.regM, `/api/v1/annual-reports/${reportG.id}/report.pdf`);
  assert.equal(pdf.status, 200);
  writeFileSync(join(dir, 'group.pdf'), pdf.body);
  assert.ok(pdfText(join(dir, 'group.pdf')).includes('本单位发生重大及以上网络安全事件1起'));
  assertError(await U.regM.get(`/api/v1/annual-reports/${reportP.id}`), 404, 'not_found');
  r = await U.regM.post(`/api/v1/annual-reports/${reportG.id}/acknowledge`, {});
  assert.equal(r.status, 200, `${r}`);
  assert.equal(r.json.acknowledged, true);
  // The group itself sees its subtree's missing list: P and G have submitted.
  missing = assertList(await U.opG.get(`/api/v1/annual-reports/missing?year=${YEAR}`)).items;
  assert.deepEqual(missing, []);
});

test('due date per year: the table, the report and the duty follow it; only the system administrator sets it', { timeout: 60000 }, async () => {
  const y = YEAR;
  assertError(await U.opP.put(`/api/v1/annual-report-due-dates/${y}`, { due_date: `${y}-12-15`, source: 'x' }), 403, 'forbidden');
  assertError(await admin.put(`/api/v1/annual-report-due-dates/${y}`, { due_date: `${y + 2}-01-15`, source: 'x' }), 400, 'validation_failed', 'due_date');
  assertError(await admin.put(`/api/v1/annual-report-due-dates/${y}`, { due_date: `${y}-12-15` }), 400, 'validation_failed', 'source');
  const r = await admin.put(`/api/v1/annual-report-due-dates/${y}`, { due_date: `${y}-12-15`, source: `工网安函〔${y}〕某号` });
  assert.equal(r.status, 200, `${r}`);
  assert.equal(r.json.default.month, 11);
  assert.equal(r.json.items[0].due_date, `${y}-12-15`);
  const V = await draftOf(admin, O.V.id);
  assert.equal(V.due_date, `${y}-12-15`);
  assert.equal(V.due_source, `工网安函〔${y}〕某号`);
  const duty = (await admin.get(`/api/v1/duties?kind=annual_report&limit=500&from=2000-01-01`)).json.items.find((x) => x.key === `org:${O.V.id}:annual_report:${y}`);
  assert.equal(duty.due_date, `${y}-12-15`);
  assert.deepEqual(assertList(await U.regCA.get(`/api/v1/annual-reports/missing?year=${y}`)).items.map((x) => [x.org_id, x.due_date]), [[O.V.id, `${y}-12-15`]]);
});

test('risk report (annex 3): sections 一 to 七 in order, the risk table, both formats', { timeout: 300000 }, async () => {
  const want = ['一、概述', '二、被评估对象描述', '三、风险分析及评估方法', '四、风险识别结果', '五、风险分析结果', '六、风险评价', '七、风险评估总结'];
  const check = (text, what) => {
    let at = text.indexOf(squash(`${unitsP.l3.name}安全风险评估报告`));
    assert.ok(at >= 0, `${what}: title`);
    for (const h of want) {
      const next = text.indexOf(h, at);
      assert.ok(next > at, `${what}: ${h} missing or out of order`);
      at = next;
    }
    missingFrom(text, ['（一）业务识别', '（二）资产识别', '（三）威胁识别', '（四）脆弱性识别', '（五）已有安全措施确认',
      '资产', '威胁', '脆弱性', '可能性L', '损失F', '风险值R', '风险等级', '处置措施',
      '未制定', '表8风险处置计划', '张工',
      '评估目的：识别IDC业务系统面临的安全风险。', '互联网出入口及核心业务系统', 'L=[√(T×Va)]', '高及以上风险须在三个月内处置。',
      '建议尽快修复弱口令并加强访问控制。', '已部署堡垒机集中管理运维账号', '共识别风险 2 项，其中高风险及以上 1 项'], what);
    assert.ok(text.includes('16高') && text.includes('4很低'), `${what}: the risk values`);
  };
  const d = await download(U.opP, `/api/v1/risk-assessments/${raP.id}/report.docx`);
  assert.equal(d.status, 200, d.body.toString().slice(0, 300));
  assert.equal(d.headers.get('content-type'), DOCX_TYPE);
  assert.equal(fileName(d.headers), `${unitsP.l3.name}安全风险评估报告.docx`);
  check(libreofficeText(d.body, 'risk'), 'DOCX via LibreOffice');
  // The risk table, row by row: asset, threat, vulnerability, L, F, R, level, treatment; highest first.
  const table = docxTables(d.body, 'risk').find((t) => t[0][0] === '序号' && t[0].includes('可能性'));
  assert.deepEqual(table, [
    ['序号', '资产', '威胁', '脆弱性', '可能性', '损失', '风险值', '风险等级', '处置措施'],
    ['1', '核心路由器（Ia=4）', '远程口令猜解（T=3）', '管理口令强度不足（Va=5）', '4', '4', '16', '高', '降低（整改）处置中'],
    ['2', '核心路由器（Ia=4）', '远程口令猜解（T=3）', '日志保存期限偏短（Va=1）', '2', '2', '4', '很低', '未制定'],
  ]);
  const p = await download(U.regCA, `/api/v1/risk-assessments/${raP.id}/report.pdf`);
  assert.equal(p.status, 200, p.body.toString().slice(0, 300));
  const file = join(dir, 'risk-direct.pdf');
  writeFileSync(file, p.body);
  check(pdfText(file), 'PDF');
  checkEmbedded(file);
});

test('document centre: the catalogue of seed 000 annex 1 and seed 003; templates uploaded by the administrator', { timeout: 60000 }, async () => {
  const all = assertList(await U.opB.get('/api/v1/doc-catalogue'));
  assert.equal(all.total, 51);
  const policies = assertList(await U.regCA.get('/api/v1/doc-catalogue?kind=policy')).items;
  assert.deepEqual(policies.map((x) => x.title), ['中华人民共和国网络安全法', '关键信息基础设施安全保护条例', '通信网络安全防护管理办法',
    '关于加强电信和互联网行业网络安全工作的指导意见', '公共互联网网络安全威胁监测与处置办法', '公共互联网网络安全突发事件应急预案', '网络产品安全漏洞管理规定']);
  assert.equal(policies[2].number, '部令第11号');
  assert.equal(policies[6].number, '工信部联网安〔2021〕66号');
  const standards = assertList(await U.opP.get('/api/v1/doc-catalogue?kind=standard')).items;
  assert.equal(standards.length, 44);
  assert.ok(standards.every((x) => x.kind === 'standard' && x.kind_name === '标准' && !('file' in x)));
  assert.deepEqual(assertList(await U.opP.get(`/api/v1/doc-catalogue?q=${encodeURIComponent('2017〕281')}`)).items.map((x) => x.title), ['公共互联网网络安全突发事件应急预案']);
  assertError(await U.opP.get('/api/v1/doc-catalogue?kind=law'), 400, 'validation_failed', 'kind');
  assert.equal((await srv.client().get('/api/v1/doc-catalogue')).status, 401);

  const body = docxBody();
  const up = (client, q) => client.req('POST', `/api/v1/doc-templates?${q}`, { body, contentType: 'application/octet-stream' });
  assertError(await up(U.opP, `name=${encodeURIComponent('报告模板.docx')}`), 403, 'forbidden');
  assertError(await up(admin, `name=${encodeURIComponent('报告模板.exe')}`), 415, 'unsupported_media_type');
  const r = await up(admin, `name=${encodeURIComponent('安全防护工作报告模板.docx')}&title=${encodeURIComponent('安全防护工作报告（模板）')}`);
  assert.equal(r.status, 201, `${r}`);
  assert.equal(r.json.title, '安全防护工作报告（模板）');
  assert.equal(r.json.size, body.length);
  for (const c of [U.opB, U.regM, U.audP]) {
    assert.ok(assertList(await c.get('/api/v1/doc-templates')).items.some((x) => x.id === r.json.id));
    const f = await download(c, `/api/v1/doc-templates/${r.json.id}/file`);
    assert.equal(f.status, 200);
    assert.ok(f.body.equals(body), 'the bytes uploaded');
    assert.equal(fileName(f.headers), '安全防护工作报告模板.docx');
  }
  assertError(await U.opP.del(`/api/v1/doc-templates/${r.json.id}`), 403, 'forbidden');
  assert.equal((await admin.del(`/api/v1/doc-templates/${r.json.id}`)).status, 204);
  assertError(await U.opP.get(`/api/v1/doc-templates/${r.json.id}/file`), 404, 'not_found');
});

test('scope: another tenant\'s ids are 404 on every endpoint; anonymous is 401', { timeout: 60000 }, async () => {
  const paths = [
    `/api/v1/annual-reports/${reportP.id}`, `/api/v1/annual-reports/${reportP.id}/report.docx`,
    `/api/v1/annual-reports/${reportP.id}/report.pdf`, `/api/v1/annual-reports/${reportP.id}/exposure.xlsx`,
    `/api/v1/risk-assessments/${raP.id}/report.docx`, `/api/v1/risk-assessments/${raP.id}/report.pdf`,
  ];
  for (const path of paths) {
    for (const c of [U.opB, U.regCA2]) assertError(await c.get(path), 404, 'not_found');
    assert.equal((await srv.client().get(path)).status, 401);
  }
  for (const path of ['/api/v1/annual-reports/99999999', '/api/v1/annual-reports/abc/report.pdf', '/api/v1/risk-assessments/99999999/report.pdf']) {
    assertError(await U.opP.get(path), 404, 'not_found');
  }
  assertError(await U.opP.get(`/api/v1/risk-assessments/${raB.id}/report.pdf`), 404, 'not_found');
  assertError(await U.opB.post(`/api/v1/annual-reports/${reportP.id}/acknowledge`, {}), 404, 'not_found');
  assertError(await U.opB.put(`/api/v1/annual-reports/${reportP.id}/sections/plan`, { text: 'x' }), 404, 'not_found');
  assertError(await U.opP.get('/api/v1/annual-reports/missing?year=abc'), 400, 'validation_failed', 'year');
  assertError(await U.opP.get('/api/v1/annual-reports?status=sent'), 400, 'validation_failed', 'status');
  // The other tenant's lists show none of ours.
  assert.deepEqual(assertList(await U.opB.get(`/api/v1/annual-reports/missing?year=${YEAR}`)).items.map((x) => x.org_id), [O.B.id]);
});
