// 批量导入: a file with bad rows shows the row-by-row error table and imports nothing; a good file
// imports every row; the template downloads; the unit list exports to XLSX with its filters.
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { useFanghu, shot, pickOption, complianceTenants } from './lib.mjs'

const PASSWORD = 'Import-Test-Pass-2026'
const HEAD = '所属单位统一社会信用代码,网络单元名称,网络单元类型,业务/应用范围,服务范围,用户类型,管理情况,技术情况,IP地址段,运行状态,社会影响力I,规模和服务范围R,服务重要性V,I赋值理由,R赋值理由,V赋值理由'
const row = (name, type = '互联网', ranges = '10.40.0.0/24', grade = '3,3,3,影响一般,全省,重要') =>
  `91350100M000100Y43,${name},${type},IDC,全省,企业,有,有,${ranges},在网运行,${grade}`
const csv = (...rows) => Buffer.from(`${HEAD}\n${rows.join('\n')}\n`)

describe('批量导入', () => {
  const env = useFanghu({ before, after, afterEach }, { admin: true })
  const t = {}

  before(async () => {
    Object.assign(t, await complianceTenants(env.admin, PASSWORD))
  })

  it('refuses a file with a bad row, listing every error, and imports nothing', async () => {
    const page = await env.loggedIn('opuser', PASSWORD)
    await page.goto(`${env.server.url}/units`)
    await page.locator('[data-test="unit-import-link"]').click()
    await page.waitForURL(/\/units\/import$/)
    // The template downloads as XLSX.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="import-template"]').click()])
    assert.match(download.suggestedFilename(), /导入模板\.xlsx$/)

    const bad = csv(row('导入测试单元甲'), row('导入测试单元乙', '不存在的类型', '10.41.0.1/24'), row('导入测试单元丙', '互联网', '10.42.0.0/24', '6,3,3,过高,全省,重要'))
    await page.locator('[data-test="import-upload"] input[type="file"]').setInputFiles({ name: '网络单元.csv', mimeType: 'text/csv', buffer: bad })
    await page.locator('[data-test="import-file"]', { hasText: '网络单元.csv' }).waitFor()
    await page.locator('[data-test="import-submit"]').click()
    const table = page.locator('[data-test="row-error-table"]')
    await table.waitFor()
    const rows = table.locator('.el-table__body .el-table__row')
    await rows.first().waitFor()
    const text = await table.innerText()
    assert.match(text, /未知的网络单元类型：不存在的类型/)
    assert.match(text, /网络单元类型/)
    assert.match(text, /主机位不为零/)
    assert.match(text, /社会影响力I/)
    const lines = (await rows.allInnerTexts()).map((r) => r.trim().split(/\s+/)[0])
    assert.deepEqual([...new Set(lines)].sort(), ['3', '4'], `errors on lines 3 and 4: ${lines}`)
    await page.locator('[data-test="row-errors"]', { hasText: '未导入任何数据' }).waitFor()
    await shot(page, '70-import-errors')
    const units = await t.op.call('GET', '/units')
    assert.equal(units.total, 0, 'nothing imported')
  })

  it('imports a good file and counts the rows', async () => {
    const page = await env.loggedIn('opuser', PASSWORD)
    await page.goto(`${env.server.url}/units/import`)
    const good = csv(row('导入测试单元甲'), row('导入测试单元乙', 'IP承载网', '10.41.0.0/24', ',,,,,'))
    await page.locator('[data-test="import-upload"] input[type="file"]').setInputFiles({ name: 'units-good.csv', mimeType: 'text/csv', buffer: good })
    await page.locator('[data-test="import-submit"]').click()
    await page.locator('[data-test="import-success"]', { hasText: '已导入 2 个网络单元' }).waitFor()
    await shot(page, '71-import-done')
    await page.getByRole('button', { name: '查看网络单元' }).click()
    const table = page.locator('[data-test="unit-table"]')
    await table.locator('.el-table__row', { hasText: '导入测试单元甲' }).waitFor()
    assert.match(await table.locator('.el-table__row', { hasText: '导入测试单元甲' }).innerText(), /第3级/)
    assert.match(await table.locator('.el-table__row', { hasText: '导入测试单元乙' }).innerText(), /未定级/)

    // Filters and sort, then the export with the same filters.
    await pickOption(page, page.locator('[data-test="unit-filter-level"]'), '第3级')
    await table.locator('.el-table__row', { hasText: '导入测试单元乙' }).waitFor({ state: 'detached' })
    // The list's own route with ?format=xlsx (GET /units?level=3&format=xlsx), saved under the server's file name.
    const [download, request] = await Promise.all([
      page.waitForEvent('download'),
      page.waitForRequest((req) => /\/api\/v1\/units\?/.test(req.url()) && req.url().includes('format=xlsx')),
      page.locator('[data-test="unit-export"]').click(),
    ])
    assert.match(download.suggestedFilename(), /^网络单元-\d{4}-\d{2}-\d{2}\.xlsx$/)
    assert.match(request.url(), /level=3/)
    await shot(page, '72-units-filtered')
  })
})
