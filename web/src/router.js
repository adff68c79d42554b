// Routes and the guard: nobody gets past /login without a session, nobody past /change-password
// while must_change_password holds, and each page is open only to the roles of menu.js.
import { createRouter, createWebHistory } from 'vue-router'
import { session, refreshSession } from './session.js'
import { PAGE_ROLES } from './menu.js'

const routes = [
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true, title: '登录' } },
  {
    path: '/change-password',
    name: 'change-password',
    component: () => import('./views/ChangePasswordView.vue'),
    meta: { title: '修改密码' },
  },
  {
    path: '/',
    component: () => import('./views/LayoutView.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: '首页', roles: PAGE_ROLES.home } },
      { path: 'orgs', name: 'orgs', component: () => import('./views/OrgsView.vue'), meta: { title: '组织机构', roles: PAGE_ROLES.orgs } },
      { path: 'users', name: 'users', component: () => import('./views/UsersView.vue'), meta: { title: '用户管理', roles: PAGE_ROLES.users } },
      { path: 'tokens', name: 'tokens', component: () => import('./views/TokensView.vue'), meta: { title: 'API 令牌', roles: PAGE_ROLES.tokens } },
      { path: 'audit', name: 'audit', component: () => import('./views/AuditView.vue'), meta: { title: '审计日志', roles: PAGE_ROLES.audit } },
      { path: 'units', name: 'units', component: () => import('./views/UnitsView.vue'), meta: { title: '网络单元', roles: PAGE_ROLES.units } },
      { path: 'units/import', name: 'unit-import', component: () => import('./views/UnitImportView.vue'), meta: { title: '批量导入网络单元', roles: PAGE_ROLES['unit-import'] } },
      { path: 'units/:id(\\d+)', name: 'unit', component: () => import('./views/UnitDetailView.vue'), meta: { title: '网络单元详情', roles: PAGE_ROLES.units, menu: 'units' } },
      { path: 'filings', name: 'filings', component: () => import('./views/FilingsView.vue'), meta: { title: '备案审核', roles: PAGE_ROLES.filings } },
      { path: 'filings/:id(\\d+)', name: 'filing', component: () => import('./views/FilingReviewView.vue'), meta: { title: '备案审核', roles: PAGE_ROLES.filings, menu: 'filings' } },
      { path: 'assessments', name: 'assessments', component: () => import('./views/AssessmentsView.vue'), meta: { title: '符合性评测', roles: PAGE_ROLES.assessments } },
      { path: 'assessments/:id(\\d+)', name: 'assessment', component: () => import('./views/AssessmentDetailView.vue'), meta: { title: '符合性评测', roles: PAGE_ROLES.assessments, menu: 'assessments' } },
      { path: 'risk-assessments', name: 'risk-assessments', component: () => import('./views/RiskAssessmentsView.vue'), meta: { title: '风险评估', roles: PAGE_ROLES['risk-assessments'] } },
      { path: 'risk-assessments/:id(\\d+)', name: 'risk-assessment', component: () => import('./views/RiskAssessmentDetailView.vue'), meta: { title: '风险评估', roles: PAGE_ROLES['risk-assessments'], menu: 'risk-assessments' } },
      { path: 'checklists', name: 'checklists', component: () => import('./views/ChecklistsView.vue'), meta: { title: '检查项清单', roles: PAGE_ROLES.checklists } },
      { path: 'duties', name: 'duties', component: () => import('./views/DutiesView.vue'), meta: { title: '待办与期限', roles: PAGE_ROLES.duties } },
      { path: 'campaigns', name: 'campaigns', component: () => import('./views/CampaignsView.vue'), meta: { title: '专项工作', roles: PAGE_ROLES.campaigns } },
      { path: 'holidays', name: 'holidays', component: () => import('./views/HolidaysView.vue'), meta: { title: '节假日', roles: PAGE_ROLES.holidays } },
      { path: 'incidents', name: 'incidents', component: () => import('./views/IncidentsView.vue'), meta: { title: '事件应急', roles: PAGE_ROLES.incidents } },
      { path: 'incidents/:id(\\d+)', name: 'incident', component: () => import('./views/IncidentDetailView.vue'), meta: { title: '安全事件', roles: PAGE_ROLES.incidents, menu: 'incidents' } },
      { path: 'reports', name: 'reports', component: () => import('./views/ReportsView.vue'), meta: { title: '报告', roles: PAGE_ROLES.reports } },
      { path: 'reports/annual/:id(\\d+)', name: 'annual-report', component: () => import('./views/AnnualReportView.vue'), meta: { title: '安全防护工作报告', roles: PAGE_ROLES.reports, menu: 'reports' } },
      { path: 'exposure', name: 'exposure', component: () => import('./views/ExposureView.vue'), meta: { title: '暴露面', roles: PAGE_ROLES.exposure } },
      { path: 'threats', name: 'threats', component: () => import('./views/ThreatsView.vue'), meta: { title: '威胁监测', roles: PAGE_ROLES.threats } },
      { path: 'threats/:id(\\d+)', name: 'threat', component: () => import('./views/ThreatDetailView.vue'), meta: { title: '威胁详情', roles: PAGE_ROLES.threats, menu: 'threats' } },
      { path: 'notices/:id(\\d+)', name: 'notice', component: () => import('./views/NoticeDetailView.vue'), meta: { title: '处置通报', roles: PAGE_ROLES.threats, menu: 'threats' } },
      { path: 'inspections', name: 'inspections', component: () => import('./views/InspectionsView.vue'), meta: { title: '检查', roles: PAGE_ROLES.inspections } },
      { path: 'inspections/campaigns/:id(\\d+)', name: 'inspection', component: () => import('./views/InspectionDetailView.vue'), meta: { title: '检查工作', roles: PAGE_ROLES.inspections, menu: 'inspections' } },
      { path: 'inspections/self/:id(\\d+)', name: 'self-inspection', component: () => import('./views/SelfInspectionView.vue'), meta: { title: '自查', roles: PAGE_ROLES.inspections, menu: 'inspections' } },
      { path: 'inspections/spot-checks/:id(\\d+)', name: 'spot-check', component: () => import('./views/SpotCheckView.vue'), meta: { title: '抽查评分', roles: PAGE_ROLES.inspections, menu: 'inspections' } },
      { path: 'inspections/notices/:id(\\d+)', name: 'inspect-notice', component: () => import('./views/InspectNoticeView.vue'), meta: { title: '整改通知书', roles: PAGE_ROLES.inspections, menu: 'inspections' } },
      { path: 'iiot', name: 'iiot', component: () => import('./views/IiotView.vue'), meta: { title: '工业互联网', roles: PAGE_ROLES.iiot } },
      { path: ':rest(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue'), meta: { title: '页面不存在' } },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory(),
  routes,
})

router.beforeEach(async (to) => {
  if (!session.loaded) {
    try {
      await refreshSession()
    } catch {
      // Server unreachable: the login page says so when the user tries.
    }
  }
  if (to.meta.public) {
    if (session.user) return session.mustChangePassword ? { name: 'change-password' } : { name: 'home' }
    return true
  }
  if (!session.user) {
    return to.fullPath === '/' ? { name: 'login' } : { name: 'login', query: { redirect: to.fullPath } }
  }
  if (session.mustChangePassword && to.name !== 'change-password') return { name: 'change-password' }
  if (to.meta.roles && !to.meta.roles.includes(session.user.role)) return { name: 'home' }
  return true
})

router.afterEach((to) => {
  const title = to.meta.title
  document.title = title ? `${title} · 防护` : '防护 · 网络安全防护管理平台'
})
