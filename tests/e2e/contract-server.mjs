// An in-memory server that speaks the HTTP API contract (docs/api.md) with the demo
// data of `dispatcher demo`. It lets the console's browser tests run where the C++ server
// cannot be built; scripts/e2e.sh uses the real dispatcher whenever it can.
// Usage: node contract-server.mjs --listen 127.0.0.1:PORT --web ../../web/dist
import http from 'node:http'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (v.startsWith('--') ? [...a, [v.slice(2), all[i + 1]]] : a), []))
const [host, port] = (args.listen || '127.0.0.1:8080').split(':')
const webDir = path.resolve(args.web || 'web/dist')
const PASSWORD = 'Demo@2026pass'
const now = () => new Date().toISOString()
const sha = (s) => crypto.createHash('sha256').update(s).digest('hex')

const units = [
  { id: 1, name: '市政务公开办', kind: 'office' },
  { id: 2, name: '市应急管理局', kind: 'department' },
  { id: 3, name: '城关镇', kind: 'town' },
]
let nextUser = 1
const users = []
function addUser(username, name, unit_id, roles) { users.push({ id: nextUser++, username, name, unit_id, roles, password: PASSWORD, disabled: false, password_expired: false, fails: [], locked_until: 0 }) }
addUser('admin', '系统管理员', 1, ['admin'])
addUser('office', '公开办李主任', 1, ['office'])
addUser('auditor', '督查室王科长', 1, ['auditor'])
addUser('operator', '运维张工', 1, ['operator'])
addUser('editor', '应急局信息员', 2, ['editor'])
addUser('reviewer', '应急局办公室', 2, ['unit_reviewer'])
addUser('deputy', '应急局分管领导', 2, ['deputy_leader'])
addUser('principal', '应急局局长', 2, ['principal_leader'])
addUser('sitemgr', '应急局网站管理员', 2, ['site_manager'])
addUser('editor3', '城关镇信息员', 3, ['editor'])
addUser('reviewer3', '城关镇党政办', 3, ['unit_reviewer'])
addUser('deputy3', '城关镇分管领导', 3, ['deputy_leader'])
addUser('principal3', '城关镇镇长', 3, ['principal_leader'])
addUser('sitemgr3', '城关镇网站管理员', 3, ['site_manager'])

