// 符合性评测 (seed 000 §三): assessments per unit, uploads (limits, allowed kinds by their bytes,
// content addressing, scoped download), check-item lists (CSV and XLSX import, a bad file imports
// nothing and names every bad row), item-by-item runs with the score following from the items,
// submission fulfilling the assessment_submit duty, and another tenant's ids answering 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  startServer, assertError, assertList, auditTotal, rawRequest, Soft, uniq,
} from './lib.mjs';
import {
  tenants, unit, today, addDays, pdf, PNG, JPEG, docx, xlsx, upload, uploadReport, duties,
} from './assess-fixtures.mjs';

const UPLOAD_LIMIT = 3000000; // above the 1 MiB body limit, to show the upload route's own limit
let srv, admin, O, U, uA1, uB, uVas;

before(async () => {
  srv = await startServer({ args: ['--upload-limit', String(UPLOAD_LIMIT)] });
  admin = await srv.admin();
  ({ O, U } = await tenants(srv, admin));
  uA1 = await unit(U.opA, O.A1.id);
  uB = await unit(U.opB, O.B.id);
  uVas = await unit(U.opA, O.A1.id, { unit_type: 'cdn' });
});
after(async () => { await srv?.close(); });

const base = (extra = {}) => ({
  assessor_kind: 'third_party', assessor_name: '某测评机构', assessor_qualification: '通信网络安全服务能力评定证书',
  started_on: addDays(today(), -20), ...extra,
});

async function create(client, unitId, extra) {
  const r = await client.post(`/api/v1/units/${unitId}/assessments`, base(extra));
  assert.equal(r.status, 201, `create assessment: ${r}`);
  return r.json;
}

test('create, read, list and update an assessment; standards default from the unit type', async () => {
  const audits = await auditTotal(admin);
  const a = await create(U.staffA1, uA1.id, { assessor_kind: 'self', assessor_name: '甲福建网络安全部', assessor_qualification: undefined });
  assert.equal(a.status, 'in_progress');
  assert.equal(a.unit_id, uA1.id);
  assert.equal(a.org_id, O.A1.id);
  assert.match(a.standards, /《互联网安全防护要求》/);
  assert.match(a.standards, /《互联网安全防护检测要求》/);
  assert.equal(a.assessor_kind_name, '自行评测');
  assert.deepEqual(a.files, []);
  assert.equal(a.checklist, null);
  assert.equal(a.submit_due, null);
  assert.equal(await auditTotal(admin), audits + 1, 'one audit record');

  const g = await U.regR.get(`/api/v1/assessments/${a.id}`);
  assert.equal(g.status, 200, 'the province\'s regulator reads it');
  const l = assertList(await U.opA.get(`/api/v1/units/${uA1.id}/assessments`));
  assert.ok(l.items.some((x) => x.id === a.id));
  assert.ok(assertList(await U.regR.get('/api/v1/assessments')).items.some((x) => x.id === a.id));
  assert.ok(!assertList(await U.opB.get('/api/v1/assessments')).items.some((x) => x.id === a.id));
  assert.ok(!assertList(await U.regR2.get('/api/v1/assessments')).items.some((x) => x.id === a.id));
  assert.equal(assertList(await U.opA.get(`/api/v1/assessments?status=submitted&unit_id=${uA1.id}`)).items.filter((x) => x.id === a.id).length, 0);

  const p = await U.opA.patch(`/api/v1/assessments/${a.id}`, { ended_on: today(), score: '87.5', items_passed: 35, items_failed: 5, items_na: 2, problems: '边界访问控制策略过宽' });
  assert.equal(p.status, 200, `${p}`);
  assert.equal(p.json.score, '87.50');
  assert.equal(p.json.status, 'ended');
  assert.equal(p.json.submit_due, addDays(today(), 30));
  assert.equal(p.json.items_failed, 5);

  const d = await U.opA.del(`/api/v1/assessments/${a.id}`);
  assert.equal(d.status, 204);
  assertError(await U.opA.get(`/api/v1/assessments/${a.id}`), 404, 'not_found');
});

