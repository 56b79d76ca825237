// Builds the dashboard into dist/web, which `costrail serve` serves at `/` (src/server/dashboard-assets.ts).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    // The charts chunk (ECharts) is loaded on demand; it is expected to be the largest file.
    chunkSizeWarningLimit: 900,
  },
});
