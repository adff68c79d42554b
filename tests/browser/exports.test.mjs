// 导出 XLSX on every list page: the button downloads a workbook named after the list whose header
// row carries every column the table shows (a composite column "单位 / 网络单元" as its parts), with
// one row per item of the list; a refused export shows the server's message instead of saving a
// file.
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { useFanghu, shot, ADMIN_PASSWORD, fetchBytes } from './lib.mjs'
import { readWorkbook } from '../api/xlsx-read.mjs'

// [console route, tab label or null, API list path]
const PAGES = [
  ['/orgs', null, '/api/v1/orgs'],
  ['/users', null, '/api/v1/users'],
  ['/tokens', null, '/api/v1/tokens'],
  ['/audit', null, '/api/v1/audit'],
  ['/units', null, '/api/v1/units'],
  ['/filings', null, '/api/v1/filings'],
  ['/assessments', null, '/api/v1/assessments'],
  ['/risk-assessments', null, '/api/v1/risk-assessments'],
  ['/checklists', null, '/api/v1/checklists'],
  ['/duties', null, '/api/v1/duties'],
  ['/campaigns', null, '/api/v1/campaigns'],
  ['/reports', null, '/api/v1/annual-reports'],
  ['/incidents', '安全事件', '/api/v1/incidents'],
  ['/incidents', '应急预案', '/api/v1/emergency-plans'],
  ['/incidents', '应急演练', '/api/v1/drills'],
  ['/threats', null, '/api/v1/threats'],
  ['/exposure', null, '/api/v1/exposure/entries'],
  ['/iiot', '登记核验', '/api/v1/iiot/registrations'],
  ['/inspections', '检查工作', '/api/v1/inspect/campaigns'],
  ['/inspections', '自查', '/api/v1/inspect/self-inspections'],
  ['/inspections', '抽查', '/api/v1/inspect/spot-checks'],
]

/** The header texts of the table the button belongs to (its tab pane, else the page). */
async function tableHeaders(page, button) {
  const pane = button.locator('xpath=ancestor::div[contains(concat(" ", @class, " "), " el-tab-pane ")][1]')
  const scope = (await pane.count()) ? pane : page.locator('.fh-page')
  const head = scope.locator('.el-table__header-wrapper:visible').first()
  await head.waitFor()
  return (await head.locator('th .cell').allInnerTexts()).map((s) => s.trim()).filter((s) => s && s !== '操作')
}

describe('导出 XLSX', () => {
  const env = useFanghu({ before, after, afterEach }, { admin: true })
  let catalogue

  before(async () => {
    catalogue = (await env.admin.call('GET', '/exports')).items
  })

  it('every list page exports its table\'s columns', async () => {
    const page = await env.loggedIn('admin', ADMIN_PASSWORD)
    const missing = []
    for (const [route, tab, path] of PAGES) {
      const entry = catalogue.find((e) => e.path === path)
      assert.ok(entry, `${path} is exported`)
      await page.goto(env.server.url + route)
      if (tab) await page.locator('.el-tabs__item', { hasText: tab }).first().click()
      const button = page.locator('[data-test="list-export"]:visible').first()
      await button.waitFor()
      const shown = await tableHeaders(page, button)
      const [download] = await Promise.all([page.waitForEvent('download'), button.click()])
      const name = download.suggestedFilename()
      assert.match(name, new RegExp(`^${entry.title}(-\\d{4}-\\d{2}-\\d{2})?\\.xlsx$`), `${path}: file name`)
      const [sheet] = readWorkbook(await fetchBytes(await download.path()))
      const headers = sheet.rows[0]
      if (!entry.streamed) assert.deepEqual(headers, entry.columns.map((c) => c.header), `${path}: the declared columns`)
      for (const h of shown) {
        const parts = headers.includes(h) ? [h] : h.split(/\s*\/\s*/)
        if (!parts.every((p) => headers.includes(p))) missing.push(`${route}${tab ? ` (${tab})` : ''}: "${h}" not in [${headers.join(', ')}]`)
      }
    }
    assert.deepEqual(missing, [], 'every column of every table is in its export')
  })

  it('a refused export shows the reason and saves nothing', async () => {
    const page = await env.loggedIn('admin', ADMIN_PASSWORD)
    await page.goto(env.server.url + '/duties')
    const button = page.locator('[data-test="list-export"]:visible').first()
    await button.waitFor()
    // The server refuses a state the console would never send: the message is shown, no file.
    await page.route('**/api/v1/duties?*format=xlsx*', (r) => r.continue({ url: r.request().url().replace('format=xlsx', 'format=xlsx&state=nonsense') }))
    let saved = false
    page.on('download', () => { saved = true })
    await button.click()
    await page.locator('.el-message--error, .el-notification', { hasText: '状态' }).first().waitFor()
    assert.equal(saved, false)
    await shot(page, '96-export-refused')
  })
})
