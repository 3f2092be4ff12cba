// The admin is served by the Koa server at /admin in production; in development Vite serves it
// and proxies the API, socket.io and media to the server (DREAMLOOM_API_URL overrides the target).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const target = process.env.DREAMLOOM_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // antd alone is ~1 MB minified; split vendors so an admin release re-downloads only our code.
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // First match wins and pulls in its dependencies, so the most depended-upon go first.
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/ },
            // Splitting antd's building blocks (rc-*) from antd itself keeps both chunks under the limit.
            { name: 'rc', test: /node_modules[\\/](rc-[^\\/]+|@rc-component)[\\/]/ },
            { name: 'antd', test: /node_modules[\\/](antd|@ant-design)[\\/]/ },
            { name: 'refine', test: /node_modules[\\/](@refinedev|@tanstack)[\\/]/ },
            { name: 'vendor', test: /node_modules[\\/]/ },
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
