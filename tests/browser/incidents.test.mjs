// 事件应急: an operator reports an incident of grade 较大 (the R5 helper suggests it from the number
// of users whose personal information leaked) and sees both reporting duties (属地通信管理局 and
// the CAC report) and the summary deadline; records a report sent, reads the timeline, downloads
// the 事件总结报告; keeps an emergency plan with a version and a drill with a rectification item.
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { useFanghu, shot, pickOption, pickDate, complianceTenants, todayBeijing, addDays, fetchBytes } from './lib.mjs'

const PASSWORD = 'Incident-Test-Pass-2026'
const TITLE = '客户信息数据库泄露事件'

describe('事件应急', () => {
  const env = useFanghu({ before, after, afterEach }, { admin: true })
  const t = {}

  before(async () => {
    Object.assign(t, await complianceTenants(env.admin, PASSWORD))
  })

  it('an operator reports a 较大 incident and sees both reporting duties and the summary deadline', async () => {
    const page = await env.loggedIn('opuser', PASSWORD)
    await page.locator('[data-test="menu-incidents"]').click()
    await page.getByText('暂无安全事件').waitFor()
    await page.locator('[data-test="incident-create"]').click()
    const dialog = page.locator('.el-dialog', { hasText: '报告网络安全事件' })
    await dialog.locator('[data-test="incident-title"]').fill(TITLE)
    await pickOption(page, dialog.locator('[data-test="incident-category"]'), '数据安全事件')
    const day = addDays(todayBeijing(), -1)
    await pickDate(page, dialog.locator('input[name="incident-detected"]'), `${day} 09:00:00`)
    await dialog.locator('[data-test="incident-pi"] input').fill('2000000')
    await dialog.locator('[data-test="incident-pi"] input').blur()
    const suggestion = dialog.locator('[data-test="incident-suggestion"]')
    await suggestion.locator('.el-tag', { hasText: '较大' }).waitFor()
    // The suggestion fills the empty grade.
    await dialog.locator('[data-test="incident-grade"] .el-radio-button.is-active', { hasText: '较大' }).waitFor()
    await pickDate(page, dialog.locator('input[name="incident-started"]'), `${day} 09:30:00`)
    await pickDate(page, dialog.locator('input[name="incident-ended"]'), `${day} 18:00:00`)
    await dialog.locator('[data-test="incident-description"]').fill('数据库被未授权访问，约 200 万用户信息泄露。')
    await shot(page, '90-incident-create')
    await dialog.locator('[data-test="incident-save"]').click()

    await page.waitForURL(/\/incidents\/\d+$/)
    await page.locator('[data-test="incident-heading"]', { hasText: TITLE }).waitFor()
    assert.match(await page.locator('[data-test="incident-grade-tag"]').innerText(), /较大/)
    const deadlines = page.locator('[data-test="incident-deadlines"]')
    const local = deadlines.locator('.el-table__row', { hasText: '工网安函' }).first()
    await local.waitFor()
    assert.match(await local.innerText(), /属地通信管理局/)
    assert.match(await local.innerText(), /福建省通信管理局/)
    const cac = deadlines.locator('.el-table__row', { hasText: '向网信部门报告' })
    assert.match(await cac.innerText(), /省级网信部门/)
    assert.match(await cac.innerText(), /4小时/)
    const summary = deadlines.locator('.el-table__row', { hasText: '总结报告' })
    assert.match(await summary.innerText(), /10个工作日/)
    assert.match(await summary.innerText(), /\d{4}-\d{2}-\d{2}/)
    await shot(page, '91-incident-deadlines')

    // Record the report to the 属地通信管理局.
    await page.locator('[data-test="deadline-report-report"]').click()
    const rd = page.locator('.el-dialog', { hasText: '记录报送' })
    await pickDate(page, rd.locator('input[name="report-sent"]'), `${day} 09:40:00`)
    await rd.locator('[data-test="report-save"]').click()
    await page.locator('[data-test="incident-reports"] .el-table__row', { hasText: '事件报告' }).waitFor()
    assert.match(await local.innerText(), /已报告/)
    await page.locator('[data-test="incident-timeline"]').getByText('发现事件').waitFor()
    await page.locator('[data-test="incident-timeline"]').getByText(/事件报告：报/).waitFor()
    await shot(page, '92-incident-timeline')

    // The 事件总结报告 downloads as DOCX and PDF.
    const [docx] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="incident-summary-docx"]').click()])
    const docxBytes = await fetchBytes(await docx.path())
    assert.equal(docxBytes.subarray(0, 2).toString(), 'PK')
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="incident-summary-pdf"]').click()])
    assert.equal((await fetchBytes(await pdf.path())).subarray(0, 5).toString(), '%PDF-')
  })

  it('emergency plans with versions and drills with rectification items', async () => {
    const page = await env.loggedIn('opuser', PASSWORD)
    await page.goto(`${env.server.url}/incidents?tab=plans`)
    await page.getByText('暂无应急预案').waitFor()
    await page.locator('[data-test="plan-create"]').click()
    const pd = page.locator('.el-dialog', { hasText: '新建应急预案' })
    await pd.locator('[data-test="plan-title"]').fill('网络安全事件综合应急预案')
    await pd.locator('[data-test="plan-save"]').click()
    const row = page.locator('[data-test="plan-table"] .el-table__row', { hasText: '网络安全事件综合应急预案' })
    await row.waitFor()
    await row.locator('.el-table__expand-icon').click()
    await page.locator('[data-test^="plan-version-add-"]').click()
    const vd = page.locator('.el-dialog', { hasText: '新增预案版本' })
    await vd.locator('[data-test="version-number"]').fill('V2.0')
    await pickDate(page, vd.locator('.el-date-editor input'), todayBeijing())
    await vd.locator('[data-test="version-save"]').click()
    await row.getByText(`V2.0（${todayBeijing()}）`).waitFor()

    await page.locator('[data-test="incident-tabs"]').getByText('应急演练').click()
    await page.getByText('暂无演练记录').waitFor()
    await page.locator('[data-test="drill-create"]').click()
    const dd = page.locator('.el-dialog', { hasText: '登记应急演练' })
    await dd.locator('textarea').first().fill('勒索病毒攻击核心业务系统')
    await dd.getByRole('button', { name: '保存' }).click()
    const drow = page.locator('[data-test="drill-table"] .el-table__row', { hasText: '勒索病毒' })
    await drow.waitFor()
    await drow.locator('.el-table__expand-icon').click()
    await page.getByRole('button', { name: '新增整改项' }).click()
    const id = page.locator('.el-dialog', { hasText: '新增整改项' })
    await id.locator('textarea').fill('补齐备份恢复演练')
    await id.locator('.el-form-item', { hasText: '责任人' }).locator('input').fill('张工')
    await pickDate(page, id.locator('.el-date-editor input'), addDays(todayBeijing(), 20))
    await id.getByRole('button', { name: '保存' }).click()
    await drow.getByText('1 / 1').waitFor()
    await page.getByRole('button', { name: '标记已整改' }).click()
    await drow.getByText('0 / 1').waitFor()
    await shot(page, '93-drills')
  })
})
