// Display helpers: server times are ISO 8601 with +08:00 and are shown as Beijing wall time.

const ISO = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/

/** "2026-11-21T10:35:00+08:00" → "2026-11-21 10:35:00"; other offsets are converted. */
export function formatTime(value) {
  if (!value) return '—'
  const m = ISO.exec(value)
  if (m && /(\+08:00|\+0800)$/.test(value)) return `${m[1]} ${m[2]}`
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return String(value)
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }).formatToParts(d)
  const get = (type) => parts.find((p) => p.type === type)?.value
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`
}

export function isPast(value) {
  if (!value) return false
  const t = new Date(value).getTime()
  return !Number.isNaN(t) && t < Date.now()
}

/** Today's date in Beijing as YYYY-MM-DD. */
export function todayInBeijing() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
}

/** Chinese labels of audit actions; unknown actions are shown by their code. */
export const AUDIT_ACTIONS = {
  'session.login': '登录',
  'session.login_failed': '登录失败',
  'session.logout': '退出登录',
  'session.logout_all': '退出所有会话',
  'org.create': '新建组织机构',
  'org.update': '修改组织机构',
  'user.create': '新建用户',
  'user.update': '修改用户',
  'user.password_change': '修改密码',
  'user.password_reset': '重置密码',
  'token.create': '创建 API 令牌',
  'token.revoke': '吊销 API 令牌',
  'unit.create': '登记网络单元',
  'unit.update': '修改网络单元',
  'unit.grade': '网络单元定级',
  'unit.submit': '提交定级备案',
  'unit.retire': '网络单元退役',
  'filing.approve': '备案审核通过',
  'filing.return': '备案退回修改',
  'calendar.import': '导入节假日安排',
}

export const AUDIT_ENTITIES = {
  session: '会话',
  org: '组织机构',
  user: '用户',
  api_token: 'API 令牌',
  unit: '网络单元',
  unit_asset: '网络单元资产',
  filing: '定级备案',
  holiday_notice: '节假日安排',
}

export const TOKEN_SCOPES = { read: '只读（read）', 'events:write': '事件上报（events:write）' }
