// Black-box API test helpers: start the real fanghu binary on a free loopback port with a fresh
// data directory (and a fresh PostgreSQL database when FANGHU_TEST_DB_URL is set), and talk to it
// with a small client that keeps the session cookie and the CSRF token.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import net from 'node:net';
import http from 'node:http';
import assert from 'node:assert/strict';

export const BIN = process.env.FANGHU_BIN || '/work/main/build-test/fanghu';
export const DB_URL = process.env.FANGHU_TEST_DB_URL || '';
export const ENGINE = DB_URL ? 'postgresql' : 'sqlite';
export const ADMIN_PASSWORD = 'Init-Admin-Pass-2026';
export const ADMIN_NEW_PASSWORD = 'Admin-Changed-Pass-2026!';
export const VALID_USCC = '91350100M000100Y43';
export const INVALID_USCC = '91350100M000100Y44';
export const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?\+08:00$/;
const KEEP = process.env.FANGHU_TEST_KEEP === '1';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// 统一社会信用代码 (GB 32100-2015) with a valid 组织机构代码 (GB 11714) inside, so generated codes
// pass whatever level of checking the server does.
const USCC_CS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
export function usccCheckChar(s17) {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CS.indexOf(s17[i]) * USCC_W[i];
  return USCC_CS[(31 - (sum % 31)) % 31];
}
function orgCodeCheck(s8) {
  const w = [3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = s8[i];
    sum += (/[0-9]/.test(c) ? Number(c) : c.charCodeAt(0) - 55) * w[i];
  }
  const r = 11 - (sum % 11);
  return r === 10 ? 'X' : r === 11 ? '0' : String(r);
}
let usccSeq = Math.floor(Math.random() * 1e6);
/** A fresh valid 统一社会信用代码 (distinct on every call in this process). */
export function uscc(region = '350100') {
  usccSeq = (usccSeq + 7919) % 1e8;
  const body = String(usccSeq).padStart(8, '0');
  const s17 = '91' + region + body + orgCodeCheck(body);
  return s17 + usccCheckChar(s17);
}
assert.equal(usccCheckChar(VALID_USCC.slice(0, 17)), VALID_USCC[17]);
assert.notEqual(usccCheckChar(INVALID_USCC.slice(0, 17)), INVALID_USCC[17]);

let nameSeq = 0;
export function uniq(prefix = 't') {
  nameSeq++;
  return `${prefix}${process.pid % 10000}x${nameSeq}${Math.floor(Math.random() * 1e4)}`;
}

// ---------------------------------------------------------------------------------------------
// Database per test file.
function psql(url, sql) {
  const r = spawnSync('psql', ['-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], {
    encoding: 'utf8',
    env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
  });
  if (r.status !== 0) throw new Error(`psql failed (${sql}): ${r.stderr}`);
  return r.stdout;
}
export function freshDatabase() {
  if (!DB_URL) return '';
  const u = new URL(DB_URL);
  const name = `fh_${basename(process.argv[1] || 'x').replace(/[^a-z0-9]/gi, '_').slice(0, 30)}_${process.pid}_${Math.floor(Math.random() * 1e6)}`.toLowerCase();
  const admin = new URL(u);
  admin.pathname = '/postgres';
  psql(admin.toString(), `CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`);
  u.pathname = '/' + name;
  return u.toString();
}

// ---------------------------------------------------------------------------------------------
// Server process.
const SANITIZER_RE = /(ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer)/;

export class Server {
  constructor({ dataDir, dbUrl, env = {}, args = [] } = {}) {
    this.ownDir = !dataDir;
    this.dataDir = dataDir || mkdtempSync(join(tmpdir(), 'fanghu-api-'));
    this.dbUrl = dbUrl === undefined ? freshDatabase() : dbUrl;
    this.env = env;
    this.args = args;
    this.logs = [];
    this.proc = null;
  }

  get engine() { return this.dbUrl ? 'postgresql' : 'sqlite'; }
  get log() { return this.logs.join(''); }

  cliArgs() { return ['--data', this.dataDir, ...(this.dbUrl ? ['--db', this.dbUrl] : [])]; }

