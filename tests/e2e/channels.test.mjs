// The 渠道账号 form is rendered from GET /api/channel-kinds: an operator creates a WeChat account
// (help text shown, the API address prefilled), sees the portal's push-only fields appear only
// in 推送 mode, and reads the server's 422 next to the field it names. At 1366 px and 375 px.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { DESKTOP, PHONE, launch, open, finish, signIn, shot, noHorizontalOverflow, apiAs, items } from './lib.mjs'

let browser
let kindsAnswer
before(async () => {
  browser = await launch()
  kindsAnswer = await (await apiAs('operator')).get('/api/channel-kinds')
})
after(async () => { await browser?.close() })

// The schema the server answers; the tests that need it fail here on a server without it.
const kinds = () => {
  assert.equal(kindsAnswer.status, 200, `GET /api/channel-kinds: ${kindsAnswer.text}`)
  return kindsAnswer.data.items
}
const kind = (k) => kinds().find((x) => x.kind === k)
// The field a 422 names: details.field (docs of /api/channel-kinds), else the only key of
// details.fields (the API's general `invalid` shape).
const namedField = (error) => error.details.field || Object.keys(error.details.fields || {})[0]
const field = (k, group, name) => kind(k)[group].find((f) => f.name === name)

// Opens an Element Plus select by its wrapper and picks the option with this label.
async function choose(page, dialog, id, labelText) {
  await dialog.locator(`.el-select:has(#${id}) .el-select__wrapper`).click()
  const option = page.locator('.el-select-dropdown:visible').getByRole('option', { name: labelText, exact: true })
  await option.click()
  await page.locator('.el-select-dropdown:visible').waitFor({ state: 'hidden' })
}
const chooseKind = (page, dialog, labelText) => choose(page, dialog, 'c-kind', labelText)

for (const [viewport, tag] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
  test(`operator creates a WeChat account from the rendered form (${viewport.width} px)`, async () => {
    const wechat = kind('wechat_mp')
    const portal = kind('portal')
    const appId = field('wechat_mp', 'settings', 'app_id')
    const name = `应急管理公众号（${tag}）`

    const { context, page } = await open(browser, viewport)
    await signIn(page, 'operator')
    await page.goto('/channels')
    await page.locator('[data-testid=channel-table] .el-table__row').first().waitFor()
    // The 平台 column reads the labels from the same answer.
    await page.getByTestId('channel-table').getByText(wechat.label, { exact: true }).first().waitFor()

    await page.getByTestId('new-channel').click()
    const dialog = page.getByRole('dialog')
    await dialog.locator('[data-testid=channel-form][data-ready=true]').waitFor()
    await chooseKind(page, dialog, wechat.label)

    // Help text under the field, the API address prefilled with the kind's default.
    await dialog.getByTestId('field-settings.app_id').getByText(appId.help).waitFor()
    assert.equal(await dialog.locator('#c-base').inputValue(), wechat.base_url.default)
    await dialog.getByTestId('field-base_url').getByText(wechat.base_url.help).waitFor()
    assert.equal(await dialog.getByTestId('secret-app_secret').getAttribute('type'), 'password')
    // The default of the select is chosen.
    await dialog.getByTestId('field-settings.publish_mode').getByText('发布（publish）', { exact: true }).waitFor()

    await dialog.locator('#c-name').fill(name)
    await dialog.getByTestId('secret-app_secret').fill('wx-secret-value')
    // AppID left empty: the server answers 422 naming settings.app_id; the message is at the field.
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/channels') && r.request().method() === 'POST')
    await dialog.getByTestId('save-channel').click()
    const res = await answer
    assert.equal(res.status(), 422)
    const err = (await res.json()).error
    assert.equal(namedField(err), 'settings.app_id')
    const at = dialog.getByTestId('field-settings.app_id').locator('.el-form-item__error')
    await at.waitFor()
    assert.equal((await at.textContent()).trim(), err.message)
    assert.match(err.message, /[\u4e00-\u9fff]/, 'the message is Chinese')
    await shot(page, 'channels-form-422')

    // Switch to the portal: push-only fields stay hidden until 推送 is chosen.
    await chooseKind(page, dialog, portal.label)
    await dialog.getByTestId('field-settings.site_name').waitFor()
    assert.equal(await dialog.getByTestId('secret-signing_key').count(), 0, 'no push-only secret in builtin mode')
    assert.equal(await dialog.locator('#c-base').count(), 0, 'no API address in builtin mode')
    const push = field('portal', 'settings', 'mode').choices.find((c) => c.value === 'push').label
    await choose(page, dialog, 's-mode', push)
    await dialog.getByTestId('secret-signing_key').waitFor()
    await dialog.locator('#c-base').waitFor()
    assert.equal(await dialog.getByTestId('field-secrets.signing_key').locator('.is-required, .el-form-item__label').count() > 0, true)
    await dialog.getByTestId('secret-signing_key').scrollIntoViewIfNeeded()
    await shot(page, 'channels-form-portal-push')

    // Back to WeChat: its defaults again; fill AppID and save.
    await chooseKind(page, dialog, wechat.label)
    assert.equal(await dialog.locator('#c-base').inputValue(), wechat.base_url.default)
    assert.equal(await dialog.getByTestId('secret-signing_key').count(), 0)
    await dialog.locator('#c-name').fill(name)
    await dialog.locator('#s-app_id').fill('wx1234567890abcdef')
    await dialog.getByTestId('secret-app_secret').fill('wx-secret-value')
    assert.ok(await noHorizontalOverflow(page), 'nothing overflows sideways')
    await shot(page, 'channels-form-wechat')
    const created = page.waitForResponse((r) => r.url().endsWith('/api/channels') && r.request().method() === 'POST')
    await dialog.getByTestId('save-channel').click()
    assert.equal((await created).status(), 201)
    await dialog.getByTestId('save-channel').waitFor({ state: 'hidden' })
    const row = page.getByTestId('channel-table').locator('.el-table__row', { hasText: name }).first()
    await row.getByText('已设置 1 项（***）').waitFor()
    await row.getByText(wechat.label, { exact: true }).waitFor()
    await shot(page, 'channels-list')

    const op = await apiAs('operator')
    const saved = items((await op.get('/api/channels')).data).find((c) => c.name === name)
    assert.equal(saved.kind, 'wechat_mp')
    assert.equal(saved.base_url, wechat.base_url.default)
    // What was typed, and every other setting at the schema's default (prefilled by the form).
    const typed = { app_id: 'wx1234567890abcdef', publish_mode: 'publish' }
    for (const [k, v] of Object.entries(saved.settings)) {
      const f = wechat.settings.find((x) => x.name === k)
      assert.ok(f, `setting ${k} is in the schema`)
      assert.deepEqual(v, k in typed ? typed[k] : f.default, `setting ${k}`)
    }
    for (const k of Object.keys(typed)) assert.ok(k in saved.settings, `setting ${k} saved`)

    // Editing shows the stored secret only as set, and saving without retyping keeps it.
    await page.getByTestId(`edit-channel-${saved.id}`).click()
    const secret = dialog.getByTestId('secret-app_secret')
    assert.equal(await secret.inputValue(), '')
    assert.match(await secret.getAttribute('placeholder'), /已设置（\*\*\*）/)
    const patched = page.waitForResponse((r) => r.url().endsWith(`/api/channels/${saved.id}`) && r.request().method() === 'PATCH')
    await dialog.getByTestId('save-channel').click()
    const sent = (await patched).request().postDataJSON()
    assert.equal(sent.secrets, undefined, 'no secret is sent unless typed')
    await dialog.getByTestId('save-channel').waitFor({ state: 'hidden' })
    await row.getByText('已设置 1 项（***）').waitFor()
    await finish(context, page)
  })
}

