// The review page beyond the main scenario: the diff against the previous version, a warning
// that can only be passed with a reason, and a rejection that needs a comment and is shown to
// everyone with the reviewer's name.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { DESKTOP, launch, open, finish, signIn, shot, apiAs, items, createTicket, approveOnReviewPage } from './lib.mjs'

let browser
let ticketId
let editor
before(async () => {
  browser = await launch()
  editor = await apiAs('editor')
  // Version 1, then version 2 with a changed title and body; the body links outside, which the
  // WeChat rendering cannot keep (a warning the reviewer must acknowledge).
  const t = await createTicket(editor, '关于开展防汛应急演练的通知')
  ticketId = t.id
  const v2 = {
    category: t.category, title: '关于开展2026年防汛应急演练的通知', summary: t.summary,
    body: `${t.body}\n\n演练时间另行通知。`, source: t.source, column: t.column,
    media: t.media.map((m) => ({ media_id: m.media_id, role: m.role })),
    channels: t.channels.map((c) => ({ account_id: c.account_id, options: c.options || {} })),
    scheduled_at: null, urgent: false, out_of_scope: false,
  }
  const put = await editor.put(`/api/tickets/${ticketId}`, v2)
  assert.equal(put.status, 200, put.text)
  assert.equal(put.data.version, 2)
  const sub = await editor.post(`/api/tickets/${ticketId}/submit`, { proofread: true })
  assert.equal(sub.status, 200, sub.text)
})
after(async () => { await browser?.close() })

test('the reviewer sees the diff, must give a reason for a warning, and approves', async () => {
  const { context, page } = await open(browser, DESKTOP)
  await signIn(page, 'reviewer')
  await page.goto(`/tickets/${ticketId}/review`)
  const panel = page.locator('[data-testid=decision-panel][data-ready=true]')
  await panel.waitFor()

  await page.getByRole('tab', { name: '修改对比' }).click()
  const diff = page.locator('.diff-body')
  await diff.first().waitFor()
  assert.match(await page.locator('.diff-ins').allInnerTexts().then((x) => x.join('|')), /2026年/)
  assert.match(await page.locator('.diff-ins').allInnerTexts().then((x) => x.join('|')), /演练时间另行通知/)
  await shot(page, 'review-diff')

  const reasons = page.getByTestId('ack-reason')
  assert.ok((await reasons.count()) >= 1, 'the WeChat link warning is listed')
  await page.getByTestId('check-all').click()
  assert.ok(await page.getByTestId('approve').isDisabled(), 'no approval while a warning has no reason')
  await approveOnReviewPage(page, ticketId, '公众号文中不保留外链，已知悉。')
  await finish(context, page)

  const h = items((await editor.get(`/api/tickets/${ticketId}/history`)).data)
  const d = h.find((e) => e.type === 'decision')
  assert.equal(d.decision, 'approve')
  assert.ok(d.acknowledged_warnings.length >= 1)
  assert.equal(d.acknowledged_warnings[0].reason, '公众号文中不保留外链，已知悉。')
  assert.equal(d.by_name, (await apiAs('reviewer')).user.name)
})

test('a rejection needs a comment; the ticket page shows it with the leader\'s name', async () => {
  const deputyName = (await apiAs('deputy')).user.name
  const { context, page } = await open(browser, DESKTOP)
  await signIn(page, 'deputy')
  await page.goto(`/tickets/${ticketId}/review`)
  await page.locator('[data-testid=decision-panel][data-ready=true]').waitFor()
  await page.getByTestId('reject').click()
  await page.getByText('退回时必须填写审核意见').waitFor()
  await page.getByTestId('decision-comment').fill('演练时间请写明具体日期。')
  await page.getByTestId('reject').click()
  const answer = page.waitForResponse((r) => r.url().endsWith(`/api/tickets/${ticketId}/decisions`) && r.request().method() === 'POST')
  await page.getByRole('dialog').getByRole('button', { name: '确认', exact: true }).click()
  assert.equal((await answer).status(), 200)
  await page.waitForURL(new RegExp(`/tickets/${ticketId}$`))
  await page.getByTestId('ticket-state').getByText('已退回').waitFor()
  const step = page.getByTestId('step-1')
  assert.equal(await step.getAttribute('data-state'), 'rejected')
  const text = await step.innerText()
  assert.match(text, new RegExp(deputyName))
  assert.match(text, /演练时间请写明具体日期/)
  await finish(context, page)
})
