// 待办与期限, 专项工作 and the dashboard: the unit's filing duty in the list (state-coloured) and on
// its date in the month view; a regulator issues a campaign already past due, the dashboard's
// overdue board lists the organisation and draws its chart; the operator reports completion.
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { useFanghu, shot, pickOption, pickDate, complianceTenants, apiUnit, todayBeijing, addDays } from './lib.mjs'

const PASSWORD = 'Duties-Test-Pass-2026'
const UNIT = '海峡骨干传送网'
const CAMPAIGN = '存量网络单元全面核查'

describe('待办与期限', () => {
  const env = useFanghu({ before, after, afterEach }, { admin: true })
  const t = {}

  before(async () => {
    Object.assign(t, await complianceTenants(env.admin, PASSWORD))
    t.unit = await apiUnit(t.op, t.operator.id, { name: UNIT, unit_type: 'transport' })
  })

  it('lists the unit\'s filing duty and shows it on its date in the month view', async () => {
    const due = addDays(todayBeijing(), 30) // 部令第11号: 定级后 30 日内备案
    const page = await env.loggedIn('opuser', PASSWORD)
    await page.locator('[data-test="menu-duties"]').click()
    await pickOption(page, page.locator('[data-test="duty-filter-kind"]'), '定级备案')
    const row = page.locator('[data-test="duty-table"] .el-table__row', { hasText: UNIT })
    await row.waitFor()
    const text = await row.innerText()
    assert.match(text, new RegExp(due))
    assert.match(text, /30 日内到期/)
    assert.match(text, /部令第11号/)
    assert.match(text, /还剩 30 天/)
    // due_soon is orange (warning).
    assert.match(await row.locator('.el-tag').first().getAttribute('class'), /el-tag--warning/)
    await shot(page, '80-duties-list')

    await page.locator('[data-test="duty-view"]').getByText('月历').click()
    const calendar = page.locator('[data-test="duty-calendar"]')
    await calendar.waitFor()
    if (due.slice(0, 7) !== todayBeijing().slice(0, 7)) {
      await calendar.getByText('下个月').click()
    }
    const cell = calendar.locator(`.fh-cell[data-date="${due}"]`).first()
    await cell.locator('.fh-chip', { hasText: UNIT }).waitFor()
    assert.match(await cell.locator('.fh-chip', { hasText: UNIT }).getAttribute('class'), /is-due_soon/)
    await page.waitForURL(new RegExp(`month=${due.slice(0, 7)}`))
    await shot(page, '81-duties-calendar')
    // A chip opens its unit.
    await cell.locator('.fh-chip', { hasText: UNIT }).click()
    await page.waitForURL(new RegExp(`/units/${t.unit.id}$`))
  })

  it('a regulator issues a campaign already past due; the dashboard shows the overdue organisation', async () => {
    const reg = await env.loggedIn('reguser', PASSWORD)
    await reg.goto(`${env.server.url}/campaigns`)
    await reg.getByText('暂无专项工作').waitFor()
    await reg.locator('[data-test="campaign-create"]').click()
    const dialog = reg.locator('.el-dialog', { hasText: '下发专项工作' })
    await dialog.locator('[data-test="campaign-title"]').fill(CAMPAIGN)
    await pickDate(reg, dialog.locator('input[name="campaign-due"]'), addDays(todayBeijing(), -10))
    // A multiple select stays open after a pick.
    await dialog.locator('[data-test="campaign-orgs"]').click()
    await reg.locator('.el-select-dropdown__item:visible', { hasText: '福建海峡数据科技有限公司' }).click()
    await dialog.locator('.el-dialog__title').click()
    await shot(reg, '82-campaign-create')
    await dialog.locator('[data-test="campaign-save"]').click()
    const row = reg.locator('[data-test="campaign-table"] .el-table__row', { hasText: CAMPAIGN })
    await row.waitFor()
    assert.match(await row.innerText(), /已逾期 10 天/)
    assert.match(await row.innerText(), /0 \/ 1/)

    await reg.goto(`${env.server.url}/`)
    const board = reg.locator('[data-test="overdue-board"]')
    await board.locator('[data-test="chart-overdue"] canvas').waitFor()
    await reg.locator('[data-test="chart-levels"] canvas').waitFor()
    await reg.locator('[data-test="chart-filing"] canvas').waitFor()
    const orgRow = board.locator('[data-test="overdue-orgs"] .el-table__row', { hasText: '福建海峡数据科技有限公司' })
    await orgRow.waitFor()
    assert.match(await orgRow.innerText(), /福建省/)
    assert.match(await orgRow.innerText(), /\b1\b/)
    assert.match(await reg.locator('[data-test="duty-summary-overdue"]').innerText(), /1/)
    await reg.waitForLoadState('networkidle')
    await shot(reg, '83-dashboard-regulator')
  })

  it('the operator sees the campaign overdue and reports completion', async () => {
    const page = await env.loggedIn('opuser', PASSWORD)
    await page.locator('[data-test="menu-campaigns"]').click()
    const row = page.locator('[data-test="campaign-table"] .el-table__row', { hasText: CAMPAIGN })
    await row.waitFor()
    assert.match(await row.innerText(), /已逾期/)
    await row.locator(`[data-test="campaign-complete-${(await t.op.call('GET', '/campaigns')).items[0].id}-${t.operator.id}"]`).click()
    await page.locator('.el-message-box').getByRole('button', { name: '报送' }).click()
    await row.locator('.el-tag', { hasText: '已报送' }).waitFor()
    assert.match(await row.innerText(), /1 \/ 1/)
    await shot(page, '84-campaign-done')

    // The campaign duty is done, so it no longer counts as overdue.
    const duties = await t.reg.call('GET', '/duties?kind=campaign&state=overdue')
    assert.equal(duties.total, 0)
  })
})
