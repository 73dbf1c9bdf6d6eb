// An operator connects a Weibo account by authorising on the platform, not by pasting a token
// (issue 14; docs/api.md §4.3): 授权连接 on the 渠道账号 page → the Weibo sandbox's authorise page
// (written from Weibo's OAuth 2 documentation, docs/channels-protocols.md) → 同意授权 → back
// through GET /api/oauth/callback → the console finishes it with POST /api/oauth/complete. The
// account then shows 已授权, its token sealed (listed only as ***), its uid the grant's. A refusal
// on the platform leaves the account as it was and says so in Chinese. At 1366 px and 375 px.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, DESKTOP, PHONE, launch, open, finish, signIn, shot, noHorizontalOverflow, apiAs, items } from './lib.mjs'

const CALLBACK = `${BASE}/api/oauth/callback`
let browser
let op
let weibo // the demo's Weibo account: its address is the sandbox's Weibo
before(async () => {
  browser = await launch()
  op = await apiAs('operator')
  weibo = items((await op.get('/api/channels')).data).find((c) => c.kind === 'weibo' && !c.disabled)
})
after(async () => { await browser?.close() })

// A Weibo account with its app key and secret but no token, its callback this server's.
async function unauthorisedAccount(name) {
  assert.ok(weibo, 'the demo has a Weibo account on the sandbox')
  // The app's registered callback address, as an operator enters it in Weibo's app console.
  const reg = await fetch(`${weibo.base_url}/_sandbox/oauth`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ redirect_uri: CALLBACK }) })
  assert.equal(reg.status, 200, await reg.text())
  const r = await op.post('/api/channels', {
    kind: 'weibo',
    name,
    unit_id: weibo.unit_id,
    base_url: weibo.base_url,
    settings: { app_key: 'sandbox', uid: '待授权', rip: '203.0.113.5', oauth_redirect_uri: CALLBACK },
    secrets: { app_secret: 'sandbox-secret' },
  })
  assert.equal(r.status, 201, r.text)
  assert.equal(r.data.oauth.connected, false)
  assert.match(r.data.oauth.warning, /尚未授权/)
  return r.data
}

for (const [viewport, tag] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
  test(`operator connects a Weibo account through the platform's authorise page (${viewport.width} px)`, async () => {
    const account = await unauthorisedAccount(`授权连接测试微博（${tag}）`)
    const { context, page } = await open(browser, viewport)
    try {
      await signIn(page, 'operator')
      await page.goto('/channels')
      const status = page.getByTestId(`oauth-status-${account.id}`)
      await status.getByText('未授权', { exact: true }).waitFor()
      await status.getByText(/尚未授权/).waitFor()
      await page.getByTestId(`oauth-channel-${account.id}`).scrollIntoViewIfNeeded()
      await shot(page, `oauth-before-${tag}`)

      // To the platform: its own page, naming the app, with the state the server issued.
      await page.getByTestId(`oauth-channel-${account.id}`).click()
      await page.waitForURL((u) => u.href.startsWith(`${weibo.base_url}/oauth2/authorize?`))
      const at = new URL(page.url())
      assert.equal(at.searchParams.get('client_id'), 'sandbox')
      assert.equal(at.searchParams.get('redirect_uri'), CALLBACK)
      assert.equal(at.searchParams.get('response_type'), 'code')
      assert.match(at.searchParams.get('state'), /^[A-Za-z0-9_-]{20,}$/)
      await page.getByRole('heading', { name: /授权/ }).waitFor()
      await shot(page, `oauth-platform-page-${tag}`)

      // 同意授权: the platform redirects to the callback, which sends the browser on to the
      // console; the code travels in the fragment and leaves the address bar at once.
      const completed = page.waitForResponse((r) => r.url().endsWith('/api/oauth/complete'))
      await page.getByRole('button', { name: '同意授权' }).click()
      const done = await completed
      assert.equal(done.status(), 200, await done.text())
      assert.equal(done.request().postDataJSON().state, at.searchParams.get('state'))
      await page.getByTestId('oauth-result').getByText(/授权成功/).waitFor()
      assert.equal(new URL(page.url()).pathname, '/channels')
      assert.equal(new URL(page.url()).hash, '', 'the code does not stay in the address bar')
      await status.getByText('已授权', { exact: true }).waitFor()
      await status.getByText(/有效期至/).waitFor()
      assert.ok(await noHorizontalOverflow(page), 'nothing overflows sideways')
      await shot(page, `oauth-connected-${tag}`)

      // What the server kept: the grant's uid, the token sealed (only its name is listed), the
      // credentials working against the platform.
      const saved = (await op.get(`/api/channels/${account.id}`)).data
      assert.equal(saved.settings.uid, 'sandbox')
      assert.equal(saved.secrets.access_token, '***')
      assert.equal(saved.oauth.connected, true)
      assert.ok(saved.oauth.expires_at, 'the token has an end')
      const audit = (await (await apiAs('admin')).get(`/api/audit?per_page=50`)).data
      assert.ok(JSON.stringify(audit).includes('channel.oauth_connected'), 'the connection is audited')
      const tried = await op.post(`/api/channels/${account.id}/test`, {})
      assert.equal(tried.status, 200, tried.text)
      assert.equal(tried.data.ok, true, tried.text)

      // The same state again: used once, refused.
      const again = await op.post('/api/oauth/complete', { state: at.searchParams.get('state'), code: 'x' })
      assert.ok([403, 409].includes(again.status), again.text)
    } finally {
      // The demo's data is shared with later files: the account leaves the compose page.
      await op.patch(`/api/channels/${account.id}`, { disabled: true })
      await finish(context, page, { allowedOrigins: [new URL(weibo.base_url).origin] })
    }
  })
}

test('取消 on the platform comes back as a Chinese message and changes nothing', async () => {
  const account = await unauthorisedAccount('授权被拒测试微博')
  const { context, page } = await open(browser, DESKTOP)
  try {
    await signIn(page, 'operator')
    await page.goto('/channels')
    await page.getByTestId(`oauth-channel-${account.id}`).click()
    await page.waitForURL((u) => u.href.startsWith(`${weibo.base_url}/oauth2/authorize?`))
    await page.getByRole('button', { name: '取消' }).click()
    await page.getByTestId('oauth-result').getByText('授权未完成').waitFor()
    await page.getByTestId('oauth-result').getByText(/取消或拒绝/).waitFor()
    assert.equal(new URL(page.url()).hash, '')
    await shot(page, 'oauth-refused')
    // A hostile callback: nothing of it is echoed into the page.
    await page.goto(`/api/oauth/callback?code=${encodeURIComponent('<img src=x onerror=alert(1)>')}&state=${encodeURIComponent('"><script>')}`)
    await page.getByTestId('oauth-result').getByText(/格式不正确/).waitFor()
    assert.equal(await page.locator('img[src=x]').count(), 0)
    const saved = (await op.get(`/api/channels/${account.id}`)).data
    assert.equal(saved.oauth.connected, false)
    assert.equal(saved.secrets.access_token, undefined)
  } finally {
    await op.patch(`/api/channels/${account.id}`, { disabled: true })
    await finish(context, page, { allowedOrigins: [new URL(weibo.base_url).origin] })
  }
})
