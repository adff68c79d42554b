// Wording and colours of the compliance pages: levels, filing and duty states, unit fields, the R1
// grading table and the R2 harm matrix. Codes are the server's; names mirror its *_name fields.

/** R1 (seed 000 附件2): k bands and levels, as the server's rule set states them. */
export const GRADE_BANDS = [
  { level: 1, range: '1 ≤ k < 1.5', s: 'S ≤ 8' },
  { level: 2, range: '1.5 ≤ k < 2.5', s: '10 ≤ S ≤ 16' },
  { level: 3, range: '2.5 ≤ k < 4', s: '18 ≤ S ≤ 46' },
  { level: 4, range: '4 ≤ k < 4.5', s: '48 ≤ S ≤ 64' },
  { level: 5, range: '4.5 ≤ k ≤ 5', s: 'S ≥ 66' },
]

/** The three grading factors (R1) with what each value means. */
export const GRADE_FACTORS = [
  { key: 'i', just: 'just_i', name: '社会影响力', symbol: 'I', hint: '网络单元遭到破坏后对国家安全、经济运行、社会秩序、公众利益的影响程度' },
  { key: 'r', just: 'just_r', name: '规模和服务范围', symbol: 'R', hint: '网络单元的规模、服务地域范围和用户数量' },
  { key: 'v', just: 'just_v', name: '所提供服务的重要性', symbol: 'V', hint: '网络单元所提供服务对用户和社会的重要程度' },
]

export const GRADE_VALUES = [
  { value: 1, name: '1（很低）' },
  { value: 2, name: '2（低）' },
  { value: 3, name: '3（中）' },
  { value: 4, name: '4（高）' },
  { value: 5, name: '5（很高）' },
]

export function levelName(level) {
  return Number.isInteger(level) && level > 0 ? `第${level}级` : '未定级'
}

/** Tag colour of a level: higher is hotter. */
export function levelTagType(level) {
  if (!level) return 'info'
  if (level >= 4) return 'danger'
  if (level === 3) return 'warning'
  return 'primary'
}

export const UNIT_STATUS = [
  { code: 'planned', name: '规划建设' },
  { code: 'online', name: '在网运行' },
  { code: 'retired', name: '已注销' },
]

export const FILING_STATUS = [
  { code: 'draft', name: '未备案', type: 'info' },
  { code: 'submitted', name: '待审核', type: 'warning' },
  { code: 'returned', name: '退回补正', type: 'danger' },
  { code: 'filed', name: '已备案', type: 'success' },
  { code: 'change_pending', name: '待变更备案', type: 'warning' },
  { code: 'retired', name: '已注销', type: 'info' },
]

export function filingStatus(code) {
  return FILING_STATUS.find((s) => s.code === code) || { code, name: code || '—', type: 'info' }
}

/** A submission's status (filings table). */
export const SUBMISSION_STATUS = {
  submitted: { name: '待审核', type: 'warning' },
  approved: { name: '已通过', type: 'success' },
  returned: { name: '已退回', type: 'danger' },
}

/** Duty and deadline states: overdue red, due soon orange, upcoming grey, done green. */
export const DUTY_STATES = [
  { code: 'overdue', name: '已逾期', type: 'danger' },
  { code: 'due_soon', name: '30 日内到期', type: 'warning' },
  { code: 'upcoming', name: '未到期', type: 'info' },
  { code: 'done', name: '已完成', type: 'success' },
]

export function dutyState(code) {
  return DUTY_STATES.find((s) => s.code === code) || { code, name: code, type: 'info' }
}

export const DUTY_KINDS = [
  { code: 'filing', name: '定级备案' },
  { code: 'change_filing', name: '变更备案' },
  { code: 'correction', name: '备案退回补正' },
  { code: 'assessment', name: '符合性评测' },
  { code: 'reassessment', name: '调整后重新评测' },
  { code: 'assessment_submit', name: '报送评测结果' },
  { code: 'risk_assessment', name: '安全风险评估' },
  { code: 'risk_submit', name: '报送风险评估结果' },
  { code: 'annual_report', name: '年度安全防护工作报告' },
  { code: 'campaign', name: '专项工作' },
  { code: 'mlps_police_filing', name: '等级保护公安机关备案' },
  { code: 'incident_report', name: '网络安全事件报告' },
  { code: 'incident_cac_report', name: '向网信部门报告事件' },
  { code: 'incident_summary', name: '事件总结报告' },
  { code: 'drill_rectification', name: '演练问题整改' },
  { code: 'notice', name: '威胁通报处置' },
  { code: 'inspection', name: '网络安全检查' },
]

