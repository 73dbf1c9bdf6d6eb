// The portal link placeholder. Renderings of the other channels carry `{{portal_url}}`
// (channels/channel.h kPortalUrlPlaceholder) where the portal article's address goes; the
// dispatcher fills it in only once the portal has published. Previews show it in words, as a
// muted chip that is not a link.

export const PORTAL_URL_PLACEHOLDER = '{{portal_url}}'
export const PORTAL_URL_LABEL = '门户链接（发布后生成）'
export const PORTAL_URL_HINT = '政府网站发布后，系统自动填入该文章的网址'

// The text cut at each placeholder: [{ text }, { placeholder: true }, { text }, ...].
export function splitPortalUrl(text) {
  const parts = String(text ?? '').split(PORTAL_URL_PLACEHOLDER)
  const out = []
  parts.forEach((p, i) => {
    if (i > 0) out.push({ placeholder: true })
    if (p) out.push({ text: p })
  })
  return out
}

// Inside a preview frame no console stylesheet applies, so the chip carries its own style.
const CHIP_STYLE = 'display:inline-block;margin:0 2px;padding:0 6px;border:1px dashed #a8abb2;border-radius:4px;background:#f2f3f5;color:#5c6370;font-size:0.875em;line-height:1.6;text-indent:0;text-decoration:none;white-space:nowrap;vertical-align:baseline;cursor:default'

// The chip as an HTML string, for escaped text that is shown with v-html.
export function portalUrlChipHtml() {
  return `<span class="portal-url-chip" title="${PORTAL_URL_HINT}">${PORTAL_URL_LABEL}</span>`
}

// Rendered HTML (a whole page, or a fragment when `fragment`) with every placeholder in its text
// shown as a chip; an attribute holding it (a link's href, say) is dropped, so nothing points at
// the braces. HTML without the placeholder is returned as it is.
export function portalUrlChipsInHtml(html, fragment) {
  if (!html || !html.includes(PORTAL_URL_PLACEHOLDER)) return html
  const doc = new DOMParser().parseFromString(html, 'text/html')
  for (const el of doc.querySelectorAll('*')) {
    for (const a of [...el.attributes]) if (a.value.includes(PORTAL_URL_PLACEHOLDER)) el.removeAttribute(a.name)
  }
  const walker = doc.createTreeWalker(doc.body || doc.documentElement, NodeFilter.SHOW_TEXT)
  const texts = []
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.data.includes(PORTAL_URL_PLACEHOLDER)) texts.push(n)
  for (const n of texts) {
    const frag = doc.createDocumentFragment()
    for (const part of splitPortalUrl(n.data)) {
      if (!part.placeholder) { frag.appendChild(doc.createTextNode(part.text)); continue }
      const chip = doc.createElement('span')
      chip.className = 'portal-url-chip'
      chip.setAttribute('style', CHIP_STYLE)
      chip.setAttribute('title', PORTAL_URL_HINT)
      chip.textContent = PORTAL_URL_LABEL
      frag.appendChild(chip)
    }
    n.parentNode.replaceChild(frag, n)
  }
  return fragment ? doc.body.innerHTML : '<!doctype html>\n' + doc.documentElement.outerHTML
}
