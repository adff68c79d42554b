// Vite build of the console: web/src → web/dist, served by the fanghu binary with an SPA fallback.
// The server's CSP is script-src 'self', so the build must not emit inline scripts (checked by the
// browser tests); vite's output is one module entry plus lazily loaded route chunks.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // The full Element Plus import is about 1 MB minified; it lives in its own long-cached chunk.
    chunkSizeWarningLimit: 1200,
    modulePreload: { polyfill: false },
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (id.includes('node_modules/element-plus') || id.includes('node_modules/@element-plus')) return 'element-plus'
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts'
          if (id.includes('node_modules/')) return 'vendor'
        },
      },
    },
  },
  server: {
    // `npm run dev` proxies the API to a locally running `fanghu serve` (default port 8080).
    proxy: { '/api': process.env.FANGHU_API || 'http://127.0.0.1:8080' },
  },
})
