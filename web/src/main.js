// Console entry: Element Plus in zh-CN, the router, and what a 401 or a forced password change
// does anywhere in the app.
import { createApp } from 'vue'
import ElementPlus, { ElMessage } from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import 'element-plus/dist/index.css'
import './styles.css'

import App from './App.vue'
import { router } from './router.js'
import { setSessionHandlers } from './api.js'
import { session, clearSession } from './session.js'

setSessionHandlers({
  unauthenticated() {
    const wasLoggedIn = !!session.user
    clearSession()
    session.loaded = true
    const current = router.currentRoute.value
    if (current.name === 'login') return
    if (wasLoggedIn) ElMessage({ type: 'warning', message: '登录已失效，请重新登录', grouping: true })
    const redirect = current.fullPath && current.fullPath !== '/' ? current.fullPath : undefined
    router.replace({ name: 'login', query: redirect ? { redirect } : {} })
  },
  passwordChangeRequired() {
    session.mustChangePassword = true
    if (router.currentRoute.value.name !== 'change-password') router.replace({ name: 'change-password' })
  },
})

const app = createApp(App)
app.use(ElementPlus, { locale: zhCn })
app.use(router)
app.mount('#app')
