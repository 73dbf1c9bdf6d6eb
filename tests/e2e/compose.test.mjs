// Pasting from Word or WPS into the WYSIWYG editor keeps headings, lists, tables and pictures;
// the stored body is Markdown and its pictures are uploaded media, never inline base64.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { DESKTOP, launch, open, finish, signIn, shot, apiAs, png, editorReady } from './lib.mjs'

let browser
before(async () => { browser = await launch() })
after(async () => { await browser?.close() })

// What Word puts on the clipboard, abridged: Office namespaces, MsoNormal paragraphs, inline
// styles, the fragment markers, and the picture as base64.
function wordHtml(pictureBase64) {
  return `<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word"><head><meta charset="utf-8"></head><body lang=ZH-CN>
<!--StartFragment--><h2 style="mso-outline-level:2"><span style="font-family:黑体">一、检查范围</span></h2>
<p class=MsoNormal><span style="font-family:仿宋">本次检查覆盖以下单位：</span></p>
<ul style="margin-top:0cm"><li class=MsoNormal>危险化学品企业</li><li class=MsoNormal>在建工地</li></ul>
<ol><li class=MsoNormal>单位自查</li><li class=MsoNormal>部门抽查</li></ol>
<table class=MsoTableGrid border=1 style="border-collapse:collapse"><tr><td><p class=MsoNormal>区域</p></td><td><p class=MsoNormal>企业数</p></td></tr><tr><td><p class=MsoNormal>城关镇</p></td><td><p class=MsoNormal>12</p></td></tr></table>
<p class=MsoNormal><img width=96 height=54 src="data:image/png;base64,${pictureBase64}" alt="检查现场"></p><!--EndFragment-->
</body></html>`
}

test('a Word document pasted into the editor keeps its structure and its picture', async () => {
  const { context, page } = await open(browser, DESKTOP)
  await signIn(page, 'editor')
  await page.goto('/tickets/new')
  const title = `粘贴测试：汛期安全检查方案（${Date.now() % 100000}）`
  await page.getByLabel('标题').fill(title)
  const body = await editorReady(page)
  await body.click()
  const picture = png(96, 54, [0x1d, 0x5f, 0xbf]).toString('base64')
  await page.evaluate(([html]) => {
    const el = document.querySelector('[data-testid=body-editor] .vditor-wysiwyg .vditor-reset')
    const data = new DataTransfer()
    data.setData('text/html', html)
    data.setData('text/plain', '一、检查范围\n本次检查覆盖以下单位：\n危险化学品企业\n在建工地')
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
  }, [wordHtml(picture)])

  // The structure is in the editor, and the picture now comes from the dispatcher's media.
  await body.locator('h2', { hasText: '一、检查范围' }).waitFor()
  await body.locator('ul > li', { hasText: '在建工地' }).waitFor()
  await body.locator('ol > li', { hasText: '部门抽查' }).waitFor()
  await body.locator('table td', { hasText: '城关镇' }).waitFor()
  await body.locator('img[src*="/api/media/by-sha256/"]').waitFor()
  await page.locator('[data-testid=body-editor][data-uploading=false]').waitFor()
  await shot(page, 'compose-pasted')

  await page.getByTestId('save').click()
  await page.waitForURL(/\/tickets\/\d+\/edit$/)
  const id = Number(/tickets\/(\d+)/.exec(page.url())[1])
  await finish(context, page)

  const t = (await (await apiAs('editor')).get(`/api/tickets/${id}`)).data
  assert.equal(t.title, title)
  assert.match(t.body, /^## 一、检查范围$/m)
  assert.match(t.body, /^[*-] 危险化学品企业$/m)
  assert.match(t.body, /^1\. 单位自查$/m)
  assert.match(t.body, /^\| *区域 *\| *企业数 *\|$/m)
  assert.match(t.body, /!\[[^\]]*\]\(media:[0-9a-f]{64}\)/)
  assert.ok(!t.body.includes('base64'), 'no inline picture in the stored body')
})