export function dutyKindName(code) {
  return DUTY_KINDS.find((k) => k.code === code)?.name || code
}

/** Fields of a unit as a filing snapshot holds them, with their Chinese labels (for review
 * reasons and the "missing fields" error). */
export const UNIT_FIELDS = [
  { key: 'name', name: '名称' },
  { key: 'unit_type', name: '网络单元类型' },
  { key: 'business_scope', name: '业务/应用范围' },
  { key: 'service_scope', name: '服务范围' },
  { key: 'user_types', name: '用户类型' },
  { key: 'management', name: '管理情况' },
  { key: 'technical', name: '技术情况' },
  { key: 'boundary', name: '网络边界' },
  { key: 'device_count', name: '设备数量' },
  { key: 'online_date', name: '上线日期' },
  { key: 'status', name: '运行状态' },
  { key: 'ip_ranges', name: 'IP 地址段' },
  { key: 'grading', name: '安全等级（定级）' },
  { key: 'assets', name: '资产' },
  { key: 'cii', name: '关键信息基础设施' },
  { key: 'mlps', name: '等级保护' },
]

export function unitFieldName(key) {
  return UNIT_FIELDS.find((f) => f.key === key)?.name || key
}

/** R2 (GB/T 22240-2020): objects harmed × degree of harm → level. */
export const MLPS_OBJECTS = [
  { code: 'rights', name: '公民、法人和其他组织的合法权益' },
  { code: 'order', name: '社会秩序、公共利益' },
  { code: 'nation', name: '国家安全' },
]
export const MLPS_DEGREES = [
  { code: 'general', name: '一般损害' },
  { code: 'serious', name: '严重损害' },
  { code: 'grave', name: '特别严重损害' },
]
export const MLPS_TABLE = {
  rights: { general: 1, serious: 2, grave: 2 },
  order: { general: 2, serious: 3, grave: 4 },
  nation: { general: 3, serious: 4, grave: 5 },
}

/** The level of one side from its harms ["order:serious", …]: the highest cell (0: none). */
export function mlpsSideLevel(harms) {
  let level = 0
  for (const h of harms || []) {
    const [o, d] = String(h).split(':')
    level = Math.max(level, MLPS_TABLE[o]?.[d] || 0)
  }
  return level
}

/** Risk levels (R7) 1..5 with their colours: 很低 … 很高. */
export const RISK_LEVELS = [
  { level: 1, name: '很低', color: '#67c23a', type: 'success', range: '1–5' },
  { level: 2, name: '低', color: '#95d475', type: 'success', range: '6–10' },
  { level: 3, name: '中', color: '#e6a23c', type: 'warning', range: '11–15' },
  { level: 4, name: '高', color: '#f56c6c', type: 'danger', range: '16–20' },
  { level: 5, name: '很高', color: '#c45656', type: 'danger', range: '21–25' },
]

export function riskLevel(level) {
  return RISK_LEVELS.find((l) => l.level === level) || { level, name: '—', color: '#909399', type: 'info' }
}

/** Days between today (Beijing) and a YYYY-MM-DD date: negative when past. */
export function daysUntil(date, today) {
  if (!date) return null
  const a = Date.parse(`${String(date).slice(0, 10)}T00:00:00Z`)
  const b = Date.parse(`${today}T00:00:00Z`)
  if (Number.isNaN(a) || Number.isNaN(b)) return null
  return Math.round((a - b) / 86400000)
}

/** "还剩 3 天" / "今天到期" / "已逾期 2 天". */
export function daysText(days) {
  if (days === null || days === undefined) return ''
  if (days > 0) return `还剩 ${days} 天`
  if (days === 0) return '今天到期'
  return `已逾期 ${-days} 天`
}
