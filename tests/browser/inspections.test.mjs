// 检查: a regulator organises a campaign, imports its checklist, draws the 双随机 spot checks from a
// recorded seed (shown, and re-run to the same result), scores the drawn organisation and issues a
// rectification notice; the organisation files its self-inspection and reports the rectification,
// which closes the notice.
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { useFanghu, shot, pickOption, pickDate, complianceTenants, todayBeijing, addDays } from './lib.mjs'

const PASSWORD = 'Inspect-Test-Pass-2026'
const SEED = '5eed0000000000000000000000000000000000000000000000000000000000aa'
const TITLE = '2026年电信和互联网行业网络安全检查'
const OPERATOR = '福建海峡数据科技有限公司'
const CHECKLIST = [
  'area,point,method,evidence,score,max score',
  '网络安全,边界访问控制,查看边界设备配置,配置截图,未配置访问控制策略扣 2 分,2',
  '主机安全,弱口令,远程检测,检测报告,发现一处扣 1 分,3',
].join('\r\n') + '\r\n'

describe('检查', () => {
  const env = useFanghu({ before, after, afterEach }, { admin: true })
  const t = {}
  before(async () => {
    Object.assign(t, await complianceTenants(env.admin, PASSWORD))
    for (const name of ['检查员甲', '检查员乙', '检查员丙']) await t.reg.call('POST', '/inspect/inspectors', { name, expertise: '网络安全检查' })
  })

  it('a campaign from the draw to a closed rectification notice', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-inspect-'))
    const reg = await env.loggedIn('reguser', PASSWORD)
    await reg.locator('[data-test="menu-inspections"]').click()
    await reg.getByText('暂无检查工作').waitFor()
    await reg.locator('[data-test="inspect-create"]').click()
    const dialog = reg.locator('.el-dialog', { hasText: '组织网络安全检查' })
    await dialog.locator('[data-test="inspect-title"]').fill(TITLE)
    await dialog.locator('[data-test="inspect-focus"]').fill('弱口令、中高危漏洞、用户个人信息保护')
    await dialog.locator('[data-test="inspect-kinds"]').click()
    await reg.locator('.el-select-dropdown__item:visible', { hasText: '增值电信企业' }).click()
    await dialog.locator('.el-dialog__title').click()
    await dialog.locator('[data-test="inspect-provinces"]').click()
    await reg.keyboard.type('福建')
    await reg.locator('.el-select-dropdown__item:visible', { hasText: '福建省' }).click()
    await dialog.locator('.el-dialog__title').click()
    await pickDate(reg, dialog.locator('input[name="inspect-self-due"]'), addDays(todayBeijing(), 30))
    await dialog.locator('[data-test="inspect-save"]').click()
    await reg.waitForURL(/\/inspections\/campaigns\/\d+$/)
    await reg.locator('[data-test="inspect-heading"]', { hasText: TITLE }).waitFor()

    const csv = path.join(dir, '检查要点.csv')
    fs.writeFileSync(csv, CHECKLIST)
    const [chooser] = await Promise.all([reg.waitForEvent('filechooser'), reg.locator('[data-test="checklist-upload"]').click()])
    await chooser.setFiles(csv)
    await reg.locator('[data-test="checklist-items"] .el-table__row', { hasText: '弱口令' }).waitFor()

    // The draw from a given seed: the seed is shown, and re-running it gives the recorded result.
    const form = reg.locator('[data-test="draw-form"]')
    await form.locator('.el-form-item', { hasText: '随机种子' }).locator('input').fill(SEED)
    await reg.locator('[data-test="draw-run"]').click()
    await reg.locator('[data-test="draw-seed"]', { hasText: SEED }).waitFor()
    assert.match(await reg.locator('[data-test="draw-result"]').innerText(), new RegExp(OPERATOR))
    await reg.locator('[data-test="draw-verify"]').click()
    await reg.locator('[data-test="draw-verify-result"]').getByText('重新运行结果与记录一致').waitFor()
    assert.match(await reg.locator('[data-test="draw-verify-result"]').innerText(), new RegExp(OPERATOR))
    await shot(reg, '120-inspect-draw')

    // The operator files its self-inspection meanwhile.
    const op = await env.loggedIn('opuser', PASSWORD)
    await op.locator('[data-test="menu-inspections"]').click()
    await op.locator('[data-test="inspect-tabs"]').getByRole('tab', { name: '自查', exact: true }).click()
    await op.locator('[data-test="self-table"] .el-table__row a').first().click()
    await pickOption(op, op.locator('[data-test="self-result-1"]'), '符合')
    await pickOption(op, op.locator('[data-test="self-result-2"]'), '不符合')
    await op.locator('[data-test="self-items"] .el-table__row').nth(1).locator('input').nth(1).fill('2 台网管设备使用弱口令')
    await op.locator('[data-test="self-summary"]').fill('按检查重点完成自查，发现问题 1 项，已整改。')
    await op.locator('[data-test="self-submit"]').click()
    await op.locator('[data-test="self-status"]', { hasText: '已报送' }).waitFor()

    // Scoring the drawn organisation.
    await reg.locator('[data-test="spot-table"] .el-table__row', { hasText: OPERATOR }).locator('a').click()
    await reg.waitForURL(/\/inspections\/spot-checks\/\d+$/)
    await reg.locator('[data-test="spot-score-1"] input').fill('2')
    await reg.locator('[data-test="spot-score-2"] input').fill('1.5')
    await reg.locator('[data-test="spot-items"] .el-table__row').nth(1).locator('.el-input:not(.el-input-number .el-input) input').last().fill('发现弱口令 1 处')
    await reg.locator('[data-test="spot-complete"]').click()
    await reg.locator('.el-message-box').getByRole('button', { name: '完成' }).click()
    await reg.locator('[data-test="spot-status"]', { hasText: '已评分' }).or(reg.locator('[data-test="spot-score"]', { hasText: '得分 3.5' })).first().waitFor()
    assert.match(await reg.locator('[data-test="spot-score"]').innerText(), /3\.5 \/ 5（70(\.00)?%）/)

    await reg.locator('[data-test="rect-notice-create"]').click()
    const nd = reg.locator('.el-dialog', { hasText: '下发整改通知书' })
    await nd.locator('[data-test="rect-problem-0"]').fill('网管设备存在弱口令')
    await nd.locator('[data-test="rect-notice-save"]').click()
    await reg.locator('[data-test="spot-notices"] .el-table__row', { hasText: '整改中' }).waitFor()
    await shot(reg, '121-inspect-scored')

    // The organisation reports the rectification, which closes the notice.
    await op.goto(`${env.server.url}/inspections?tab=notices`)
    await op.locator('[data-test="inspect-notice-table"] .el-table__row a').first().click()
    await op.locator('[data-test="rect-status"]', { hasText: '整改中' }).waitFor()
    await op.locator('[data-test="rect-rectification"]').fill('已修改全部弱口令')
    await op.locator('[data-test="rect-accountability"]').fill('对网络维护中心负责人通报批评')
    await op.locator('[data-test="rect-report"]').click()
    await op.locator('[data-test="rect-status"]', { hasText: '已整改关闭' }).waitFor()
    await shot(op, '122-inspect-notice-closed')

    await reg.reload()
    await reg.locator('[data-test="spot-notices"] .el-table__row', { hasText: '已整改关闭' }).waitFor()
    fs.rmSync(dir, { recursive: true, force: true })
  })
})
