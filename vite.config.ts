import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The built studio's Content-Security-Policy. Scripts only from the app itself, no eval; WASM may be
 * compiled ('wasm-unsafe-eval', which the WASM backend needs and which allows no JavaScript eval).
 * connect-src allows https (models by URL, the Hugging Face Hub) and local servers; the privacy
 * test (e2e/privacy.spec.ts) proves nothing is requested during import, training, try-it and export.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // blob: for the threaded WASM build only: TF.js starts its thread workers from blob: URLs that it
  // makes from its own bundled code (no eval, nothing from elsewhere).
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self' https: http://localhost:* http://127.0.0.1:*",
  "img-src 'self' blob: data:",
  "style-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

/**
 * Puts the policy into the built index.html (a meta tag, for any static host). Only for builds: the
 * dev server injects inline scripts for hot reload, which the policy would rightly block.
 */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'tabtune-csp',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }],
  };
}

/**
 * Cross-origin isolation (SharedArrayBuffer), which TF.js needs to run its threaded SIMD WASM build on
 * every core. Any static host must send these two headers with the page and its worker scripts
 * (README, "Serving the studio"). require-corp still allows the Hub: models are fetched with CORS.
 */
export const CROSS_ORIGIN_ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/**
 * Ships README.md beside the built studio: the one-line help on each LoRA and training term links to
 * its section, so the full explanation is one click away without leaving the app's own origin.
 */
function readmeAsset(): Plugin {
  return {
    name: 'tabtune-readme',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'README.md', source: readFileSync(new URL('./README.md', import.meta.url)) });
    },
  };
}

// Relative base so the built studio works from any path (a sub-folder, a file server, GitHub Pages).
export default defineConfig({
  base: './',
  plugins: [react(), contentSecurityPolicy(), readmeAsset()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // TF.js is large; one chunk per backend keeps the first paint fast.
    chunkSizeWarningLimit: 4096,
  },
  server: { port: 5173, headers: CROSS_ORIGIN_ISOLATION },
  // The preview serves the policy as a header too: a worker takes its policy from its own response,
  // not from the page's meta tag.
  preview: { port: 4173, strictPort: true, headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, ...CROSS_ORIGIN_ISOLATION } },
});