test('bad input names the field and writes nothing', async () => {
  const audits = await auditTotal(admin);
  const total = assertList(await admin.get('/api/v1/assessments?limit=1')).total;
  const path = `/api/v1/units/${uA1.id}/assessments`;
  const soft = new Soft();
  const cases = [
    ['dates out of order', { started_on: addDays(today(), -3), ended_on: addDays(today(), -5) }, 'started_on'],
    ['an ended assessment cannot end in the future', { ended_on: addDays(today(), 1) }, 'ended_on'],
    ['unknown assessor kind', { assessor_kind: 'friend' }, 'assessor_kind'],
    ['third party without qualification', { assessor_qualification: '' }, 'assessor_qualification'],
    ['score above 100', { score: '100.5' }, 'score'],
    ['score with three decimals', { score: '87.125' }, 'score'],
    ['negative count', { items_failed: -1 }, 'items_failed'],
    ['not a date', { started_on: '2025-02-30' }, 'started_on'],
    ['unknown checklist', { checklist_id: '999999' }, 'checklist_id'],
  ];
  for (const [label, extra, field] of cases) {
    await soft.run(label, async () => assertError(await U.opA.post(path, base(extra)), 400, 'validation_failed', field));
  }
  await soft.run('dates out of order name both fields', async () => {
    const r = await U.opA.post(path, base({ started_on: addDays(today(), -3), ended_on: addDays(today(), -5) }));
    assert.deepEqual(r.json.error.fields, ['started_on', 'ended_on']);
  });
  await soft.run('unknown field', async () => assertError(await U.opA.post(path, base({ status: 'submitted' })), 400, 'unknown_field', 'status'));
  await soft.run('missing required', async () => assertError(await U.opA.post(path, { assessor_kind: 'self' }), 400, 'validation_failed'));
  const a = await create(U.opA, uA1.id);
  const audits2 = await auditTotal(admin);
  await soft.run('PATCH end before start', async () => assertError(await U.opA.patch(`/api/v1/assessments/${a.id}`, { ended_on: addDays(today(), -30) }), 400, 'validation_failed', 'started_on'));
  await soft.run('PATCH end in the future', async () => assertError(await U.opA.patch(`/api/v1/assessments/${a.id}`, { ended_on: addDays(today(), 2) }), 400, 'validation_failed', 'ended_on'));
  assert.equal(await auditTotal(admin), audits2, 'bad PATCHes write nothing');
  assert.equal((await U.opA.get(`/api/v1/assessments/${a.id}`)).json.ended_on, null);
  soft.done('bad inputs');
  assert.equal(assertList(await admin.get('/api/v1/assessments?limit=1')).total, total + 1);
  assert.equal(await auditTotal(admin), audits + 1);
});

