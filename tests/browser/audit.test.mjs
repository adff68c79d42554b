// 审计日志: the actions done through the console are listed, rows expand to before/after, filters,
// and the hash chain verifies.
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { useFanghu, ADMIN_PASSWORD, shot, pickOption } from './lib.mjs'

describe('审计日志', () => {
  const env = useFanghu({ before, after, afterEach }, { admin: true })

  it('lists the actions, expands a row, filters, and verifies the hash chain', async () => {
    const base = env.server.url
    await env.admin.call('POST', '/orgs', { name: '审计测试有限公司', kind: 'vas', uscc: '91350100M000100Y43', province: '35' })
    const page = await env.loggedIn('admin', ADMIN_PASSWORD)
    await page.goto(`${base}/audit`)
    const table = page.locator('[data-test="audit-table"]')
    await table.locator('.el-table__row').first().waitFor()
    const text = await table.innerText()
    for (const label of ['登录', '修改密码', '新建组织机构']) assert.ok(text.includes(label), `audit lists ${label}`)
    assert.match(text, /admin/)
    assert.match(text, /127\.0\.0\.1/)

    // Expand the org.create row: after holds the organisation.
    const orgRow = table.locator('.el-table__row', { hasText: 'org.create' })
    await orgRow.locator('.el-table__expand-icon').click()
    const detail = page.locator('[data-test="audit-detail"]')
    await detail.waitFor()
    assert.match(await detail.innerText(), /审计测试有限公司/)
    assert.match(await detail.innerText(), /91350100M000100Y43/)
    await shot(page, '40-audit-expanded')

    // Filter by action.
    await pickOption(page, page.locator('[data-test="audit-filter-action"]'), 'org.create')
    await table.locator('.el-table__row', { hasText: 'session.login' }).first().waitFor({ state: 'detached' })
    const rows = await table.locator('.el-table__row').allInnerTexts()
    assert.ok(rows.filter((r) => r.trim()).every((r) => r.includes('org.create')), rows.join('\n'))

    // Verify the chain.
    await page.locator('[data-test="audit-verify"]').click()
    const result = page.locator('[data-test="audit-verify-result"]')
    await result.waitFor()
    assert.match(await result.innerText(), /哈希链完整/)
    await page.waitForLoadState('networkidle')
    await shot(page, '41-audit-verified')
  })
})
