import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { cpSync, existsSync, createReadStream, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))
const vditorDist = path.join(here, 'node_modules', 'vditor', 'dist')
// Only the runtime parts of Vditor the WYSIWYG editor loads at run time (the Lute parser,
// the zh_CN strings, icon sets, code highlighting). They are served by the dispatcher from
// /vditor/dist/..., so no request ever leaves the intranet.
const vditorParts = ['js/lute', 'js/i18n', 'js/icons', 'js/highlight.js', 'images', 'index.css', 'css/content-theme']

function vditorAssets() {
  let outDir = 'dist'
  return {
    name: 'vditor-local-assets',
    configResolved(cfg) {
      outDir = path.resolve(cfg.root, cfg.build.outDir)
    },
    configureServer(server) {
      server.middlewares.use('/vditor/dist', (req, res, next) => {
        const rel = decodeURIComponent((req.url || '/').split('?')[0])
        const file = path.join(vditorDist, path.normalize(rel))
        if (!file.startsWith(vditorDist) || !existsSync(file) || !statSync(file).isFile()) return next()
        createReadStream(file).pipe(res)
      })
    },
    closeBundle() {
      for (const part of vditorParts) {
        const from = path.join(vditorDist, part)
        if (existsSync(from)) cpSync(from, path.join(outDir, 'vditor', 'dist', part), { recursive: true })
      }
    },
  }
}

const backend = process.env.DISPATCHER_URL || 'http://127.0.0.1:8080'

export default defineConfig({
  base: '/',
  plugins: [vue(), vditorAssets()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': backend,
      '/site': backend,
      '/healthz': backend,
      '/_sandbox': backend,
    },
  },
})