test('uploads: allowed kinds by their bytes, content addressing, limits, scoped download', async () => {
  const soft = new Soft();
  const audits = await auditTotal(admin);
  const body = pdf(2 * 1024 * 1024); // over the 1 MiB body limit, under the upload limit
  const up = await upload(U.opA, '评测报告（终稿）.pdf', body, 'application/pdf');
  assert.equal(up.status, 201, `${up}`);
  assert.match(up.json.id, /^[0-9a-f]{64}$/);
  assert.equal(up.json.size, body.length);
  assert.equal(up.json.media_type, 'application/pdf');
  assert.equal(up.json.org_id, O.A.id);
  assert.equal(await auditTotal(admin), audits + 1);
  const again = await upload(U.opA, 'copy.pdf', body, 'application/pdf');
  assert.equal(again.status, 200, 'the same content is stored once');
  assert.equal(again.json.id, up.json.id);
  assert.equal(again.json.name, '评测报告（终稿）.pdf');
  assert.equal(await auditTotal(admin), audits + 1);

  const dl = await fetch(`${srv.base}/api/v1/files/${up.json.id}`, { headers: { cookie: U.opA.cookieHeader() } });
  const bytes = Buffer.from(await dl.arrayBuffer());
  assert.equal(dl.status, 200);
  assert.ok(bytes.equals(body), 'downloaded bytes equal the upload');
  assert.equal(dl.headers.get('content-type'), 'application/pdf');
  assert.equal(dl.headers.get('x-content-type-options'), 'nosniff');
  const cd = dl.headers.get('content-disposition');
  assert.match(cd, /^attachment; filename="[ -~]+"; filename\*=UTF-8''/);
  assert.ok(cd.endsWith(`UTF-8''${encodeURIComponent('评测报告（终稿）.pdf').replace(/[()]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`), cd);

  for (const [label, name, data, type, media] of [
    ['png', 'topo.png', PNG, 'image/png', 'image/png'],
    ['jpeg', '机房.JPG', JPEG, 'image/jpeg', 'image/jpeg'],
    ['docx', 'report.docx', docx(), 'application/octet-stream', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['xlsx', 'items.xlsx', xlsx([['a']]), undefined, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ]) {
    await soft.run(`allowed ${label}`, async () => {
      const r = await upload(U.staffA1, name, data, type);
      assert.equal(r.status, 201, `${r}`);
      assert.equal(r.json.media_type, media);
      assert.equal(r.json.org_id, O.A1.id);
    });
  }
  const audits2 = await auditTotal(admin);
  for (const [label, name, data, type, code, field] of [
    ['text named .pdf', 'fake.pdf', Buffer.from('hello, not a pdf at all'), 'application/pdf', 'unsupported_media_type', 'file'],
    ['executable', 'tool.exe', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64)]), 'application/octet-stream', 'unsupported_media_type', 'file'],
    ['html', 'x.html', Buffer.from('<html><script>alert(1)</script></html>'), 'text/html', 'unsupported_media_type', 'file'],
    ['png named .pdf', 'image.pdf', PNG, 'application/pdf', 'unsupported_media_type', 'name'],
    ['declared type differs', 'a.pdf', pdf(), 'image/png', 'unsupported_media_type', 'file'],
    ['macro-enabled document', 'm.docx', docx({ macro: true }), undefined, 'unsupported_media_type', 'file'],
    ['plain zip', 'a.docx', Buffer.from('PK\x03\x04' + 'x'.repeat(40)), undefined, 'unsupported_media_type', 'file'],
    ['empty', 'a.pdf', Buffer.alloc(0), 'application/pdf', 'validation_failed', 'file'],
    ['no name', '', pdf(), 'application/pdf', 'validation_failed', 'name'],
    ['control character in the name', 'a\u0001.pdf', pdf(), 'application/pdf', 'validation_failed', 'name'],
  ]) {
    await soft.run(`refused: ${label}`, async () => {
      const status = code === 'unsupported_media_type' ? 415 : 400;
      assertError(await upload(U.opA, name, data, type), status, code, field);
    });
  }
  await soft.run('over the upload limit → 413', async () => {
    const big = pdf(UPLOAD_LIMIT + 1);
    const r = await rawRequest(srv.base, 'PUT', '/api/v1/files?name=big.pdf', {
      headers: { cookie: U.opA.cookieHeader(), 'x-csrf-token': U.opA.csrf, 'content-type': 'application/pdf', 'content-length': big.length },
      body: big,
    });
    assertError(r, 413, 'payload_too_large');
  });
  await soft.run('the body limit still applies to other routes', async () => {
    const r = await rawRequest(srv.base, 'POST', `/api/v1/units/${uA1.id}/assessments`, {
      headers: { cookie: U.opA.cookieHeader(), 'x-csrf-token': U.opA.csrf, 'content-type': 'application/json' },
      body: JSON.stringify(base({ problems: 'x'.repeat(1100000) })),
    });
    assertError(r, 413, 'payload_too_large');
  });
  await soft.run('read-only roles cannot upload', async () => assertError(await upload(U.regR, 'a.pdf', pdf(), 'application/pdf'), 403, 'forbidden'));
  await soft.run('org_id outside the tree', async () => assertError(await upload(U.opA, 'a.pdf', pdf(), 'application/pdf', `&org_id=${O.B.id}`), 404, 'not_found', 'org_id'));
  await soft.run('sysadmin must name the organisation', async () => assertError(await upload(admin, 'a.pdf', pdf(), 'application/pdf'), 400, 'validation_failed', 'org_id'));
  assert.equal(await auditTotal(admin), audits2, 'refused uploads write nothing');

  await soft.run('download outside scope → 404', async () => {
    assertError(await U.opB.get(`/api/v1/files/${up.json.id}`), 404, 'not_found');
    assertError(await U.regR.get(`/api/v1/files/${up.json.id}`), 404, 'not_found'); // held by A (北京), not linked yet
    assertError(await U.opA.get(`/api/v1/files/${'0'.repeat(64)}`), 404, 'not_found');
    assertError(await U.opA.get('/api/v1/files/..%2F..%2Fetc%2Fpasswd'), 404, 'not_found');
  });
  await soft.run('the same content uploaded by another tenant is its own record', async () => {
    const r = await upload(U.opB, 'b.pdf', body, 'application/pdf');
    assert.equal(r.status, 201);
    assert.equal(r.json.id, up.json.id);
    assert.equal(r.json.name, 'b.pdf');
    assert.equal(r.json.org_id, O.B.id);
    const mine = await U.opA.get(`/api/v1/files/${up.json.id}`);
    assert.match(mine.headers.get('content-disposition'), /UTF-8''%E8%AF%84/, 'each tenant sees its own name');
  });
  soft.done('upload checks');
  const stored = createHash('sha256').update(body).digest('hex');
  assert.notEqual(stored, up.json.id, 'the key is SM3, not SHA-256');
});

