// The channel registry as the server describes it (GET /api/channel-kinds): each kind's Chinese
// name, how its rendering is previewed, and its capabilities. Loaded once and shared, so that no
// page names a platform: a new platform on the server shows up here by itself.
import { reactive } from 'vue'
import { api, itemsOf } from './api.js'

export const channelKinds = reactive({ items: [], byKind: {}, loaded: false, error: '' })

let pending = null

// Loads the registry once (again after a failure). Resolves to the shared state.
export function loadChannelKinds() {
  if (channelKinds.loaded) return Promise.resolve(channelKinds)
  if (!pending) {
    pending = api.get('/api/channel-kinds').then((data) => {
      const list = itemsOf(data)
      channelKinds.items = list
      channelKinds.byKind = Object.fromEntries(list.map((k) => [k.kind, k]))
      channelKinds.loaded = true
      channelKinds.error = ''
      return channelKinds
    }).catch((e) => {
      pending = null
      channelKinds.error = `无法加载渠道类型：${e.message || '请刷新页面后重试。'}`
      throw e
    })
  }
  return pending
}

// The kind's entry ({} until loaded or when unknown). Reactive: templates re-render on load.
export function kindInfo(kind) {
  if (!channelKinds.loaded) loadChannelKinds().catch(() => {})
  return channelKinds.byKind[kind] || {}
}

// The kind's Chinese name; the key itself until the registry has loaded.
export function kindLabel(kind) {
  return kindInfo(kind).label || kind || ''
}
