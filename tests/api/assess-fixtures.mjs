// Fixtures shared by assess.test.mjs and risk.test.mjs (not a test file itself): two operator
// trees and two regulators, graded network units, file bodies of every allowed kind (a tiny zip
// writer for DOCX/XLSX), raw uploads, and duty lookups.
import assert from 'node:assert/strict';
import { createOrg, userWithClient, uniq } from './lib.mjs';

/** Today in Asia/Shanghai as YYYY-MM-DD, and day arithmetic on such dates. */
export function today() {
  return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
}
export function addDays(iso, n) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/**
 * Tenants: A (group, 北京) ⊃ A1 (福建 provincial); B (another group); R (福建省通信管理局, 35/*);
 * R2 (a regulator of 广东 only). Users: opA (operator_admin of A), staffA1 (operator_staff of
 * A1), opB (operator_admin of B), regR, regR2.
 */
export async function tenants(srv, admin) {
  const O = {}, U = {};
  O.A = await createOrg(admin, { name: uniq('甲集团'), kind: 'telecom_group', province: '11' });
  O.A1 = await createOrg(admin, { name: uniq('甲福建'), kind: 'telecom_provincial', province: '35', parent_id: O.A.id });
  O.B = await createOrg(admin, { name: uniq('乙集团'), kind: 'telecom_group', province: '11' });
  O.R = await createOrg(admin, { name: uniq('福建省通信管理局'), kind: 'regulator_ca', province: '35', jurisdiction: [{ province: '35', kind: '*' }] });
  O.R2 = await createOrg(admin, { name: uniq('广东省通信管理局'), kind: 'regulator_ca', province: '44', jurisdiction: [{ province: '44', kind: '*' }] });
  U.opA = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: O.A.id })).client;
  U.staffA1 = (await userWithClient(srv, admin, { role: 'operator_staff', org_id: O.A1.id })).client;
  U.opB = (await userWithClient(srv, admin, { role: 'operator_admin', org_id: O.B.id })).client;
  U.regR = (await userWithClient(srv, admin, { role: 'regulator', org_id: O.R.id })).client;
  U.regR2 = (await userWithClient(srv, admin, { role: 'regulator', org_id: O.R2.id })).client;
  return { O, U };
}

/** A network unit, graded (4,4,3) → 第3级 unless grade is false. */
export async function unit(client, orgId, fields = {}, grade = true) {
  const r = await client.post('/api/v1/units', { org_id: orgId, name: uniq('网络单元'), unit_type: 'internet', status: 'online', ...fields });
  assert.equal(r.status, 201, `POST /units: ${r}`);
  if (!grade) return r.json;
  const g = await client.post(`/api/v1/units/${r.json.id}/grading`, {
    i: 4, r: 4, v: 3, just_i: '影响较大', just_r: '全省', just_v: '重要',
  });
  assert.equal(g.status, 200, `grading: ${g}`);
  return g.json;
}

// ---------------------------------------------------------------------------------------------
// File bodies.
export function pdf(size = 0, marker = uniq('p')) {
  const head = Buffer.from(`%PDF-1.4\n% ${marker}\n1 0 obj << /Type /Catalog >> endobj\n`);
  const tail = Buffer.from('\n%%EOF\n');
  const pad = Math.max(0, size - head.length - tail.length);
  return Buffer.concat([head, Buffer.alloc(pad, 0x20), tail]);
}
export const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a3f0e1f90000000049454e44ae426082', 'hex');
export const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0'), Buffer.from([0xff, 0xd9])]);

function crc32(buf) {
  let crc = 0xffffffff;
  for (const b of buf) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A zip of stored (uncompressed) entries: {name: string|Buffer}. */
export function zip(files) {
  const locals = [], centrals = [];
  let offset = 0, n = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content), nameB = Buffer.from(name), crc = crc32(data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0); lh.writeUInt16LE(20, 4); lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(data.length, 18); lh.writeUInt32LE(data.length, 22); lh.writeUInt16LE(nameB.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0); ch.writeUInt16LE(20, 4); ch.writeUInt16LE(20, 6); ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(data.length, 20); ch.writeUInt32LE(data.length, 24); ch.writeUInt16LE(nameB.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, nameB, data);
    centrals.push(ch, nameB);
    offset += 30 + nameB.length + data.length;
    n++;
  }
  const cd = Buffer.concat(centrals), end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(n, 8); end.writeUInt16LE(n, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const RELS_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const OFFICE_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function docx({ macro = false } = {}) {
  const files = {
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
    '_rels/.rels': `<Relationships xmlns="${RELS_NS}"><Relationship Id="rId1" Type="${OFFICE_REL}/officeDocument" Target="word/document.xml"/></Relationships>`,
    'word/document.xml': '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>评测报告</w:t></w:r></w:p></w:body></w:document>',
  };
  if (macro) files['word/vbaProject.bin'] = 'not really vba';
  return zip(files);
}

/** An XLSX of one sheet whose cells are inline strings: rows = [[...], ...]. */
export function xlsx(rows) {
  const col = (i) => String.fromCharCode(65 + i);
  const sheet = rows.map((cells, r) => `<row r="${r + 1}">${cells.map((v, c) =>
    `<c r="${col(c)}${r + 1}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`).join('')}</row>`).join('');
  return zip({
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
    '_rels/.rels': `<Relationships xmlns="${RELS_NS}"><Relationship Id="rId1" Type="${OFFICE_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${OFFICE_REL}"><sheets><sheet name="检查项" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<Relationships xmlns="${RELS_NS}"><Relationship Id="rId1" Type="${OFFICE_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    'xl/worksheets/sheet1.xml': `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${sheet}</sheetData></worksheet>`,
  });
}

/** PUT /api/v1/files?name=… with raw bytes. */
export function upload(client, name, body, contentType = 'application/octet-stream', extra = '') {
  return client.req('PUT', `/api/v1/files?name=${encodeURIComponent(name)}${extra}`, { body, contentType });
}

/** Uploads a report PDF and returns its file id (SM3). */
export async function uploadReport(client, name = '评测报告.pdf', extra = '') {
  const r = await upload(client, name, pdf(), 'application/pdf', extra);
  assert.ok(r.status === 201 || r.status === 200, `upload: ${r}`);
  return r.json.id;
}

/** The duties of a kind for a unit (as the sysadmin sees them). */
export async function duties(admin, kind, unitId) {
  const r = await admin.get(`/api/v1/duties?kind=${kind}&unit_id=${unitId}&limit=500`);
  assert.equal(r.status, 200, `GET /duties: ${r}`);
  return r.json.items;
}