const channels = [
  { id: 1, kind: 'portal', name: '市应急管理局网站', unit_id: 2, base_url: null, settings: { mode: 'builtin', site_name: '市应急管理局' }, secrets: {} },
  { id: 2, kind: 'wechat_mp', name: '应急管理公众号', unit_id: 2, base_url: 'http://sandbox/wechat', settings: { app_id: 'sandbox', publish_mode: 'publish' }, secrets: { app_secret: 'sandbox-secret' } },
  { id: 3, kind: 'weibo', name: '应急管理微博', unit_id: 2, base_url: 'http://sandbox/weibo', settings: { app_key: 'sandbox', uid: 'sandbox', safe_domain: 'example.gov.cn' }, secrets: { app_secret: 'sandbox-secret', access_token: 'sandbox-token' } },
  { id: 4, kind: 'douyin', name: '应急管理抖音号', unit_id: 2, base_url: 'http://sandbox/douyin', settings: { client_key: 'sandbox', open_id: 'sandbox' }, secrets: { client_secret: 'sandbox-secret', access_token: 'sandbox-token', refresh_token: 'sandbox-refresh' } },
  { id: 5, kind: 'kuaishou', name: '应急管理快手号', unit_id: 2, base_url: 'http://sandbox/kuaishou', settings: { app_id: 'sandbox', open_id: 'sandbox' }, secrets: { app_secret: 'sandbox-secret', access_token: 'sandbox-token', refresh_token: 'sandbox-refresh' } },
  { id: 6, kind: 'manual', name: '应急管理视频号', unit_id: 2, base_url: null, settings: { platform: '视频号' }, secrets: {} },
]
// GET /api/channel-kinds: each platform's account schema (/work/channel-kinds-spec.md), which the
// console renders its account form from and POST/PATCH /api/channels validate against.
const F = (name, label, type, extra = {}) => ({ name, label, type, required: false, default: null, help: '', ...extra })
const PUSH = { when: { mode: ['push'] } }
const CHANNEL_KIND_SCHEMAS = [
  { kind: 'portal', preview: 'site_page', is_portal: true, label: '政府网站', base_url: F('base_url', '网站平台接口地址', 'url', { required: true, help: '外部网站平台接收推送的接口地址（仅推送模式）', ...PUSH }),
    settings: [
      F('mode', '模式', 'select', { required: true, default: 'builtin', help: '内置网站由本系统直接生成页面；推送模式把稿件推送到外部网站平台', choices: [{ value: 'builtin', label: '内置网站' }, { value: 'push', label: '推送到外部网站平台' }] }),
      F('site_name', '网站名称', 'string', { required: true, help: '页面页眉和来源处显示的网站名称' }),
      F('public_base_url', '对外访问地址', 'url', { help: '公众访问网站的地址，用于生成文章链接；留空则使用本系统地址' }),
    ],
    secrets: [F('signing_key', '推送签名密钥', 'string', { required: true, help: '外部网站平台分配的签名密钥，用于校验推送请求', ...PUSH })],
    options: [], covers: [], publishes_by_hand: false },
  { kind: 'wechat_mp', preview: 'article', is_portal: false, label: '微信公众号', base_url: F('base_url', '接口地址', 'url', { required: true, default: 'https://api.weixin.qq.com', help: '微信公众平台接口地址，一般无需修改' }),
    settings: [
      F('app_id', 'AppID', 'string', { required: true, help: '公众号后台「设置与开发 → 基本配置」中的开发者ID' }),
      F('publish_mode', '发布方式', 'select', { required: true, default: 'publish', help: '发布（publish）不推送给粉丝、不占群发次数；群发（mass_send）每日次数有限', choices: [{ value: 'publish', label: '发布（publish）' }, { value: 'mass_send', label: '群发（mass_send）' }] }),
    ],
    secrets: [F('app_secret', 'AppSecret', 'string', { required: true, help: '开发者密码，与 AppID 在同一页面' })],
    options: [F('author', '作者', 'string', { max_chars: 64 }), F('digest', '摘要', 'text', { max_chars: 512 }), F('cover', '封面图', 'media', { help: '不选则使用用途为封面的附件' })],
    covers: [{ name: 'cover', label: '封面图', aspect: '2.35:1' }], publishes_by_hand: false },
  { kind: 'weibo', preview: 'post', is_portal: false, label: '微博', base_url: F('base_url', '接口地址', 'url', { required: true, default: 'https://api.weibo.com', help: '微博开放平台接口地址，一般无需修改' }),
    settings: [
      F('app_key', 'App Key', 'string', { required: true, help: '微博开放平台「我的应用 → 应用信息」中的 App Key' }),
      F('uid', 'UID', 'string', { required: true, help: '发布账号的微博 UID' }),
      F('safe_domain', '安全域名', 'string', { required: true, help: '应用设置的安全域名，分享内容须含此域名下的链接' }),
    ],
    secrets: [F('app_secret', 'App Secret', 'string', { required: true }), F('access_token', 'Access Token', 'string', { help: '授权后获得' })],
    options: [F('text', '微博正文', 'text', { help: '不填则由标题和链接生成' }), F('pic', '配图', 'media')], covers: [], publishes_by_hand: false },
  { kind: 'douyin', preview: 'video', is_portal: false, label: '抖音', base_url: F('base_url', '接口地址', 'url', { required: true, default: 'https://open.douyin.com', help: '抖音开放平台接口地址，一般无需修改' }),
    settings: [F('client_key', 'Client Key', 'string', { required: true, help: '抖音开放平台应用的 Client Key' }), F('open_id', 'Open ID', 'string', { help: '授权用户的 Open ID，授权后获得' })],
    secrets: [F('client_secret', 'Client Secret', 'string', { required: true }), F('access_token', 'Access Token', 'string', { help: '授权后获得' }), F('refresh_token', 'Refresh Token', 'string', { help: '授权后获得' })],
    options: [F('caption', '视频描述', 'text', { help: '不填则使用标题' }), F('hashtags', '话题', 'string', { help: '以逗号分隔' }), F('cover', '封面图', 'media')], covers: [], publishes_by_hand: false },
  { kind: 'kuaishou', preview: 'video', is_portal: false, label: '快手', base_url: F('base_url', '接口地址', 'url', { required: true, default: 'https://open.kuaishou.com', help: '快手开放平台接口地址，一般无需修改' }),
    settings: [F('app_id', 'App ID', 'string', { required: true, help: '快手开放平台应用的 App ID' }), F('open_id', 'Open ID', 'string', { help: '授权用户的 Open ID，授权后获得' })],
    secrets: [F('app_secret', 'App Secret', 'string', { required: true }), F('access_token', 'Access Token', 'string', { help: '授权后获得' }), F('refresh_token', 'Refresh Token', 'string', { help: '授权后获得' })],
    options: [F('caption', '视频描述', 'text', { help: '不填则使用标题' }), F('hashtags', '话题', 'string', { help: '以逗号分隔' }), F('cover', '封面图', 'media')], covers: [], publishes_by_hand: false },
  { kind: 'manual', preview: 'handoff', is_portal: false, label: '人工发布', base_url: null,
    settings: [F('platform', '平台名称', 'string', { required: true, help: '如视频号、小红书、头条号；工作人员按发布包人工发布后登记链接' })],
    secrets: [], options: [], covers: [], publishes_by_hand: true },
]
// Topics and hashtags: a string separated by commas (the registry's type) or a list.
const tags = (v) => (Array.isArray(v) ? v : String(v || '').split(/[,，、#\s]+/)).filter(Boolean)
const applies = (f, settings) => !f.when || Object.entries(f.when).every(([k, vals]) => vals.includes(settings[k]))
const empty = (v) => v === undefined || v === null || v === ''
function typeError(f, v) {
  switch (f.type) {
    case 'integer': return Number.isInteger(v) ? '' : `「${f.label}」须为整数`
    case 'boolean': return typeof v === 'boolean' ? '' : `「${f.label}」须为是或否`
    case 'select': return f.choices.some((c) => c.value === v) ? '' : `「${f.label}」的取值无效`
    case 'url': return typeof v === 'string' && /^https?:\/\/[^\s/]+/.test(v) ? '' : `「${f.label}」须为 http:// 或 https:// 开头的地址`
    default: return typeof v === 'string' ? '' : `「${f.label}」须为文本`
  }
}
// A PATCH merges settings like the server: null removes one, absent ones are kept.
function mergeSettings(old, patch) {
  const out = { ...old }
  for (const [k, v] of Object.entries(patch || {})) { if (v === null) delete out[k]; else out[k] = v }
  return out
}
// 422 naming the first offending field, like the server (details.field). Unknown names are
// looked for in what the request sends (`sent`, by default all of next.settings).
function validateChannel(kind, next, secretsSet, sent = next.settings || {}) {
  const bad = (field, message) => fail(422, 'invalid', message, { field, fields: { [field]: message } })
  const k = CHANNEL_KIND_SCHEMAS.find((x) => x.kind === kind) || bad('kind', '平台类型不存在')
  if (!(next.name || '').trim()) bad('name', '请填写账号名称')
  for (const [group, fields, values, named] of [['settings', k.settings, next.settings || {}, sent], ['secrets', k.secrets, next.secrets || {}, next.secrets || {}]]) {
    for (const name of Object.keys(named)) if (!fields.some((f) => f.name === name)) bad(`${group}.${name}`, `${k.label}账号没有「${name}」这一项`)
    for (const f of fields) {
      const v = values[f.name]
      if (!empty(v)) { const m = typeError(f, v); if (m) bad(`${group}.${f.name}`, m) }
      // Like the real server (docs/api.md §7): a required secret is a prompt, not a rule; an
      // account without its credentials is saved and shown as not ready.
      else if (f.required && group !== 'secrets' && applies(f, next.settings || {})) bad(`${group}.${f.name}`, `请填写「${f.label}」`)
    }
  }
  const b = k.base_url
  if (!b && !empty(next.base_url)) bad('base_url', `${k.label}账号没有接口地址`)
  if (b && applies(b, next.settings || {})) {
    if (empty(next.base_url)) { if (b.required) bad('base_url', `请填写「${b.label}」`) }
    else { const m = typeError(b, next.base_url); if (m) bad('base_url', m) }
  }
}
const sessions = new Map()
const tickets = new Map()
const media = new Map()
const withdrawals = new Map()
const audit = []
let nextTicket = 1, nextMedia = 1, nextWd = 1

const CITY = ['office', 'auditor', 'admin']
const CHAINS = {
  work_news: [['unit_reviewer', '初审'], ['deputy_leader', '复审']],
  announcement: [['unit_reviewer', '初审'], ['deputy_leader', '复审'], ['principal_leader', '终审']],
  policy_document: [['unit_reviewer', '初审'], ['deputy_leader', '复审'], ['principal_leader', '终审']],
  key_area: [['unit_reviewer', '初审'], ['deputy_leader', '复审'], ['principal_leader', '终审']],
  interactive: [['site_manager', '审核'], ['deputy_leader', '复审']],
  reposted: [['site_manager', '审核'], ['deputy_leader', '复审']],
}
const CHECK_KEYS = ['secrets', 'compliance', 'promotion', 'typos', 'statistics', 'sensitive', 'timing', 'harm', 'other']

class HttpError extends Error { constructor(status, code, message, details) { super(message); Object.assign(this, { status, code, details }) } }
const fail = (status, code, message, details) => { throw new HttpError(status, code, message, details) }
const log = (user, action, details = {}) => audit.push({ id: audit.length + 1, at: now(), actor_id: user ? user.id : 0, ...(user ? { actor_name: user.name } : {}), action, entity: details.ticket_id ? 'ticket' : '', entity_id: details.ticket_id || 0, detail: details })

function publicUser(u) {
  const unit = units.find((x) => x.id === u.unit_id)
  return { id: u.id, username: u.username, name: u.name, unit_id: u.unit_id, unit_name: unit && unit.name, roles: u.roles, disabled: u.disabled, password_expired: u.password_expired }
}
function publicChannel(c) {
  const secrets = Object.fromEntries(Object.entries(c.secrets).filter(([, v]) => v).map(([k]) => [k, '***']))
  return { id: c.id, kind: c.kind, name: c.name, unit_id: c.unit_id, unit_name: (units.find((u) => u.id === c.unit_id) || {}).name, base_url: c.base_url, settings: c.settings, secrets }
}

// --- checks -------------------------------------------------------------------------------
function idCardValid(s) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const codes = '10X98765432'
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * w[i]
  return codes[sum % 11] === s[17].toUpperCase()
}
function findIn(text, field, out) {
  const cps = Array.from(text || '')
  const str = cps.join('')
  const add = (rule, kind, severity, idx, len, message, suggestion) => {
    const char_start = Array.from(str.slice(0, idx)).length
    const char_end = char_start + Array.from(str.substr(idx, len)).length
    const start = Buffer.byteLength(str.slice(0, idx)), end = start + Buffer.byteLength(str.substr(idx, len))
    const f = { id: sha(`${field}:${rule}:${char_start}:${str.substr(idx, len)}`).slice(0, 16), rule, kind, severity, start, end, char_start, char_end, text: str.substr(idx, len), message, suggestion }
    if (field !== 'body') f.field = field
    out.push(f)
  }
  for (const m of str.matchAll(/(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])/g)) {
    if (idCardValid(m[0])) add('pii', 'id_card', 'block', m.index, m[0].length, '含有公民身份号码，发布前须隐去', m[0].slice(0, 6) + '********' + m[0].slice(14))
  }
  for (const m of str.matchAll(/(?<![0-9])1[3-9][0-9]{9}(?![0-9])/g)) add('pii', 'mobile', 'block', m.index, 11, '含有手机号码，发布前须隐去', m[0].slice(0, 3) + '****' + m[0].slice(7))
  for (const m of str.matchAll(/绝密|机密★|秘密★|内部资料|注意保密/g)) add('secret_marking', 'marking', 'block', m.index, m[0].length, '含有密级或保密标识，涉密信息不得上网', '')
  for (const m of str.matchAll(/按装/g)) add('typo', 'confusion', 'warn', m.index, m[0].length, '疑似错别字', '安装')
  for (const m of str.matchAll(/党史教育/g)) add('expression', 'formulation', 'warn', m.index, m[0].length, '规范表述为“党史学习教育”', '党史学习教育')
}
function runChecks(c) {
  const out = []
  findIn(c.title, 'title', out)
  findIn(c.summary, 'summary', out)
  findIn(c.body, 'body', out)
  if (c.category === 'reposted' && !(c.source || '').trim()) out.push({ id: 'missing-source', rule: 'missing_source', kind: 'missing_source', severity: 'block', field: 'source', start: 0, end: 0, char_start: 0, char_end: 0, text: '', message: '转载信息须注明来源（第七条）', suggestion: '' })
  return out
}

// --- tickets ------------------------------------------------------------------------------
function canSee(u, t) { return u.roles.some((r) => CITY.includes(r)) || u.unit_id === t.unit_id }
function getTicket(u, id) {
  const t = tickets.get(Number(id))
  if (!t || !canSee(u, t)) fail(404, 'not_found', '工单不存在或无权查看')
  return t
}
function ticketJson(t) {
  const unit = units.find((x) => x.id === t.unit_id)
  return { ...t.content, id: t.id, unit_id: t.unit_id, unit_name: unit && unit.name, author_id: t.author_id, author_name: (users.find((x) => x.id === t.author_id) || {}).name, state: t.state, version: t.version, content_hash: t.hash, steps: t.steps, current_step: t.current_step, created_at: t.created_at, updated_at: t.updated_at, dispatches: t.dispatches, withdrawals: [...withdrawals.values()].filter((w) => w.ticket_id === t.id) }
}
function setContent(t, body, u) {
  const content = {
    category: body.category || 'work_news', title: body.title || '', summary: body.summary || '', body: body.body || '',
    source: body.source || null, column: body.column || '', media: body.media || [],
    channels: (body.channels || []).map((c) => ({ account_id: c.account_id, kind: (channels.find((x) => x.id === c.account_id) || {}).kind, options: c.options || {} })),
    scheduled_at: body.scheduled_at || null, urgent: !!body.urgent, out_of_scope: !!body.out_of_scope,
  }
  for (const c of content.channels) if (!c.kind) fail(422, 'invalid', '发布渠道不存在', { fields: { channels: '发布渠道不存在' } })
  if (!content.title.trim()) fail(422, 'invalid', '请填写标题', { fields: { title: '请填写标题' } })
  t.content = content
  t.version = (t.version || 0) + 1
  t.hash = sha(JSON.stringify(content) + t.version)
  t.updated_at = now()
  t.events.push({ type: 'version', at: now(), by: u.id, by_name: u.name, version: t.version, content_hash: t.hash, title: content.title, summary: content.summary, body: content.body })
}
function startChain(t) {
  const chain = [...CHAINS[t.content.category]]
  if (t.content.out_of_scope) chain.push(['office', '审定'])
  t.steps = chain.map(([role, label], index) => ({ index, role, label, state: index === 0 ? 'pending' : 'waiting' }))
  t.current_step = 0
}
function previews(t) {
  const c = t.content
  const link = `/site/articles/${t.id}.html`
  // Like the real renderings: the portal article's address is filled in only after publishing.
  const portalUrl = c.channels.some((ch) => (channels.find((x) => x.id === ch.account_id) || {}).kind === 'portal') ? '{{portal_url}}' : ''
  const html = c.body.split(/\n{2,}/).map((p) => {
    const img = /^!\[[^\]]*\]\((media:[0-9a-f]{64})\)$/.exec(p.trim())
    if (img) return `<p><img src="${img[1]}" alt=""></p>`
    const h = /^(#{1,6})\s+(.*)$/.exec(p)
    return h ? `<h${h[1].length}>${esc(h[2])}</h${h[1].length}>` : `<p>${esc(p)}</p>`
  }).join('\n')
  return c.channels.map((ch) => {
    const acct = channels.find((x) => x.id === ch.account_id)
    const o = ch.options || {}
    let rendering
    switch (acct.kind) {
      case 'portal': rendering = { title: c.title, article_html: `<h1>${esc(c.title)}</h1>${html}`, page_html: `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(c.title)}</title><style>body{font-family:sans-serif;margin:0}header{background:#b3261e;color:#fff;padding:12px 20px}main{padding:20px;max-width:900px;margin:auto}</style></head><body><header>${esc(acct.settings.site_name || acct.name)}</header><main><h1>${esc(c.title)}</h1><p>来源：${esc(c.source || acct.settings.site_name || '')}</p>${html}</main></body></html>`, url: link }; break
      case 'wechat_mp': rendering = { title: c.title, author: o.author || '', digest: o.digest || c.summary, content: `<section style="font-size:16px;line-height:1.75">${html}</section>`, content_source_url: portalUrl }; break
      case 'weibo': rendering = { text: `【${c.title}】${o.text || c.summary}` + (portalUrl ? ` 详情：${portalUrl}` : ''), pic: o.pic || (c.media.find((m) => m.role === 'cover') || {}).media_id ? 'cover' : null }; break
      case 'douyin': rendering = { text: `${o.caption || c.title}` + tags(o.hashtags).map((x) => ` #${x}`).join(''), video: null, cover: null }; break
      case 'kuaishou': rendering = { caption: `${o.caption || c.title}` + tags(o.hashtags).map((x) => ` #${x}`).join(''), video: null, cover: null }; break
      default: rendering = { platform: acct.settings.platform, title: c.title, text: c.summary || c.title, instructions: '请登录平台后台，按以上内容人工发布，发布后登记链接。' + (portalUrl ? `\n如平台允许添加链接，附上政府网站原文链接：${portalUrl}` : '') }
    }
    const problems = []
    if ((acct.kind === 'douyin' || acct.kind === 'kuaishou') && !c.media.some((m) => m.role === 'video')) problems.push({ code: 'missing_video', message: '短视频渠道需要一个视频' })
    return { account_id: acct.id, kind: acct.kind, name: acct.name, rendering, problems }
  })
}
const esc = (s) => String(s || '').replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch])

