// 用户管理: create a user and see the one-time password, log in as that user in a new browser
// context (forced change, role menu), disable/enable, reset the password.
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { useFanghu, ADMIN_PASSWORD, shot, pickOption, uiLogin } from './lib.mjs'

const USER_PASSWORD = 'Zhangsan-New-Pass-1'

/** Change the forced password through the UI; ends on home. */
async function changePassword(page, oldPassword, newPassword) {
  await page.waitForURL(/\/change-password/)
  await page.locator('input[name="old_password"]').fill(oldPassword)
  await page.locator('input[name="new_password"]').fill(newPassword)
  await page.locator('input[name="confirm"]').fill(newPassword)
  await page.locator('[data-test="change-password-submit"]').click()
  await page.waitForURL((u) => u.pathname === '/')
  await page.locator('[data-test="welcome"]').waitFor()
}

/** Read and close the one-time secret dialog. */
async function takeSecret(page, name) {
  const dialog = page.locator('.el-dialog', { has: page.locator('[data-test="secret-value"]') })
  await dialog.waitFor()
  const secret = await dialog.locator('[data-test="secret-value"]').inputValue()
  assert.ok(secret.length >= 8, `one-time secret shown: "${secret}"`)
  await dialog.locator('[data-test="secret-copy"]').click()
  await dialog.locator('[data-test="secret-copy"]', { hasText: '已复制' }).waitFor()
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret)
  if (name) await shot(page, name)
  await dialog.locator('[data-test="secret-close"]').click()
  await dialog.waitFor({ state: 'hidden' })
  return secret
}

describe('用户管理', () => {
  const env = useFanghu({ before, after, afterEach }, { admin: true })
  const clipboard = { permissions: ['clipboard-read', 'clipboard-write'] }
  let org

  before(async () => {
    org = await env.admin.call('POST', '/orgs', { name: '福建海峡数据科技有限公司', kind: 'vas', uscc: '91350100M000100Y43', province: '35' })
  })

  it('creates a user, shows the one-time password, and that user logs in', async () => {
    const base = env.server.url
    const page = await env.loggedIn('admin', ADMIN_PASSWORD, clipboard)
    await page.goto(`${base}/users`)
    await page.locator('[data-test="user-table"] .el-table__row', { hasText: 'admin' }).waitFor()
    await page.locator('[data-test="user-create"]').click()
    const dialog = page.locator('.el-dialog', { hasText: '新建用户' })
    await dialog.waitFor()
    await dialog.locator('[data-test="user-username"]').fill('zhangsan')
    await dialog.locator('[data-test="user-display-name"]').fill('张三')
    await pickOption(page, dialog.locator('[data-test="user-role"]'), '运行单位管理员')
    await pickOption(page, dialog.locator('[data-test="user-org"]'), org.name)
    await shot(page, '20-user-create')
    await dialog.locator('[data-test="user-save"]').click()
    const initial = await takeSecret(page, '21-user-initial-password')

    const row = page.locator('[data-test="user-table"] .el-table__row', { hasText: 'zhangsan' })
    await row.waitFor()
    assert.match(await row.innerText(), /张三/)
    assert.match(await row.innerText(), /运行单位管理员/)
    assert.match(await row.innerText(), /待改密/)
    await page.waitForLoadState('networkidle')
    await shot(page, '22-user-table')

    // The new user, in a browser context of its own.
    const other = await env.page()
    await uiLogin(other, base, 'zhangsan', initial)
    await changePassword(other, initial, USER_PASSWORD)
    const header = await other.locator('header').innerText()
    assert.match(header, /运行单位管理员/)
    assert.match(header, /福建海峡数据科技有限公司/)
    assert.match(header, /张三/)
    const menu = await other.locator('[data-test="side-menu"]').innerText()
    for (const item of ['组织机构', '用户管理', 'API 令牌']) assert.ok(menu.includes(item), `menu has ${item}`)
    assert.ok(!menu.includes('审计日志'), 'operator_admin has no 审计日志')
    await other.waitForLoadState('networkidle')
    await shot(other, '23-home-operator-admin')
    // A page outside the role leads home.
    await other.goto(`${base}/audit`)
    await other.waitForURL((u) => u.pathname === '/')
  })

  it('disables and enables a user', async () => {
    const base = env.server.url
    const page = await env.loggedIn('admin', ADMIN_PASSWORD)
    const victim = await env.loggedIn('zhangsan', USER_PASSWORD)
    await victim.locator('[data-test="welcome"]').waitFor()

    await page.goto(`${base}/users`)
    const row = page.locator('[data-test="user-table"] .el-table__row', { hasText: 'zhangsan' })
    await row.getByRole('button', { name: '停用' }).click()
    await page.locator('.el-message-box').waitFor()
    await page.locator('.el-message-box .el-button--primary').click()
    await row.locator('.el-tag', { hasText: '已停用' }).waitFor()

    // The disabled user's session is gone, and logging in again is refused.
    await victim.goto(`${base}/orgs`)
    await victim.waitForURL(/\/login/)
    await victim.locator('input[name="username"]').fill('zhangsan')
    await victim.locator('input[name="password"]').fill(USER_PASSWORD)
    await victim.locator('[data-test="login-submit"]').click()
    await victim.locator('[data-test="login-error"]').waitFor()

    await row.getByRole('button', { name: '启用' }).click()
    await page.locator('.el-message-box .el-button--primary').click()
    await row.locator('.el-tag', { hasText: '正常' }).waitFor()
    await victim.locator('input[name="password"]').fill(USER_PASSWORD)
    await victim.locator('[data-test="login-submit"]').click()
    // Back to the page asked for before the login.
    await victim.waitForURL((u) => u.pathname === '/orgs')
    await victim.locator('[data-test="org-table"]').waitFor()
  })

  it('resets a password and shows the new one-time password', async () => {
    const base = env.server.url
    const page = await env.loggedIn('admin', ADMIN_PASSWORD, clipboard)
    const other = await env.loggedIn('zhangsan', USER_PASSWORD)
    await other.locator('[data-test="welcome"]').waitFor()
    await page.goto(`${base}/users`)
    const row = page.locator('[data-test="user-table"] .el-table__row', { hasText: 'zhangsan' })
    await row.getByRole('button', { name: '重置密码' }).click()
    await page.locator('.el-message-box .el-button--primary').click()
    const fresh = await takeSecret(page, '24-user-reset-password')
    assert.notEqual(fresh, USER_PASSWORD)

    // The reset ended the user's session: the next click in the console leads to the login page.
    await other.locator('[data-test="menu-orgs"]').click()
    await other.waitForURL(/\/login/)
    await uiLogin(other, base, 'zhangsan', fresh)
    await changePassword(other, fresh, `${USER_PASSWORD}x`)
  })
})