  async start() {
    if (!existsSync(BIN)) throw new Error(`server binary not found: ${BIN} (set FANGHU_BIN)`);
    let lastErr;
    for (let attempt = 0; attempt < 3; attempt++) {
      this.port = await freePort();
      this.base = `http://127.0.0.1:${this.port}`;
      const out = [];
      this.logs.push(`--- start on ${this.base} ---\n`);
      const proc = spawn(BIN, ['serve', '--listen', `127.0.0.1:${this.port}`, ...this.cliArgs(), ...this.args], {
        env: {
          ...process.env,
          FANGHU_ADMIN_PASSWORD: ADMIN_PASSWORD,
          ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1:abort_on_error=0',
          ...this.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.proc = proc;
      this.killed = false;
      proc.exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
      proc.stdout.on('data', (d) => { this.logs.push(d.toString()); out.push(d.toString()); });
      proc.stderr.on('data', (d) => { this.logs.push(d.toString()); out.push(d.toString()); });
      let exited = null;
      proc.exited.then((e) => { exited = e; });
      const deadline = Date.now() + 60000;
      while (Date.now() < deadline && !exited) {
        try {
          const r = await fetch(this.base + '/api/v1/health', { signal: AbortSignal.timeout(2000) });
          if (r.status === 200) { await r.arrayBuffer(); return this; }
          await r.arrayBuffer();
        } catch { /* not yet listening */ }
        await sleep(100);
      }
      lastErr = new Error(`server did not become healthy (exit ${JSON.stringify(exited)}):\n${out.join('')}`);
      if (!exited) { proc.kill('SIGKILL'); await proc.exited; }
      if (!/address already in use|EADDRINUSE|bind/i.test(out.join(''))) break;
    }
    throw lastErr;
  }

  /** SIGTERM, wait; returns the exit. Throws if the sanitizers reported anything. */
  async stop({ check = true } = {}) {
    let ex = { code: null, signal: null };
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGTERM');
      const t = sleep(20000).then(() => 'timeout');
      const r = await Promise.race([this.proc.exited, t]);
      if (r === 'timeout') {
        this.proc.kill('SIGKILL');
        ex = await this.proc.exited;
        this.logs.push('--- did not exit within 20 s of SIGTERM; killed ---\n');
      } else ex = r;
    } else if (this.proc) {
      ex = await this.proc.exited;
      if (check && !this.killed) {
        this.checkLog();
        throw new Error(`server exited by itself (${JSON.stringify(ex)}) before the test stopped it; log:\n${this.log.slice(-6000)}`);
      }
    }
    if (check) this.checkLog();
    return ex;
  }

  async kill9() {
    this.killed = true;
    this.proc.kill('SIGKILL');
    return this.proc.exited;
  }

  checkLog() {
    const m = this.log.match(SANITIZER_RE);
    if (m) {
      const file = join(tmpdir(), `fanghu-sanitizer-${process.pid}-${Date.now()}.log`);
      writeFileSync(file, this.log);
      throw new Error(`sanitizer report in server output (full log: ${file}):\n${this.log.slice(Math.max(0, m.index - 200), m.index + 4000)}`);
    }
  }

  /** Stops the server and removes its data directory (unless FANGHU_TEST_KEEP=1). */
  async close() {
    try { await this.stop(); } finally {
      if (this.ownDir && !KEEP) rmSync(this.dataDir, { recursive: true, force: true });
    }
  }

  client() { return new Client(this.base); }

  /** Runs the CLI against this server's data: returns {status, stdout, stderr}. */
  cli(args, opts = {}) {
    const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 60000, env: { ...process.env, ...this.env }, ...opts });
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  }

  /** Logged-in sysadmin client, the initial password already changed. */
  async admin() {
    if (this._adminReady) {
      const c = this.client();
      const r = await c.login('admin', ADMIN_NEW_PASSWORD);
      assert.equal(r.status, 200, `admin login: ${r.text}`);
      return c;
    }
    const c = this.client();
    const r = await c.login('admin', ADMIN_PASSWORD);
    assert.equal(r.status, 200, `admin first login: ${r.status} ${r.text}`);
    assert.equal(r.json.must_change_password, true, 'first admin must change password');
    const p = await c.post('/api/v1/me/password', { old_password: ADMIN_PASSWORD, new_password: ADMIN_NEW_PASSWORD });
    assert.equal(p.status, 204, `admin password change: ${p.status} ${p.text}`);
    await c.refreshCsrf();
    this._adminReady = true;
    return c;
  }
}

