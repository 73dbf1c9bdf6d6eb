// Shared helpers for the console's browser tests: Debian's chromium driven by playwright-core
// (no browser download), sign-in, screenshots, and a small API client for set-up and checks.
import { chromium } from 'playwright-core'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import zlib from 'node:zlib'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const BASE = (process.env.E2E_BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '')
export const PASSWORD = process.env.E2E_DEMO_PASSWORD || 'Demo@2026pass'
export const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts')
export const DESKTOP = { width: 1366, height: 768 }
export const PHONE = { width: 375, height: 812 }
export const WIDE = { width: 1920, height: 1080 }

mkdirSync(ARTIFACTS, { recursive: true })

export async function launch() {
  // playwright-core starts chromium with a fresh temporary --user-data-dir of its own.
  return chromium.launch({
    executablePath: process.env.E2E_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

// Waits on real work get these bounds (the machine running the tests is often busy with
// builds): the default for one UI or API state, and the WYSIWYG editor's start, which parses
// and initialises Vditor's Lute (3.7 MB of script) afresh in every new browser context.
export const STATE_MS = 30000
export const EDITOR_MS = 60000

export async function open(browser, viewport = DESKTOP) {
  const mobile = viewport.width < 600
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, isMobile: mobile, hasTouch: mobile, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', baseURL: BASE })
  context.setDefaultTimeout(STATE_MS)
  // What the console must never do: break its Content-Security-Policy, throw, or log an error.
  const problems = []
  await context.exposeBinding('__gdCspViolation', ({ frame }, text) => { problems.push(`CSP violation on ${frame.url()}: ${text}`) })
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      if (window.__gdCspViolation) window.__gdCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || ''}:${e.lineNumber || 0}`)
    })
  })
  const page = await context.newPage()
  page.on('pageerror', (e) => problems.push(`uncaught exception on ${page.url()}: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() !== 'error') return
    const at = m.location().url || ''
    // An API answering 4xx is logged by the browser as a failed resource; the page handles
    // those (sign-in, lock-out, another unit's ticket) and the tests assert what it shows.
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()) && at.startsWith(BASE + '/api/')) return
    problems.push(`console error on ${page.url()}: ${m.text()} ${at}`)
  })
  const external = []
  // Everything must come from the dispatcher itself: record any request that leaves it.
  page.on('request', (r) => {
    const u = r.url()
    if (!u.startsWith(BASE) && !u.startsWith('data:') && !u.startsWith('blob:') && !u.startsWith('about:')) external.push(u)
  })
  page.external = external
  page.problems = problems
  return { context, page }
}

// Closes a context after checking the page stayed clean: no request left the dispatcher (but
// to the origins a test sends the person to on purpose, e.g. a platform's authorise page), no
// CSP violation, no uncaught exception, no console error.
export async function finish(context, page, { allowedOrigins = [] } = {}) {
  const { problems } = page
  const external = page.external.filter((u) => !allowedOrigins.some((o) => new URL(u).origin === o))
  await context.close()
  assert.deepEqual(external, [], 'requests that left the dispatcher')
  assert.deepEqual(problems, [], 'CSP violations, exceptions and console errors')
}

// The compose page's editor is up (Vditor's `after` has run).
export async function editorReady(page) {
  await page.locator('[data-testid=body-editor][data-ready=true]').waitFor({ timeout: EDITOR_MS })
  return page.locator('[data-testid=body-editor] .vditor-wysiwyg .vditor-reset')
}

// Decides the current review step on the review page: waits until the checks are loaded (their
// warnings need a reason), ticks the nine items, gives each warning a reason, confirms, and
// waits for the server's answer and the ticket page.
export async function approveOnReviewPage(page, ticketId, reason = '经核实，表述无误。') {
  await page.locator('[data-testid=decision-panel][data-ready=true]').waitFor()
  const reasons = page.getByTestId('ack-reason')
  for (let i = 0; i < (await reasons.count()); i++) await reasons.nth(i).fill(reason)
  await page.getByTestId('check-all').click()
  await page.getByTestId('approve').click()
  const answer = page.waitForResponse((r) => r.url().endsWith(`/api/tickets/${ticketId}/decisions`) && r.request().method() === 'POST')
  await page.getByRole('dialog').getByRole('button', { name: '确认', exact: true }).click()
  const res = await answer
  assert.equal(res.status(), 200, `decision: ${await res.text()}`)
  await page.waitForURL(new RegExp(`/tickets/${ticketId}$`))
}