test('report and evidence files; submission fulfils the assessment_submit duty', async () => {
  const a = await create(U.opA, uA1.id);
  const link = (body) => U.opA.post(`/api/v1/assessments/${a.id}/files`, body);
  // Not ended: no submission duty yet.
  assert.equal((await duties(admin, 'assessment_submit', uA1.id)).filter((d) => d.key === `assessment:${a.id}:submit`).length, 0);
  const p = await U.opA.patch(`/api/v1/assessments/${a.id}`, { ended_on: addDays(today(), -1), score: '92' });
  assert.equal(p.status, 200, `${p}`);
  let due = (await duties(admin, 'assessment_submit', uA1.id)).filter((d) => d.key === `assessment:${a.id}:submit`);
  assert.equal(due.length, 1, 'the submission duty appears when the assessment ends');
  assert.equal(due[0].due_date, addDays(today(), 29));
  assert.equal(due[0].done_at, null);
  const seen = assertList(await U.opA.get('/api/v1/duties?kind=assessment_submit&limit=500')).items;
  assert.ok(seen.some((d) => d.key === `assessment:${a.id}:submit`), 'the operator sees its duty');

  const reportId = await uploadReport(U.opA);
  const evidence = await upload(U.opA, '截图.png', PNG, 'image/png');
  const otherTenantFile = await uploadReport(U.opB, 'b-report.pdf');
  const audits = await auditTotal(admin);
  assertError(await U.opA.post(`/api/v1/assessments/${a.id}/submit`, { submitted_to: '福建省通信管理局' }), 400, 'validation_failed', 'report');
  assertError(await link({ file_id: reportId, role: 'appendix' }), 400, 'validation_failed', 'role');
  assertError(await link({ file_id: 'f'.repeat(64), role: 'report' }), 400, 'validation_failed', 'file_id');
  assertError(await link({ file_id: otherTenantFile, role: 'report' }), 400, 'validation_failed', 'file_id');
  assert.equal(await auditTotal(admin), audits, 'refusals write nothing');

  let r = await link({ file_id: reportId, role: 'report' });
  assert.equal(r.status, 201, `${r}`);
  r = await link({ file_id: evidence.json.id, role: 'evidence' });
  assert.equal(r.status, 201, `${r}`);
  assertError(await link({ file_id: evidence.json.id, role: 'evidence' }), 409, 'conflict');
  assert.deepEqual(r.json.files.map((f) => f.role).sort(), ['evidence', 'report']);
  const dl = await U.regR.get(`/api/v1/files/${reportId}`);
  assert.equal(dl.status, 200, 'once attached to A1\'s assessment, the regulator of 福建 can download it');

  assertError(await U.regR.post(`/api/v1/assessments/${a.id}/submit`, { submitted_to: 'x' }), 403, 'forbidden');
  assertError(await U.opA.post(`/api/v1/assessments/${a.id}/submit`, {}), 400, 'validation_failed', 'submitted_to');
  r = await U.opA.post(`/api/v1/assessments/${a.id}/submit`, { submitted_to: '福建省通信管理局；甲集团' });
  assert.equal(r.status, 200, `${r}`);
  assert.equal(r.json.status, 'submitted');
  assert.ok(r.json.submitted_at);
  due = (await duties(admin, 'assessment_submit', uA1.id)).filter((d) => d.key === `assessment:${a.id}:submit`);
  assert.equal(due.length, 0, 'the submission duty disappears after submission');

  const audits2 = await auditTotal(admin);
  assertError(await U.opA.post(`/api/v1/assessments/${a.id}/submit`, { submitted_to: 'x' }), 409, 'conflict');
  assertError(await U.opA.patch(`/api/v1/assessments/${a.id}`, { problems: '改' }), 409, 'conflict');
  assertError(await U.opA.del(`/api/v1/assessments/${a.id}`), 409, 'conflict');
  assertError(await link({ file_id: evidence.json.id, role: 'report' }), 409, 'conflict');
  assertError(await U.opA.del(`/api/v1/assessments/${a.id}/files/${r.json.files[0].link_id}`), 409, 'conflict');
  assert.equal(await auditTotal(admin), audits2);

  // Replacing a report and detaching evidence before submission.
  const b = await create(U.opA, uA1.id);
  const first = await U.opA.post(`/api/v1/assessments/${b.id}/files`, { file_id: reportId, role: 'report' });
  const second = await U.opA.post(`/api/v1/assessments/${b.id}/files`, { file_id: evidence.json.id, role: 'report' });
  assert.equal(first.status, 201);
  assert.equal(second.json.files.length, 1, 'one report per assessment');
  assert.equal(second.json.files[0].file_id, evidence.json.id);
  assert.equal((await U.opA.del(`/api/v1/assessments/${b.id}/files/${second.json.files[0].link_id}`)).status, 204);
  assertError(await U.opA.del(`/api/v1/assessments/${b.id}/files/${second.json.files[0].link_id}`), 404, 'not_found');
});

