// 报告: an operator writes the year's 安全防护工作报告 (a narrative section), generates and downloads
// it as DOCX and PDF (checked by their first bytes), and submits it to the 部网络安全管理局, whose
// regulator acknowledges it; the 福建 regulator's missing list names the operator before that.
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { useFanghu, shot, complianceTenants, makeUser, fetchBytes, todayBeijing } from './lib.mjs'

const PASSWORD = 'Reports-Test-Pass-2026'
const OPERATOR = '福建海峡数据科技有限公司'

describe('报告', () => {
  const env = useFanghu({ before, after, afterEach }, { admin: true })
  const t = {}

  before(async () => {
    Object.assign(t, await complianceTenants(env.admin, PASSWORD))
    const { usccCheckChar } = await import('../../web/src/uscc.js')
    const first17 = '11100000MB0000009'
    t.ministry = await env.admin.call('POST', '/orgs', {
      name: '工业和信息化部网络安全管理局', kind: 'regulator_ministry', uscc: first17 + usccCheckChar(first17), province: '11', jurisdiction: [{ province: '*', kind: '*' }],
    })
    await makeUser(env.admin, { username: 'miituser', display_name: '部网安局', role: 'national_regulator', org_id: t.ministry.id, password: PASSWORD })
  })

  it('the regulator sees the operator on the missing list', async () => {
    const page = await env.loggedIn('reguser', PASSWORD)
    await page.locator('[data-test="menu-reports"]').click()
    await page.locator('[data-test="report-tabs"]').getByText('未报送单位').click()
    await page.locator('[data-test="missing-table"] .el-table__row', { hasText: OPERATOR }).waitFor()
    await shot(page, '95-annual-missing')
  })

  it('an operator generates, downloads and submits the annual report; the receiver acknowledges', async () => {
    const year = todayBeijing().slice(0, 4)
    const page = await env.loggedIn('opuser', PASSWORD)
    await page.locator('[data-test="menu-reports"]').click()
    await page.getByText('暂无安全防护工作报告').waitFor()
    await page.locator('[data-test="annual-create"]').click()
    await page.locator('[data-test="annual-create-save"]').click()
    await page.waitForURL(/\/reports\/annual\/\d+$/)
    await page.locator('[data-test="annual-heading"]', { hasText: `${year} 年度` }).waitFor()
    await page.locator('[data-test="annual-facts"]').waitFor()
    const section = page.locator('[data-test="annual-section-overview"]')
    await section.locator('textarea').fill('本年度全面落实通信网络安全防护工作要求。')
    await section.locator('[data-test="annual-section-save-overview"]').click()
    await section.getByText(/opuser 于/).waitFor()
    // Submitting with sections 二 and 三 empty puts the refusal under them.
    await page.locator('[data-test="annual-submit"]').click()
    await page.locator('.el-message-box').getByRole('button', { name: '报送' }).click()
    await page.locator('[data-test="annual-section-problems"]').getByText('报送前须填写本节').waitFor()
    for (const [code, text] of [['problems', '发现弱口令 3 处，已全部整改。'], ['plan', '明年完成全部网络单元复评。']]) {
      const s = page.locator(`[data-test="annual-section-${code}"]`)
      await s.locator('textarea').fill(text)
      await s.locator(`[data-test="annual-section-save-${code}"]`).click()
      await s.getByText(/opuser 于/).waitFor()
    }
    await shot(page, '96-annual-report')

    const [docx] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="annual-docx"]').click()])
    assert.equal((await fetchBytes(await docx.path())).subarray(0, 2).toString(), 'PK')
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="annual-pdf"]').click()])
    assert.equal((await fetchBytes(await pdf.path())).subarray(0, 5).toString(), '%PDF-')

    await page.locator('[data-test="annual-submit"]').click()
    await page.locator('.el-message-box').getByRole('button', { name: '报送' }).click()
    await page.locator('[data-test="annual-status"]', { hasText: '已报送' }).waitFor()
    assert.match(await page.locator('[data-test="annual-receivers"]').innerText(), /工业和信息化部网络安全管理局/)

    const miit = await env.loggedIn('miituser', PASSWORD)
    await miit.locator('[data-test="menu-reports"]').click()
    await miit.locator('[data-test="annual-table"] .el-table__row', { hasText: OPERATOR }).locator('a').click()
    await miit.locator('[data-test="annual-ack"]').click()
    await miit.locator('.el-message-box').getByRole('button', { name: '确认' }).click()
    await miit.locator('[data-test="annual-receivers"]').getByText('已确认').waitFor()
    await shot(miit, '97-annual-acknowledged')
  })
})