export async function startServer(opts) {
  const s = new Server(opts);
  await s.start();
  return s;
}

// ---------------------------------------------------------------------------------------------
// HTTP client.
export class Response {
  constructor(status, headers, text, setCookies) {
    this.status = status;
    this.headers = headers; // Headers-like: get(name)
    this.text = text;
    this.setCookies = setCookies;
    try { this.json = text ? JSON.parse(text) : undefined; } catch { this.json = undefined; }
  }
  get code() { return this.json?.error?.code; }
  get field() { return this.json?.error?.field; }
  toString() { return `${this.status} ${this.text.slice(0, 500)}`; }
}

export class Client {
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
    this.csrf = null;
    this.bearer = null;
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  absorbCookies(list) {
    for (const sc of list) {
      const [pair, ...attrs] = sc.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let expired = value === '';
      for (const a of attrs) {
        const [k, v] = a.split('=');
        if (/^max-age$/i.test(k) && Number(v) <= 0) expired = true;
        if (/^expires$/i.test(k) && Date.parse(v) < Date.now()) expired = true;
      }
      if (expired) this.cookies.delete(name); else this.cookies.set(name, value);
    }
  }

  /**
   * opts: json (object → JSON body), body (raw string/Buffer), headers, csrf (default true: send
   * the stored token on writes), contentType.
   */
  async req(method, path, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    let body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] ??= 'application/json';
    } else if (opts.body !== undefined) {
      body = opts.body;
      if (opts.contentType !== null) headers['content-type'] ??= opts.contentType || 'application/json';
    }
    if (this.cookies.size && !('cookie' in headers)) headers.cookie = this.cookieHeader();
    if (this.bearer && !('authorization' in headers)) headers.authorization = `Bearer ${this.bearer}`;
    const write = !['GET', 'HEAD', 'OPTIONS'].includes(method);
    if (write && opts.csrf !== false && this.csrf && !('x-csrf-token' in headers)) headers['x-csrf-token'] = this.csrf;
    const r = await fetch(this.base + path, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(30000) });
    const text = await r.text();
    const sc = r.headers.getSetCookie();
    this.absorbCookies(sc);
    return new Response(r.status, r.headers, text, sc);
  }

  get(path, opts) { return this.req('GET', path, opts); }
  post(path, json, opts = {}) { return this.req('POST', path, { ...opts, json }); }
  patch(path, json, opts = {}) { return this.req('PATCH', path, { ...opts, json }); }
  put(path, json, opts = {}) { return this.req('PUT', path, { ...opts, json }); }
  del(path, opts) { return this.req('DELETE', path, opts); }

  async login(username, password) {
    const r = await this.post('/api/v1/session', { username, password });
    if (r.status === 200) this.csrf = r.json.csrf_token;
    return r;
  }

  async refreshCsrf() {
    const r = await this.get('/api/v1/me');
    assert.equal(r.status, 200, `GET /me: ${r}`);
    this.csrf = r.json.csrf_token;
    return r.json;
  }

  sessionCookie() { return this.cookies.get('fanghu_session'); }

  clone() {
    const c = new Client(this.base);
    c.cookies = new Map(this.cookies);
    c.csrf = this.csrf;
    c.bearer = this.bearer;
    return c;
  }
}

/**
 * Raw HTTP request over node:http (for bodies the server may refuse before reading them all:
 * fetch gives up when the server answers early and closes). Resolves with the response even if
 * the upload fails afterwards.
 */
export function rawRequest(base, method, path, { headers = {}, body } = {}) {
  const u = new URL(path, base);
  return new Promise((resolve, reject) => {
    let settled = false;
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        settled = true;
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve(new Response(res.statusCode, h, Buffer.concat(chunks).toString('utf8'), [].concat(res.headers['set-cookie'] || [])));
      });
      res.on('error', (e) => { if (!settled) reject(e); });
    });
    req.setTimeout(30000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => { setTimeout(() => { if (!settled) reject(e); }, 500); });
    if (body !== undefined) req.end(body); else req.end();
  });
}

