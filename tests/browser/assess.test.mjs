// 符合性评测 and 风险评估: a system administrator imports a check-item list (a bad file shows its
// row errors); an operator records an assessment — its submission duty appears — runs it against
// the list, uploads the report and submits, and the duty disappears; a risk assessment goes from
// business and assets (C/I/A) through threats and vulnerabilities to the risk table (4,3,5 → 16 高)
// and a treatment plan.
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { useFanghu, shot, pickOption, pickDate, complianceTenants, apiUnit, todayBeijing, addDays, ADMIN_PASSWORD } from './lib.mjs'

const PASSWORD = 'Assess-Test-Pass-2026'
const UNIT = '海峡 IDC 评测对象'
const LIST = '互联网安全防护检测要求（第3级）'
const PDF = Buffer.from('%PDF-1.4\n% fanghu browser test\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n')

describe('符合性评测与风险评估', () => {
  const env = useFanghu({ before, after, afterEach }, { admin: true })
  const t = {}

  before(async () => {
    Object.assign(t, await complianceTenants(env.admin, PASSWORD))
    t.unit = await apiUnit(t.op, t.operator.id, { name: UNIT })
  })

  it('a system administrator imports a check-item list', async () => {
    const page = await env.loggedIn('admin', ADMIN_PASSWORD)
    await page.locator('[data-test="menu-checklists"]').click()
    await page.locator('[data-test="checklist-import"]').click()
    const dialog = page.locator('.el-dialog', { hasText: '导入检查项清单' })
    await dialog.getByLabel('清单名称').fill(LIST)
    await dialog.getByLabel('版本').fill('2025')
    await pickOption(page, dialog.locator('.el-form-item', { hasText: '网络单元类型' }).locator('.el-select'), '互联网')
    const bad = '序号,检查域,检查要求,检查方法\n1,安全管理,建立网络安全管理制度,查阅文件\n2,访问控制,,现场检查\n'
    await dialog.locator('input[type="file"]').setInputFiles({ name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) })
    await dialog.getByRole('button', { name: '导入' }).click()
    await dialog.locator('[data-test="row-error-table"] .el-table__row').first().waitFor()
    assert.match(await dialog.locator('[data-test="row-error-table"]').innerText(), /\b3\b/)
    await shot(page, '90-checklist-errors')
    const good = '序号,检查域,检查要求,检查方法\n1,安全管理,建立网络安全管理制度,查阅文件\n2,访问控制,边界部署访问控制策略,现场检查\n'
    await dialog.locator('input[type="file"]').setInputFiles({ name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from(good) })
    await dialog.getByRole('button', { name: '导入' }).click()
    await dialog.waitFor({ state: 'hidden' })
    const row = page.locator('[data-test="checklist-table"] .el-table__row', { hasText: LIST })
    await row.waitFor()
    assert.match(await row.innerText(), /第3级/)
  })

  it('recording an assessment makes its submission duty appear; submitting makes it disappear', async () => {
    const started = addDays(todayBeijing(), -20)
    const ended = addDays(todayBeijing(), -5)
    const page = await env.loggedIn('opuser', PASSWORD)
    await page.locator('[data-test="menu-assessments"]').click()
    await page.getByText('暂无符合性评测').waitFor()
    await page.locator('[data-test="assessments-create"]').click()
    const dialog = page.locator('.el-dialog', { hasText: '新建符合性评测' })
    await pickOption(page, dialog.locator('[data-test="assessment-unit"]'), UNIT)
    await dialog.locator('[data-test="assessment-kind"]').getByText('委托专业机构评测').click()
    await dialog.locator('[data-test="assessment-assessor"]').fill('福建省信息安全测评中心')
    await dialog.locator('[data-test="assessment-create-save"]').click()
    // A third party needs its qualification.
    await dialog.locator('.el-form-item__error', { hasText: '机构资质' }).waitFor()
    await dialog.getByLabel('机构资质').fill('通信网络安全服务能力评定（安全评测）一级')
    await pickDate(page, dialog.locator('input[name="assessment-started"]'), started)
    await pickDate(page, dialog.locator('input[name="assessment-ended"]'), ended)
    await dialog.locator('[data-test="assessment-create-save"]').click()
    await page.waitForURL(/\/assessments\/\d+$/)
    await page.locator('[data-test="assessment-status"]', { hasText: '已结束，待报送' }).waitFor()
    await page.locator('[data-test="assessment-due"]', { hasText: addDays(ended, 30) }).waitFor()
    const assessmentUrl = page.url()

    // The duty of submitting the results (30 days after the end) is listed.
    await page.goto(`${env.server.url}/duties`)
    await pickOption(page, page.locator('[data-test="duty-filter-kind"]'), '报送评测结果')
    const duty = page.locator('[data-test="duty-table"] .el-table__row', { hasText: UNIT })
    await duty.waitFor()
    assert.match(await duty.innerText(), new RegExp(addDays(ended, 30)))
    await shot(page, '91-assessment-duty')

    // Run it against the imported list, item by item.
    await page.goto(assessmentUrl)
    await pickOption(page, page.locator('[data-test="assessment-checklist"]'), LIST)
    await page.locator('[data-test="assessment-save"]').click()
    const items = page.locator('[data-test="assessment-items"]')
    await items.locator('.el-table__row').nth(1).waitFor()
    await page.locator('[data-test="item-result-1"]').getByText('符合', { exact: true }).click()
    await page.locator('[data-test="item-result-2"]').getByText('不符合').click()
    await page.locator('[data-test="assessment-items-save"]').click()
    await page.locator('[data-test="assessment-item-counts"]', { hasText: '得分 50.00' }).waitFor()
    assert.match(await page.locator('[data-test="assessment-item-counts"]').innerText(), /符合 1 · 不符合 1/)

    // Submitting without a report is refused with the reason shown.
    await page.locator('[data-test="assessment-submit-to"]').fill('福建省通信管理局')
    await page.locator('[data-test="assessment-submit"]').click()
    await page.locator('[data-test="assessment-submit-error"]', { hasText: '评测报告' }).waitFor()
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.locator('[data-test="file-upload-report"]').click()])
    await chooser.setFiles({ name: '符合性评测报告.pdf', mimeType: 'application/pdf', buffer: PDF })
    await page.locator('[data-test="file-table"] .el-table__row', { hasText: '符合性评测报告.pdf' }).waitFor()
    await shot(page, '92-assessment-ready')
    await page.locator('[data-test="assessment-submit"]').click()
    await page.locator('[data-test="assessment-status"]', { hasText: '已报送' }).waitFor()
    assert.equal(await page.locator('[data-test="assessment-save"]').count(), 0, 'a submitted assessment is frozen')
    await shot(page, '93-assessment-submitted')

    await page.goto(`${env.server.url}/duties`)
    await pickOption(page, page.locator('[data-test="duty-filter-kind"]'), '报送评测结果')
    await page.getByText('没有符合条件的事项').waitFor()
  })

  it('a risk assessment from assets to risk levels (Ia 4, T 3, Va 5 → 16 高)', async () => {
    const page = await env.loggedIn('opuser', PASSWORD)
    await page.goto(`${env.server.url}/units/${t.unit.id}?tab=risks`)
    await page.locator('[data-test="risk-assessments-new"]').click()
    const dialog = page.locator('.el-dialog', { hasText: '新建风险评估' })
    await dialog.locator('[data-test="risk-scope"]').fill('IDC 机房网络与托管业务')
    await pickDate(page, dialog.locator('input[name="risk-started"]'), addDays(todayBeijing(), -3))
    await dialog.locator('[data-test="risk-create-save"]').click()
    await page.waitForURL(/\/risk-assessments\/\d+$/)
    await page.locator('[data-test="risk-status"]', { hasText: '评估中' }).waitFor()

    const add = async (tab, kind, noun, fill) => {
      await page.locator('.el-tabs__item', { hasText: tab }).click()
      await page.locator(`[data-test="risk-${kind}-add"]`).click()
      const d = page.locator('.el-dialog', { hasText: `添加${noun}` })
      await d.waitFor()
      await fill(d)
      await d.locator(`[data-test="risk-${kind}-save"]`).click()
      await d.waitFor({ state: 'hidden' })
    }
    const level = (d, key, n) => d.locator(`[data-test="${key}"]`).getByText(String(n), { exact: true }).click()

    await add('业务识别', 'business', '业务', async (d) => {
      await d.locator('[data-test="risk-business-name"]').fill('IDC 托管')
      await level(d, 'risk-business-importance', 4)
    })
    await add('资产识别', 'assets', '资产', async (d) => {
      await d.locator('[data-test="risk-assets-name"]').fill('核心交换机')
      await pickOption(page, d.locator('[data-test="risk-assets-business_id"]'), 'IDC 托管')
      await level(d, 'risk-assets-confidentiality', 4)
      await level(d, 'risk-assets-integrity', 4)
      await level(d, 'risk-assets-availability', 4)
    })
    // Ia by R1's S rule: (4, 4, 4) → 4.
    assert.match(await page.locator('[data-test="risk-assets-table"] .el-table__row', { hasText: '核心交换机' }).innerText(), /4 \/ 4 \/ 4\s+4/)
    await add('威胁识别', 'threats', '威胁', async (d) => {
      await d.locator('[data-test="risk-threats-name"]').fill('DDoS 攻击')
      await d.locator('[data-test="risk-threats-category"]').fill('网络攻击')
      await level(d, 'risk-threats-frequency', 3)
    })
    await add('脆弱性识别', 'vulns', '脆弱性', async (d) => {
      await d.locator('[data-test="risk-vulns-name"]').fill('出口未配置流量清洗')
      await pickOption(page, d.locator('[data-test="risk-vulns-asset_id"]'), '核心交换机')
      await pickOption(page, d.locator('[data-test="risk-vulns-threat_id"]'), 'DDoS 攻击')
      await level(d, 'risk-vulns-severity', 5)
    })
    await add('已有安全措施', 'controls', '安全措施', async (d) => {
      await d.locator('[data-test="risk-controls-description"]').fill('运营商侧黑洞路由')
      await pickOption(page, d.locator('[data-test="risk-controls-vuln_id"]'), '出口未配置流量清洗')
    })

    await page.locator('.el-tabs__item', { hasText: '风险与处置' }).click()
    const risk = page.locator('[data-test="risk-table"] .el-table__row', { hasText: '出口未配置流量清洗' })
    await risk.waitFor()
    const text = await risk.innerText()
    assert.match(text, /4 \/ 3 \/ 5/)
    assert.match(text, /4×4/)
    assert.match(text, /\b16\b/)
    const badge = risk.locator('[data-test^="risk-level-"]')
    assert.equal(await badge.innerText(), '高')
    assert.equal(await badge.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(245, 108, 108)')
    assert.match(text, /须制定处置计划/)
    assert.match(await page.locator('[data-test="risk-summary"]').innerText(), /高\s+1/)

    await risk.locator('[data-test^="risk-treat-"]').click()
    const treat = page.locator('.el-dialog', { hasText: '处置计划' })
    await treat.locator('[data-test="treatment-owner"]').fill('网络部 王五')
    await pickDate(page, treat.locator('input[name="treatment-due"]'), addDays(todayBeijing(), 30))
    await treat.locator('[data-test="treatment-save"]').click()
    await treat.waitFor({ state: 'hidden' })
    await risk.getByText('降低（整改） · 未开始').waitFor()
    assert.match(await page.locator('[data-test="risk-summary"]').innerText(), /中及以上未制定处置\s+0/)
    await shot(page, '94-risk-table')
  })
})
