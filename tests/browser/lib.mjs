// Shared helpers of the browser tests: start the real fanghu binary on a free port with a fresh
// data directory and the built console (web/dist), drive Debian's chromium through playwright-core,
// and watch every page for CSP violations, script errors and console errors.
//
// Env: FANGHU_BIN (default build-test/fanghu, then build/fanghu), FANGHU_WEB_ROOT (default
// web/dist), FANGHU_DB or FANGHU_TEST_DB_URL (a PostgreSQL server URL: each test file's server gets
// a fresh database created beside it with psql and dropped afterwards), FANGHU_SHOTS (screenshot
// directory, default /tmp/shots; empty disables), CHROMIUM (browser path).

import { spawn, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
export const ROOT = path.resolve(here, '../..')
const require = createRequire(path.join(ROOT, 'web/package.json'))
export const { chromium } = require('playwright-core')

/** The admin's first password (FANGHU_ADMIN_PASSWORD) and what the tests change it to. */
export const ADMIN_INITIAL_PASSWORD = 'Fanghu-Initial-2026!'
export const ADMIN_PASSWORD = 'Fanghu-Admin-Pass-2026'
export const SHOTS = process.env.FANGHU_SHOTS ?? '/tmp/shots'

function findBinary() {
  if (process.env.FANGHU_BIN) return process.env.FANGHU_BIN
  for (const candidate of ['build-test/fanghu', 'build/fanghu']) {
    const p = path.join(ROOT, candidate)
    if (fs.existsSync(p)) return p
  }
  throw new Error('fanghu binary not found: build it (build-test/ or build/) or set FANGHU_BIN')
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

const DB_BASE = process.env.FANGHU_DB || process.env.FANGHU_TEST_DB_URL || ''

function psql(url, sql) {
  const r = spawnSync('psql', ['-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], {
    encoding: 'utf8',
    env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
  })
  if (r.status !== 0) throw new Error(`psql failed (${sql}): ${r.stderr || r.error}`)
}

/** A new empty database on the server of DB_BASE; returns { url, drop() }. */
function freshDatabase() {
  const name = `fh_browser_${process.pid}_${Math.floor(Math.random() * 1e9)}`
  const maintenance = new URL(DB_BASE)
  maintenance.pathname = '/postgres'
  psql(maintenance.toString(), `CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`)
  const url = new URL(DB_BASE)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () => psql(maintenance.toString(), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  }
}

const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer/

/**
 * Start `fanghu serve` and wait for GET /api/v1/health. extraEnv adds settings (FANGHU_<KEY>).
 * Returns { url, port, dataDir, log(), stop() }; stop() kills the server and removes the data
 * directory.
 */
export async function startServer({ extraEnv = {} } = {}) {
  const bin = findBinary()
  const webRoot = process.env.FANGHU_WEB_ROOT || path.join(ROOT, 'web/dist')
  if (!fs.existsSync(path.join(webRoot, 'index.html'))) {
    throw new Error(`${webRoot}/index.html missing: run \`npm run build\` in web/ first`)
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fanghu-browser-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const args = ['serve', '--listen', `127.0.0.1:${port}`, '--data', dataDir, '--web', webRoot]
  const db = DB_BASE ? freshDatabase() : null
  if (db) args.push('--db', db.url)
  const env = {
    ...process.env,
    FANGHU_ADMIN_PASSWORD: ADMIN_INITIAL_PASSWORD,
    FANGHU_WEB_ROOT: webRoot,
    ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1',
    UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || 'print_stacktrace=1',
    ...extraEnv,
  }
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  let exited = null
  const exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))))

  const deadline = Date.now() + 30_000
  for (;;) {
    if (exited) {
      db?.drop()
      throw new Error(`fanghu exited early (${JSON.stringify(exited)}):\n${output}`)
    }
    try {
      const res = await fetch(`${url}/api/v1/health`)
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      await exitPromise
      db?.drop()
      throw new Error(`fanghu did not answer /api/v1/health within 30 s:\n${output}`)
    }
    await sleep(100)
  }

  return {
    url,
    port,
    dataDir,
    engine: db ? 'postgresql' : 'sqlite',
    log: () => output,
    /** Stop the server, remove its data; returns its exit and whether a sanitizer reported. */
    async stop() {
      if (!exited) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exitPromise
        clearTimeout(timer)
      }
      fs.rmSync(dataDir, { recursive: true, force: true })
      db?.drop()
      return { ...exited, sanitizer: SANITIZER.test(output) }
    },
  }
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
}

