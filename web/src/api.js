// API client: a fetch wrapper for /api/v1 with the session's CSRF token and the server's error
// shape {"error":{code,message,field}} turned into ApiError. Session-level outcomes (401 → login,
// 403 password_change_required → change-password page) are delegated to handlers set by main.js.

export class ApiError extends Error {
  constructor(status, code, message, field = '', retryAfter = null, detail = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.field = field || ''
    this.retryAfter = retryAfter
    // Every field at fault (`fields`), and the row-by-row report of a refused import (`rows`).
    this.fields = Array.isArray(detail?.fields) ? detail.fields : this.field ? [this.field] : []
    this.rows = Array.isArray(detail?.rows) ? detail.rows : null
    this.detail = detail && typeof detail === 'object' ? detail : {}
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

let csrfToken = ''
const handlers = { unauthenticated: null, passwordChangeRequired: null }

/** Remember the token from POST /api/v1/session or GET /api/v1/me ('' forgets it). */
export function setCsrfToken(token) {
  csrfToken = token || ''
}

/** handlers: { unauthenticated(error), passwordChangeRequired(error) }. */
export function setSessionHandlers(next) {
  Object.assign(handlers, next)
}

/** The URL of an API path with its query (empty values left out), e.g. for downloads. */
export function apiUrl(path, query) {
  return buildUrl(path, query)
}

function buildUrl(path, query) {
  const url = path.startsWith('/api/') ? path : `/api/v1${path}`
  if (!query) return url
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    params.append(key, String(value))
  }
  const qs = params.toString()
  return qs ? `${url}?${qs}` : url
}

/**
 * request(method, path, { body, query, quiet, raw, contentType }) → parsed JSON (null for 204).
 * path is relative to /api/v1 ("/orgs") unless it starts with /api/.
 * quiet: do not run the session handlers on 401 (used by the initial GET /me probe and login).
 * raw: a File/Blob/ArrayBuffer sent as the body itself (uploads and imports), with contentType
 * (default application/octet-stream).
 */
export async function request(method, path, { body, query, quiet = false, raw, contentType } = {}) {
  const headers = { Accept: 'application/json' }
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' }
  if (raw !== undefined) {
    headers['Content-Type'] = contentType || 'application/octet-stream'
    init.body = raw
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken

  let res
  try {
    res = await fetch(buildUrl(path, query), init)
  } catch {
    throw new ApiError(0, 'network_error', '无法连接服务器，请检查网络后重试')
  }

  const text = res.status === 204 ? '' : await res.text()
  let data = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = null
    }
  }
  if (res.ok) return data

  const e = data && typeof data === 'object' && data.error ? data.error : {}
  const error = new ApiError(
    res.status,
    e.code || `http_${res.status}`,
    e.message || `请求失败（HTTP ${res.status}）`,
    e.field || '',
    res.headers.get('Retry-After'),
    e,
  )
  if (!quiet && res.status === 401 && error.code === 'unauthenticated') handlers.unauthenticated?.(error)
  if (res.status === 403 && error.code === 'password_change_required') handlers.passwordChangeRequired?.(error)
  throw error
}

/** The file name of a Content-Disposition header (RFC 6266 filename* first), or fallback. */
function dispositionName(header, fallback) {
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header || '')
  if (star) {
    try {
      return decodeURIComponent(star[1])
    } catch {
      /* a malformed name: use the fallback */
    }
  }
  return fallback
}

/**
 * Downloads GET path?query as a file, with the name the server gives it. Unlike a plain link, an
 * error (a list too long to export, a session that ended) is thrown as ApiError instead of being
 * saved as a file.
 */
export async function download(path, query, fallbackName = 'download') {
  let res
  try {
    res = await fetch(buildUrl(path, query), { credentials: 'same-origin', cache: 'no-store' })
  } catch {
    throw new ApiError(0, 'network_error', '无法连接服务器，请检查网络后重试')
  }
  if (!res.ok) {
    let e = {}
    try {
      e = (await res.json())?.error || {}
    } catch {
      /* not JSON */
    }
    const error = new ApiError(res.status, e.code || `http_${res.status}`, e.message || `下载失败（HTTP ${res.status}）`, e.field || '', null, e)
    if (res.status === 401 && error.code === 'unauthenticated') handlers.unauthenticated?.(error)
    throw error
  }
  const blob = await res.blob()
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = dispositionName(res.headers.get('Content-Disposition'), fallbackName)
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60000)
}

/** Errors the session handlers already dealt with (the page is navigating away). */
export function isSessionError(error) {
  return (
    error instanceof ApiError &&
    ((error.status === 401 && error.code === 'unauthenticated') || error.code === 'password_change_required')
  )
}

export const api = {
  get: (path, query, opts) => request('GET', path, { ...opts, query }),
  post: (path, body, opts) => request('POST', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),
  /** A file as the raw request body: upload('PUT', '/files', file, { query }). */
  upload: (method, path, raw, opts) => request(method, path, { ...opts, raw }),
}
