// 导出 XLSX on every list page: the button downloads a workbook named after the list whose header
// row carries every column the table shows (a composite column "单位 / 网络单元" as its parts), with
// one row per item of the list; a refused export shows the server's message instead of saving a
// file.
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { useFanghu, shot, ADMIN_PASSWORD, fetchBytes } from './lib.mjs'
import { readWorkbook } from '../api/xlsx-read.mjs'

// [console route, tab label or null, API list path, which of the tab's export buttons]
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
  ['/reports', '未报送单位', '/api/v1/annual-reports/missing'],
  ['/reports', '文件下载中心', '/api/v1/doc-catalogue', 0],
  ['/reports', '文件下载中心', '/api/v1/doc-templates', 1],
  ['/threats', '威胁', '/api/v1/threats'],
  ['/threats', '处置通报', '/api/v1/notices'],
  ['/exposure', null, '/api/v1/exposure/entries'],
  ['/iiot', '登记核验', '/api/v1/iiot/registrations'],
  ['/inspections', '检查工作', '/api/v1/inspect/campaigns'],
  ['/inspections', '自查', '/api/v1/inspect/self-inspections'],
  ['/inspections', '抽查', '/api/v1/inspect/spot-checks'],
  ['/inspections', '整改通知书', '/api/v1/inspect/notices'],
]

// Table columns whose workbook columns are named otherwise: a date range as its two ends, and the
// unit list's workbook, which keeps the import template's headers so that it reads back in.
const ALIASES = {
  起止日期: ['开始日期', '结束日期'],
  关基: ['关键信息基础设施'],
}

/** Whether the workbook's headers carry the table's column h: the same name, a name that says
 * more ("已等待（天）", "网络单元名称"), the parts of "a / b", or the aliases above. */
function carried(h, headers) {
  const one = (x) => headers.some((w) => w === x || w.startsWith(x) || w.endsWith(x))
  if (one(h)) return true
  if (ALIASES[h]) return ALIASES[h].every((x) => headers.includes(x))
  const parts = h.split(/\s*\/\s*/)
  return parts.length > 1 && parts.every(one)
}

const within = (cls) => `xpath=ancestor::div[contains(concat(" ", @class, " "), " ${cls} ")][1]`

/** The header texts of the table the button belongs to: its card's, else its tab pane's, else
 * the page's first. */
async function tableHeaders(page, button) {
  let scope = page.locator('.fh-page')
  for (const cls of ['el-tab-pane', 'el-card']) {
    const up = button.locator(within(cls))
    if ((await up.count()) && (await up.locator('.el-table__header-wrapper:visible').count())) scope = up
  }
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
    for (const [route, tab, path, nth = 0] of PAGES) {
      const entry = catalogue.find((e) => e.path === path)
      assert.ok(entry, `${path} is exported`)
      await page.goto(env.server.url + route)
      if (tab) await page.locator('.el-tabs__item', { hasText: tab }).first().click()
      // (the unit list's button keeps the data-test its older tests use)
      const button = page.locator('[data-test="list-export"]:visible, [data-test="unit-export"]:visible').nth(nth)
      await button.waitFor({ timeout: 10000 }).catch(async () => {
        await shot(page, '96-export-missing')
        throw new Error(`${route}${tab ? ` (${tab})` : ''}: no visible export button`)
      })
      const shown = await tableHeaders(page, button)
      const [download] = await Promise.all([page.waitForEvent('download'), button.click()])
      const name = download.suggestedFilename()
      assert.match(name, new RegExp(`^${entry.title}(-\\d{4}-\\d{2}-\\d{2})?\\.xlsx$`), `${path}: file name`)
      const [sheet] = readWorkbook(await fetchBytes(await download.path()))
      const headers = sheet.rows[0]
      if (!entry.streamed) assert.deepEqual(headers, entry.columns.map((c) => c.header), `${path}: the declared columns`)
      for (const h of shown) {
        if (!carried(h, headers)) missing.push(`${route}${tab ? ` (${tab})` : ''}: "${h}" not in [${headers.join(', ')}]`)
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
