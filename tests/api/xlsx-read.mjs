// A reader of the workbooks the server writes, for assertions: the ZIP's central directory,
// inflate, the shared strings and the first sheet's cells (with their type: a number cell is
// {n: 12}, text is a string). Only what libxlsxwriter produces; not a general XLSX parser.
import { inflateRawSync } from 'node:zlib';

/** The entries of a ZIP archive as { name → Buffer }. */
export function unzip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a ZIP archive (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = {};
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory');
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20), size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataAt, dataAt + compressed);
    files[name] = method === 8 ? inflateRawSync(raw) : raw.subarray(0, size);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

const unescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
  .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d))).replace(/&amp;/g, '&');

/** The text of a <si> or <is> element: its <t> runs joined. */
const runs = (xml) => [...xml.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((m) => unescape(m[1])).join('');

function column(ref) {
  let n = 0;
  for (const ch of ref.replace(/\d+$/, '')) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/**
 * The sheets of a workbook: [{ name, rows }] where rows is an array of arrays of cells, a cell
 * being a string (text), { n: number } (a number cell), or '' (blank).
 */
export function readWorkbook(buf) {
  const files = unzip(buf);
  const shared = files['xl/sharedStrings.xml']
    ? [...files['xl/sharedStrings.xml'].toString('utf8').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => runs(m[1]))
    : [];
  const book = files['xl/workbook.xml'].toString('utf8');
  const names = [...book.matchAll(/<sheet [^>]*name="([^"]*)"/g)].map((m) => unescape(m[1]));
  return names.map((name, i) => {
    const xml = files[`xl/worksheets/sheet${i + 1}.xml`].toString('utf8');
    const rows = [];
    for (const rm of xml.matchAll(/<row [^>]*r="(\d+)"[^>]*?(?:\/>|>([\s\S]*?)<\/row>)/g)) {
      const row = [];
      for (const cm of (rm[2] || '').matchAll(/<c r="([A-Z]+\d+)"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
        const type = /t="(\w+)"/.exec(cm[2])?.[1];
        const v = /<v>([\s\S]*?)<\/v>/.exec(cm[3] || '')?.[1];
        let cell = '';
        if (type === 's') cell = shared[Number(v)];
        else if (type === 'inlineStr') cell = runs(cm[3] || '');
        else if (type === 'str') cell = unescape(v ?? '');
        else if (v !== undefined) cell = { n: Number(v) };
        const c = column(cm[1]);
        while (row.length < c) row.push('');
        row[c] = cell;
      }
      rows[Number(rm[1]) - 1] = row;
    }
    for (let r = 0; r < rows.length; r++) rows[r] ??= [];
    return { name, rows };
  });
}

/** A cell as text: numbers as their decimal. */
export const text = (cell) => (typeof cell === 'object' && cell ? String(cell.n) : cell ?? '');
