// Who is logged in: the user, the CSRF token and must_change_password, plus the reference lists of
// GET /api/v1/meta (org kinds, roles, provinces). One reactive object shared by every page.
import { reactive } from 'vue'
import { api, setCsrfToken, ApiError } from './api.js'

/** Role names as the contract fixes them; used before /meta can be read (forced password change). */
export const ROLE_NAMES = {
  sysadmin: '系统管理员',
  operator_admin: '运行单位管理员',
  operator_staff: '运行单位网络安全人员',
  regulator: '监管人员',
  national_regulator: '部级监管人员',
  auditor: '审计员',
}

export const session = reactive({
  loaded: false, // GET /me has been tried once
  user: null,
  mustChangePassword: false,
  meta: null, // { org_kinds, roles, provinces }
})

function apply(data) {
  session.user = data.user
  session.mustChangePassword = !!data.must_change_password
  setCsrfToken(data.csrf_token)
}

export function clearSession() {
  session.user = null
  session.mustChangePassword = false
  session.meta = null
  setCsrfToken('')
}

/** GET /api/v1/me; a 401 simply means nobody is logged in. */
export async function refreshSession() {
  try {
    apply(await api.get('/me', undefined, { quiet: true }))
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) throw e
    clearSession()
  } finally {
    session.loaded = true
  }
}

export async function login(username, password) {
  const data = await api.post('/session', { username, password }, { quiet: true })
  apply(data)
  session.loaded = true
  return data
}

export async function logout() {
  try {
    await api.del('/session', { quiet: true })
  } finally {
    clearSession()
  }
}

export async function logoutEverywhere() {
  await api.del('/me/sessions', { quiet: true })
  clearSession()
}

let metaPromise = null
/** The reference lists, fetched once per login. */
export async function loadMeta() {
  if (session.meta) return session.meta
  if (!metaPromise) {
    metaPromise = api
      .get('/meta')
      .then((meta) => {
        session.meta = meta
        return meta
      })
      .finally(() => {
        metaPromise = null
      })
  }
  return metaPromise
}

export function roleName(code) {
  return session.meta?.roles?.find((r) => r.code === code)?.name || ROLE_NAMES[code] || code
}

export function hasRole(...roles) {
  return !!session.user && roles.includes(session.user.role)
}
