// 组织机构: the table with its filters, creating an operator and a regulator (with jurisdiction),
// the client-side 统一社会信用代码 check, server field errors on their field, editing.
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { useFanghu, ADMIN_PASSWORD, shot, fieldError, pickOption } from './lib.mjs'
import { usccCheckChar } from '../../web/src/uscc.js'

/** A valid 统一社会信用代码 from its first 17 characters. */
const uscc = (first17) => first17 + usccCheckChar(first17)

describe('组织机构', () => {
  const env = useFanghu({ before, after, afterEach }, { admin: true })

  it('creates an organisation; an invalid 统一社会信用代码 is refused on its field', async () => {
    const page = await env.loggedIn('admin', ADMIN_PASSWORD)
    await page.goto(`${env.server.url}/orgs`)
    await page.locator('[data-test="org-table"]').waitFor()
    await page.locator('[data-test="org-create"]').click()
    const dialog = page.locator('.el-dialog', { hasText: '新建组织机构' })
    await dialog.waitFor()

    await dialog.locator('[data-test="org-name"]').fill('福建海峡数据科技有限公司')
    await pickOption(page, dialog.locator('[data-test="org-kind"]'), '增值电信企业')
    await dialog.locator('[data-test="org-uscc"]').fill('91350100m000100y44') // lower case is upper-cased
    await pickOption(page, dialog.locator('[data-test="org-province"]'), '福建省')
    await dialog.locator('[data-test="org-save"]').click()
    const usccError = fieldError(dialog, '统一社会信用代码')
    await usccError.filter({ hasText: '校验位' }).waitFor()
    assert.equal(await dialog.locator('[data-test="org-uscc"]').inputValue(), '91350100M000100Y44')
    await shot(page, '10-org-create-invalid-uscc')

    await dialog.locator('[data-test="org-uscc"]').fill('91350100M000100Y43')
    await dialog.locator('[data-test="org-save"]').click()
    await dialog.waitFor({ state: 'hidden' })
    const row = page.locator('[data-test="org-table"] .el-table__row', { hasText: '福建海峡数据科技有限公司' })
    await row.waitFor()
    const text = await row.innerText()
    assert.match(text, /91350100M000100Y43/)
    assert.match(text, /增值电信企业/)
    assert.match(text, /福建/)
  })

  it('shows the server field error of a rejected create on its field', async () => {
    const page = await env.loggedIn('admin', ADMIN_PASSWORD)
    await page.goto(`${env.server.url}/orgs`)
    await page.locator('[data-test="org-create"]').click()
    const dialog = page.locator('.el-dialog', { hasText: '新建组织机构' })
    await dialog.waitFor()
    // The code passes the client check but is already taken by the first test's organisation.
    await dialog.locator('[data-test="org-name"]').fill('重复代码测试公司')
    await pickOption(page, dialog.locator('[data-test="org-kind"]'), '增值电信企业')
    await dialog.locator('[data-test="org-uscc"]').fill('91350100M000100Y43')
    await pickOption(page, dialog.locator('[data-test="org-province"]'), '福建省')
    const response = page.waitForResponse((r) => r.url().endsWith('/api/v1/orgs') && r.request().method() === 'POST')
    await dialog.locator('[data-test="org-save"]').click()
    const res = await response
    const body = await res.json()
    assert.ok(res.status() >= 400, `duplicate 统一社会信用代码 accepted: ${res.status()} ${JSON.stringify(body)}`)
    assert.equal(body.error?.field, 'uscc', `error names the field: ${JSON.stringify(body)}`)
    await fieldError(dialog, '统一社会信用代码').filter({ hasText: body.error.message }).waitFor()
    await shot(page, '11-org-create-server-error')
    await dialog.getByRole('button', { name: '取消' }).click()
  })

  it('creates a regulator with a jurisdiction, filters and edits', async () => {
    const page = await env.loggedIn('admin', ADMIN_PASSWORD)
    await page.goto(`${env.server.url}/orgs`)
    await page.locator('[data-test="org-create"]').click()
    const dialog = page.locator('.el-dialog', { hasText: '新建组织机构' })
    await dialog.waitFor()
    await dialog.locator('[data-test="org-name"]').fill('上海市通信管理局')
    await pickOption(page, dialog.locator('[data-test="org-kind"]'), '省通信管理局')
    await dialog.locator('[data-test="org-uscc"]').fill(uscc('11310000MB0000001'))
    await pickOption(page, dialog.locator('[data-test="org-province"]'), '上海市')
    await dialog.locator('[data-test="jurisdiction-add"]').click()
    await pickOption(page, dialog.locator('[data-test="jurisdiction-row-0"] [data-test="jurisdiction-province"]'), '上海市')
    await dialog.locator('[data-test="jurisdiction-add"]').click()
    await pickOption(page, dialog.locator('[data-test="jurisdiction-row-1"] [data-test="jurisdiction-province"]'), '上海市')
    await pickOption(page, dialog.locator('[data-test="jurisdiction-row-1"] [data-test="jurisdiction-kind"]'), '域名服务机构')
    await shot(page, '12-org-create-regulator')
    await dialog.locator('[data-test="org-save"]').click()
    await dialog.waitFor({ state: 'hidden' })

    const table = page.locator('[data-test="org-table"]')
    const row = table.locator('.el-table__row', { hasText: '上海市通信管理局' })
    await row.waitFor()
    assert.match(await row.innerText(), /上海市 · 全部类型/)
    assert.match(await row.innerText(), /上海市 · 域名服务机构/)
    await page.waitForLoadState('networkidle')
    await shot(page, '13-org-table')

    // Filter by kind: only the regulator remains.
    await pickOption(page, page.locator('[data-test="org-filter-kind"]'), '省通信管理局')
    await table.locator('.el-table__row', { hasText: '福建海峡数据科技有限公司' }).waitFor({ state: 'detached' })
    await row.waitFor()
    // Filter by name, with no match: the empty state shows.
    await page.locator('[data-test="org-filter-q"]').fill('不存在的单位名称')
    await page.getByText('没有符合条件的组织机构').waitFor()
    await page.getByRole('button', { name: '重置' }).click()
    await table.locator('.el-table__row', { hasText: '福建海峡数据科技有限公司' }).waitFor()

    // Edit the operator's name.
    const operatorRow = table.locator('.el-table__row', { hasText: '福建海峡数据科技有限公司' })
    await operatorRow.getByRole('button', { name: '编辑' }).click()
    const edit = page.locator('.el-dialog', { hasText: '编辑组织机构' })
    await edit.waitFor()
    await edit.locator('[data-test="org-name"]').fill('福建海峡数据科技股份有限公司')
    await edit.locator('[data-test="org-save"]').click()
    await edit.waitFor({ state: 'hidden' })
    await table.locator('.el-table__row', { hasText: '福建海峡数据科技股份有限公司' }).waitFor()
  })
})
