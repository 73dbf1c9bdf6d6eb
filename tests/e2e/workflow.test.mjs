// The main scenario: an editor composes a piece for three channels, sees a planted ID
// number highlighted and fixes it, submits; the unit reviewer approves at 1366 px and the deputy
// leader on a 375 px phone; the site manager proofreads and publishes; every channel shows
// 已发布 with a link; a withdrawal is requested and approved by the office.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, DESKTOP, PHONE, launch, open, finish, signIn, shot, noHorizontalOverflow, apiAs, items, idNumber, png, editorReady, approveOnReviewPage } from './lib.mjs'

let browser
let ticketId
const TITLE = `市应急管理局开展汛期安全检查（${Date.now() % 100000}）`
const ID = idNumber()
const WEIBO_TEXT = '汛期将至，请市民关注预警信息，注意出行安全。'

before(async () => { browser = await launch() })
after(async () => { await browser?.close() })

// The steps below continue one ticket; a later step without it reports that, not a timeout.
function needTicket() {
  assert.ok(ticketId, 'the ticket from the compose step')
}

test('editor composes for three channels, fixes the highlighted ID number and submits', async () => {
  const { context, page } = await open(browser, DESKTOP)
  await signIn(page, 'editor')
  await page.goto('/tickets/new')
  await page.getByLabel('标题').fill(TITLE)
  await page.getByLabel('摘要').fill('市应急管理局近日开展汛期安全生产专项检查。')
  const body = await editorReady(page)
  await body.click()
  await page.keyboard.insertText(`近日，市应急管理局组织开展汛期安全生产专项检查，重点检查防汛物资储备情况。举报人身份证号${ID}，联系电话见附件。`)
  for (const kind of ['portal', 'wechat_mp', 'weibo']) await page.getByTestId(`channel-${kind}`).click()
  // The channels' option fields come from the registry (GET /api/channel-kinds), with its labels.
  await page.getByLabel('作者').fill('市应急管理局')
  await page.getByTestId('option-weibo-text').locator('textarea').fill(WEIBO_TEXT)
  // A WeChat article needs a cover: the first uploaded image becomes it.
  await page.getByTestId('media-input').setInputFiles({ name: '封面.png', mimeType: 'image/png', buffer: png() })
  await page.locator('.media-item').first().waitFor()

  const finding = page.locator('.finding-item[data-kind=id_card]')
  await finding.waitFor()
  assert.match(await finding.innerText(), /身份|个人信息/)
  await page.waitForFunction(() => CSS.highlights && CSS.highlights.get('gd-finding-block') && CSS.highlights.get('gd-finding-block').size > 0)
  await shot(page, 'compose-finding')

  // While a block remains, the submit dialog says so and cannot be confirmed.
  await page.getByTestId('submit').click()
  const dialog = page.getByRole('dialog', { name: '提交审核' })
  await dialog.getByTestId('submit-blocked').waitFor()
  await dialog.getByTestId('proofread').click()
  assert.ok(await dialog.getByTestId('confirm-submit').isDisabled(), 'no confirming with a block left')
  await dialog.getByRole('button', { name: '取消' }).click()
  await dialog.waitFor({ state: 'hidden' })

  await finding.getByRole('button', { name: /采用建议/ }).click()
  await finding.waitFor({ state: 'detached' })
  assert.ok(!(await body.innerText()).includes(ID), 'the ID number is gone from the editor')

  await page.getByTestId('save').click()
  await page.waitForURL(/\/tickets\/\d+\/edit$/)
  ticketId = Number(/tickets\/(\d+)/.exec(page.url())[1])
  await page.locator('[data-testid=previews] .preview-card').nth(2).waitFor()
  assert.equal(await page.locator('[data-testid=previews] .preview-card').count(), 3)
  await shot(page, 'compose')

  await page.getByTestId('submit').click()
  await page.getByTestId('proofread').click()
  await page.getByTestId('confirm-submit').click()
  await page.waitForURL(new RegExp(`/tickets/${ticketId}$`))
  await page.getByTestId('ticket-state').getByText('审核中').waitFor()
  await finish(context, page)

  const editor = await apiAs('editor')
  const t = (await editor.get(`/api/tickets/${ticketId}`)).data
  assert.ok(!t.body.includes(ID), 'the stored body has no ID number')
  assert.equal(t.state, 'in_review')
  assert.equal(t.channels.length, 3)
})

test('unit reviewer approves on a desktop screen', async () => {
  needTicket()
  const { context, page } = await open(browser, DESKTOP)
  await signIn(page, 'reviewer')
  const link = page.locator(`[data-testid=sec-awaiting] [data-ticket-id="${ticketId}"] a`)
  await link.click()
  await page.waitForURL(new RegExp(`/tickets/${ticketId}/review$`))
  await page.getByRole('tab', { name: '各渠道预览' }).click()
  await page.locator('[data-testid=previews] .preview-card').first().waitFor()
  await shot(page, 'review')
  await approveOnReviewPage(page, ticketId)
  await finish(context, page)
})

