// 威胁监测: the sample EVE file is ingested through POST /api/v1/events with an events:write token
// created in the test; the threats land on the organisation owning the addresses (its unit's IP
// ranges); the regulator issues a notice (same-indicator preview), the operator acknowledges and
// answers it, the regulator sends it back once and then verifies and closes it.
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { useFanghu, shot, complianceTenants, apiUnit } from './lib.mjs'

const PASSWORD = 'Threats-Test-Pass-2026'
const SAMPLE = '/work/shared/data/samples/suricata-verify-eve-sample.json'
const OPERATOR = '福建海峡数据科技有限公司'

describe('威胁监测', () => {
  const env = useFanghu({ before, after, afterEach }, { admin: true })
  const t = {}

  before(async () => {
    Object.assign(t, await complianceTenants(env.admin, PASSWORD))
    t.unit = await apiUnit(t.op, t.operator.id, { name: '海峡 IDC 机房', ip_ranges: ['172.31.222.0/24', '1.2.3.0/24'] })
    const token = await t.op.call('POST', '/tokens', { name: '边界探针', scope: 'events:write' })
    const res = await fetch(`${env.server.url}/api/v1/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token.token}`, 'Content-Type': 'application/x-ndjson' },
      body: fs.readFileSync(SAMPLE),
    })
    t.ingest = await res.json()
    assert.equal(res.status, 200, JSON.stringify(t.ingest))
    assert.ok(t.ingest.threats > 0)
  })

  it('a threat on the right organisation: notice issued, answered, sent back, verified', async () => {
    const reg = await env.loggedIn('reguser', PASSWORD)
    await reg.locator('[data-test="menu-threats"]').click()
    const row = reg.locator('[data-test="threat-table"] .el-table__row', { hasText: '172.31.222.155' })
    await row.waitFor()
    assert.match(await row.innerText(), new RegExp(OPERATOR))
    assert.match(await row.innerText(), /海峡 IDC 机房/)
    await shot(reg, '110-threats')
    await row.locator('a').click()
    await reg.waitForURL(/\/threats\/\d+$/)
    await reg.locator('[data-test="threat-events"] .el-table__row').first().waitFor()
    assert.match(await reg.locator('[data-test="threat-events"]').innerText(), /172\.31\.222\.155/)

    await reg.locator('[data-test="notice-issue"]').click()
    const dialog = reg.locator('.el-dialog', { hasText: '下发处置通报' })
    await dialog.locator('[data-test="notice-preview"]').getByText('没有其他单位涉及该指标').waitFor()
    await shot(reg, '111-notice-issue')
    await dialog.locator('[data-test="notice-save"]').click()
    await reg.waitForURL(/\/notices\/\d+$/)
    const noticeUrl = reg.url()
    await reg.locator('[data-test^="recipient-status-"]', { hasText: '已通报待确认' }).waitFor()

    const op = await env.loggedIn('opuser', PASSWORD)
    await op.locator('[data-test="menu-threats"]').click()
    await op.locator('[data-test="threat-tabs"]').getByText('处置通报').click()
    await op.locator('[data-test="notice-table"] .el-table__row a').first().click()
    await op.locator('[data-test="notice-ack"]').click()
    await op.locator('[data-test^="recipient-status-"]', { hasText: '已确认处置中' }).waitFor()
    await op.locator('[data-test="notice-feedback"]').click()
    const fb = op.locator('.el-dialog', { hasText: '反馈处置结果' })
    await fb.locator('[data-test="feedback-measures"]').fill('已封禁相关端口并清查主机')
    await fb.locator('[data-test="feedback-result"]').fill('威胁已消除')
    await fb.locator('[data-test="feedback-save"]').click()
    await op.locator('[data-test^="recipient-status-"]', { hasText: '已反馈待核验' }).waitFor()
    await shot(op, '112-notice-feedback')

    // Sent back once with a reason, answered again, then verified and closed.
    await reg.goto(noticeUrl)
    await reg.locator('[data-test="notice-reopen"]').click()
    const vd = reg.locator('.el-dialog', { hasText: '退回重新处置' })
    await vd.locator('[data-test="verify-text"]').fill('请补充主机清查报告')
    await vd.locator('[data-test="verify-save"]').click()
    await reg.locator('[data-test^="recipient-status-"]', { hasText: '已确认处置中' }).waitFor()

    await op.reload()
    await op.locator('[data-test="notice-feedback"]').click()
    await fb.locator('[data-test="feedback-measures"]').fill('补充清查 12 台主机')
    await fb.locator('[data-test="feedback-result"]').fill('均已清理')
    await fb.locator('[data-test="feedback-save"]').click()
    await op.locator('[data-test^="recipient-status-"]', { hasText: '已反馈待核验' }).waitFor()

    await reg.reload()
    await reg.locator('[data-test="notice-close"]').click()
    await reg.locator('.el-dialog', { hasText: '核验通过并关闭' }).locator('[data-test="verify-save"]').click()
    await reg.locator('[data-test^="recipient-status-"]', { hasText: '已核验关闭' }).waitFor()
    assert.match(await reg.locator('[data-test^="recipient-"]').first().innerText(), /第 2 轮反馈/)
    await shot(reg, '113-notice-closed')

    await reg.goto(`${env.server.url}/threats?tab=overdue`)
    await reg.getByText('没有逾期未整改的通报').waitFor()
  })
})
