// API 令牌: create (shown once, usable as a Bearer token), list, revoke (no longer usable).
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { useFanghu, ADMIN_PASSWORD, shot } from './lib.mjs'

describe('API 令牌', () => {
  const env = useFanghu({ before, after, afterEach }, { admin: true })

  it('creates a token shown once, then revokes it', async () => {
    const base = env.server.url
    const page = await env.loggedIn('admin', ADMIN_PASSWORD)
    await page.goto(`${base}/tokens`)
    await page.locator('[data-test="token-table"]').waitFor()
    await page.getByText('暂无 API 令牌').waitFor()
    await shot(page, '30-tokens-empty')

    await page.locator('[data-test="token-create"]').click()
    const dialog = page.locator('.el-dialog', { hasText: '创建 API 令牌' })
    await dialog.waitFor()
    // Name is required.
    await dialog.locator('[data-test="token-save"]').click()
    await dialog.locator('.el-form-item__error', { hasText: '请输入令牌名称' }).waitFor()
    await dialog.locator('[data-test="token-name"]').fill('省公司 IDS 传感器 01')
    await dialog.getByPlaceholder('不填则长期有效').click()
    await page.locator('.el-picker-panel__shortcut', { hasText: '90 天' }).click()
    await page.locator('.el-picker-panel__shortcut:visible').first().waitFor({ state: 'hidden' })
    await shot(page, '31-token-create')
    await dialog.locator('[data-test="token-save"]').click()

    const secretDialog = page.locator('.el-dialog', { has: page.locator('[data-test="secret-value"]') })
    await secretDialog.waitFor()
    const token = await secretDialog.locator('[data-test="secret-value"]').inputValue()
    assert.match(token, /^fh_/)
    await shot(page, '32-token-created')
    await secretDialog.locator('[data-test="secret-close"]').click()
    await secretDialog.waitFor({ state: 'hidden' })

    const row = page.locator('[data-test="token-table"] .el-table__row', { hasText: '省公司 IDS 传感器 01' })
    await row.waitFor()
    assert.match(await row.innerText(), /只读/)
    assert.match(await row.innerText(), /从未使用/)
    assert.doesNotMatch(await row.innerText(), /长期有效/)

    // The token works as a Bearer token for reads.
    const ok = await fetch(`${base}/api/v1/orgs`, { headers: { Authorization: `Bearer ${token}` } })
    assert.equal(ok.status, 200)

    await page.waitForLoadState('networkidle')
    await shot(page, '33-tokens-table')
    await row.getByRole('button', { name: '吊销' }).click()
    await page.locator('.el-message-box .el-button--primary').click()
    await row.waitFor({ state: 'detached' })
    await page.getByText('暂无 API 令牌').waitFor()
    const revoked = await fetch(`${base}/api/v1/orgs`, { headers: { Authorization: `Bearer ${token}` } })
    assert.equal(revoked.status, 401)
  })
})