test('deputy leader reads and approves on a 375 px phone; the first step names its reviewer', async () => {
  needTicket()
  const reviewerName = (await apiAs('reviewer')).user.name
  const deputyName = (await apiAs('deputy')).user.name
  const { context, page } = await open(browser, PHONE)
  await signIn(page, 'deputy')
  await page.locator(`[data-testid=sec-awaiting] [data-ticket-id="${ticketId}"] a`).click()
  await page.waitForURL(new RegExp(`/tickets/${ticketId}/review$`))
  await page.locator('.review[data-loaded=true] [data-testid=decision-panel][data-ready=true]').waitFor()
  assert.match(await page.getByTestId('step-0').innerText(), new RegExp(reviewerName), 'the approved step shows who decided it')
  assert.ok(await noHorizontalOverflow(page), 'the review page fits 375 px')
  await shot(page, 'review')
  await approveOnReviewPage(page, ticketId)
  await page.getByTestId('ticket-state').getByText('已审核通过').waitFor()
  assert.match(await page.getByTestId('step-1').innerText(), new RegExp(deputyName))
  // The timeline names people too (history `by_name`).
  await page.getByTestId('timeline').getByText(reviewerName).first().waitFor()
  await finish(context, page)

  const t = (await (await apiAs('editor')).get(`/api/tickets/${ticketId}`)).data
  assert.deepEqual(t.steps.map((s) => s.decided_by_name), [reviewerName, deputyName])
})

test('site manager proofreads and publishes; all three channels show 已发布 with links', async () => {
  needTicket()
  const { context, page } = await open(browser, DESKTOP)
  await signIn(page, 'sitemgr')
  await page.goto(`/tickets/${ticketId}`)
  await page.getByTestId('publish-panel').waitFor()
  await page.getByTestId('final-proofread').click()
  await page.getByTestId('publish').click()
  const published = page.locator('[data-testid=dispatches] .dispatch[data-state=published]')
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=dispatches] .dispatch[data-state=published]').length === 3, null, { timeout: 60000 })
  assert.equal(await published.count(), 3)
  for (let i = 0; i < 3; i++) {
    assert.equal((await published.nth(i).locator('.dispatch-state').innerText()).trim(), '已发布')
    assert.ok(await published.nth(i).locator('a.remote-link').getAttribute('href'))
  }
  await shot(page, 'ticket-published')

  // What the editor typed for Weibo is what Weibo holds.
  if (process.env.E2E_SERVER !== 'contract') {
    const weibo = items((await (await apiAs('operator')).get('/api/channels')).data).find((c) => c.kind === 'weibo' && !c.disabled)
    const posts = await (await fetch(`${new URL(weibo.base_url).origin}/_sandbox/posts?platform=weibo`)).json()
    const post = posts.items.find((p) => (p.text || '').includes(TITLE))
    assert.ok(post, 'the Weibo sandbox holds the post')
    assert.ok(post.text.includes(WEIBO_TEXT), post.text)
  }

  // The published portal page works under the site's Content-Security-Policy (no inline script):
  // its print button is wired by gd-site.js. finish() fails on any CSP violation.
  if (process.env.E2E_SERVER !== 'contract') {
    const portalHref = await page.locator('[data-testid=dispatches] .dispatch[data-kind=portal] a.remote-link').getAttribute('href')
    const portalPath = new URL(portalHref, BASE).pathname
    const article = await context.newPage()
    article.on('pageerror', (e) => page.problems.push(`uncaught exception on ${article.url()}: ${e.message}`))
    const answer = await article.goto(portalPath.startsWith('/site/') ? portalPath : `/site${portalPath}`)
    assert.equal(answer.status(), 200)
    assert.match(answer.headers()['content-security-policy'], /script-src 'self'/)
    assert.equal(answer.headers()['x-content-type-options'], 'nosniff')
    await article.evaluate(() => { window.__printed = false; window.print = () => { window.__printed = true } })
    await article.locator('#gd-print').click()
    assert.equal(await article.evaluate(() => window.__printed), true)
    await article.close()
  }

  await page.getByTestId('request-withdrawal').click()
  await page.getByTestId('wd-reason').fill('信息中部分数据需要更正，申请撤回后重新发布。')
  await page.getByTestId('wd-submit').click()
  await page.getByTestId('withdrawals').locator('.wd-state[data-state=pending]').waitFor()
  await finish(context, page)
})

