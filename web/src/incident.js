// Wording of the 事件应急 pages: incident states, report kinds and methods, deadline states.
// Grades, categories, outage scopes and recipients come from GET /api/v1/incidents/rules.
import { api } from './api.js'

export const INCIDENT_STATUS = [
  { code: 'open', name: '待处置', type: 'danger' },
  { code: 'responding', name: '应急处置中', type: 'warning' },
  { code: 'closed', name: '已结束', type: 'success' },
]
export function incidentStatus(code) {
  return INCIDENT_STATUS.find((s) => s.code === code) || { code, name: code || '—', type: 'info' }
}

export const REPORT_KINDS = [
  { code: 'immediate', name: '事件报告' },
  { code: 'progress', name: '续报' },
  { code: 'summary', name: '总结报告' },
]
export const REPORT_METHODS = [
  { code: 'phone', name: '电话' },
  { code: 'email', name: '电子邮件' },
  { code: 'system', name: '系统报送' },
  { code: 'document', name: '书面公文' },
]

/** Deadline states of an incident's reporting duties. */
const DEADLINE_TYPES = { overdue: 'danger', pending: 'warning', waiting: 'info', done: 'success', done_late: 'warning', error: 'danger' }
export function deadlineType(state) {
  return DEADLINE_TYPES[state] || 'info'
}

/** Grade tag colours: 特别重大 and 重大 red, 较大 orange, 一般 blue. */
export function gradeTagType(code) {
  if (code === 'especially_major' || code === 'major') return 'danger'
  if (code === 'large') return 'warning'
  return 'primary'
}

let rulesPromise = null
/** GET /incidents/rules, once. */
export function loadIncidentRules() {
  rulesPromise ||= api.get('/incidents/rules').catch((e) => {
    rulesPromise = null
    throw e
  })
  return rulesPromise
}
