// 工业互联网: a platform enterprise fills its profile, answers the grading questionnaire (the level
// shown as the answers change) and registers; the 通信管理局 sees it in its inbox with the
// working-day clock and verifies it; the dashboard counts it by type and level.
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { useFanghu, shot, complianceTenants, makeUser, pickDate } from './lib.mjs'

const PASSWORD = 'Iiot-Test-Pass-2026'
const ENTERPRISE = '福建工业互联网平台有限公司'

describe('工业互联网', () => {
  const env = useFanghu({ before, after, afterEach }, { admin: true })
  before(async () => {
    await complianceTenants(env.admin, PASSWORD)
    const { usccCheckChar } = await import('../../web/src/uscc.js')
    const first17 = '91350100MA0000022'
    const org = await env.admin.call('POST', '/orgs', { name: ENTERPRISE, kind: 'iiot_platform', uscc: first17 + usccCheckChar(first17), province: '35' })
    await makeUser(env.admin, { username: 'iiotuser', display_name: '平台安全员', role: 'operator_admin', org_id: org.id, password: PASSWORD })
  })

  it('questionnaire level, registration, verification inbox with its clock, dashboard', async () => {
    const page = await env.loggedIn('iiotuser', PASSWORD)
    await page.locator('[data-test="menu-iiot"]').click()
    await page.locator('[data-test="iiot-name"]').fill(ENTERPRISE)
    await page.locator('[data-test="iiot-types"]').getByText('平台企业').click()
    await page.locator('[data-test="iiot-contact-name"]').fill('张三')
    await page.locator('[data-test="iiot-contact-phone"]').fill('0591-12345678')
    await page.locator('[data-test="iiot-lead-name"]').fill('李四')
    await page.locator('[data-test="iiot-lead-phone"]').fill('13800000000')
    await page.locator('[data-test="iiot-profile-save"]').click()
    await page.locator('[data-test="iiot-grade-platform"]').click()
    const quiz = page.locator('[data-test="iiot-quiz"]')
    const answers = { scale: '特大型企业或集团', business_scope: '全国或跨境', iiot_use: '全面联网', important_systems: '涉及关键信息基础设施', important_data: '核心数据', industry_importance: '非常重要', incident_impact: '特别严重' }
    for (const [q, text] of Object.entries(answers)) await quiz.locator(`[data-test="iiot-q-${q}"]`).getByText(text).click()
    await page.locator('[data-test="iiot-level"]').getByText('三级').waitFor()
    assert.match(await page.locator('[data-test="iiot-level"]').innerText(), /100/)
    // Changing an answer changes the level shown.
    await quiz.locator('[data-test="iiot-q-important_systems"]').getByText('无重要系统').click()
    await quiz.locator('[data-test="iiot-q-industry_importance"]').getByText(/^一般$/).click()
    await quiz.locator('[data-test="iiot-q-incident_impact"]').getByText('轻微').click()
    await page.locator('[data-test="iiot-level"]').getByText('二级').waitFor()
    await shot(page, '130-iiot-quiz')
    // Dated in September 2026, so that the 30 working days stay within the loaded 2026 calendar.
    await pickDate(page, page.locator('input[name="iiot-graded-on"]'), '2026-09-01')
    await page.locator('[data-test="iiot-grade-save"]').click()
    await page.locator('[data-test="iiot-type-table"]').getByText('二级').waitFor()
    await pickDate(page, page.locator('input[name="iiot-submitted-on"]'), '2026-09-02')
    await page.locator('[data-test="iiot-register"]').click()
    await page.getByText(/已提交登记/).waitFor()

    const reg = await env.loggedIn('reguser', PASSWORD)
    await reg.locator('[data-test="menu-iiot"]').click()
    const row = reg.locator('[data-test="iiot-inbox"] .el-table__row', { hasText: ENTERPRISE })
    await row.waitFor()
    assert.match(await row.innerText(), /核验 第 \d+ \/ 30 个工作日/)
    await shot(reg, '131-iiot-inbox')
    await row.getByRole('button', { name: '核验通过' }).click()
    await reg.locator('.el-message-box').getByRole('button', { name: '核验通过' }).click()
    await reg.getByText('暂无登记').waitFor()
    await reg.locator('[data-test="iiot-tabs"]').getByRole('tab', { name: '看板' }).click()
    await reg.locator('[data-test="chart-iiot"] canvas').waitFor()
    assert.match(await reg.locator('[data-test="iiot-dashboard"] .el-table__row', { hasText: '平台企业' }).innerText(), /1/)
  })
})