// Chromium logs every non-2xx fetch as a console error ("Failed to load resource: the server
// responded with a status of 401"). Those are API answers the console handles (the 401 of the
// first GET /me, a 400 field error), not faults; everything else on the console is.
const EXPECTED_HTTP_ERROR = /^Failed to load resource: the server responded with a status of (400|401|403|404|409|423|429) /

/**
 * A new context + page at 1366×768 (a laptop), zh-CN, with problem collectors:
 * page.problems lists CSP violations, uncaught exceptions and console errors.
 */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options })
  await context.addInitScript(() => {
    window.__cspViolations = []
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`)
    })
  })
  const page = await context.newPage()
  const problems = []
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return
    const text = msg.text()
    if (EXPECTED_HTTP_ERROR.test(text)) return
    problems.push(`console error: ${text}`)
  })
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
  page.problems = problems
  page.context_ = context
  return page
}

/** Problems seen so far on the page, CSP violations included (the page must still be open). */
export async function pageProblems(page) {
  const csp = await page.evaluate(() => window.__cspViolations || []).catch(() => [])
  return [...page.problems, ...csp.map((v) => `CSP violation: ${v}`)]
}

export async function shot(page, name) {
  if (!SHOTS) return
  fs.mkdirSync(SHOTS, { recursive: true })
  await page.waitForTimeout(400) // let Element Plus transitions (dialogs, poppers, messages) settle
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true })
}

/** Minimal API client with a cookie jar, to set up state without the UI. */
export class ApiClient {
  constructor(base) {
    this.base = base
    this.cookie = ''
    this.csrf = ''
  }

  async call(method, p, body) {
    const headers = { Accept: 'application/json' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (this.cookie) headers.Cookie = this.cookie
    if (this.csrf && method !== 'GET') headers['X-CSRF-Token'] = this.csrf
    const res = await fetch(`${this.base}/api/v1${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const setCookie = res.headers.get('set-cookie')
    if (setCookie) {
      const m = /fanghu_session=([^;]*)/.exec(setCookie)
      if (m) this.cookie = m[1] ? `fanghu_session=${m[1]}` : ''
    }
    const text = await res.text()
    let data = null
    try {
      data = text ? JSON.parse(text) : null
    } catch {
      data = text
    }
    if (!res.ok) {
      const err = new Error(`${method} ${p} → ${res.status} ${text}`)
      err.status = res.status
      err.data = data
      throw err
    }
    return data
  }

  async login(username, password) {
    const data = await this.call('POST', '/session', { username, password })
    this.csrf = data.csrf_token
    return data
  }
}

/** Log in as admin with the initial password and change it to ADMIN_PASSWORD (API, no UI). */
export async function prepareAdmin(server) {
  const api = new ApiClient(server.url)
  await api.login('admin', ADMIN_INITIAL_PASSWORD)
  await api.call('POST', '/me/password', { old_password: ADMIN_INITIAL_PASSWORD, new_password: ADMIN_PASSWORD })
  await api.login('admin', ADMIN_PASSWORD)
  return api
}

/** Log in through the login page; resolves once the URL left /login. */
export async function uiLogin(page, base, username, password) {
  await page.goto(`${base}/login`)
  await page.locator('input[name="username"]').fill(username)
  await page.locator('input[name="password"]').fill(password)
  await page.locator('[data-test="login-submit"]').click()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

/** Choose option `label` of the el-select wrapped by locator `select`. */
export async function pickOption(page, select, label, { type } = {}) {
  await select.click()
  if (type !== undefined) await page.keyboard.type(type)
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: label }).first()
  await option.waitFor({ state: 'visible' })
  await option.click()
  // Let the dropdown close, so the next pick cannot land in this one.
  await page.locator('.el-select-dropdown__item:visible').first().waitFor({ state: 'hidden' })
}

