// 网络单元 and 定级备案: an operator registers a unit (client-side CIDR check), grades it with the
// live calculator, meets the "missing fields" refusal, submits; the regulator returns it with a
// reason on a field; the operator sees the reason, corrects and resubmits; the regulator approves
// with a filing number, which the unit then shows. Also the unit tabs (MLPS, CII, assets, ranges).
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { useFanghu, shot, fieldError, pickOption, pickDate, complianceTenants, apiUnit } from './lib.mjs'

const PASSWORD = 'Units-Test-Pass-2026'
const UNIT = '海峡云数据中心 IDC'
const NUMBER = '闽-2026-0001'

describe('网络单元与定级备案', () => {
  const env = useFanghu({ before, after, afterEach }, { admin: true })
  const t = {}
  let unitId = ''

  before(async () => {
    Object.assign(t, await complianceTenants(env.admin, PASSWORD))
  })

  it('an operator registers, grades and submits a unit (missing fields listed first)', async () => {
    const page = await env.loggedIn('opuser', PASSWORD)
    await page.goto(`${env.server.url}/units`)
    await page.getByText('暂无网络单元').waitFor()
    await page.locator('[data-test="unit-create"]').click()
    const dialog = page.locator('.el-dialog', { hasText: '登记网络单元' })
    await dialog.waitFor()
    // The operator's own organisation is preselected.
    assert.match(await dialog.locator('[data-test="unit-org"]').innerText(), /福建海峡数据科技有限公司/)
    await dialog.locator('[data-test="unit-name"]').fill(UNIT)
    await pickOption(page, dialog.locator('[data-test="unit-type"]'), '互联网')
    await dialog.locator('[data-test="unit-business_scope"]').fill('IDC')
    await dialog.locator('[data-test="unit-service_scope"]').fill('福建全省')
    await dialog.locator('[data-test="unit-user_types"]').fill('政企客户')
    // A network whose host bits are set is caught before the request.
    await dialog.locator('[data-test="unit-ip-ranges"]').fill('10.20.0.0/24\n10.30.0.1/24')
    await dialog.locator('[data-test="unit-save"]').click()
    await fieldError(dialog, 'IP 地址段').filter({ hasText: '应写作 10.30.0.0/24' }).waitFor()
    await shot(page, '60-unit-create-cidr')
    await dialog.locator('[data-test="unit-ip-ranges"]').fill('10.20.0.0/24\n10.30.0.0/24')
    await dialog.locator('[data-test="unit-save"]').click()
    await page.waitForURL(/\/units\/\d+$/)
    unitId = page.url().match(/\/units\/(\d+)/)[1]
    await page.locator('[data-test="unit-title"]', { hasText: UNIT }).waitFor()

    // 定级: k and the level follow the selectors live.
    await page.locator('.el-tabs__item', { hasText: '定级' }).click()
    const k = page.locator('[data-test="grade-k"]')
    const level = page.locator('[data-test="grade-level"]')
    await page.locator('[data-test="grade-i"]').getByText('4（高）').click()
    await page.locator('[data-test="grade-r"]').getByText('4（高）').click()
    await page.locator('[data-test="grade-v"]').getByText('4（高）').click()
    await k.filter({ hasText: /^4\.0$/ }).waitFor()
    assert.equal(await level.innerText(), '第4级')
    await page.locator('[data-test="grade-v"]').getByText('3（中）').click()
    await k.filter({ hasText: /^3\.7$/ }).waitFor()
    assert.equal(await level.innerText(), '第3级')
    // The annex-2 row of the level is highlighted.
    assert.match(await page.locator('[data-test="grade-bands"] .fh-band-current').innerText(), /2\.5 ≤ k < 4/)
    await page.locator('[data-test="grade-just_i"]').fill('服务全省政企客户，遭破坏影响社会秩序')
    await page.locator('[data-test="grade-just_r"]').fill('覆盖福建全省')
    await page.locator('[data-test="grade-just_v"]').fill('承载重要业务')
    await page.locator('[data-test="grade-save"]').click()
    await page.locator('[data-test="grade-history"] .el-table__row', { hasText: '4 / 4 / 3' }).waitFor()
    await page.locator('[data-test="unit-level"]', { hasText: '第3级' }).waitFor()
    // The filing deadline now shows at the top of the unit.
    await page.locator('[data-test="unit-deadline-filing"]').waitFor()
    await shot(page, '61-unit-grading')

    // 备案: the management and technical descriptions are missing.
    await page.locator('.el-tabs__item', { hasText: '备案' }).click()
    await page.locator('[data-test="filing-submit"]').click()
    let submit = page.locator('.el-dialog', { hasText: '提交定级备案' })
    await submit.locator('[data-test="filing-submit-confirm"]').click()
    const missing = page.locator('[data-test="filing-missing"]')
    await missing.waitFor()
    const missingText = await missing.innerText()
    assert.match(missingText, /管理情况/)
    assert.match(missingText, /技术情况/)
    assert.doesNotMatch(missingText, /业务\/应用范围/)
    await shot(page, '62-unit-filing-missing')

    await page.locator('.el-tabs__item', { hasText: '基本信息' }).click()
    await page.locator('[data-test="unit-management"]').fill('安全管理部统一负责，设专职安全员')
    await page.locator('[data-test="unit-technical"]').fill('双核心交换，出口部署防火墙和抗 DDoS 设备')
    await page.locator('[data-test="unit-basic-save"]').click()
    await page.locator('.el-message--success', { hasText: '已保存' }).waitFor()

    await page.locator('.el-tabs__item', { hasText: '备案' }).click()
    await page.locator('[data-test="filing-submit"]').click()
    submit = page.locator('.el-dialog', { hasText: '提交定级备案' })
    await submit.locator('[data-test="filing-comment"]').fill('首次定级备案')
    await submit.locator('[data-test="filing-submit-confirm"]').click()
    await page.locator('[data-test="unit-filing-status"]', { hasText: '待审核' }).waitFor()
    await page.locator('[data-test="filing-timeline"]', { hasText: '首次定级备案' }).waitFor()
    await shot(page, '63-unit-submitted')
  })

  it('the regulator returns the filing with a reason on a field', async () => {
    const page = await env.loggedIn('reguser', PASSWORD)
    await page.locator('[data-test="menu-filing"]').click()
    const row = page.locator('[data-test="filing-inbox"] .el-table__row', { hasText: UNIT })
    await row.waitFor()
    assert.match(await row.innerText(), /0 天/)
    assert.match(await row.innerText(), /福建海峡数据科技有限公司/)
    await shot(page, '64-filing-inbox')
    await row.locator('a', { hasText: UNIT }).click()
    const snapshot = page.locator('[data-test="review-snapshot"]')
    await snapshot.getByText('I = 4，R = 4，V = 3 → k = 3.7，第3级').waitFor()
    await page.locator('[data-test="review-pick-business_scope"]').click()
    await page.locator('[data-test="review-reason-business_scope"]').fill('业务范围过于简略，请写明托管、带宽和云主机业务')
    await shot(page, '65-filing-review')
    await page.locator('[data-test="review-return"]').click()
    const dialog = page.locator('.el-dialog', { hasText: '退回补正' })
    await dialog.getByText('业务范围过于简略').waitFor()
    await dialog.locator('[data-test="return-confirm"]').click()
    await page.waitForURL(/\/filings$/)
    await page.getByText('没有待审核的备案').waitFor()
  })

  it('the operator sees the reason, corrects and resubmits', async () => {
    const page = await env.loggedIn('opuser', PASSWORD)
    await page.goto(`${env.server.url}/units/${unitId}`)
    await page.locator('[data-test="unit-filing-status"]', { hasText: '退回补正' }).waitFor()
    await page.locator('[data-test="unit-deadline-correction"]').waitFor()
    // The reason sits under the field it names.
    const field = page.locator('.el-form-item', { has: page.locator('[data-test="unit-business_scope"]') })
    await field.locator('[data-test="return-reason"]', { hasText: '业务范围过于简略' }).waitFor()
    await shot(page, '66-unit-returned')
    await page.locator('[data-test="unit-business_scope"]').fill('IDC 机柜托管、互联网带宽接入和云主机业务')
    await page.locator('[data-test="unit-basic-save"]').click()
    await page.locator('.el-message--success', { hasText: '已保存' }).waitFor()

    await page.locator('.el-tabs__item', { hasText: '备案' }).click()
    await page.locator('[data-test="filing-reasons"]', { hasText: '业务/应用范围' }).waitFor()
    await page.locator('[data-test="filing-submit"]', { hasText: '补正后重新提交' }).click()
    const submit = page.locator('.el-dialog', { hasText: '提交定级备案' })
    await submit.locator('[data-test="filing-submit-confirm"]').click()
    await page.locator('[data-test="unit-filing-status"]', { hasText: '待审核' }).waitFor()
  })

  it('the regulator approves with a filing number, which the unit shows', async () => {
    const reg = await env.loggedIn('reguser', PASSWORD)
    await reg.goto(`${env.server.url}/filings`)
    await reg.locator('[data-test="filing-inbox"] .el-table__row', { hasText: UNIT }).locator('a').click()
    await reg.locator('[data-test="review-snapshot"]').getByText('IDC 机柜托管、互联网带宽接入和云主机业务').waitFor()
    await reg.locator('[data-test="review-approve"]').click()
    const dialog = reg.locator('.el-dialog', { hasText: '审核通过' })
    await dialog.locator('[data-test="approve-number"]').fill(NUMBER)
    await dialog.locator('[data-test="approve-confirm"]').click()
    await reg.waitForURL(/\/filings$/)

    const page = await env.loggedIn('opuser', PASSWORD)
    await page.goto(`${env.server.url}/units/${unitId}?tab=filing`)
    await page.locator('[data-test="unit-filing-number"]', { hasText: NUMBER }).waitFor()
    await page.locator('[data-test="unit-filing-status"]', { hasText: '已备案' }).waitFor()
    assert.equal(await page.locator('[data-test="filing-number"]').innerText(), NUMBER)
    // The timeline holds both submissions: the returned one and the approved one.
    const timeline = await page.locator('[data-test="filing-timeline"]').innerText()
    assert.match(timeline, /已退回/)
    assert.match(timeline, /已通过/)
    // The next duty: the yearly 符合性评测 of a 第3级 unit.
    await page.locator('[data-test="unit-deadline-assessment"]').waitFor()
    await shot(page, '67-unit-filed')

    // The list shows the number too, and filters by filing status.
    await page.goto(`${env.server.url}/units`)
    const row = page.locator('[data-test="unit-table"] .el-table__row', { hasText: UNIT })
    await row.waitFor()
    assert.match(await row.innerText(), new RegExp(NUMBER))
    await pickOption(page, page.locator('[data-test="unit-filter-filing"]'), '退回补正')
    await page.getByText('没有符合条件的网络单元').waitFor()
  })

  it('keeps MLPS, CII, assets and IP ranges (overlaps flagged)', async () => {
    // Another operator declares a range overlapping ours.
    const { usccCheckChar } = await import('../../web/src/uscc.js')
    const other = await env.admin.call('POST', '/orgs', { name: '福州云网科技有限公司', kind: 'vas', uscc: `91350100MA0000007${usccCheckChar('91350100MA0000007')}`, province: '35' })
    await apiUnit(env.admin, other.id, { name: '云网骨干', ip_ranges: ['10.20.0.0/16'] }, null)

    const page = await env.loggedIn('opuser', PASSWORD)
    await page.goto(`${env.server.url}/units/${unitId}?tab=ranges`)
    await page.locator('[data-test="range-conflicts"]').waitFor()
    const conflictRow = page.locator('[data-test="range-table"] .el-table__row', { hasText: '10.20.0.0/24' })
    // The overlapping range is flagged, but whose it is stays hidden: that organisation is
    // outside this operator's scope.
    const conflictText = await conflictRow.innerText()
    assert.match(conflictText, /10\.20\.0\.0\/16/)
    assert.match(conflictText, /其他单位的地址段/)
    assert.doesNotMatch(conflictText, /福州云网科技有限公司/)
    assert.match(await page.locator('[data-test="range-table"] .el-table__row', { hasText: '10.30.0.0/24' }).innerText(), /无重叠/)
    await page.locator('[data-test="unit-warning-range_overlap"]').waitFor()
    await shot(page, '68-unit-ranges')

    // The unit goes online: an operating-status change is not a change of filed information.
    await page.locator('.el-tabs__item', { hasText: '基本信息' }).click()
    await page.locator('[data-test="unit-status"]').getByText('在网运行').click()
    await page.locator('[data-test="unit-basic-save"]').click()
    await page.locator('.el-message--success', { hasText: '已保存' }).waitFor()
    assert.equal(await page.locator('[data-test="unit-filing-status"]').innerText(), '已备案')

    // 等级保护: 社会秩序 严重损害 → 第3级 on the information side; the R2 warnings show.
    await page.locator('.el-tabs__item', { hasText: '等级保护' }).click()
    await page.locator('[data-test="mlps-info-order-serious"]').click()
    await page.locator('[data-test="mlps-service-rights-serious"]').click()
    assert.equal((await page.locator('[data-test="mlps-info-level"]').innerText()).trim(), '第3级')
    assert.equal((await page.locator('[data-test="mlps-service-level"]').innerText()).trim(), '第2级')
    await page.locator('[data-test="mlps-result"]', { hasText: '第3级' }).waitFor()
    await page.locator('[data-test="mlps-save"]').click()
    // An online 第三级 system without a passed 等级测评 is warned about (R2).
    await page.locator('[data-test="mlps-warning-mlps_unassessed_online"]').waitFor()
    await page.locator('[data-test="mlps-warning-crypto_assessment"]').waitFor()
    await page.locator('[data-test="unit-deadline-mlps_police_filing"]').waitFor()
    await shot(page, '69-unit-mlps')

    // 关键信息基础设施: the authority is required with the flag.
    await page.locator('.el-tabs__item', { hasText: '关键信息基础设施' }).click()
    await page.locator('[data-test="cii-flag"]').click()
    await page.locator('[data-test="cii-save"]').click()
    await fieldError(page.locator('.el-tab-pane:visible'), '认定部门').filter({ hasText: '认定部门' }).waitFor()
    await page.locator('[data-test="cii-authority"]').fill('工业和信息化部')
    await pickDate(page, page.locator('input[name="cii-date"]'), '2026-10-01')
    await page.locator('[data-test="cii-save"]').click()
    await page.locator('.el-tag', { hasText: '关键信息基础设施' }).first().waitFor()

    // 资产: add one, delete it.
    await page.locator('.el-tabs__item', { hasText: '资产' }).click()
    await page.locator('[data-test="asset-add"]').click()
    const dialog = page.locator('.el-dialog', { hasText: '添加资产' })
    await dialog.locator('[data-test="asset-name"]').fill('核心交换机 A')
    await pickOption(page, dialog.locator('[data-test="asset-kind"]'), '交换机')
    await dialog.locator('[data-test="asset-save"]').click()
    const assetRow = page.locator('[data-test="asset-table"] .el-table__row', { hasText: '核心交换机 A' })
    await assetRow.waitFor()
    await page.locator('.el-tabs__item', { hasText: '资产（1）' }).waitFor()
    await assetRow.getByRole('button', { name: '删除' }).click()
    await page.locator('.el-message-box').getByRole('button', { name: '删除' }).click()
    await assetRow.waitFor({ state: 'detached' })
  })
})
