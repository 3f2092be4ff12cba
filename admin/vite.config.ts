// The admin is served by the Koa server at /admin in production; in development Vite serves it
// and proxies the API, socket.io and media to the server (DREAMLOOM_API_URL overrides the target).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { compression, defineAlgorithm } from 'vite-plugin-compression2';

const target = process.env.DREAMLOOM_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/admin/',
  resolve: {
    // The shared wire schemas from their TypeScript sources, as tsconfig's `paths` has it. The admin
    // imports only their types (`import type`), so zod stays out of the bundle.
    alias: {
      '@dreamloom/contracts': fileURLToPath(new URL('../contracts/src/index.ts', import.meta.url)),
    },
  },
  plugins: [
    react(),
    // Precompressed copies (x.js.br, x.js.gz) beside each text asset, at the highest levels since
    // it happens once per build; the server sends the one the browser accepts (admin-static.ts).
    compression({
      algorithms: [defineAlgorithm('brotliCompress'), defineAlgorithm('gzip')],
      include: /\.(js|mjs|css|html|svg|json)$/,
      threshold: 1024,
    }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      // react-markdown and its unified/micromark stack declare no `sideEffects`, so @refinedev/antd's
      // import of them (for MarkdownField, which the admin does not use) kept ~100 KB in the first
      // load. They are pure modules: unused, they are dropped; a page that renders markdown gets them.
      treeshake: {
        moduleSideEffects: (id: string) =>
          !/node_modules[\\/](react-markdown|micromark[\w-]*|mdast-util-[\w-]+|hast-util-[\w-]+|unist-util-[\w-]+|unified|vfile[\w-]*|property-information|remark-[\w-]+|devlop|bail|trough|is-plain-obj|decode-named-character-reference|character-entities|comma-separated-tokens|space-separated-tokens|html-url-attributes|estree-util-is-identifier-name|style-to-js|style-to-object|inline-style-parser|trim-lines|ccount|markdown-table|longest-streak|zwitch)[\\/]/.test(
            id,
          ),
      },
      output: {
        codeSplitting: {
          // Vendors of the first load (login page and layout) in their own chunks, so an admin
          // release re-downloads only our code. `$initial` keeps these groups to what the first load
          // imports: the antd, rc-* and Refine parts only some pages use (tables, pickers, uploads,
          // drawers …) go with those pages' lazy chunks (App.tsx, lazy-page.tsx) instead.
          // First match wins and pulls in its dependencies, so the most depended-upon go first.
          groups: [
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/,
              tags: ['$initial'],
            },
            // Splitting antd's building blocks (rc-*) from antd itself keeps both chunks smaller.
            { name: 'rc', test: /node_modules[\\/](rc-[^\\/]+|@rc-component)[\\/]/, tags: ['$initial'] },
            { name: 'antd', test: /node_modules[\\/](antd|@ant-design)[\\/]/, tags: ['$initial'] },
            { name: 'refine', test: /node_modules[\\/](@refinedev|@tanstack)[\\/]/, tags: ['$initial'] },
            { name: 'vendor', test: /node_modules[\\/]/, tags: ['$initial'] },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target, changeOrigin: true },
      '/socket.io': { target, changeOrigin: true, ws: true },
      '/media': { target, changeOrigin: true },
    },
  },
});
