// Wording of the 威胁监测 pages: the R8 categories (202号, data/threat-categories.json), severities
// and the notice states.

export const THREAT_CATEGORIES = [
  { code: 'c2', name: '木马/僵尸网络控制端' },
  { code: 'phishing', name: '钓鱼' },
  { code: 'malware', name: '恶意程序' },
  { code: 'vulnerability', name: '漏洞' },
  { code: 'weak_password', name: '弱口令' },
  { code: 'backdoor', name: '后门' },
  { code: 'compromised', name: '主机受控' },
  { code: 'data_leak', name: '数据泄露' },
  { code: 'defacement', name: '网页篡改' },
  { code: 'other', name: '其他' },
]

/** Suricata severities: 1 is the highest. */
export const SEVERITIES = [
  { value: 1, name: '高', type: 'danger' },
  { value: 2, name: '中', type: 'warning' },
  { value: 3, name: '低', type: 'info' },
]
export function severity(v) {
  return SEVERITIES.find((s) => s.value === v) || { value: v, name: v ? `级别 ${v}` : '—', type: 'info' }
}

export const NOTICE_STATUS = {
  issued: { name: '已通报待确认', type: 'danger' },
  acknowledged: { name: '已确认处置中', type: 'warning' },
  feedback_submitted: { name: '已反馈待核验', type: 'primary' },
  closed: { name: '已核验关闭', type: 'success' },
}
export function noticeStatus(code) {
  return NOTICE_STATUS[code] || { name: code || '—', type: 'info' }
}
