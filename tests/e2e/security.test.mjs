// Sign-in lock-out, unit isolation of reviewers, and write-only channel secrets.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { DESKTOP, PHONE, launch, open, finish, signIn, shot, apiAs, items, createTicket } from './lib.mjs'

let browser
before(async () => { browser = await launch() })
after(async () => { await browser?.close() })

test('wrong passwords lock the account and the page says so', async () => {
  const { context, page } = await open(browser, PHONE)
  await page.goto('/login')
  const err = page.getByTestId('login-error')
  // One sign-in at a time: each attempt waits for the server's answer and the message it shows.
  const attempt = async (password) => {
    await page.getByLabel('用户名').fill('principal3')
    await page.getByLabel('密码', { exact: true }).fill(password)
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/session') && r.request().method() === 'POST')
    await page.getByTestId('login-submit').click()
    const status = (await answer).status()
    await err.waitFor()
    return status
  }
  for (let i = 1; i <= 5; i++) assert.equal(await attempt(`wrong-password-${i}`), 401, `wrong password ${i}`)
  assert.equal(await attempt('Demo@2026pass'), 423, 'locked, even with the right password')
  assert.match(await err.innerText(), /锁定/)
  assert.ok(page.url().includes('/login'), 'still on the sign-in page')
  await shot(page, 'login-locked')
  await finish(context, page)
})

test('the office lifts the lock in the console and the person signs in again', async () => {
  const { context, page } = await open(browser, DESKTOP)
  await signIn(page, 'office')
  await page.goto('/users')
  await page.getByRole('tab', { name: /登录锁定/ }).click()
  // The visible tab panel only (the users table on the other tab has its own unlock buttons).
  const row = page.getByRole('tabpanel').locator('.el-table__row', { hasText: 'principal3' }).first()
  await row.waitFor()
  await shot(page, 'users-login-locks')
  await row.getByRole('button', { name: '解除锁定' }).click()
  await page.getByText(/已解除 principal3/).waitFor()
  await finish(context, page)

  const again = await open(browser, PHONE)
  await signIn(again.page, 'principal3')
  assert.ok(!again.page.url().includes('/login'), 'signed in after the unlock')
  await finish(again.context, again.page)
})

test('a reviewer of another unit cannot see the ticket', async () => {
  const editor = await apiAs('editor')
  const t = await createTicket(editor, '城关镇以外单位的工单')
  const sub = await editor.post(`/api/tickets/${t.id}/submit`, { proofread: true })
  assert.equal(sub.status, 200, sub.text)

  const other = await apiAs('reviewer3')
  const r = await other.get(`/api/tickets/${t.id}`)
  assert.ok([403, 404].includes(r.status), `API answers ${r.status}`)
  const awaiting = items((await other.get('/api/tickets?awaiting_me=1')).data)
  assert.ok(!awaiting.some((x) => x.id === t.id))

  const { context, page } = await open(browser, DESKTOP)
  await signIn(page, 'reviewer3')
  await page.locator('[data-testid=sec-awaiting]').waitFor()
  assert.equal(await page.locator(`[data-ticket-id="${t.id}"]`).count(), 0)
  await page.goto(`/tickets/${t.id}/review`)
  await page.getByTestId('load-error').waitFor()
  assert.equal(await page.getByTestId('decision-panel').count(), 0)
  assert.ok(!(await page.content()).includes('城关镇以外单位的工单'))
  await finish(context, page)
})

test("an operator's channel secret is never shown back", async () => {
  const SECRET = 'sandbox-secret'
  const op = await apiAs('operator')
  const wechat = items((await op.get('/api/channels')).data).find((c) => c.kind === 'wechat_mp')
  assert.ok(wechat, 'a WeChat account exists')

  const { context, page } = await open(browser, DESKTOP)
  const bodies = []
  page.on('response', async (res) => {
    if (res.url().includes('/api/')) { try { bodies.push(await res.text()) } catch { /* redirects have no body */ } }
  })
  await signIn(page, 'operator')
  await page.goto('/channels')
  await page.getByTestId(`edit-channel-${wechat.id}`).click()
  const input = page.getByTestId('secret-app_secret')
  await input.fill(SECRET)
  await page.getByTestId('save-channel').click()
  await page.getByTestId('save-channel').waitFor({ state: 'hidden' })
  await page.getByTestId(`edit-channel-${wechat.id}`).click()
  assert.equal(await input.inputValue(), '', 'the secret field comes back empty')
  assert.match(await input.getAttribute('placeholder'), /\*\*\*/)
  await shot(page, 'channels-edit')
  await page.keyboard.press('Escape')
  assert.ok(!(await page.content()).includes(SECRET), 'the page never shows the secret')
  assert.ok(bodies.length > 0 && bodies.every((b) => !b.includes(SECRET)), 'no API answer carries the secret')
  const one = await op.get(`/api/channels/${wechat.id}`)
  assert.ok(!one.text.includes(SECRET))
  await page.getByTestId(`test-channel-${wechat.id}`).click()
  await page.getByRole('button', { name: '知道了' }).click()
  await finish(context, page)
})
