// The web app's own build: `vite build web` writes web/dist, which src/http/routes/web.ts serves.
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// `vite web` (dev server) forwards the API and sockets to a node started with `gatehouse serve`.
const target = process.env.GATEHOUSE_DEV_TARGET ?? 'http://127.0.0.1:3000';
const proxied = ['/api', '/oidc', '/.well-known', '/docs', '/openapi.json', '/healthz'];

export default defineConfig({
  root: import.meta.dirname,
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed file names under assets/ are what lets the server cache them for a year.
    assetsDir: 'assets',
    sourcemap: true,
    // The server's CSP forbids inline scripts and styles, so nothing may be inlined as a data: module.
    assetsInlineLimit: 0,
    target: 'es2022',
  },
  server: {
    proxy: {
      ...Object.fromEntries(proxied.map((path) => [path, { target, changeOrigin: false }])),
      '/socket.io': { target, ws: true },
    },
  },
});
