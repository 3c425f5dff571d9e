// Vite build of the dashboard (web/ -> web/dist, served by Shopsight at /). `npm run dev:web` serves it with
// hot reload and forwards API calls to a Shopsight on SHOPSIGHT_URL (default http://127.0.0.1:4000).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const target = process.env.SHOPSIGHT_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 600 },
  server: {
    proxy: { '/api': target, '/webhooks': target, '/shopify': target },
  },
});
