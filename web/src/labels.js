// Chinese labels for the API's machine keys.
export const CATEGORIES = {
  work_news: '工作动态',
  announcement: '公示公告',
  policy_document: '政策文件',
  key_area: '重点领域',
  interactive: '互动',
  reposted: '转载',
}

export const TICKET_STATES = {
  draft: '草稿',
  in_review: '审核中',
  returned: '已退回',
  approved: '已审核通过',
  publishing: '发布中',
  published: '已发布',
  failed: '发布失败',
  withdrawn: '已撤回',
}

export const STATE_TAG = {
  draft: 'info',
  in_review: 'warning',
  returned: 'danger',
  approved: 'success',
  publishing: 'primary',
  published: 'success',
  failed: 'danger',
  withdrawn: 'info',
}

export const DISPATCH_STATES = {
  pending: '待发送',
  sending: '发送中',
  awaiting: '等待平台处理',
  published: '已发布',
  failed: '失败',
  withdrawing: '撤回中',
  withdrawn: '已撤回',
}

// A dispatch whose outcome the system cannot tell (needs_decision): a person checks the platform.
export const DISPATCH_DECISION = {
  tag: '需人工核实',
  confirm: '确认已发布',
  notPublished: '判定未发布',
  confirmTitle: '确认已发布',
  confirmPrompt: '请登录平台核实后，填写这篇稿件在平台上的链接（以 https:// 开头）：',
  confirmInvalid: '请填写以 http:// 或 https:// 开头的链接',
  notPublishedTitle: '判定未发布',
  notPublishedPrompt: '请说明核实情况（例如：已在平台后台查看，未找到这篇稿件）。判定后可重试发布：',
  notPublishedInvalid: '请说明核实情况',
  ok: '确定',
  cancel: '取消',
  confirmed: '已登记为已发布。',
  declared: '已判定为未发布，可重试发布。',
}

export const DISPATCH_TAG = {
  pending: 'info',
  sending: 'primary',
  awaiting: 'warning',
  published: 'success',
  failed: 'danger',
  withdrawing: 'warning',
  withdrawn: 'info',
}

export const STEP_STATES = {
  waiting: '未开始',
  pending: '待审核',
  approved: '通过',
  rejected: '退回',
}

export const ROLES = {
  editor: '信息员',
  unit_reviewer: '单位初审',
  deputy_leader: '分管领导',
  principal_leader: '主要领导',
  site_manager: '网站信息管理员',
  office: '市政务公开办',
  operator: '运维人员',
  auditor: '督查室',
  admin: '系统管理员',
}

export const UNIT_KINDS = {
  town: '镇',
  street: '街道',
  department: '市直部门',
  office: '市政务公开办',
}

// Article 11 of the regulation, in its order.
export const CHECKLIST = [
  { key: 'secrets', label: '是否涉及秘密' },
  { key: 'compliance', label: '是否符合国家政策方针和法律法规' },
  { key: 'promotion', label: '是否有利于本市的宣传和发展' },
  { key: 'typos', label: '有无错别字、重要表述错误' },
  { key: 'statistics', label: '统计数据是否准确' },
  { key: 'sensitive', label: '是否涉及敏感性问题' },
  { key: 'timing', label: '是否符合对外发布时机' },
  { key: 'harm', label: '是否会给其他单位、个人造成危害' },
  { key: 'other', label: '其他需根据工作实际把握的情况' },
]

export const SEVERITY = {
  block: '必须修改',
  warn: '提醒',
  info: '提示',
}

export const RULES = {
  secret_marking: '涉密标识',
  sensitive_word: '敏感词',
  expression: '重要表述',
  typo: '错别字',
  pii: '个人信息',
  missing_source: '缺少来源',
  date: '日期',
  number: '数字',
  link: '链接',
  channel_limit: '渠道限制',
}

export const FRESHNESS = {
  ok: '正常',
  due_soon: '即将超期',
  overdue: '已超期',
  blank: '空白',
}

export function label(map, key) {
  return (key && map[key]) || key || '—'
}

export function fmtTime(t) {
  if (!t) return '—'
  const d = new Date(t)
  if (Number.isNaN(d.getTime())) return String(t)
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}
