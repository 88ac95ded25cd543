import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Relative base so the built studio works from any path (a sub-folder, a file server, GitHub Pages).
export default defineConfig({
  base: './',
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // TF.js is large; one chunk per backend keeps the first paint fast.
    chunkSizeWarningLimit: 4096,
  },
  server: { port: 5173 },
  preview: { port: 4173, strictPort: true },
});
