// The menus of the compliance pages by role, and 节假日: a system administrator sees the loaded years
// and a year's days, imports the next year's notice (a bad file is refused with its reason) and
// counts working days with it.
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { useFanghu, shot, makeUser, complianceTenants, ADMIN_PASSWORD } from './lib.mjs'

const PASSWORD = 'Pages-Test-Pass-2026'
const ITEMS = ['网络单元', '批量导入', '备案审核', '符合性评测', '风险评估', '待办与期限', '专项工作', '检查项清单', '节假日']
const MENUS = {
  opuser: ['网络单元', '批量导入', '符合性评测', '风险评估', '待办与期限', '专项工作', '检查项清单'],
  reguser: ['网络单元', '备案审核', '符合性评测', '风险评估', '待办与期限', '专项工作', '检查项清单'],
  audit1: ['网络单元', '备案审核', '符合性评测', '风险评估', '待办与期限', '专项工作', '检查项清单'],
}

describe('页面与菜单', () => {
  const env = useFanghu({ before, after, afterEach }, { admin: true })

  before(async () => {
    await complianceTenants(env.admin, PASSWORD)
    await makeUser(env.admin, { username: 'audit1', display_name: '审计员甲', role: 'auditor', password: PASSWORD })
  })

  for (const [username, items] of Object.entries(MENUS)) {
    it(`menu of ${username}`, async () => {
      const page = await env.loggedIn(username, PASSWORD)
      await page.locator('[data-test="welcome"]').waitFor()
      const menu = await page.locator('[data-test="side-menu"]').innerText()
      for (const item of ITEMS) assert.equal(menu.includes(item), items.includes(item), `${username}: ${item}`)
      // Read-only roles get no write buttons on the unit list.
      await page.locator('[data-test="menu-units"]').click()
      await page.locator('[data-test="unit-table"]').waitFor()
      assert.equal(await page.locator('[data-test="unit-create"]').count(), username === 'opuser' ? 1 : 0)
    })
  }

  it('节假日: years, a year\'s days, importing the next year and counting working days', async () => {
    const page = await env.loggedIn('admin', ADMIN_PASSWORD)
    await page.locator('[data-test="menu-holidays"]').click()
    await page.locator('[data-test="holiday-year-2025"]').click()
    const days = page.locator('[data-test="holiday-days"]')
    await days.locator('.el-table__row', { hasText: '2025-10-01' }).waitFor()
    assert.match(await days.locator('.el-table__row', { hasText: '2025-09-28' }).innerText(), /调休上班/)
    assert.equal(await page.locator('[data-test="holiday-year-2027"]').count(), 0)

    const input = page.locator('[data-test="holiday-file"]')
    await input.setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"year": "soon"}') })
    await page.locator('[data-test="holiday-import-error"]').waitFor()

    const notice = {
      year: 2027,
      papers: ['https://www.gov.cn/'],
      days: [
        { name: '元旦', date: '2027-01-01', isOffDay: true },
        { name: '春节', date: '2027-02-06', isOffDay: false },
        { name: '春节', date: '2027-02-08', isOffDay: true },
      ],
    }
    await input.setInputFiles({ name: '2027.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(notice)) })
    await page.locator('.el-message--success', { hasText: '已导入 2027 年节假日安排' }).waitFor()
    await page.locator('[data-test="holiday-year-2027"]').waitFor()
    await days.locator('.el-table__row', { hasText: '2027-02-06' }).waitFor()
    assert.match(await days.locator('.el-table__row', { hasText: '2027-02-06' }).innerText(), /调休上班/)
    await shot(page, '95-holidays')
  })
})
