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
    chunkSizeWarningLimit: 2500,
  },
  server: {
    proxy: {
      '/api': { target, changeOrigin: true },
      '/socket.io': { target, changeOrigin: true, ws: true },
      '/media': { target, changeOrigin: true },
    },
  },
});
