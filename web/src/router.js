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