// A dispatch whose outcome the system cannot tell (needs_decision) shows 需人工核实, its message
// and two actions that ask for the URL and for a reason. The server cannot be made to produce
// such an outcome on demand here, so this page's dispatch list and the two actions' answers are
// served by the test (their server side: tests/dispatcher/dispatch/decision_test.cc).
test('a dispatch that needs a decision offers 确认已发布 and 判定未发布', async () => {
  needTicket()
  const { context, page } = await open(browser, DESKTOP)
  await signIn(page, 'sitemgr')
  const MESSAGE = '已等待微博处理 25 小时 5 分钟仍无结果，请登录微博后台核实这篇稿件是否已发布。'
  const posted = []
  let decided = null
  await page.route(new RegExp(`/api/tickets/${ticketId}/dispatches$`), async (route) => {
    const answer = await route.fetch()
    const list = await answer.json()
    for (const d of list.items) {
      if (d.kind !== 'weibo') continue
      Object.assign(d, decided || { state: 'awaiting', needs_decision: true, error_reason: 'needs_decision', last_error: MESSAGE, remote_url: null })
    }
    await route.fulfill({ response: answer, json: list })
  })
  await page.route(new RegExp(`/api/tickets/${ticketId}/dispatches/\\d+/(confirm|not-published)$`), async (route) => {
    const action = route.request().url().endsWith('/confirm') ? 'confirm' : 'not-published'
    posted.push({ action, body: route.request().postDataJSON() })
    decided = action === 'confirm'
      ? { state: 'published', needs_decision: false, error_reason: null, last_error: null, remote_url: 'https://weibo.com/1/Ab' }
      : { state: 'failed', needs_decision: false, error_reason: 'declared_not_published', last_error: '经人工核实未发布：后台未找到', remote_url: null }
    await route.fulfill({ json: { account_id: 0, kind: 'weibo', ...decided } })
  })
  await page.goto(`/tickets/${ticketId}`)
  const weibo = page.locator('[data-testid=dispatches] .dispatch[data-kind=weibo]')
  const decision = weibo.getByTestId('needs-decision')
  await decision.waitFor()
  assert.match(await decision.innerText(), /需人工核实/)
  assert.match(await decision.innerText(), /25 小时 5 分钟/)
  await shot(page, 'dispatch-needs-decision')

  // 确认已发布 asks for the URL and refuses anything but a link.
  await weibo.getByTestId('confirm-published').click()
  const box = page.locator('.el-message-box')
  await box.waitFor()
  await box.locator('input').fill('见微博')
  await box.getByRole('button', { name: '确定' }).click()
  await box.locator('.el-message-box__errormsg').waitFor()
  await box.locator('input').fill('https://weibo.com/1/Ab')
  await box.getByRole('button', { name: '确定' }).click()
  await weibo.locator('a.remote-link').waitFor()
  assert.deepEqual(posted[0], { action: 'confirm', body: { remote_url: 'https://weibo.com/1/Ab' } })

  // 判定未发布 asks for a reason.
  decided = null
  await page.reload()
  await decision.waitFor()
  await weibo.getByTestId('declare-not-published').click()
  await box.waitFor()
  await box.locator('input').fill('后台未找到')
  await box.getByRole('button', { name: '确定' }).click()
  await page.locator('[data-testid=dispatches] .dispatch[data-kind=weibo][data-state=failed]').waitFor()
  assert.deepEqual(posted[1], { action: 'not-published', body: { reason: '后台未找到' } })
  await weibo.getByTestId('retry').waitFor()
  await page.unrouteAll({ behavior: 'ignoreErrors' })
  await finish(context, page)
})

test('office approves the withdrawal and the channels are withdrawn', async () => {
  needTicket()
  const officeName = (await apiAs('office')).user.name
  const { context, page } = await open(browser, DESKTOP)
  await signIn(page, 'office')
  await page.goto(`/tickets/${ticketId}`)
  await page.getByTestId('wd-comment').fill('同意撤回。')
  await page.getByTestId('wd-approve').click()
  const wd = page.getByTestId('withdrawals')
  await wd.locator('.wd-state:is([data-state=approved], [data-state=done])').waitFor()
  assert.match(await wd.innerText(), new RegExp(`审定：${officeName}`))
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=dispatches] .dispatch')].every((d) => ['withdrawn', 'withdrawing'].includes(d.dataset.state)), null, { timeout: 60000 })
  await shot(page, 'ticket-withdrawn')
  await finish(context, page)
  const office = await apiAs('office')
  const t = (await office.get(`/api/tickets/${ticketId}`)).data
  assert.equal(t.withdrawals.length, 1)
  assert.equal(t.withdrawals[0].decided_by_name, officeName)
  assert.ok(t.withdrawals[0].requested_by_name)
})
