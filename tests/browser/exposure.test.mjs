// 暴露面: an operator declares an office exit, imports a refused file (row errors on the page),
// uploads an nmap scan and reconciles it (the declared exit seen with its open service), exports XLSX.
import { describe, it, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { useFanghu, shot, complianceTenants, fetchBytes } from './lib.mjs'

const PASSWORD = 'Exposure-Test-Pass-2026'
const NMAP = `<?xml version="1.0"?>
<nmaprun scanner="nmap" start="1763700000" args="nmap -oX scan.xml 203.0.113.0/24" version="7.94">
<host><status state="up"/><address addr="203.0.113.10" addrtype="ipv4"/><ports><port protocol="tcp" portid="443"><state state="open"/><service name="https"/></port></ports></host>
<host><status state="up"/><address addr="203.0.113.99" addrtype="ipv4"/><ports><port protocol="tcp" portid="22"><state state="open"/><service name="ssh"/></port></ports></host>
</nmaprun>`

describe('暴露面', () => {
  const env = useFanghu({ before, after, afterEach }, { admin: true })
  const t = {}
  before(async () => {
    Object.assign(t, await complianceTenants(env.admin, PASSWORD))
  })

  it('declares an exit, shows import row errors, reconciles an nmap scan and exports XLSX', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-exposure-'))
    const page = await env.loggedIn('opuser', PASSWORD)
    await page.locator('[data-test="menu-exposure"]').click()
    await page.getByText('该清单暂无条目').first().waitFor()
    await page.locator('[data-test="exposure-create-office"]').click()
    const dialog = page.locator('.el-dialog', { hasText: '新增条目' })
    await dialog.locator('[data-test="exposure-owner"]').fill('信息技术部')
    await dialog.locator('[data-test="exposure-asset_name"]').fill('总部出口防火墙')
    await dialog.locator('[data-test="exposure-ip"]').fill('203.0.113.10')
    await dialog.locator('[data-test="exposure-save"]').click()
    await page.locator('[data-test="exposure-table-office"] .el-table__row', { hasText: '总部出口防火墙' }).waitFor()

    // A file without the template's columns is refused row by row.
    const bad = path.join(dir, 'bad.csv')
    fs.writeFileSync(bad, '序号,责任主体,资产名称,资产类型,IP地址,软件类型、版本,用途描述,可访问的网络和系统,其他\n1,信息部,,防火墙,999.1.1.1,,,,\n')
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.locator('[data-test="exposure-import-office"]').click()])
    await chooser.setFiles(bad)
    await page.locator('[data-test="row-error-table"]').waitFor()
    await shot(page, '100-exposure-import-errors')

    const xml = path.join(dir, 'scan.xml')
    fs.writeFileSync(xml, NMAP)
    await page.locator('[data-test="exposure-tabs"]').getByText('扫描核对').click()
    const [c2] = await Promise.all([page.waitForEvent('filechooser'), page.locator('[data-test="scan-upload"]').click()])
    await c2.setFiles(xml)
    const recon = page.locator('[data-test="scan-reconciliation"]')
    await recon.getByText('已申报且发现（1）').waitFor()
    await recon.getByText('已申报且发现（1）').click()
    await recon.getByText('443/tcp https').waitFor()
    await shot(page, '101-exposure-reconciliation')

    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="exposure-export"]').click()])
    assert.equal((await fetchBytes(await dl.path())).subarray(0, 2).toString(), 'PK')
    fs.rmSync(dir, { recursive: true, force: true })
  })
})
