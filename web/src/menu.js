// The side menu and who may see each page. Pages of later issues are listed with planned: true so
// the structure is settled now; they get no link until their route exists.

export const ALL_ROLES = ['sysadmin', 'operator_admin', 'operator_staff', 'regulator', 'national_regulator', 'auditor']

/** Role lists of the pages that exist; the router guards with the same lists. */
const OPERATORS = ['operator_admin', 'operator_staff']
const REGULATORS = ['regulator', 'national_regulator']

export const PAGE_ROLES = {
  home: ALL_ROLES,
  orgs: ALL_ROLES,
  users: ['sysadmin', 'operator_admin'],
  tokens: ['sysadmin', ...OPERATORS, ...REGULATORS],
  audit: ['sysadmin', 'auditor'],
  units: ALL_ROLES,
  'unit-import': ['sysadmin', ...OPERATORS],
  filings: ['sysadmin', ...REGULATORS, 'auditor'],
  assessments: ALL_ROLES,
  'risk-assessments': ALL_ROLES,
  checklists: ALL_ROLES,
  duties: ALL_ROLES,
  campaigns: ['sysadmin', ...OPERATORS, ...REGULATORS, 'auditor'],
  holidays: ['sysadmin'],
  incidents: ALL_ROLES,
  reports: ALL_ROLES,
  exposure: ALL_ROLES,
  threats: ALL_ROLES,
  inspections: ['sysadmin', ...OPERATORS, ...REGULATORS, 'auditor'],
  iiot: ALL_ROLES,
}

/** Who writes what (the server checks again): operators and system administrators keep units,
 * assessments and risk assessments; regulators review filings and issue campaigns. */
export const CAN = {
  writeUnits: ['sysadmin', ...OPERATORS],
  review: REGULATORS,
  issueCampaigns: REGULATORS,
  reportCampaigns: OPERATORS,
  importChecklists: ['sysadmin'],
  writeIncidents: ['sysadmin', ...OPERATORS],
  writeAnnualReports: OPERATORS,
  writeExposure: ['sysadmin', ...OPERATORS],
  issueNotices: ['sysadmin', 'operator_admin', ...REGULATORS],
  runInspections: REGULATORS,
}

export const MENU = [
  { key: 'home', title: '首页', icon: 'HomeFilled', route: 'home' },
  {
    key: 'compliance',
    title: '安全防护',
    icon: 'Checked',
    children: [
      { key: 'units', title: '网络单元', icon: 'Connection', route: 'units' },
      { key: 'unit-import', title: '批量导入', icon: 'Upload', route: 'unit-import' },
      { key: 'filing', title: '备案审核', icon: 'Stamp', route: 'filings' },
      { key: 'assessments', title: '符合性评测', icon: 'DocumentChecked', route: 'assessments' },
      { key: 'risks', title: '风险评估', icon: 'Warning', route: 'risk-assessments' },
      { key: 'duties', title: '待办与期限', icon: 'Calendar', route: 'duties' },
    ],
  },
  {
    key: 'operations',
    title: '监测处置',
    icon: 'Monitor',
    children: [
      { key: 'exposure', title: '暴露面', icon: 'Aim', route: 'exposure' },
      { key: 'threats', title: '威胁监测', icon: 'Odometer', route: 'threats' },
      { key: 'incidents', title: '事件应急', icon: 'Bell', route: 'incidents' },
    ],
  },
  {
    key: 'supervision',
    title: '监督管理',
    icon: 'Document',
    children: [
      { key: 'campaigns', title: '专项工作', icon: 'Flag', route: 'campaigns' },
      { key: 'reports', title: '报告', icon: 'Files', route: 'reports' },
      { key: 'inspections', title: '检查', icon: 'Finished', route: 'inspections' },
      { key: 'iiot', title: '工业互联网', icon: 'Cpu', route: 'iiot' },
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
      { key: 'checklists', title: '检查项清单', icon: 'List', route: 'checklists' },
      { key: 'holidays', title: '节假日', icon: 'Sunny', route: 'holidays' },
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
