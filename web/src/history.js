// Reading GET /api/tickets/{id}/history: every version, decision, check run, dispatch event and
// withdrawal, oldest first. The reader is tolerant about the envelope and the field names.
import { DISPATCH_STATES, ROLES, TICKET_STATES, label } from './labels.js'
import { kindLabel } from './channelKinds.js'

export function historyItems(data) {
  if (!data) return []
  if (Array.isArray(data)) return data
  return data.items || data.events || data.history || []
}

// Audit-style events ({type: "event", action: "ticket.submit"}) are read by their action.
const ACTION_TYPES = {
  'ticket.submit': 'submitted', 'ticket.recall': 'recalled', 'ticket.publish': 'publish',
  'ticket.withdrawal': 'withdrawal', 'withdrawal.request': 'withdrawal', 'withdrawal.decision': 'withdrawal_decision',
  'withdrawal.approve': 'withdrawal_decision', 'withdrawal.reject': 'withdrawal_decision',
  'withdrawal.approved': 'withdrawal_decision', 'withdrawal.rejected': 'withdrawal_decision',
  'ticket.published': 'state', 'ticket.withdrawn': 'state', 'ticket.failed': 'state', 'ticket.publishing': 'state',
}

// What an action says beyond its type: the dispatch state of dispatch.*, the ticket state of
// ticket.*, the decision of withdrawal.approved / withdrawal.rejected.
function actionFields(e) {
  const a = e.type === 'event' && typeof e.action === 'string' ? e.action : ''
  const [head, tail] = a.split('.')
  if (!tail) return {}
  if (head === 'dispatch' && DISPATCH_STATES[tail]) return { state: tail }
  if (head === 'ticket' && TICKET_STATES[tail]) return { to: tail }
  if (a === 'withdrawal.approved') return { decision: 'approve' }
  if (a === 'withdrawal.rejected') return { decision: 'reject' }
  return {}
}

export function typeOf(e) {
  const t = e.type || e.kind || e.event || ''
  if (t === 'event' && e.action) {
    if (ACTION_TYPES[e.action]) return ACTION_TYPES[e.action]
    if (e.action.startsWith('dispatch')) return 'dispatch'
    return e.action
  }
  return t
}

// Event fields may sit at the top or under detail/details.
function flat(e) {
  const d = e.detail && typeof e.detail === 'object' ? e.detail : e.details && typeof e.details === 'object' ? e.details : {}
  return { ...actionFields(e), ...d, ...e }
}

export function isVersion(e) {
  const t = typeOf(e)
  return t === 'version' || t === 'version_created' || (t === '' && e.version != null && e.body != null)
}

// The content of a version event: fields at the top or under `content`.
export function versionContent(e) {
  const c = e.content && typeof e.content === 'object' ? e.content : e
  return { version: e.version ?? c.version, title: c.title || '', summary: c.summary || '', body: c.body || '', source: c.source || '', content_hash: e.content_hash || c.content_hash }
}

export function versionsOf(data) {
  return historyItems(data).filter(isVersion).map(versionContent).filter((v) => v.version != null)
}

export function withdrawalsOf(ticket, history) {
  const list = []
  const seen = new Set()
  const add = (w) => {
    const id = w.withdrawal_id ?? w.id
    if (id == null || seen.has(id)) return
    seen.add(id)
    list.push({ ...w, id })
  }
  for (const w of (ticket && ticket.withdrawals) || []) add(w)
  for (const e of historyItems(history)) {
    const t = typeOf(e)
    if (t === 'withdrawal' || t === 'withdrawal_requested') add(flat(e))
  }
  // Later events about the same withdrawal update its state.
  for (const e of historyItems(history)) {
    const t = typeOf(e)
    const f = flat(e)
    if ((t === 'withdrawal_decision' || t === 'withdrawal_decided') && f.withdrawal_id != null) {
      const w = list.find((x) => x.id === f.withdrawal_id)
      if (w && !['done', 'approved', 'rejected'].includes(w.state)) w.state = f.decision === 'approve' ? 'approved' : f.decision === 'reject' ? 'rejected' : (f.state || w.state)
    }
  }
  return list
}

