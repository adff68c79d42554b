// The side menu and who may see each page. Pages of later issues are listed with planned: true so
// the structure is settled now; they get no link until their route exists.

export const ALL_ROLES = ['sysadmin', 'operator_admin', 'operator_staff', 'regulator', 'national_regulator', 'auditor']

/** Role lists of the pages that exist; the router guards with the same lists. */
export const PAGE_ROLES = {
  home: ALL_ROLES,
  orgs: ALL_ROLES,
  users: ['sysadmin', 'operator_admin'],
  tokens: ['sysadmin', 'operator_admin', 'operator_staff', 'regulator', 'national_regulator'],
  audit: ['sysadmin', 'auditor'],
}

export const MENU = [
  { key: 'home', title: '首页', icon: 'HomeFilled', route: 'home' },
  {
    key: 'compliance',
    title: '安全防护',
    icon: 'Checked',
    children: [
      { key: 'units', title: '网络单元', planned: true },
      { key: 'filing', title: '定级备案', planned: true },
      { key: 'assessments', title: '评测', planned: true },
      { key: 'risks', title: '风险评估', planned: true },
      { key: 'duties', title: '待办与期限', planned: true },
    ],
  },
  {
    key: 'operations',
    title: '监测处置',
    icon: 'Monitor',
    children: [
      { key: 'exposure', title: '暴露面', planned: true },
      { key: 'threats', title: '威胁监测', planned: true },
      { key: 'incidents', title: '事件应急', planned: true },
    ],
  },
  {
    key: 'supervision',
    title: '监督管理',
    icon: 'Document',
    children: [
      { key: 'reports', title: '报告', planned: true },
      { key: 'inspections', title: '检查', planned: true },
    ],
  },
  {
    key: 'system',
    title: '系统管理',
    icon: 'Setting',
    children: [
      { key: 'orgs', title: '组织机构', icon: 'OfficeBuilding', route: 'orgs' },
      { key: 'users', title: '用户管理', icon: 'User', route: 'users' },
      { key: 'tokens', title: 'API 令牌', icon: 'Key', route: 'tokens' },
      { key: 'audit', title: '审计日志', icon: 'Tickets', route: 'audit' },
    ],
  },
]

function visible(item, role) {
  return !item.planned && !!item.route && (PAGE_ROLES[item.route] || []).includes(role)
}

/** The menu for one role: planned pages and pages the role may not open are left out, and so are
 * groups left empty. */
export function menuFor(role) {
  const out = []
  for (const entry of MENU) {
    if (entry.children) {
      const children = entry.children.filter((c) => visible(c, role))
      if (children.length) out.push({ ...entry, children })
    } else if (visible(entry, role)) {
      out.push(entry)
    }
  }
  return out
}