// --- routes -------------------------------------------------------------------------------
const routes = []
const route = (method, pattern, fn) => routes.push({ method, re: new RegExp('^' + pattern.replace(/:(\w+)/g, '(?<$1>[^/]+)') + '$'), fn })
const need = (u, ...roles) => { if (!u.roles.some((r) => roles.includes(r))) fail(403, 'forbidden', '没有执行此操作的权限') }

route('GET', '/healthz', () => ({ ok: true }))
route('POST', '/api/session', (req, body, _u, res) => {
  const u = users.find((x) => x.username === body.username)
  const t = Date.now()
  if (u && u.locked_until > t) fail(423, 'locked', `账号已锁定，请于 ${Math.ceil((u.locked_until - t) / 60000)} 分钟后再试或联系管理员。`)
  if (!u || u.password !== body.password || u.disabled) {
    if (u) {
      u.fails = u.fails.filter((x) => t - x < 15 * 60000).concat(t)
      if (u.fails.length >= 5) { u.locked_until = t + 15 * 60000; u.fails = []; log(u, 'account_locked') }
    }
    fail(401, 'unauthenticated', '用户名或密码错误。连续输错 5 次账号将锁定 15 分钟。')
  }
  u.fails = []
  const token = crypto.randomBytes(24).toString('hex'), csrf = crypto.randomBytes(16).toString('hex')
  sessions.set(token, { user_id: u.id, csrf })
  res.setHeader('Set-Cookie', `gd_session=${token}; Path=/; HttpOnly; SameSite=Strict`)
  log(u, 'sign_in')
  return { token, csrf_token: csrf, user: publicUser(u) }
}, { public: true })
route('DELETE', '/api/session', (req, body, u, res) => { sessions.delete(req.token); res.setHeader('Set-Cookie', 'gd_session=; Path=/; Max-Age=0'); return { ok: true } })
route('GET', '/api/me', (req, body, u) => ({ ...publicUser(u), csrf_token: req.csrf }))
route('POST', '/api/me/password', (req, body, u) => {
  if (body.old_password !== u.password) fail(400, 'bad_request', '原密码不正确')
  if (!body.new_password || body.new_password.length < 12) fail(422, 'invalid', '新密码强度不足：至少 12 位', { fields: { new_password: '强度不足' } })
  u.password = body.new_password; u.password_expired = false
  return { ok: true }
}, { allowExpired: true })
route('GET', '/api/units', (req, body, u) => { need(u, 'admin', 'office', 'operator', 'auditor'); return { items: units, total: units.length } })
route('POST', '/api/units', (req, body, u) => { need(u, 'admin'); const x = { id: units.length + 1, name: body.name, kind: body.kind }; units.push(x); return x })
route('GET', '/api/users', (req, body, u) => { need(u, 'admin', 'office'); return { items: users.map(publicUser), total: users.length } })
route('POST', '/api/users', (req, body, u) => { need(u, 'admin'); addUser(body.username, body.name, body.unit_id, body.roles); const x = users[users.length - 1]; x.password = body.password; x.password_expired = true; return publicUser(x) })
route('PATCH', '/api/users/:id', (req, body, u, res, p) => { need(u, 'admin'); const x = users.find((y) => y.id === Number(p.id)); if (!x) fail(404, 'not_found', '用户不存在'); for (const k of ['roles', 'unit_id', 'disabled']) if (k in body) x[k] = body[k]; log(u, 'user_changed', { user_id: x.id, ...body }); return publicUser(x) })
route('GET', '/api/channels', (req, body, u) => { const items = channels.filter((c) => u.roles.some((r) => ['operator', ...CITY].includes(r)) || c.unit_id === u.unit_id || c.unit_id == null).map(publicChannel); return { items, total: items.length } })
route('GET', '/api/channels/:id', (req, body, u, res, p) => publicChannel(channels.find((c) => c.id === Number(p.id)) || fail(404, 'not_found', '账号不存在')))
route('GET', '/api/channel-kinds', () => ({ items: CHANNEL_KIND_SCHEMAS }))
route('POST', '/api/channels', (req, body, u, res) => { need(u, 'operator'); validateChannel(body.kind, body, []); res.statusCode = 201; const c = { id: channels.length + 1, kind: body.kind, name: body.name, unit_id: body.unit_id, base_url: body.base_url || null, settings: body.settings || {}, secrets: body.secrets || {} }; channels.push(c); log(u, 'channel_created', { id: c.id }); return publicChannel(c) })
route('PATCH', '/api/channels/:id', (req, body, u, res, p) => { need(u, 'operator'); const c = channels.find((x) => x.id === Number(p.id)) || fail(404, 'not_found', '账号不存在'); const settings = mergeSettings(c.settings, body.settings); validateChannel(c.kind, { name: c.name, base_url: c.base_url, ...body, settings }, Object.keys(c.secrets).filter((k) => c.secrets[k]), body.settings || {}); for (const k of ['name', 'unit_id', 'base_url']) if (k in body) c[k] = body[k]; c.settings = settings; if (body.secrets) Object.assign(c.secrets, body.secrets); log(u, 'channel_changed', { id: c.id, secrets: Object.keys(body.secrets || {}) }); return publicChannel(c) })
route('POST', '/api/channels/:id/test', (req, body, u, res, p) => { need(u, 'operator'); const c = channels.find((x) => x.id === Number(p.id)); return { ok: true, message: `${c.name}：凭据有效，连接正常。` } })
route('POST', '/api/media', (req, body, u) => {
  const m = { id: nextMedia++, kind: body.mime.startsWith('video/') ? 'video' : 'image', mime: body.mime, size: body.data.length, sha256: sha(body.data), data: body.data }
  media.set(m.sha256, m)
  const { data, ...pub } = m
  return pub
})
route('POST', '/api/check', (req, body) => ({ findings: runChecks(body) }))
route('GET', '/api/tickets', (req, body, u, res, p, q) => {
  let items = [...tickets.values()].filter((t) => canSee(u, t))
  if (q.get('state')) items = items.filter((t) => t.state === q.get('state'))
  if (q.get('category')) items = items.filter((t) => t.content.category === q.get('category'))
  if (q.get('unit_id')) items = items.filter((t) => t.unit_id === Number(q.get('unit_id')))
  if (q.get('mine')) items = items.filter((t) => t.author_id === u.id)
  if (q.get('awaiting_me')) items = items.filter((t) => (t.state === 'in_review' && t.steps[t.current_step] && u.roles.includes(t.steps[t.current_step].role) && t.author_id !== u.id && (u.unit_id === t.unit_id || t.steps[t.current_step].role === 'office')) || (u.roles.includes('office') && [...withdrawals.values()].some((w) => w.ticket_id === t.id && w.state === 'pending')))
  items = items.sort((a, b) => b.id - a.id).map(ticketJson)
  return { items, total: items.length }
})
route('POST', '/api/tickets', (req, body, u, res) => {
  need(u, 'editor')
  const t = { id: nextTicket++, unit_id: u.unit_id, author_id: u.id, state: 'draft', steps: [], current_step: null, created_at: now(), events: [], dispatches: [] }
  setContent(t, body, u)
  tickets.set(t.id, t)
  log(u, 'ticket_created', { ticket_id: t.id })
  res.statusCode = 201
  return ticketJson(t)
})
route('GET', '/api/tickets/:id', (req, body, u, res, p) => ticketJson(getTicket(u, p.id)))
route('PUT', '/api/tickets/:id', (req, body, u, res, p) => {
  const t = getTicket(u, p.id)
  if (t.author_id !== u.id) fail(403, 'forbidden', '只有撰写人可以修改')
  if (!['draft', 'returned'].includes(t.state)) fail(409, 'conflict', '当前状态不能修改')
  setContent(t, body, u)
  return ticketJson(t)
})
route('GET', '/api/tickets/:id/previews', (req, body, u, res, p) => ({ channels: previews(getTicket(u, p.id)) }))
route('GET', '/api/tickets/:id/checks', (req, body, u, res, p) => ({ findings: runChecks(getTicket(u, p.id).content) }))
route('GET', '/api/tickets/:id/history', (req, body, u, res, p) => ({ items: getTicket(u, p.id).events }))
route('GET', '/api/tickets/:id/dispatches', (req, body, u, res, p) => ({ items: getTicket(u, p.id).dispatches }))
route('POST', '/api/tickets/:id/submit', (req, body, u, res, p) => {
  const t = getTicket(u, p.id)
  if (t.author_id !== u.id) fail(403, 'forbidden', '只有撰写人可以提交')
  if (!['draft', 'returned'].includes(t.state)) fail(409, 'conflict', '当前状态不能提交')
  if (body.proofread !== true) fail(422, 'invalid', '提交前须完成一校', { fields: { proofread: '须确认' } })
  if (!t.content.channels.length) fail(422, 'invalid', '请至少选择一个发布渠道', { fields: { channels: '至少一个' } })
  const findings = runChecks(t.content)
  t.events.push({ type: 'check', at: now(), stage: '提交', findings })
  if (findings.some((f) => f.severity === 'block')) fail(422, 'check_failed', '自动检查发现必须修改的问题，不能提交', { findings })
  t.state = 'in_review'
  startChain(t)
  t.events.push({ type: 'submitted', at: now(), by: u.id, by_name: u.name, message: '一校：撰写人已校对' })
  log(u, 'ticket_submitted', { ticket_id: t.id })
  return ticketJson(t)
})
route('POST', '/api/tickets/:id/recall', (req, body, u, res, p) => {
  const t = getTicket(u, p.id)
  if (t.author_id !== u.id || t.state !== 'in_review') fail(409, 'conflict', '当前状态不能撤回')
  t.state = 'draft'; t.steps = []; t.current_step = null
  t.events.push({ type: 'recalled', at: now(), by: u.id, by_name: u.name })
  return ticketJson(t)
})
route('POST', '/api/tickets/:id/decisions', (req, body, u, res, p) => {
  const t = getTicket(u, p.id)
  if (t.state !== 'in_review') fail(409, 'conflict', '工单不在审核中')
  const step = t.steps[t.current_step]
  if (body.step != null && body.step !== t.current_step) fail(409, 'conflict', '审核环节已变化，请刷新')
  if (body.version_hash !== t.hash) fail(409, 'conflict', '内容已修改，请重新审阅最新版本')
  if (t.author_id === u.id) fail(403, 'forbidden', '不能审核本人撰写的信息')
  if (!u.roles.includes(step.role) || (step.role !== 'office' && u.unit_id !== t.unit_id)) fail(403, 'forbidden', '您不是当前环节的审核人')
  if (t.steps.some((s) => s.decided_by === u.id)) fail(403, 'forbidden', '同一版本每人只能审核一个环节')
  if (body.decision === 'approve') {
    if (!CHECK_KEYS.every((k) => body.checklist && body.checklist[k] === true)) fail(422, 'invalid', '审核通过须逐项确认九项审核内容', { fields: { checklist: '九项' } })
    if (runChecks(t.content).some((f) => f.severity === 'block')) fail(422, 'check_failed', '存在必须修改的问题，不能通过')
  } else if (!(body.comment || '').trim()) fail(422, 'invalid', '退回须填写意见', { fields: { comment: '必填' } })
  Object.assign(step, { state: body.decision === 'approve' ? 'approved' : 'rejected', decided_by: u.id, decided_by_name: u.name, decided_at: now(), comment: body.comment || '' })
  t.events.push({ type: 'decision', at: now(), by: u.id, by_name: u.name, label: step.label, decision: body.decision, comment: body.comment, checklist: body.checklist, acknowledged_warnings: body.acknowledged_warnings || [] })
  log(u, 'decision', { ticket_id: t.id, decision: body.decision, step: step.index })
  if (body.decision === 'reject') { t.state = 'returned'; t.current_step = null }
  else if (t.current_step + 1 < t.steps.length) { t.current_step++; t.steps[t.current_step].state = 'pending' }
  else { t.state = 'approved'; t.current_step = null }
  return ticketJson(t)
})
route('POST', '/api/tickets/:id/publish', (req, body, u, res, p) => {
  const t = getTicket(u, p.id)
  need(u, 'site_manager')
  if (u.unit_id !== t.unit_id) fail(403, 'forbidden', '只能发布本单位信息')
  if (t.state !== 'approved') fail(409, 'conflict', '工单尚未审核通过')
  if (body.proofread !== true) fail(422, 'invalid', '发布前须完成三校', { fields: { proofread: '须确认' } })
  t.state = 'published'
  t.dispatches = t.content.channels.map((c) => {
    const kind = c.kind
    const manual = kind === 'manual'
    const remote_id = manual ? null : crypto.randomBytes(6).toString('hex')
    const url = manual ? null : kind === 'portal' ? `/site/articles/${t.id}.html` : `https://${kind}.example/${remote_id}`
    return { account_id: c.account_id, kind, state: manual ? 'awaiting' : 'published', attempts: manual ? 0 : 1, remote_id, remote_url: url, last_error: null }
  })
  if (t.dispatches.some((d) => d.state !== 'published')) t.state = 'publishing'
  t.events.push({ type: 'publish', at: now(), by: u.id, by_name: u.name, message: '三校：网站信息管理员已校对' })
  for (const d of t.dispatches) t.events.push({ type: 'dispatch', at: now(), account_name: channels.find((c) => c.id === d.account_id).name, state: d.state, remote_url: d.remote_url })
  log(u, 'published', { ticket_id: t.id })
  return ticketJson(t)
})
route('POST', '/api/tickets/:id/dispatches/:acct/retry', (req, body, u, res, p) => {
  const t = getTicket(u, p.id)
  const d = t.dispatches.find((x) => x.account_id === Number(p.acct)) || fail(404, 'not_found', '该渠道没有发布记录')
  if (d.state !== 'failed') fail(409, 'conflict', '该渠道未失败，无需重试')
  Object.assign(d, { state: 'published', attempts: d.attempts + 1, last_error: null })
  return d
})
route('POST', '/api/tickets/:id/withdrawals', (req, body, u, res, p) => {
  const t = getTicket(u, p.id)
  if (!(u.unit_id === t.unit_id && u.roles.some((r) => ['site_manager', 'deputy_leader', 'principal_leader'].includes(r)))) fail(403, 'forbidden', '无权申请撤回')
  if (!(body.reason || '').trim()) fail(400, 'bad_request', '请填写撤回理由')
  const w = { id: nextWd++, ticket_id: t.id, reason: body.reason, account_ids: body.account_ids || t.dispatches.map((d) => d.account_id), state: 'pending', requested_by: u.id, requested_by_name: u.name, created_at: now() }
  withdrawals.set(w.id, w)
  t.events.push({ type: 'withdrawal', withdrawal_id: w.id, id: w.id, at: now(), by: u.id, by_name: u.name, reason: w.reason, state: 'pending' })
  res.statusCode = 201
  return w
})
route('POST', '/api/withdrawals/:id/decisions', (req, body, u, res, p) => {
  need(u, 'office')
  const w = withdrawals.get(Number(p.id)) || fail(404, 'not_found', '撤回申请不存在')
  if (w.state !== 'pending') fail(409, 'conflict', '该申请已审定')
  const t = tickets.get(w.ticket_id)
  w.state = body.decision === 'approve' ? 'approved' : 'rejected'
  Object.assign(w, { decided_by: u.id, decided_by_name: u.name, decided_at: now(), comment: body.comment || '' })
  if (w.state === 'approved') {
    for (const d of t.dispatches) if (w.account_ids.includes(d.account_id)) d.state = 'withdrawn'
    if (t.dispatches.every((d) => d.state === 'withdrawn')) t.state = 'withdrawn'
  }
  t.events.push({ type: 'withdrawal_decision', withdrawal_id: w.id, at: now(), by: u.id, by_name: u.name, decision: body.decision, comment: body.comment })
  log(u, 'withdrawal_decided', { ticket_id: t.id, decision: body.decision })
  return w
})
route('GET', '/api/audit', (req, body, u) => { need(u, ...CITY); return { items: [...audit].reverse(), total: audit.length } })
route('GET', '/api/audit/verify', (req, body, u) => { need(u, ...CITY); return { ok: true, rows: audit.length } })
route('GET', '/api/monitor/freshness', (req, body, u) => {
  need(u, ...CITY)
  const day = 86400000
  const items = [
    { unit_id: 2, unit_name: '市应急管理局', kind: 'column', name: '工作动态', last_published_at: new Date(Date.now() - 3 * day).toISOString(), threshold_days: 30, status: 'ok' },
    { unit_id: 2, unit_name: '市应急管理局', kind: 'column', name: '通知公告', last_published_at: new Date(Date.now() - 27 * day).toISOString(), threshold_days: 30, status: 'due_soon' },
    { unit_id: 3, unit_name: '城关镇', kind: 'column', name: '工作动态', last_published_at: new Date(Date.now() - 41 * day).toISOString(), threshold_days: 30, status: 'overdue' },
    { unit_id: 3, unit_name: '城关镇', kind: 'column', name: '政策文件', last_published_at: null, threshold_days: 30, status: 'blank' },
    ...channels.filter((c) => c.kind !== 'portal').map((c, i) => ({ unit_id: c.unit_id, unit_name: '市应急管理局', kind: 'account', name: c.name, last_published_at: new Date(Date.now() - (i * 4 + 1) * day).toISOString(), threshold_days: 14, status: i * 4 + 1 > 14 ? 'overdue' : i * 4 + 1 > 10 ? 'due_soon' : 'ok' })),
  ]
  return { items }
})
route('GET', '/api/archive', (req, body, u, res, p, q) => {
  const rows = [...tickets.values()].filter((t) => !q.get('unit_id') || t.unit_id === Number(q.get('unit_id'))).flatMap((t) => t.events.filter((e) => e.type === 'decision').map((e) => ({ ticket_id: t.id, title: t.content.title, category: t.content.category, step_label: e.label, reviewer_name: e.user_name, decision: e.decision, decided_at: e.at, comment: e.comment })))
  if (q.get('format') === 'csv') {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8')
    return { raw: '\ufeff工单,标题,环节,审核人,决定,时间\n' + rows.map((r) => [r.ticket_id, r.title, r.step_label, r.reviewer_name, r.decision, r.decided_at].join(',')).join('\n') }
  }
  return { items: rows, total: rows.length }
})