const CSV = (rows) => '\ufeff' + rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n') + '\r\n';
const HEADER = ['序号', 'area', 'requirement', 'method'];
const ITEMS = [
  ['1', '网络安全', '应在网络边界部署访问控制设备', '检查边界设备配置'],
  ['2', '网络安全', '应对远程管理进行身份鉴别', '查看管理方式'],
  ['3', '主机安全', '应启用安全审计功能', '查看审计策略'],
  ['4', '管理', '应制定应急预案', '查阅文件'],
];

function importList(client, { name = uniq('防护检查项'), version = 'v1', unitType = 'internet', level = 3, filename = 'items.csv' } = {}, body) {
  const q = new URLSearchParams({ name, version, unit_type: unitType, level: String(level), filename });
  return client.req('POST', `/api/v1/checklists?${q}`, { body, contentType: filename.endsWith('.xlsx') ? 'application/octet-stream' : 'text/csv' });
}

test('check-item lists: CSV and XLSX import; a bad file imports nothing and names every bad row', async () => {
  const before = assertList(await admin.get('/api/v1/checklists?limit=1')).total;
  const audits = await auditTotal(admin);
  const soft = new Soft();
  await soft.run('missing column', async () => {
    const r = await importList(admin, {}, CSV([['序号', 'area', 'requirement'], ['1', 'a', 'b']]));
    assertError(r, 400, 'validation_failed', 'file');
    assert.match(r.json.error.message, /method/);
  });
  await soft.run('bad rows are all reported', async () => {
    const r = await importList(admin, {}, CSV([HEADER, ITEMS[0], ['2', '网络安全', '', '查看'], ['1', 'x', 'y', 'z'], ['', '', '', ''], ['4', '管理', '要求', '']]));
    assertError(r, 400, 'validation_failed', 'file');
    assert.deepEqual(r.json.error.rows.map((x) => [x.line, x.field]), [[3, 'requirement'], [4, '序号'], [6, 'method']]);
    assert.match(r.json.error.message, /3 行错误/);
  });
  await soft.run('not a sysadmin', async () => assertError(await importList(U.opA, {}, CSV([HEADER, ...ITEMS])), 403, 'forbidden'));
  await soft.run('unknown unit type', async () => assertError(await importList(admin, { unitType: 'nope' }, CSV([HEADER, ...ITEMS])), 400, 'validation_failed', 'unit_type'));
  await soft.run('level out of range', async () => assertError(await importList(admin, { level: 6 }, CSV([HEADER, ...ITEMS])), 400, 'validation_failed', 'level'));
  await soft.run('GBK is refused', async () => assertError(await importList(admin, {}, Buffer.from([0xd0, 0xf2, 0xba, 0xc5, 0x0a])), 400, 'validation_failed', 'file'));
  soft.done('import refusals');
  assert.equal(assertList(await admin.get('/api/v1/checklists?limit=1')).total, before, 'nothing imported');
  assert.equal(await auditTotal(admin), audits, 'nothing audited');

  const name = uniq('互联网防护检查项');
  const r = await importList(admin, { name }, CSV([HEADER, ...ITEMS]));
  assert.equal(r.status, 201, `${r}`);
  assert.equal(r.json.item_count, 4);
  assert.equal(r.json.level, 3);
  assertError(await importList(admin, { name }, CSV([HEADER, ...ITEMS])), 409, 'conflict', 'version');
  const x = await importList(admin, { name, version: 'v2', filename: '检查项.xlsx' }, xlsx([['序号', '检查域', '要求', '检测方法'], ...ITEMS.slice(0, 3)]));
  assert.equal(x.status, 201, `xlsx import with Chinese headers: ${x}`);
  assert.equal(x.json.item_count, 3);
  const full = await U.regR.get(`/api/v1/checklists/${x.json.id}`);
  assert.equal(full.status, 200);
  assert.deepEqual(full.json.items.map((i) => i.item_no), ['1', '2', '3']);
  assert.equal(full.json.items[2].requirement, '应启用安全审计功能');
  const listed = assertList(await U.opB.get('/api/v1/checklists?unit_type=internet&level=3&limit=500'));
  assert.ok(listed.items.some((c) => c.id === r.json.id) && listed.items.some((c) => c.id === x.json.id));
  assertError(await admin.get('/api/v1/checklists/999999'), 404, 'not_found');
});