test('without GET /api/channel-kinds the dialog says so in Chinese instead of a broken form', async () => {
  const { context, page } = await open(browser, DESKTOP)
  // A server that predates the endpoint answers 404 with the API's error shape.
  await page.route('**/api/channel-kinds', (r) => r.fulfill({ status: 404, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ error: { code: 'not_found', message: '接口不存在', details: {} } }) }))
  await signIn(page, 'operator')
  await page.goto('/channels')
  await page.locator('[data-testid=channel-table] .el-table__row').first().waitFor()
  await page.getByTestId('new-channel').click()
  const dialog = page.getByRole('dialog')
  await dialog.getByTestId('kinds-error').getByText(/无法加载渠道类型/).waitFor()
  assert.equal(await dialog.getByTestId('channel-form').count(), 0, 'no form without the schema')
  assert.ok(await dialog.getByTestId('save-channel').isDisabled(), 'nothing to save')
  await shot(page, 'channels-form-no-kinds')
  await finish(context, page)
})

test('the server answers 422 naming the field for unknown, missing and mistyped settings and secrets', async () => {
  const op = await apiAs('operator')
  const base = { kind: 'wechat_mp', name: '校验用公众号', unit_id: 1, base_url: kind('wechat_mp').base_url.default, settings: { app_id: 'wx1', publish_mode: 'publish' }, secrets: { app_secret: 's' } }
  const cases = [
    [{ settings: { ...base.settings, foo: 'x' } }, 'settings.foo'],
    [{ secrets: { ...base.secrets, bar: 'x' } }, 'secrets.bar'],
    [{ settings: { publish_mode: 'publish' } }, 'settings.app_id'],
    [{ settings: { ...base.settings, publish_mode: 'daily' } }, 'settings.publish_mode'],
  ]
  for (const [change, field] of cases) {
    const r = await op.post('/api/channels', { ...base, ...change })
    assert.equal(r.status, 422, `${field}: ${r.text}`)
    assert.equal(namedField(r.data.error), field)
    assert.match(r.data.error.message, /[\u4e00-\u9fff]/)
  }
  // A required secret is a prompt, not a rule (docs/api.md §7): an account without its
  // credentials is saved and listed as not ready, so an operator can authorise it later.
  const portal = { kind: 'portal', name: '校验用网站', unit_id: 1, settings: { mode: 'push', site_name: '校验' }, base_url: 'https://cms.example.gov.cn/api' }
  const r = await op.post('/api/channels', portal)
  assert.equal(r.status, 201, r.text)
  const noSecret = await op.post('/api/channels', { ...base, name: '未填密钥的公众号', secrets: {} })
  assert.equal(noSecret.status, 201, noSecret.text)
  // The demo's data is shared with the later test files: these accounts leave the compose page.
  for (const c of [r, noSecret]) assert.equal((await op.patch(`/api/channels/${c.data.id}`, { disabled: true })).status, 200)
})