/** The visible text of the el-form-item error under the form item labelled `label`. */
export function fieldError(scope, label) {
  const exact = new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`)
  const labelLocator = scope.page().locator('.el-form-item__label', { hasText: exact })
  return scope.locator('.el-form-item', { has: labelLocator }).locator('.el-form-item__error')
}

/**
 * Per-file fixture for node:test: call inside describe(); returns an object whose server, browser
 * (and, with { admin: true }, admin ApiClient) are set in before() and torn down in after().
 * extraEnv: server settings for this fixture, e.g. { FANGHU_ADDR_MAX_FAILURES: '3' }.
 * Pages opened with env.page() are checked for CSP violations and console errors at the end of
 * each test.
 */
export function useFanghu(hooks, { admin = false, extraEnv } = {}) {
  const { before, after, afterEach } = hooks
  const env = { server: null, browser: null, admin: null, pages: [] }
  before(async () => {
    env.server = await startServer({ extraEnv })
    env.browser = await launchBrowser()
    if (admin) env.admin = await prepareAdmin(env.server)
  })
  afterEach(async () => {
    const pages = env.pages.splice(0)
    const problems = []
    for (const page of pages) {
      problems.push(...(await pageProblems(page)))
      await page.context_.close().catch(() => {})
    }
    if (problems.length) throw new Error(`browser problems:\n${problems.join('\n')}`)
  })
  after(async () => {
    await env.browser?.close().catch(() => {})
    const exit = await env.server?.stop()
    // A crash or a sanitizer report fails the file, with the server's log.
    const clean = exit && !exit.sanitizer && (exit.code === 0 || exit.signal === 'SIGTERM')
    if (exit && !clean) throw new Error(`fanghu exited with ${JSON.stringify(exit)}:\n${env.server.log()}`)
  })
  env.page = async (options) => {
    const page = await newPage(env.browser, options)
    env.pages.push(page)
    return page
  }
  /** A page logged in through the UI (password already changed). */
  env.loggedIn = async (username, password, options) => {
    const page = await env.page(options)
    await uiLogin(page, env.server.url, username, password)
    return page
  }
  return env
}

/** An API client logged in as a new user whose first password change is done. */
export async function makeUser(admin, { username, display_name, role, org_id, password }) {
  const initial = `Init-${username}-Pw-1`
  await admin.call('POST', '/users', { username, display_name, role, org_id, password: initial })
  const api = new ApiClient(admin.base)
  await api.login(username, initial)
  await api.call('POST', '/me/password', { old_password: initial, new_password: password })
  await api.login(username, password)
  return api
}

// ---------------------------------------------------------------------------------------------
// Helpers of the compliance pages (units, filings, duties, assessments).

/** Today in Asia/Shanghai as YYYY-MM-DD, and calendar-day arithmetic on such dates. */
export function todayBeijing() {
  return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)
}
export function addDays(iso, n) {
  const d = new Date(`${iso}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

/** Types a date into the el-date-picker `picker` (its input or an element wrapping it). */
export async function pickDate(page, picker, date) {
  const isInput = await picker.evaluate((el) => el.tagName === 'INPUT')
  const input = isInput ? picker : picker.locator('input').first()
  await input.click()
  await input.fill(date)
  await input.press('Enter')
  await page.locator('.el-picker-panel:visible').first().waitFor({ state: 'hidden' }).catch(() => {})
}

/**
 * The tenants most compliance tests need: an operator (福建, 增值电信企业) and the 福建省通信管理局
 * with users `opuser` (operator_admin) and `reguser` (regulator), all with `password`. Returns
 * { operator, regulator, op, reg } (orgs, and API clients of the users).
 */
export async function complianceTenants(admin, password, { operatorName = '福建海峡数据科技有限公司' } = {}) {
  const { usccCheckChar } = await import('../../web/src/uscc.js')
  const uscc = (first17) => first17 + usccCheckChar(first17)
  const operator = await admin.call('POST', '/orgs', { name: operatorName, kind: 'vas', uscc: '91350100M000100Y43', province: '35' })
  const regulator = await admin.call('POST', '/orgs', {
    name: '福建省通信管理局', kind: 'regulator_ca', uscc: uscc('11350000MB0000001'), province: '35', jurisdiction: [{ province: '35', kind: '*' }],
  })
  const op = await makeUser(admin, { username: 'opuser', display_name: '海峡安全员', role: 'operator_admin', org_id: operator.id, password })
  const reg = await makeUser(admin, { username: 'reguser', display_name: '福建监管员', role: 'regulator', org_id: regulator.id, password })
  return { operator, regulator, op, reg }
}

/** A network unit of org created through the API, graded (I, R, V) unless grade is null. */
export async function apiUnit(client, orgId, fields = {}, grade = [4, 4, 3]) {
  const unit = await client.call('POST', '/units', {
    org_id: orgId, unit_type: 'internet', status: 'online', business_scope: 'IDC 托管', service_scope: '福建全省',
    user_types: '政企客户', management: '安全管理部负责', technical: '双核心组网', ...fields,
  })
  if (!grade) return unit
  const [i, r, v] = grade
  return client.call('POST', `/units/${unit.id}/grading`, { i, r, v, just_i: '影响全省用户', just_r: '覆盖全省', just_v: '重要业务' })
}

// ---------------------------------------------------------------------------------------------
// Helpers of the operations and supervision pages (incidents, reports, threats, inspections).

/** The bytes of a file (e.g. a download's path()). */
export async function fetchBytes(file) {
  const fsp = await import('node:fs/promises')
  return fsp.readFile(file)
}