test('an assessment run item by item: the score follows from the items, N/A excluded', async () => {
  const r = await importList(admin, {}, CSV([HEADER, ...ITEMS]));
  assert.equal(r.status, 201, `${r}`);
  const listId = r.json.id;
  const soft = new Soft();
  await soft.run('a list for another unit type', async () => assertError(await U.opA.post(`/api/v1/units/${uVas.id}/assessments`, base({ checklist_id: listId })), 400, 'validation_failed', 'checklist_id'));
  await soft.run('manual score with a list', async () => assertError(await U.opA.post(`/api/v1/units/${uA1.id}/assessments`, base({ checklist_id: listId, score: '90' })), 400, 'validation_failed', 'score'));
  soft.done();
  const a = await create(U.opA, uA1.id, { checklist_id: listId });
  assert.equal(a.checklist.id, listId);
  assert.equal(a.checklist.answered, 0);
  assert.equal(a.score, null);
  const items = (await U.regR.get(`/api/v1/assessments/${a.id}/items`)).json.items;
  assert.equal(items.length, 4);
  assert.ok(items.every((i) => i.result === null));

  const audits = await auditTotal(admin);
  const put = (body) => U.opA.put(`/api/v1/assessments/${a.id}/items`, body);
  assertError(await put({ items: [{ item_id: items[0].item_id, result: 'pass' }, { item_id: items[1].item_id, result: 'maybe' }] }), 400, 'validation_failed', 'items');
  assertError(await put({ items: [{ item_id: '999999', result: 'pass' }] }), 400, 'validation_failed', 'items');
  assertError(await put({ items: [{ item_id: items[0].item_id, result: 'pass', extra: 1 }] }), 400, 'validation_failed', 'items');
  assertError(await put({ items: [] }), 400, 'validation_failed', 'items');
  assert.equal(await auditTotal(admin), audits, 'nothing written');
  assert.ok((await U.opA.get(`/api/v1/assessments/${a.id}/items`)).json.items.every((i) => i.result === null), 'not even the good element');

  let p = await put({ items: [
    { item_id: items[0].item_id, result: 'pass' },
    { item_id: items[1].item_id, result: 'pass' },
    { item_id: items[2].item_id, result: 'fail', note: '未启用审计' },
  ] });
  assert.equal(p.status, 200, `${p}`);
  assert.equal(p.json.score, '66.67', '2 / (2 + 1) × 100');
  assert.deepEqual([p.json.items_passed, p.json.items_failed, p.json.items_na], [2, 1, 0]);
  assert.equal(p.json.items[2].note, '未启用审计');
  assertError(await U.opA.patch(`/api/v1/assessments/${a.id}`, { items_passed: 4 }), 400, 'validation_failed', 'items_passed');
  await U.opA.patch(`/api/v1/assessments/${a.id}`, { ended_on: today() });
  await U.opA.post(`/api/v1/assessments/${a.id}/files`, { file_id: await uploadReport(U.opA), role: 'report' });
  assertError(await U.opA.post(`/api/v1/assessments/${a.id}/submit`, { submitted_to: 'x' }), 400, 'validation_failed', 'items');
  p = await put({ items: [{ item_id: items[3].item_id, result: 'na' }, { item_id: items[2].item_id, result: 'pass' }] });
  assert.equal(p.json.score, '100.00', 'N/A excluded: 3 / 3');
  assert.deepEqual([p.json.items_passed, p.json.items_failed, p.json.items_na], [3, 0, 1]);
  const g = await U.opA.get(`/api/v1/assessments/${a.id}`);
  assert.equal(g.json.score, '100.00');
  assert.equal(g.json.checklist.answered, 4);
  assert.equal((await U.opA.post(`/api/v1/assessments/${a.id}/submit`, { submitted_to: '福建省通信管理局' })).status, 200);
  assertError(await put({ items: [{ item_id: items[0].item_id, result: 'fail' }] }), 409, 'conflict');

  // Detaching the list drops its results; the manual result is empty again.
  const b = await create(U.opA, uA1.id, { checklist_id: listId });
  await U.opA.put(`/api/v1/assessments/${b.id}/items`, { items: [{ item_id: items[0].item_id, result: 'fail' }] });
  const d = await U.opA.patch(`/api/v1/assessments/${b.id}`, { checklist_id: null });
  assert.equal(d.status, 200, `${d}`);
  assert.equal(d.json.score, null);
  assert.equal(d.json.items_failed, null);
  assertError(await U.opA.get(`/api/v1/assessments/${b.id}/items`), 409, 'conflict');
});

