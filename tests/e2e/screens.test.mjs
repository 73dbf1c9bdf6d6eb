// Screenshots of every main page at 1366 px and 375 px (and 1920 px) (tests/e2e/artifacts/), with the
// check that nothing overflows sideways on a phone and that no request leaves the dispatcher.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { DESKTOP, PHONE, WIDE, EDITOR_MS, launch, open, finish, signIn, shot, noHorizontalOverflow, apiAs, createTicket } from './lib.mjs'

let browser
let ticketId
before(async () => {
  browser = await launch()
  const editor = await apiAs('editor')
  const t = await createTicket(editor, '关于做好汛期安全防范工作的通知')
  ticketId = t.id
  const r = await editor.post(`/api/tickets/${t.id}/submit`, { proofread: true })
  assert.equal(r.status, 200, `submit: ${r.text}`)
})
after(async () => { await browser?.close() })

const pages = () => [
  { user: null, path: '/login', name: 'login', ready: '[data-testid=login-submit]' },
  { user: 'editor', path: '/', name: 'dashboard', ready: '[data-testid=sec-drafts] .ticket-list[aria-busy=false]' },
  { user: 'editor', path: '/tickets/new', name: 'compose-empty', ready: '[data-testid=body-editor][data-ready=true]', timeout: EDITOR_MS },
  { user: 'editor', path: '/tickets', name: 'tickets', ready: '.ticket-list[aria-busy=false]' },
  { user: 'editor', path: '/password', name: 'password', ready: 'form' },
  { user: 'reviewer', path: `/tickets/${ticketId}/review`, name: 'review-initial', ready: '.review[data-loaded=true] [data-testid=decision-panel][data-ready=true]' },
  { user: 'editor', path: `/tickets/${ticketId}`, name: 'ticket', ready: '[data-testid=timeline]' },
  { user: 'operator', path: '/channels', name: 'channels', ready: '[data-testid=channel-table] .el-table__row' },
  { user: 'admin', path: '/units', name: 'units', ready: '.el-table__row' },
  { user: 'admin', path: '/users', name: 'users', ready: '.el-table__row' },
  { user: 'auditor', path: '/audit', name: 'audit', ready: '.el-table__row' },
  { user: 'auditor', path: '/archive', name: 'archive', ready: 'form' },
  { user: 'office', path: '/freshness', name: 'freshness', ready: '.stats' },
]

for (const vp of [DESKTOP, PHONE, WIDE]) {
  test(`main pages at ${vp.width} px`, async () => {
    const { context, page } = await open(browser, vp)
    let current = null
    const overflow = []
    for (const p of pages()) {
      if (p.user !== current) {
        await context.clearCookies()
        if (p.user) await signIn(page, p.user)
        current = p.user
      }
      await page.goto(p.path)
      await page.locator(p.ready).first().waitFor(p.timeout ? { timeout: p.timeout } : {})
      await shot(page, p.name)
      if (!(await noHorizontalOverflow(page))) overflow.push(p.name)
    }
    assert.deepEqual(overflow, [], 'pages that scroll sideways')
    await finish(context, page)
  })
}
