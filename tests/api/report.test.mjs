// 定级报告 downloads (seed 000 annex 2): GET /api/v1/units/:id/grading-report.docx and .pdf. The
// DOCX is opened by a real reader (LibreOffice headless converts it to PDF) and both PDFs are read
// back with pdftotext: the headings of annex 2, the three values and their reasons, k and the
// level. pdffonts checks that the PDF embeds its CJK fonts. Scope: another tenant gets 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, createOrg, userWithClient, uniq, assertError, pdfText } from './lib.mjs';

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const REASONS = {
  just_i: '承载全省重要政企客户业务，一旦遭到破坏将对社会秩序和公共利益造成较大影响',
  just_r: '服务范围覆盖全省，用户规模约十二万户（含政企客户 & 个人用户）',
  just_v: '所提供的服务对用户较为重要，中断后可在较短时间内恢复',
};

let srv, admin, opA, opB, regR, dir;
let unitA, ungradedA, unitName;

before(async () => {
  srv = await startServer();
  admin = await srv.admin();
  dir = mkdtempSync(join(tmpdir(), 'fanghu-report-'));
  const A = await createOrg(admin, { name: uniq('甲福建'), kind: 'telecom_provincial', province: '35' });
  const B = await createOrg(admin, { name: uniq('乙集团'), kind: 'telecom_group', province: '11' });
  const R = await createOrg(admin, { name: uniq('福建省通信管理局'), kind: 'regulator_ca', province: '35', jurisdiction: [{ province: '35', kind: '*' }] });
  opA = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: A.id })).client;
  opB = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: B.id })).client;
  regR = (await userWithClient(srv, admin, { role: 'regulator', org_id: R.id })).client;

  // A name with XML's special characters: the DOCX must escape them.
  unitName = `${uniq('福建省IDC业务系统')} <试点 & "一期">`;
  const u = await opA.post('/api/v1/units', {
    org_id: A.id, name: unitName, unit_type: 'internet', status: 'online',
    business_scope: '为政府、企业客户提供机房托管、带宽租用等互联网数据中心业务',
    service_scope: '福建省全省', user_types: '政企客户、个人用户',
    management: '设立网络安全领导小组，网络与信息安全部负责日常安全管理',
    technical: '核心—汇聚—接入三层架构，核心路由器双归属上联骨干网',
    boundary: '互联网边界部署防火墙和抗DDoS设备', device_count: 1280, online_date: '2019-06-01',
    ip_ranges: ['202.101.0.0/16'],
  });
  assert.equal(u.status, 201, `POST /units: ${u}`);
  unitA = u.json.id;
  const g = await opA.post(`/api/v1/units/${unitA}/grading`, { i: 4, r: 4, v: 3, ...REASONS });
  assert.equal(g.status, 200, `grading: ${g}`);
  const n = await opA.post('/api/v1/units', { org_id: A.id, name: uniq('未定级单元'), unit_type: 'internet', status: 'online' });
  assert.equal(n.status, 201, `POST /units: ${n}`);
  ungradedA = n.json.id;
});