// --- server -------------------------------------------------------------------------------
function cookies(req) {
  return Object.fromEntries((req.headers.cookie || '').split(';').map((c) => c.trim().split('=')).filter((x) => x[0]))
}
function readBody(req) {
  return new Promise((resolve) => { const chunks = []; req.on('data', (c) => chunks.push(c)); req.on('end', () => resolve(Buffer.concat(chunks))) })
}
function parseMultipart(buf, type) {
  const boundary = '--' + /boundary=([^;]+)/.exec(type)[1]
  const s = buf.toString('latin1')
  const part = s.split(boundary).find((x) => /name="file"/.test(x)) || ''
  const headEnd = part.indexOf('\r\n\r\n')
  const mime = (/Content-Type:\s*([^\r\n]+)/i.exec(part.slice(0, headEnd)) || [])[1] || 'application/octet-stream'
  return { mime, data: Buffer.from(part.slice(headEnd + 4, part.length - 2), 'latin1') }
}
function sendJson(res, status, obj) {
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.end(JSON.stringify(obj))
}
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf' }

http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x')
  const p = decodeURIComponent(url.pathname)
  try {
    const mm = /^\/api\/media\/by-sha256\/([0-9a-f]{64})$/.exec(p)
    if (mm && media.has(mm[1])) { const m = media.get(mm[1]); res.setHeader('Content-Type', m.mime); return res.end(m.data) }
    if (p.startsWith('/site/')) {
      const t = tickets.get(Number((/(\d+)\.html$/.exec(p) || [])[1]))
      if (!t || t.state === 'withdrawn') return sendJson(res, 404, { error: { code: 'not_found', message: '页面不存在' } })
      res.setHeader('Content-Type', 'text/html; charset=utf-8')
      return res.end(previews(t).find((c) => c.kind === 'portal').rendering.page_html)
    }
    if (p === '/healthz' || p.startsWith('/api/')) {
      const r = routes.find((x) => x.method === req.method && x.re.test(p))
      if (!r) fail(404, 'not_found', '接口不存在')
      const params = r.re.exec(p).groups || {}
      const raw = await readBody(req)
      let body = {}
      if ((req.headers['content-type'] || '').startsWith('multipart/')) body = parseMultipart(raw, req.headers['content-type'])
      else if (raw.length) { try { body = JSON.parse(raw.toString('utf8')) } catch { fail(400, 'bad_request', '请求格式错误') } }
      let user = null
      if (p !== '/healthz' && !(r.fn && routes.find((x) => x === r) && r.method === 'POST' && p === '/api/session')) {
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization || '')
        const token = bearer ? bearer[1] : cookies(req).gd_session
        const s = token && sessions.get(token)
        if (!s) fail(401, 'unauthenticated', '请先登录')
        if (!bearer && req.method !== 'GET' && req.headers['x-csrf-token'] !== s.csrf) fail(403, 'forbidden', '请求校验失败，请刷新页面后重试')
        user = users.find((x) => x.id === s.user_id)
        req.token = token; req.csrf = s.csrf
        if (user.password_expired && p !== '/api/me/password' && !(req.method === 'GET' && p === '/api/me') && !(req.method === 'DELETE' && p === '/api/session')) fail(403, 'password_expired', '密码已过期，请先修改密码')
      }
      const out = await r.fn(req, body, user, res, params, url.searchParams)
      if (out && out.raw !== undefined) return res.end(out.raw)
      return sendJson(res, res.statusCode && res.statusCode !== 200 ? res.statusCode : 200, out)
    }
    let file = path.join(webDir, path.normalize(p))
    if (!file.startsWith(webDir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(webDir, 'index.html')
    res.setHeader('Content-Type', TYPES[path.extname(file)] || 'application/octet-stream')
    fs.createReadStream(file).pipe(res)
  } catch (e) {
    if (e instanceof HttpError) return sendJson(res, e.status, { error: { code: e.code, message: e.message, details: e.details || {} } })
    console.error(e)
    sendJson(res, 500, { error: { code: 'internal', message: '服务器内部错误', details: {} } })
  }
}).listen(Number(port), host, () => console.log(`contract server on http://${host}:${port}, console from ${webDir}`))
