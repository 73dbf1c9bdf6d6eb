// A leader approves on a phone (375 px) a piece with a photo in its body and a long finding
// (issue 16: such a page widened to ~590 px, the 填写审核意见 bar fell out of view and the confirm
// dialog's 确认 was off-screen). The page must fit the screen, the bar must be in view, and the
// dialog's button must be on screen and work.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { DESKTOP, PHONE, launch, open, finish, signIn, shot, apiAs, createTicket, png, approveOnReviewPage, noHorizontalOverflow } from './lib.mjs'

let browser
before(async () => { browser = await launch() })
after(async () => { await browser?.close() })

// Whether `locator`'s box lies inside the viewport.
async function onScreen(page, locator) {
  const box = await locator.boundingBox()
  const vp = page.viewportSize()
  return !!box && box.x >= 0 && box.y >= 0 && box.x + box.width <= vp.width + 0.5 && box.y + box.height <= vp.height + 0.5
}

test('a deputy leader approves a piece with a photo and a long finding on a 375 px phone', async () => {
  const editor = await apiAs('editor')
  const photo = await editor.upload('检查现场.png', 'image/png', png(1600, 1200, [0x2a, 0x6f, 0x97]))
  // An insecure link of 160 characters without a break: the finding shows it whole.
  const longUrl = `http://www.gov.cn/zhengce/content/${'2026'.repeat(10)}/${'abcdefghij'.repeat(10)}.htm`
  const body = `检查现场照片如下：\n\n![检查现场](media:${photo.sha256})\n\n通知原文见 ${longUrl} 。\n\n` +
    '检查组逐一查看了企业的安全生产台账、应急预案和应急物资储备情况，对发现的问题当场反馈并督促整改。'.repeat(6)
  const t = await createTicket(editor, `手机审核测试：汛期安全检查现场（${Date.now() % 100000}）`, {
    body, media: [{ media_id: photo.id, role: 'cover' }],
  })
  const sub = await editor.post(`/api/tickets/${t.id}/submit`, { proofread: true })
  assert.equal(sub.status, 200, sub.text)

  // The unit reviewer's step at a desk.
  {
    const { context, page } = await open(browser, DESKTOP)
    await signIn(page, 'reviewer')
    await page.goto(`/tickets/${t.id}/review`)
    await approveOnReviewPage(page, t.id)
    await finish(context, page)
  }

  const { context, page } = await open(browser, PHONE)
  await signIn(page, 'deputy')
  await page.goto(`/tickets/${t.id}/review`)
  await page.locator('.review[data-loaded=true] [data-testid=decision-panel][data-ready=true]').waitFor()
  const reasons = page.getByTestId('ack-reason')
  assert.ok((await reasons.count()) >= 1, 'the long link is a finding the leader must answer')
  assert.ok(await noHorizontalOverflow(page), 'the page fits 375 px with the photo and the long finding')
  const bar = page.getByRole('button', { name: '填写审核意见' })
  await bar.waitFor()
  assert.ok(await onScreen(page, bar), 'the 填写审核意见 bar is in view')
  await shot(page, 'phone-review-long-finding')

  await bar.click()
  for (let i = 0; i < (await reasons.count()); i++) await reasons.nth(i).fill('经核实，链接为原文地址。')
  await page.getByTestId('check-all').click()
  await page.getByTestId('approve').click()
  const confirm = page.getByRole('dialog').getByRole('button', { name: '确认', exact: true })
  await confirm.waitFor()
  assert.ok(await onScreen(page, confirm), 'the dialog\'s 确认 is on screen')
  assert.ok(await noHorizontalOverflow(page), 'the dialog fits 375 px')
  await shot(page, 'phone-review-confirm')
  const answer = page.waitForResponse((r) => r.url().endsWith(`/api/tickets/${t.id}/decisions`) && r.request().method() === 'POST')
  await confirm.click()
  assert.equal((await answer).status(), 200)
  await page.waitForURL(new RegExp(`/tickets/${t.id}$`))
  await page.getByTestId('ticket-state').getByText('已审核通过').waitFor()
  assert.ok(await noHorizontalOverflow(page), 'the ticket page fits 375 px too')
  await finish(context, page)
})
