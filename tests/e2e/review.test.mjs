// The review page beyond the main scenario: the diff against the previous version, a warning
// that can only be passed with a reason, a rejection that needs a comment and is shown to
// everyone with the reviewer's name, and channel previews that read like the published posts.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { DESKTOP, PHONE, launch, open, finish, signIn, shot, apiAs, items, createTicket, approveOnReviewPage, noHorizontalOverflow } from './lib.mjs'

const PORTAL_URL_RAW = '{{portal_url}}'
const PORTAL_URL_SHOWN = '门户链接（发布后生成）'

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

// The dispatcher fills {{portal_url}} with the portal article's address only once the portal has
// published; a reviewer must see where that link goes, in words, not the template braces.
test('previews show the portal link as a placeholder in words and the portal page as published', async () => {
  const ch = items((await editor.get('/api/channels')).data).filter((c) => c.unit_id === editor.user.unit_id)
  const kinds = ['portal', 'wechat_mp', 'weibo', 'manual']
  const channels = kinds.map((k) => ch.find((c) => c.kind === k)).filter(Boolean).map((c) => ({ account_id: c.id, options: {} }))
  assert.equal(channels.length, kinds.length, 'the demo unit has a portal, WeChat, Weibo and a manual account')
  const t = await createTicket(editor, '市应急管理局发布汛期安全出行提示', { channels })
  const sub = await editor.post(`/api/tickets/${t.id}/submit`, { proofread: true })
  assert.equal(sub.status, 200, sub.text)
  const raw = JSON.stringify((await editor.get(`/api/tickets/${t.id}/previews`)).data)
  assert.ok(raw.includes(PORTAL_URL_RAW), 'the renderings carry the placeholder the console must translate')

  for (const viewport of [DESKTOP, PHONE]) {
    const { context, page } = await open(browser, viewport)
    await signIn(page, 'reviewer')
    await page.goto(`/tickets/${t.id}/review`)
    await page.locator('.review[data-loaded=true]').waitFor()
    await page.getByRole('tab', { name: '各渠道预览' }).click()
    const panel = page.getByTestId('previews')
    await panel.locator('.preview-card').nth(kinds.length - 1).waitFor()
    const portal = page.frameLocator('[data-kind=portal] iframe')
    await portal.locator('h1').first().waitFor()
    await page.frameLocator('[data-kind=wechat_mp] iframe').locator('p').first().waitFor()

    const frameTexts = []
    for (const f of page.frames()) if (f !== page.mainFrame()) frameTexts.push(await f.evaluate(() => document.body.innerText))
    const visible = [await panel.innerText(), ...frameTexts].join('\n')
    assert.ok(!visible.includes(PORTAL_URL_RAW), `no raw ${PORTAL_URL_RAW} in the previews at ${viewport.width} px`)
    for (const kind of ['wechat_mp', 'weibo', 'manual']) {
      const chip = panel.locator(`[data-kind=${kind}] .portal-url-chip`).first()
      assert.equal((await chip.innerText()).trim(), PORTAL_URL_SHOWN, `${kind} shows where the portal link goes`)
      assert.equal(await chip.evaluate((el) => el.closest('a')), null, `${kind}: the placeholder is not a link`)
    }

    // The portal page (the real template; the contract server's page is a stand-in): its
    // font-size switch shows as the labels 大/中/小, the chosen one marked, not as bare radio
    // buttons; and the whole short article fits its frame although the tab was hidden at load.
    if (process.env.E2E_SERVER !== 'contract') {
      const radios = portal.locator('input[type=radio]')
      assert.equal(await radios.count(), 3)
      for (let i = 0; i < 3; i++) assert.ok(!(await radios.nth(i).isVisible()), 'no bare radio buttons on the portal page')
      const sizes = portal.locator('.gd-tools label')
      assert.deepEqual(await sizes.allInnerTexts(), ['大', '中', '小'])
      const weight = (i) => sizes.nth(i).evaluate((el) => Number(getComputedStyle(el).fontWeight))
      assert.ok((await weight(1)) > (await weight(0)), 'the chosen size (中) is marked')
      const cut = await portal.locator('.gd-body').evaluate((el) => el.getBoundingClientRect().bottom - window.innerHeight)
      assert.ok(cut <= 0, `the portal article is not cut off at ${viewport.width} px (${cut} px below the frame)`)
    }
    assert.ok(await noHorizontalOverflow(page), `the review page fits ${viewport.width} px`)
    await shot(page, 'review-previews')
    await finish(context, page)
  }
})
