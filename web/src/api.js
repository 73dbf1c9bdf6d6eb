// Thin client for the dispatcher's HTTP API (see docs/api.md). Every error becomes an ApiError
// carrying the server's Chinese message, which the pages show as is.
import { reactive } from 'vue'

const CSRF_KEY = 'gd.csrf'

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message)
    this.status = status
    this.code = code
    this.details = details || {}
  }
}

// Listeners the app installs: what to do when the session is gone or the password expired.
export const apiEvents = reactive({ onUnauthenticated: null, onPasswordExpired: null })

export function setCsrf(token) {
  if (token) localStorage.setItem(CSRF_KEY, token)
  else localStorage.removeItem(CSRF_KEY)
}

export function csrfToken() {
  return localStorage.getItem(CSRF_KEY) || ''
}

function fallbackMessage(status) {
  switch (status) {
    case 401: return '登录已失效，请重新登录。'
    case 403: return '没有执行此操作的权限。'
    case 404: return '服务器暂不支持此功能或对象不存在。'
    case 409: return '状态已变化，请刷新后重试。'
    case 413: return '文件过大。'
    case 423: return '账号已锁定，请稍后再试。'
    case 429: return '操作过于频繁，请稍后再试。'
    default: return status >= 500 ? '服务器内部错误，请稍后再试。' : `请求失败（${status}）。`
  }
}

export async function request(method, url, body, opts = {}) {
  const headers = { Accept: 'application/json' }
  let payload
  if (body instanceof FormData) {
    payload = body
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json; charset=utf-8'
    payload = JSON.stringify(body)
  }
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken()
  let res
  try {
    res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' })
  } catch (e) {
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络。')
  }
  if (opts.raw) {
    if (!res.ok) throw await toError(res)
    return res
  }
  const text = await res.text()
  let data = null
  if (text) {
    try { data = JSON.parse(text) } catch { data = null }
  }
  if (!res.ok) {
    const err = errorFrom(res.status, data)
    if (!opts.quiet) {
      if (err.status === 401 && apiEvents.onUnauthenticated && !url.endsWith('/api/session')) apiEvents.onUnauthenticated(err)
      if (err.status === 403 && err.code === 'password_expired' && apiEvents.onPasswordExpired) apiEvents.onPasswordExpired(err)
    }
    throw err
  }
  return data
}

function errorFrom(status, data) {
  const e = data && data.error
  if (e) return new ApiError(status, e.code || String(status), e.message || fallbackMessage(status), e.details)
  return new ApiError(status, String(status), fallbackMessage(status))
}

async function toError(res) {
  let data = null
  try { data = await res.json() } catch { data = null }
  return errorFrom(res.status, data)
}

export const api = {
  get: (url, opts) => request('GET', url, undefined, opts),
  post: (url, body, opts) => request('POST', url, body === undefined ? {} : body, opts),
  put: (url, body, opts) => request('PUT', url, body, opts),
  patch: (url, body, opts) => request('PATCH', url, body, opts),
  del: (url, opts) => request('DELETE', url, undefined, opts),
}

export function qs(params) {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') p.set(k, v)
  }
  const s = p.toString()
  return s ? `?${s}` : ''
}

// Lists answer {items, total}; tolerate a bare array as well.
export function itemsOf(data) {
  if (!data) return []
  if (Array.isArray(data)) return data
  return data.items || []
}

export function mediaUrl(sha) {
  return `/api/media/by-sha256/${sha}`
}

// Images in renderings and in the stored Markdown are written media:<sha256>.
const MEDIA_RE = /media:([0-9a-f]{64})/g
const MEDIA_URL_RE = /\/api\/media\/by-sha256\/([0-9a-f]{64})/g

export function mediaRefsToUrls(text) {
  return (text || '').replace(MEDIA_RE, (_, sha) => mediaUrl(sha))
}

export function mediaUrlsToRefs(text) {
  return (text || '').replace(MEDIA_URL_RE, (_, sha) => `media:${sha}`)
}

export async function uploadMedia(file) {
  const fd = new FormData()
  fd.append('file', file, file.name || 'upload')
  return request('POST', '/api/media', fd)
}

// Triggers a browser download of a GET endpoint's body, keeping the session cookie.
export async function download(url, filename) {
  const res = await request('GET', url, undefined, { raw: true })
  const blob = await res.blob()
  const a = document.createElement('a')
  a.href = URL.createObjectURL(blob)
  a.download = filename
  document.body.appendChild(a)
  a.click()
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove() }, 1000)
}