after(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (srv) await srv.close();
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


function fileName(headers) {
  const cd = headers.get('content-disposition') || '';
  const m = cd.match(/filename\*=UTF-8''([^;]+)/);
  assert.ok(m, `Content-Disposition: ${cd}`);
  return decodeURIComponent(m[1]);
}

/** Annex 2's headings and wording, the three values with their reasons, k and the level. */
function checkReport(text, what) {
  const squash = (s) => s.replace(/\s+/g, '');
  const want = [
    squash(unitName) + '定级报告',
    '一、基本情况', '（一）概述', '（二）管理情况', '（三）技术情况',
    '二、安全等级的确定', '（一）定级要素的赋值过程和理由', '（二）安全等级的计算',
    '根据三个定级要素的赋值计算得出安全等级。',
    '根据网络单元的社会影响力I、规模和服务范围R、所提供服务重要性V三个定级要素的赋值，采用以下公式来计算网络单元的安全等级值',
    '计算所得网络单元的安全等级值与安全等级的映射关系如下表所示',
    '社会影响力（I）', '规模和服务范围（R）', '所提供的服务的重要性（V）',
    'I=4，R=4，V=3', '=16+16+8=40', 'Round1{3.737}=3.7', 'k=3.7',
    '1≤k<1.5', '1.5≤k<2.5', '2.5≤k<4', '4≤k<4.5', '4.5≤k≤5', '第1级', '第5级',
    '安全等级确定为第3级', '第1页',
    ...Object.values(REASONS).map(squash),
  ];
  const missing = want.filter((w) => !text.includes(w));
  assert.deepEqual(missing, [], `${what}: missing from the text:\n${text.slice(0, 3000)}`);
  assert.ok(!text.includes('第4级。') && !/安全等级确定为第[1245]级/.test(text), `${what}: wrong level`);
}

test('grading report as DOCX opens in LibreOffice with annex 2 filled in', { timeout: 240000 }, async () => {
  const r = await download(opA, `/api/v1/units/${unitA}/grading-report.docx`);
  assert.equal(r.status, 200, `docx: ${r.status} ${r.body.toString().slice(0, 300)}`);
  assert.equal(r.headers.get('content-type'), DOCX_TYPE);
  assert.equal(fileName(r.headers), `${unitName}定级报告.docx`);
  assert.equal(r.body.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
  const docx = join(dir, 'report.docx');
  writeFileSync(docx, r.body);
  // A private profile: no clash with another soffice running on the machine.
  run('soffice', [`-env:UserInstallation=file://${join(dir, 'lo-profile')}`, '--headless',
    '--convert-to', 'pdf', '--outdir', dir, docx], 180000);
  const converted = join(dir, 'report.pdf');
  assert.ok(existsSync(converted), 'LibreOffice wrote no PDF');
  const pages = Number(run('pdfinfo', [converted]).match(/Pages:\s+(\d+)/)[1]);
  assert.ok(pages >= 3 && pages <= 8, `pages: ${pages}`);
  checkReport(pdfText(converted, { keepFooters: true }), 'DOCX via LibreOffice');
});

test('grading report as PDF: text, page numbers, embedded CJK fonts', { timeout: 120000 }, async () => {
  const r = await download(opA, `/api/v1/units/${unitA}/grading-report.pdf`);
  assert.equal(r.status, 200, `pdf: ${r.status} ${r.body.toString().slice(0, 300)}`);
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  assert.equal(fileName(r.headers), `${unitName}定级报告.pdf`);
  assert.equal(r.body.subarray(0, 5).toString('latin1'), '%PDF-');
  const pdf = join(dir, 'direct.pdf');
  writeFileSync(pdf, r.body);
  const info = run('pdfinfo', [pdf]);
  assert.match(info, /Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
  checkReport(pdfText(pdf, { keepFooters: true }), 'PDF');
  // The cover has no number; the body's pages are numbered from 1.
  const pages = Number(info.match(/Pages:\s+(\d+)/)[1]);
  const cover = run('pdftotext', ['-enc', 'UTF-8', '-f', '1', '-l', '1', pdf, '-']);
  assert.ok(!/第\s*\d+\s*页/.test(cover), `cover has a page number: ${cover}`);
  const last = run('pdftotext', ['-enc', 'UTF-8', '-f', String(pages), '-l', String(pages), pdf, '-']);
  assert.match(last.replace(/\s+/g, ''), new RegExp(`第${pages - 1}页`));
  // pdffonts: name type… emb sub uni object gen; the type has spaces, so read from the right.
  const rows = run('pdffonts', [pdf]).split('\n').slice(2).filter((l) => l.trim());
  const cjk = rows.filter((l) => /CJK/i.test(l.split(/\s+/)[0]));
  assert.ok(cjk.length >= 2, `CJK fonts (serif and sans) in:\n${rows.join('\n')}`);
  for (const l of rows) {
    const cols = l.trim().split(/\s+/);
    assert.equal(cols[cols.length - 5], 'yes', `font not embedded: ${l}`);
  }
});

test('scope: the jurisdiction\'s regulator may download, another tenant gets 404', { timeout: 60000 }, async () => {
  const r = await download(regR, `/api/v1/units/${unitA}/grading-report.pdf`);
  assert.equal(r.status, 200, `regulator pdf: ${r.status}`);
  for (const ext of ['docx', 'pdf']) {
    assertError(await opB.get(`/api/v1/units/${unitA}/grading-report.${ext}`), 404, 'not_found');
    assertError(await opA.get(`/api/v1/units/99999999/grading-report.${ext}`), 404, 'not_found');
    assertError(await opA.get(`/api/v1/units/abc/grading-report.${ext}`), 404, 'not_found');
  }
  const anon = srv.client();
  assert.equal((await anon.get(`/api/v1/units/${unitA}/grading-report.pdf`)).status, 401);
});

test('a unit not yet graded: validation error naming grading', { timeout: 60000 }, async () => {
  for (const ext of ['docx', 'pdf']) {
    const r = await opA.get(`/api/v1/units/${ungradedA}/grading-report.${ext}`);
    assertError(r, 400, 'validation_failed', 'grading');
    assert.match(r.json.error.message, /定级/);
    // Scope comes first: another tenant learns nothing about the unit.
    assertError(await opB.get(`/api/v1/units/${ungradedA}/grading-report.${ext}`), 404, 'not_found');
  }
});

test('the report follows a new grading', { timeout: 60000 }, async () => {
  const g = await opA.post(`/api/v1/units/${unitA}/grading`, { i: 1, r: 5, v: 5, just_i: '影响一般', just_r: '全国范围', just_v: '非常重要' });
  assert.equal(g.status, 200, `regrade: ${g}`);
  const r = await download(opA, `/api/v1/units/${unitA}/grading-report.pdf`);
  assert.equal(r.status, 200);
  const pdf = join(dir, 'regraded.pdf');
  writeFileSync(pdf, r.body);
  const text = pdfText(pdf, { keepFooters: true });
  // (1,5,5): k = 4.459 → Round1 → 4.5 → 第5级 (round first, then map).
  for (const w of ['I=1，R=5，V=5', 'Round1{4.459}=4.5', '安全等级确定为第5级', '影响一般']) {
    assert.ok(text.includes(w), `missing ${w}`);
  }
});
