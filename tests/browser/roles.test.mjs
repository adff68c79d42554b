// The console follows the role: the side menu, the home page's scope, what the org table shows,
// and an operator_admin creating a subsidiary under its own organisation.
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { useFanghu, makeUser, shot, pickOption } from './lib.mjs'
import { usccCheckChar } from '../../web/src/uscc.js'

const uscc = (first17) => first17 + usccCheckChar(first17)
const PASSWORD = 'Role-Test-Pass-2026'

const MENUS = {
  opadmin: ['组织机构', '用户管理', 'API 令牌'],
  staff: ['组织机构', 'API 令牌'],
  reg: ['组织机构', 'API 令牌'],
  nat: ['组织机构', 'API 令牌'],
  aud: ['组织机构', '审计日志'],
}
const ALL = ['组织机构', '用户管理', 'API 令牌', '审计日志']

describe('roles', () => {
  const env = useFanghu({ before, after, afterEach }, { admin: true })
  const orgs = {}

  before(async () => {
    const a = env.admin
    orgs.group = await a.call('POST', '/orgs', { name: '中国测试通信集团有限公司', kind: 'telecom_group', uscc: uscc('91110000MA0000001'), province: '11' })
    orgs.sh = await a.call('POST', '/orgs', { name: '中国测试通信集团上海有限公司', kind: 'telecom_provincial', uscc: uscc('91310000MA0000002'), province: '31', parent_id: orgs.group.id })
    orgs.fj = await a.call('POST', '/orgs', { name: '福建海峡数据科技有限公司', kind: 'vas', uscc: '91350100M000100Y43', province: '35' })
    orgs.ca = await a.call('POST', '/orgs', { name: '上海市通信管理局', kind: 'regulator_ca', uscc: uscc('11310000MB0000003'), province: '31', jurisdiction: [{ province: '31', kind: '*' }] })
    orgs.ministry = await a.call('POST', '/orgs', { name: '工业和信息化部网络安全管理局', kind: 'regulator_ministry', uscc: uscc('11100000MB0000004'), province: '11', jurisdiction: [{ province: '*', kind: '*' }] })
    await makeUser(a, { username: 'opadmin', display_name: '集团管理员', role: 'operator_admin', org_id: orgs.group.id, password: PASSWORD })
    await makeUser(a, { username: 'staff', display_name: '上海安全员', role: 'operator_staff', org_id: orgs.sh.id, password: PASSWORD })
    await makeUser(a, { username: 'reg', display_name: '上海监管员', role: 'regulator', org_id: orgs.ca.id, password: PASSWORD })
    await makeUser(a, { username: 'nat', display_name: '部级监管员', role: 'national_regulator', org_id: orgs.ministry.id, password: PASSWORD })
    await makeUser(a, { username: 'aud', display_name: '审计员甲', role: 'auditor', password: PASSWORD })
  })

  for (const [username, items] of Object.entries(MENUS)) {
    it(`menu of ${username}`, async () => {
      const page = await env.loggedIn(username, PASSWORD)
      await page.locator('[data-test="welcome"]').waitFor()
      const menu = await page.locator('[data-test="side-menu"]').innerText()
      for (const item of ALL) assert.equal(menu.includes(item), items.includes(item), `${username}: ${item}`)
      await page.waitForLoadState('networkidle')
      await shot(page, `50-home-${username}`)
    })
  }

  it('a regulator sees its jurisdiction on home and only the orgs in it', async () => {
    const page = await env.loggedIn('reg', PASSWORD)
    const scope = page.locator('[data-test="scope"]')
    await scope.getByText('上海市 · 全部类型').waitFor()
    await page.goto(`${env.server.url}/orgs`)
    const table = page.locator('[data-test="org-table"]')
    await table.locator('.el-table__row', { hasText: orgs.sh.name }).waitFor()
    const text = await table.innerText()
    assert.ok(!text.includes(orgs.fj.name), 'Fujian org outside the Shanghai jurisdiction is hidden')
    assert.equal(await page.locator('[data-test="org-create"]').count(), 0, 'regulator cannot create orgs')
  })

  it('an operator_admin creates a subsidiary under its organisation', async () => {
    const page = await env.loggedIn('opadmin', PASSWORD)
    await page.goto(`${env.server.url}/orgs`)
    await page.locator('[data-test="org-create"]').click()
    const dialog = page.locator('.el-dialog', { hasText: '新建组织机构' })
    await dialog.waitFor()
    // Regulator kinds are not offered to an operator.
    await dialog.locator('[data-test="org-kind"]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '基础电信企业省级公司' }).waitFor()
    const kinds = await page.locator('.el-select-dropdown__item:visible').allInnerTexts()
    assert.ok(!kinds.some((k) => k.includes('通信管理局')), kinds.join(','))
    await page.keyboard.press('Escape')
    await dialog.locator('[data-test="org-name"]').fill('中国测试通信集团福建有限公司')
    await pickOption(page, dialog.locator('[data-test="org-kind"]'), '基础电信企业省级公司')
    await dialog.locator('[data-test="org-uscc"]').fill(uscc('91350000MA0000005'))
    await pickOption(page, dialog.locator('[data-test="org-province"]'), '福建省')
    // The parent is required for an operator_admin.
    await dialog.locator('[data-test="org-save"]').click()
    await dialog.locator('.el-form-item__error', { hasText: '请选择上级单位' }).waitFor()
    await pickOption(page, dialog.locator('[data-test="org-parent"]'), '中国测试通信集团有限公司')
    await dialog.locator('[data-test="org-save"]').click()
    await dialog.waitFor({ state: 'hidden' })
    const row = page.locator('[data-test="org-table"] .el-table__row', { hasText: '中国测试通信集团福建有限公司' })
    await row.waitFor()
    assert.match(await row.innerText(), /中国测试通信集团有限公司/)
  })
})