// When a check ran (the check run's `stage`), in words; never the raw key.
const CHECK_STAGES = { submit: '提交时检查', publish: '发布前复查', rescan: '词库更新后复查' }

const TYPE_LABELS = {
  version: '新版本', version_created: '新版本', created: '创建', submitted: '提交审核', submit: '提交审核',
  recalled: '撤回修改', recall: '撤回修改', decision: '审核决定', check: '自动检查', check_run: '自动检查',
  publish: '发布', published: '发布', dispatch: '渠道发布', dispatch_event: '渠道发布',
  withdrawal: '申请撤回', withdrawal_requested: '申请撤回', withdrawal_decision: '撤回审定', withdrawal_decided: '撤回审定',
  state: '状态变更', state_changed: '状态变更', proofread: '校对',
}

const ACTION_LABELS = {
  'ticket.create': '创建', 'ticket.edit': '修改', 'ticket.decision': '审核决定', 'ticket.out_of_scope': '超范围申请',
}

// names: user id → name (what the page knows), accounts: channel account id → name.
export function describe(raw, names = {}, accounts = {}) {
  const t = typeOf(raw)
  const e = flat(raw)
  const byName = e.by == null ? '' : e.by === 0 ? '系统' : names[e.by] || `用户 #${e.by}`
  const who = e.user_name || e.actor_name || e.by_name || (typeof e.actor === 'string' ? e.actor : '') || byName
  const lines = []
  let title = TYPE_LABELS[t] || ACTION_LABELS[t] || t || '事件'
  if (isVersion(e)) {
    const v = versionContent(e)
    title = `第 ${v.version} 版`
    if (v.title) lines.push(`标题：${v.title}`)
  } else if (t === 'decision') {
    const d = e.decision === 'approve' ? '通过' : e.decision === 'reject' ? '退回' : e.decision
    title = `${e.label || e.step_label || (e.role ? label(ROLES, e.role) : '审核')}：${d}${e.void ? '（对应版本已变更，失效）' : ''}`
    if (e.comment) lines.push(`意见：${e.comment}`)
    if (Array.isArray(e.acknowledged_warnings) && e.acknowledged_warnings.length) lines.push(`确认提醒 ${e.acknowledged_warnings.length} 项`)
  } else if (t === 'check' || t === 'check_run') {
    const f = e.findings || []
    const blocks = e.blocks ?? f.filter((x) => x.severity === 'block').length
    const warns = e.warnings ?? f.filter((x) => x.severity !== 'block').length
    const stage = CHECK_STAGES[e.stage] || (e.stage ? '自动检查' : '')
    lines.push(`${stage ? stage + '：' : ''}必须修改 ${blocks} 项，提醒 ${warns} 项`)
  } else if (t.startsWith('dispatch') || t === 'publish' || t === 'published') {
    const acct = e.account_name || (e.account_id != null && accounts[e.account_id]) || kindLabel(e.channel_kind || e.kind_of_channel || e.platform || e.kind) || ''
    if (acct && acct !== '—') lines.push(acct)
    if (e.state) lines.push(label(DISPATCH_STATES, e.state))
    if (e.remote_url) lines.push(e.remote_url)
    if ((e.error || e.last_error) && e.state !== 'published') lines.push(`错误：${e.error || e.last_error}`)
  } else if (t.startsWith('withdrawal')) {
    if (e.reason) lines.push(`理由：${e.reason}`)
    if (e.decision) lines.push(e.decision === 'approve' ? '同意撤回' : '不同意撤回')
    if (e.comment) lines.push(`意见：${e.comment}`)
  } else if (e.state || e.to) {
    lines.push(label(TICKET_STATES, e.to || e.state))
  }
  if (e.message && !lines.includes(e.message)) lines.push(e.message)
  return { title, who, lines, at: e.at || e.time || e.created_at || e.decided_at }
}