test('another tenant\'s ids → 404 on every endpoint; read-only roles → 403; nothing changes', async () => {
  const a = await create(U.opA, uA1.id);
  const withFile = await U.opA.post(`/api/v1/assessments/${a.id}/files`, { file_id: await uploadReport(U.opA), role: 'evidence' });
  const linkId = withFile.json.files[0].link_id;
  const fileId = withFile.json.files[0].file_id;
  const audits = await auditTotal(admin);
  const calls = [
    ['GET', `/api/v1/assessments/${a.id}`],
    ['PATCH', `/api/v1/assessments/${a.id}`, { problems: 'x' }],
    ['DELETE', `/api/v1/assessments/${a.id}`],
    ['GET', `/api/v1/assessments/${a.id}/items`],
    ['PUT', `/api/v1/assessments/${a.id}/items`, { items: [{ item_id: '1', result: 'pass' }] }],
    ['POST', `/api/v1/assessments/${a.id}/files`, { file_id: fileId, role: 'report' }],
    ['DELETE', `/api/v1/assessments/${a.id}/files/${linkId}`],
    ['POST', `/api/v1/assessments/${a.id}/submit`, { submitted_to: 'x' }],
    ['GET', `/api/v1/units/${uA1.id}/assessments`],
    ['POST', `/api/v1/units/${uA1.id}/assessments`, base()],
    ['GET', `/api/v1/files/${fileId}`],
  ];
  const soft = new Soft();
  for (const who of ['opB', 'regR2']) {
    for (const [method, path, json] of calls) {
      await soft.run(`${who} ${method} ${path}`, async () => assertError(await U[who].req(method, path, json ? { json } : {}), 404, 'not_found'));
    }
  }
  for (const [method, path, json] of calls.filter(([m]) => m !== 'GET')) {
    await soft.run(`regR (in scope, read-only) ${method} ${path}`, async () => assertError(await U.regR.req(method, path, json ? { json } : {}), 403, 'forbidden'));
  }
  for (const [method, path, json] of [
    ['GET', '/api/v1/assessments/999999'], ['PATCH', '/api/v1/assessments/999999', { problems: 'x' }],
    ['GET', '/api/v1/assessments/abc'], ['POST', '/api/v1/units/999999/assessments', base()],
    ['DELETE', `/api/v1/assessments/${a.id}/files/999999`],
  ]) {
    await soft.run(`opA ${method} ${path}`, async () => assertError(await U.opA.req(method, path, json ? { json } : {}), 404, 'not_found'));
  }
  soft.done('scope checks');
  assert.equal(await auditTotal(admin), audits, 'nothing written');
  assert.equal((await U.opA.get(`/api/v1/assessments/${a.id}`)).json.problems, '');
  assert.equal(assertList(await U.opB.get(`/api/v1/assessments?unit_id=${uA1.id}`)).total, 0);
  assert.ok(assertList(await U.opB.get(`/api/v1/units/${uB.id}/assessments`)).total >= 0);
});
