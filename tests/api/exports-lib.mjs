// Checks of list exports (GET <list>?format=xlsx) shared by the export suites: download a
// workbook, read its file name, and compare its sheet with the JSON items of the same list.
import assert from 'node:assert/strict';
import { readWorkbook, text } from './xlsx-read.mjs';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** GET path with the client's cookies: { status, headers, body: Buffer }. */
export async function download(srv, client, path) {
  const r = await fetch(srv.base + path, { headers: { cookie: client.cookieHeader() }, signal: AbortSignal.timeout(120000) });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

export function fileName(headers) {
  const m = (headers.get('content-disposition') || '').match(/filename\*=UTF-8''([^;]+)/);
  assert.ok(m, `Content-Disposition: ${headers.get('content-disposition')}`);
  return decodeURIComponent(m[1]);
}

const path = (item, key) => key.split('.').reduce((v, k) => (v == null ? undefined : v[k]), item);

/** The value a column key names: "a.b", "a[].b" (b of every element), "a#" (how many). */
function member(item, key) {
  if (key.endsWith('#')) return (path(item, key.slice(0, -1)) || []).length;
  const at = key.indexOf('[].');
  if (at < 0) return path(item, key);
  const list = path(item, key.slice(0, at));
  return Array.isArray(list) ? list.map((e) => path(e, key.slice(at + 3))) : undefined;
}

/** What a cell should say for a JSON value with no labels of its own. */
function expected(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (Array.isArray(v)) return v.map(expected).filter((s) => s !== '').join('、');
  if (typeof v === 'object') return expected(v.name);
  return String(v);
}

/** Checks a workbook against the JSON items of the same list, column by column. */
export function checkBook(entry, body, items, { labelled = new Set() } = {}) {
  const [sheet] = readWorkbook(body);
  assert.equal(sheet.name, entry.title);
  const rows = sheet.rows;
  assert.deepEqual(rows[0], entry.columns.map((c) => c.header), `${entry.path}: header row`);
  assert.equal(rows.length - 1, items.length, `${entry.path}: one row per item`);
  items.forEach((item, i) => {
    entry.columns.forEach((col, c) => {
      const v = member(item, col.key);
      const cell = rows[i + 1][c] ?? '';
      // A member the export composes for the workbook alone (the console's wording of several
      // members, e.g. 状态 or 完成进度): checked by the suites that know what it should say.
      if (!(col.key.split(/[.#[]/)[0] in item)) return;
      if (col.labelled || labelled.has(col.key) || (typeof v === 'string' && cell !== v && v !== '')) {
        // A code written by its name: a name, never empty when the code is not.
        assert.equal(typeof cell, 'string');
        assert.ok(cell !== '' || v === '' || v == null, `${entry.path} row ${i + 1} ${col.header}: ${JSON.stringify(v)} → blank`);
      } else if (typeof v === 'number') assert.deepEqual(cell, { n: v }, `${entry.path} row ${i + 1} ${col.header}: a number cell`);
      else assert.equal(text(cell), expected(v), `${entry.path} row ${i + 1} ${col.header}`);
    });
  });
  return rows;
}