// ---------------------------------------------------------------------------------------------
// Fixtures.
let pwSeq = 0;
export function strongPassword() {
  pwSeq++;
  return `Strong-Pass-${pwSeq}-${Math.floor(Math.random() * 1e6)}`;
}

export async function createOrg(client, fields) {
  const body = { kind: 'vas', province: '35', ...fields };
  if (!('name' in fields)) body.name = uniq('单位');
  if (!('uscc' in fields)) body.uscc = uscc();
  const r = await client.post('/api/v1/orgs', body);
  assert.equal(r.status, 201, `POST /orgs ${JSON.stringify(body)} → ${r}`);
  return r.json;
}

export async function createUser(client, fields) {
  const body = { display_name: '测试用户', ...fields };
  if (!('username' in fields)) body.username = uniq('u');
  const r = await client.post('/api/v1/users', body);
  assert.equal(r.status, 201, `POST /users ${JSON.stringify(body)} → ${r}`);
  return r.json; // {user, initial_password?}
}

/** Logs a new user in with its initial password, sets a strong one; returns the client. */
export async function activate(server, username, initialPassword) {
  const c = server.client();
  const r = await c.login(username, initialPassword);
  assert.equal(r.status, 200, `login ${username}: ${r}`);
  const password = strongPassword();
  const p = await c.post('/api/v1/me/password', { old_password: initialPassword, new_password: password });
  assert.equal(p.status, 204, `password change for ${username}: ${p}`);
  await c.refreshCsrf();
  c.password = password;
  c.username = username;
  return c;
}

/** Creates a user and returns {user, client} logged in with a changed password. */
export async function userWithClient(server, admin, fields) {
  const { user, initial_password } = await createUser(admin, fields);
  assert.ok(initial_password, 'initial_password returned');
  const client = await activate(server, user.username, initial_password);
  client.user = user;
  return { user, client };
}

export async function auditTotal(admin, query = '') {
  const r = await admin.get('/api/v1/audit?limit=1' + (query ? '&' + query : ''));
  assert.equal(r.status, 200, `GET /audit: ${r}`);
  return r.json.total;
}

export async function listAll(client, path) {
  const items = [];
  const sep = path.includes('?') ? '&' : '?';
  for (let offset = 0; ; offset += 500) {
    const r = await client.get(`${path}${sep}limit=500&offset=${offset}`);
    assert.equal(r.status, 200, `GET ${path}: ${r}`);
    items.push(...r.json.items);
    if (r.json.items.length < 500) return { items, total: r.json.total };
  }
}

// ---------------------------------------------------------------------------------------------
// Shape checks (the contract's USER, ORG, TOKEN, AUDIT), exact key sets.
const isTime = (v) => typeof v === 'string' && TIME_RE.test(v);
const isTimeOrNull = (v) => v === null || isTime(v);
const isStr = (v) => typeof v === 'string';
const isStrOrNull = (v) => v === null || typeof v === 'string';
const isBool = (v) => typeof v === 'boolean';
const isObjOrNull = (v) => v === null || (typeof v === 'object' && !Array.isArray(v));
const isInt = (v) => Number.isInteger(v);

const SHAPES = {
  // role_name (Chinese) is part of the contract; org_id/org_name are null for accounts without an
  // organisation (the system administrator, system auditors).
  USER: {
    id: isStr, username: isStr, display_name: isStr, role: isStr, role_name: isStr,
    org_id: isStrOrNull, org_name: isStrOrNull,
    disabled: isBool, must_change_password: isBool, locked_until: isTimeOrNull,
    last_login_at: isTimeOrNull, created_at: isTime,
  },
  ORG: {
    id: isStr, name: isStr, kind: isStr, kind_name: isStr, uscc: isStr, province: isStr,
    province_name: isStr, parent_id: isStrOrNull, parent_name: isStrOrNull,
    jurisdiction: (v) => Array.isArray(v) && v.every((j) => j && isStr(j.province) && isStr(j.kind) && Object.keys(j).length === 2),
    created_at: isTime, updated_at: isTime,
  },
  TOKEN: {
    id: isStr, name: isStr, scope: (v) => v === 'read' || v === 'events:write', user_id: isStr,
    username: isStr,
    created_at: isTime, expires_at: isTimeOrNull, last_used_at: isTimeOrNull,
  },
  AUDIT: {
    seq: isInt, at: isTime, actor_id: isStrOrNull, actor_name: isStrOrNull, action: isStr, entity: isStr,
    entity_id: isStrOrNull, before: isObjOrNull, after: isObjOrNull, request_id: isStrOrNull,
    client_addr: isStrOrNull, hash: isStr,
  },
};