export async function signIn(page, username, password = PASSWORD) {
  await page.goto('/login')
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码', { exact: true }).fill(password)
  await page.getByTestId('login-submit').click()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

export async function shot(page, name) {
  const w = page.viewportSize().width
  // Settled: web fonts, images and every finite animation or transition (dialogs, tabs) done.
  await page.evaluate(async () => {
    await document.fonts.ready
    const finite = document.getAnimations().filter((a) => a.effect && a.effect.getComputedTiming().iterations !== Infinity)
    await Promise.all(finite.map((a) => a.finished.catch(() => null)))
    const pending = [...document.images].filter((i) => !i.complete && i.loading !== 'lazy')
    await Promise.all(pending.map((i) => new Promise((r) => {
      i.addEventListener('load', r, { once: true })
      i.addEventListener('error', r, { once: true })
      if (i.complete) r()
    })))
  })
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${w}.png`), fullPage: true })
}

// Whether the page is no wider than the viewport the test set. Compared with that width, not with
// window.innerWidth: a mobile browser zooms out to fit a too-wide page, and innerWidth grows
// with it (a 1332 px page on a 375 px phone once passed a check against innerWidth).
export async function noHorizontalOverflow(page) {
  const { width } = page.viewportSize()
  return page.evaluate((w) => document.documentElement.scrollWidth <= w + 1, width)
}

// API client authenticated with a bearer token.
export async function apiAs(username, password = PASSWORD) {
  const res = await fetch(`${BASE}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) })
  if (!res.ok) throw new Error(`sign-in of ${username} failed: ${res.status} ${await res.text()}`)
  const { token, user } = await res.json()
  const call = async (method, url, body) => {
    const r = await fetch(BASE + url, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await r.text()
    let data = null
    try { data = text ? JSON.parse(text) : null } catch { data = text }
    return { status: r.status, data, text }
  }
  const upload = async (name, mime, buffer) => {
    const fd = new FormData()
    fd.append('file', new Blob([buffer], { type: mime }), name)
    const r = await fetch(BASE + '/api/media', { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: fd })
    if (!r.ok) throw new Error(`upload ${name}: ${r.status} ${await r.text()}`)
    return r.json()
  }
  return { user, token, upload, get: (u) => call('GET', u), post: (u, b) => call('POST', u, b ?? {}), put: (u, b) => call('PUT', u, b), patch: (u, b) => call('PATCH', u, b) }
}

export function items(data) {
  return Array.isArray(data) ? data : (data && data.items) || []
}

// A valid 18-digit resident ID number (GB 11643 check digit), built so no dictionary is needed.
export function idNumber(prefix = '42118219850317321') {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(prefix[i]) * w[i]
  return prefix + '10X98765432'[sum % 11]
}

// A draft for unit 2's channels created through the API (portal, WeChat, Weibo), with the cover
// a WeChat article needs.
export async function createTicket(editor, title, extra = {}) {
  const ch = items((await editor.get('/api/channels')).data)
  const pick = (k) => ch.find((c) => c.kind === k && c.unit_id === editor.user.unit_id)
  const cover = await editor.upload('封面.png', 'image/png', png())
  const channels = ['portal', 'wechat_mp', 'weibo'].map(pick).filter(Boolean).map((c) => ({ account_id: c.id, options: {} }))
  const body = { category: 'work_news', title, summary: '本市开展安全生产专项检查。', body: '为做好安全生产工作，市应急管理局于近日组织开展专项检查，详情见 https://www.gov.cn/ 。\n\n检查覆盖全市重点企业。', source: null, column: '工作动态', media: [{ media_id: cover.id, role: 'cover' }], channels, scheduled_at: null, urgent: false, out_of_scope: false, ...extra }
  const r = await editor.post('/api/tickets', body)
  if (r.status !== 201 && r.status !== 200) throw new Error(`create ticket: ${r.status} ${r.text}`)
  return r.data
}

// A solid-colour RGB PNG (for a cover image), built with zlib so no image file is needed.
export function png(width = 480, height = 270, rgb = [0xb7, 0x1c, 0x1c]) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(zlib.crc32(td) >>> 0)
    return Buffer.concat([len, td, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  const row = Buffer.alloc(1 + width * 3)
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3)
  const raw = Buffer.concat(Array.from({ length: height }, () => row))
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}
