// Login, the forced first password change, logout and logout everywhere, locked accounts, and the
// CSP the server sends for the console.
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { useFanghu, ADMIN_INITIAL_PASSWORD, ADMIN_PASSWORD, ApiClient, shot, fieldError, newPage, pageProblems } from './lib.mjs'

describe('auth', () => {
  const env = useFanghu({ before, after, afterEach })

  it('serves the console with the CSP and no inline script', async () => {
    for (const p of ['/', '/orgs', '/no/such/page']) {
      const res = await fetch(`${env.server.url}${p}`)
      assert.equal(res.status, 200, `GET ${p}`)
      const csp = res.headers.get('content-security-policy') || ''
      assert.match(csp, /script-src 'self'/, `CSP of ${p}: ${csp}`)
      assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/)
      const html = await res.text()
      assert.match(html, /<div id="app">/, `SPA fallback for ${p}`)
      for (const tag of html.match(/<script\b[^>]*>/g) || []) assert.match(tag, /\ssrc=/, `inline script in ${p}: ${tag}`)
    }
  })

  it('the browser enforces the CSP, and the watcher of every test sees violations', async () => {
    // Not env.page(): this page is meant to have a violation.
    const page = await newPage(env.browser)
    try {
      await page.goto(`${env.server.url}/login`)
      await page.locator('[data-test="login-submit"]').waitFor()
      assert.deepEqual(await pageProblems(page), [])
      const ran = await page.evaluate(async () => {
        const script = document.createElement('script')
        script.textContent = 'window.__inlineRan = true'
        document.head.appendChild(script)
        await new Promise((r) => setTimeout(r, 100))
        return window.__inlineRan === true
      })
      assert.equal(ran, false, 'inline script must not run')
      const problems = await pageProblems(page)
      assert.ok(problems.some((p) => p.startsWith('CSP violation: script-src')), problems.join('\n'))
    } finally {
      await page.context_.close()
    }
  })

  it('first admin login forces a password change, then lands on home', async () => {
    const base = env.server.url
    const page = await env.page()
    await page.goto(`${base}/`)
    await page.waitForURL(/\/login/)
    await page.getByText('防护 · 网络安全防护管理平台').waitFor()
    await shot(page, '01-login')

    // Wrong password: the server's message is shown.
    await page.locator('input[name="username"]').fill('admin')
    await page.locator('input[name="password"]').fill('wrong-password-123')
    await page.locator('[data-test="login-submit"]').click()
    const alert = page.locator('[data-test="login-error"]')
    await alert.waitFor()
    assert.ok((await alert.innerText()).trim().length > 0)
    await shot(page, '02-login-failed')

    await page.locator('input[name="password"]').fill(ADMIN_INITIAL_PASSWORD)
    await page.locator('[data-test="login-submit"]').click()
    await page.waitForURL(/\/change-password/)
    await page.locator('[data-test="forced-notice"]').waitFor()
    await page.locator('[data-test="password-policy"]').waitFor()

    // Cannot go anywhere else while the change is pending.
    await page.goto(`${base}/orgs`)
    await page.waitForURL(/\/change-password/)
    await page.locator('[data-test="forced-notice"]').waitFor()

    const form = page.locator('form')
    // Client-side policy check.
    await page.locator('input[name="old_password"]').fill(ADMIN_INITIAL_PASSWORD)
    await page.locator('input[name="new_password"]').fill('alllowercase1')
    await page.locator('input[name="confirm"]').fill('alllowercase1')
    await page.locator('[data-test="change-password-submit"]').click()
    await fieldError(form, '新密码').filter({ hasText: '至少三类' }).waitFor()
    await shot(page, '03-change-password-policy')

    // Server-side check: a wrong current password comes back on its field (400, field old_password).
    await page.locator('input[name="old_password"]').fill('Not-The-Password-1')
    await page.locator('input[name="new_password"]').fill(ADMIN_PASSWORD)
    await page.locator('input[name="confirm"]').fill(ADMIN_PASSWORD)
    await page.locator('[data-test="change-password-submit"]').click()
    const oldError = fieldError(form, '当前密码')
    await oldError.waitFor()
    assert.ok((await oldError.innerText()).trim().length > 0)
    await shot(page, '04-change-password-server-error')

    await page.locator('input[name="old_password"]').fill(ADMIN_INITIAL_PASSWORD)
    await page.locator('[data-test="change-password-submit"]').click()
    await page.waitForURL((u) => u.pathname === '/')
    await page.locator('[data-test="welcome"]').waitFor()
    const header = await page.locator('header').innerText()
    assert.match(header, /防护 · 网络安全防护管理平台/)
    assert.match(header, /系统管理员/)
    assert.match(header, /admin/)
    const menu = await page.locator('[data-test="side-menu"]').innerText()
    for (const item of ['首页', '组织机构', '用户管理', 'API 令牌', '审计日志', '网络单元', '待办与期限', '节假日']) assert.ok(menu.includes(item), `menu has ${item}`)
    for (const item of ['暴露面', '威胁监测', '事件应急', '报告', '检查', '工业互联网']) assert.ok(menu.includes(item), `menu has ${item}`)
    await page.waitForLoadState('networkidle')
    await shot(page, '05-home-admin')
  })

  it('logout ends the session', async () => {
    const base = env.server.url
    const page = await env.loggedIn('admin', ADMIN_PASSWORD)
    await page.locator('[data-test="welcome"]').waitFor()
    await page.locator('[data-test="user-menu"]').click()
    await page.locator('[data-test="logout"]').click()
    await page.waitForURL(/\/login/)
    await page.goto(`${base}/users`)
    await page.waitForURL((u) => u.pathname === "/login" && u.searchParams.get("redirect") === "/users")
    // Logging in again returns to the page asked for.
    await page.locator('input[name="username"]').fill('admin')
    await page.locator('input[name="password"]').fill(ADMIN_PASSWORD)
    await page.locator('[data-test="login-submit"]').click()
    await page.waitForURL(/\/users$/)
    await page.locator('[data-test="user-table"]').waitFor()
  })

  it('退出所有会话 ends the sessions of other browsers too', async () => {
    const base = env.server.url
    const first = await env.loggedIn('admin', ADMIN_PASSWORD)
    const second = await env.loggedIn('admin', ADMIN_PASSWORD)
    await second.locator('[data-test="welcome"]').waitFor()
    await first.locator('[data-test="user-menu"]').click()
    await first.locator('[data-test="logout-all"]').click()
    await first.locator('.el-message-box').waitFor()
    await shot(first, '06-logout-all-confirm')
    await first.locator('.el-message-box .el-button--primary').click()
    await first.waitForURL(/\/login/)
    await second.goto(`${base}/orgs`)
    await second.waitForURL(/\/login/)
  })

  it('a locked account shows the server message (423)', async () => {
    const base = env.server.url
    const admin = new ApiClient(base)
    await admin.login('admin', ADMIN_PASSWORD)
    const me = await admin.call('GET', '/me')
    await admin.call('POST', '/users', { username: 'locktest', display_name: '锁定测试', role: 'auditor', org_id: me.user.org_id, password: 'Lock-Test-Pass-1' })
    const probe = new ApiClient(base)
    for (let i = 0; i < 5; i++) {
      await assert.rejects(probe.login('locktest', 'Wrong-Password-1'), (e) => e.status === 401)
    }
    let serverMessage = ''
    await assert.rejects(probe.login('locktest', 'Lock-Test-Pass-1'), (e) => {
      serverMessage = e.data?.error?.message || ''
      return e.status === 423 && e.data?.error?.code === 'account_locked'
    })
    const page = await env.page()
    await page.goto(`${base}/login`)
    await page.locator('input[name="username"]').fill('locktest')
    await page.locator('input[name="password"]').fill('Lock-Test-Pass-1')
    await page.locator('[data-test="login-submit"]').click()
    const alert = page.locator('[data-test="login-error"]')
    await alert.waitFor()
    assert.ok((await alert.innerText()).includes(serverMessage), `alert shows "${serverMessage}"`)
    await shot(page, '07-login-locked')
  })
})

describe('auth: too many failures from one address', () => {
  const env = useFanghu({ before, after, afterEach }, { extraEnv: { FANGHU_ADDR_MAX_FAILURES: '3' } })

  it('shows the server message of a 429 with the wait', async () => {
    const page = await env.page()
    await page.goto(`${env.server.url}/login`)
    await page.locator('input[name="username"]').fill('nobody')
    const alert = page.locator('[data-test="login-error"]')
    let last
    for (let i = 0; i < 4; i++) {
      await page.locator('input[name="password"]').fill(`Wrong-Password-${i}`)
      const response = page.waitForResponse((r) => r.url().endsWith('/api/v1/session'))
      await page.locator('[data-test="login-submit"]').click()
      last = await response
    }
    assert.equal(last.status(), 429)
    const body = await last.json()
    assert.equal(body.error.code, 'too_many_requests')
    await alert.filter({ hasText: body.error.message }).waitFor()
    assert.ok(last.headers()['retry-after'], 'Retry-After sent')
    await shot(page, '08-login-rate-limited')
  })
})