/**
 * Asserts obj has every key of SHAPES[kind] (plus `extra`), each of the right type; with
 * exact: true also that it has no other key (the contract's exact shape).
 */
export function assertShape(kind, obj, extra = {}, { exact = false } = {}) {
  const shape = { ...SHAPES[kind], ...extra };
  assert.ok(obj && typeof obj === 'object', `${kind}: not an object: ${JSON.stringify(obj)}`);
  const missing = Object.keys(shape).filter((k) => !(k in obj));
  const unexpected = exact ? Object.keys(obj).filter((k) => !(k in shape)) : [];
  const bad = Object.keys(shape).filter((k) => k in obj && !shape[k](obj[k]));
  assert.deepEqual({ missing, unexpected, bad: bad.map((k) => `${k}=${JSON.stringify(obj[k])}`) },
    { missing: [], unexpected: [], bad: [] }, `${kind} shape: ${JSON.stringify(obj)}`);
}

/** Collects failures of many independent checks and reports them all at the end. */
export class Soft {
  constructor() { this.errors = []; }
  async run(label, fn) {
    try { await fn(); } catch (e) {
      let msg = String(e.message);
      if (/^Expected values|^\s*$/.test(msg.split('\n')[0]) && 'actual' in e) {
        msg = `expected ${JSON.stringify(e.expected)}, got ${JSON.stringify(e.actual)}`;
      }
      this.errors.push(`${label}: ${msg.replace(/\s*\n\s*/g, ' ').slice(0, 600)}`);
    }
  }
  done(what = 'checks') {
    assert.equal(this.errors.length, 0, `${this.errors.length} failed ${what}:\n  ${this.errors.join('\n  ')}`);
  }
}

/** Asserts an error response: status, code, optional field; message non-empty. */
export function assertError(r, status, code, field) {
  assert.equal(r.status, status, `expected ${status} ${code}${field !== undefined ? ' field ' + field : ''}, got ${r}`);
  assert.ok(r.json && r.json.error, `error envelope missing: ${r}`);
  assert.equal(r.json.error.code, code, `error code: ${r}`);
  assert.equal(typeof r.json.error.message, 'string', `error message: ${r}`);
  assert.ok(r.json.error.message.length > 0, `error message empty: ${r}`);
  assert.equal(typeof r.json.error.field, 'string', `error field must be a string: ${r}`);
  if (field !== undefined) assert.equal(r.json.error.field, field, `error field: ${r}`);
  assert.match(r.headers.get('content-type') || '', /^application\/json/, 'error content-type');
}

export function assertList(r) {
  assert.equal(r.status, 200, `list: ${r}`);
  assert.ok(Array.isArray(r.json.items), `items array: ${r}`);
  assert.ok(Number.isInteger(r.json.total) && r.json.total >= r.json.items.length, `total: ${r}`);
  assert.deepEqual(Object.keys(r.json).sort(), ['items', 'total'], `list envelope keys: ${r}`);
  return r.json;
}

/**
 * The text of a PDF with all white space removed (CJK lines wrap anywhere), its pages joined
 * without their footers (第 N 页) so that a paragraph running on to the next page reads as one:
 * where pages break depends on the lengths of generated names. keepFooters: leave them in (to
 * check the page numbers).
 */
export function pdfText(file, { keepFooters = false } = {}) {
  const r = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `pdftotext: ${r.stderr}`);
  const pages = r.stdout.split('\f');
  return (keepFooters ? pages : pages.map((page) => page.replace(/第\s*\d+\s*页\s*$/, ''))).join('').replace(/\s+/g, '');
}
