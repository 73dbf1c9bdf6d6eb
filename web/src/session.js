import { reactive } from 'vue'
import { api, setCsrf } from './api.js'

export const session = reactive({ user: null, loaded: false })

const CITY_WIDE = ['office', 'auditor', 'admin']

export function hasRole(...roles) {
  const mine = (session.user && session.user.roles) || []
  return roles.some((r) => mine.includes(r))
}

export function isCityWide() {
  return hasRole(...CITY_WIDE)
}

export async function loadMe() {
  try {
    const me = await api.get('/api/me', { quiet: true })
    const user = me && me.user ? me.user : me
    if (me && me.csrf_token) setCsrf(me.csrf_token)
    session.user = user
  } catch (e) {
    // A 403 password_expired still means signed in: keep what we know and force the change.
    if (e.status === 403 && e.code === 'password_expired') {
      session.user = session.user || { password_expired: true, roles: [] }
      session.user.password_expired = true
    } else {
      session.user = null
    }
  }
  session.loaded = true
  return session.user
}

export async function signIn(username, password) {
  const res = await api.post('/api/session', { username, password })
  setCsrf(res.csrf_token)
  session.user = res.user
  session.loaded = true
  return res.user
}

export async function signOut() {
  try { await api.del('/api/session', { quiet: true }) } catch { /* already gone */ }
  setCsrf('')
  session.user = null
}
