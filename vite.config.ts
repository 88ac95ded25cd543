import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { THREADED_GLUE_MODULE, THREAD_WORKER_MODULE, threadWorkerScript } from './src/backend/threadWorkerScript.ts';
import { GEMM_HELPER_BROWSER_SCRIPT } from './src/kernels/wasm/gemmHelperScript.ts';

/**
 * The built studio's Content-Security-Policy. Scripts only from the app itself, no eval; WASM may be
 * compiled ('wasm-unsafe-eval', which the WASM backend needs and which allows no JavaScript eval).
 * connect-src allows https (models by URL, the Hugging Face Hub) and local servers; the privacy
 * test (e2e/privacy.spec.ts) proves nothing is requested during import, training, try-it and export.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
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

/**
 * Cross-origin isolation: with both headers the page (and its workers) may share memory between
 * threads, which the threaded WASM build needs. Any static host serving the built studio should send
 * them on every file (README, "Serving the studio"); without them WASM runs on one thread and says so.
 */
export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/**
 * The scripts TF.js' threaded WASM build needs beside its .wasm, as files of the app's own origin
 * (src/backend/wasmThreads.ts says why TF.js' blob: start-up fails once bundled): the unbundled
 * Emscripten glue, which every pthread worker importScripts(), and the pthread worker script, which
 * TF.js ships only as a string; and our GEMM's helper thread script (src/kernels/wasm/gemmHelperScript.ts).
 * `virtual:wasm-thread-scripts` gives their URLs to the engine worker: emitted assets in a build,
 * served by the dev server in dev.
 */
function wasmThreadScripts(): Plugin {
  const require = createRequire(import.meta.url);
  const glue = (): Buffer => readFileSync(require.resolve(THREADED_GLUE_MODULE));
  const worker = (): string => threadWorkerScript((require(THREAD_WORKER_MODULE) as { wasmWorkerContents: string }).wasmWorkerContents);
  const id = 'virtual:wasm-thread-scripts';
  const resolved = `\0${id}`;
  const devPath = '/@tabtune/wasm-threads/';
  let serving = false;
  return {
    name: 'tabtune-wasm-thread-scripts',
    configResolved(config) {
      serving = config.command === 'serve';
    },
    resolveId: (source) => (source === id ? resolved : null),
    load(loaded) {
      if (loaded !== resolved) return null;
      if (serving) return `export const glueUrl = '${devPath}glue.js';\nexport const workerUrl = '${devPath}worker.js';\nexport const gemmHelperUrl = '${devPath}gemm-helper.js';\n`;
      const glueRef = this.emitFile({ type: 'asset', name: 'tfjs-backend-wasm-threaded-simd.js', source: glue() });
      const workerRef = this.emitFile({ type: 'asset', name: 'tfjs-backend-wasm-threaded-simd.worker.js', source: worker() });
      const gemmRef = this.emitFile({ type: 'asset', name: 'tabtune-gemm-helper.js', source: GEMM_HELPER_BROWSER_SCRIPT });
      return `export const glueUrl = import.meta.ROLLUP_FILE_URL_${glueRef};\nexport const workerUrl = import.meta.ROLLUP_FILE_URL_${workerRef};\nexport const gemmHelperUrl = import.meta.ROLLUP_FILE_URL_${gemmRef};\n`;
    },
    configureServer(server) {
      server.middlewares.use(devPath, (req, res, next) => {
        const name = req.url?.replace(/^\//, '').replace(/\?.*$/, '');
        if (name !== 'glue.js' && name !== 'worker.js' && name !== 'gemm-helper.js') return next();
        res.setHeader('Content-Type', 'text/javascript');
        for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
        res.end(name === 'glue.js' ? glue() : name === 'worker.js' ? worker() : GEMM_HELPER_BROWSER_SCRIPT);
      });
    },
  };
}

// Relative base so the built studio works from any path (a sub-folder, a file server, GitHub Pages).
export default defineConfig({
  base: './',
  plugins: [react(), contentSecurityPolicy(), readmeAsset(), wasmThreadScripts()],
  // The engine worker (src/worker.ts) imports the thread scripts' URLs: its bundle needs the plugin too.
  worker: { format: 'es', plugins: () => [wasmThreadScripts()] },
  build: {
    target: 'es2022',
    // TF.js is large; one chunk per backend keeps the first paint fast.
    chunkSizeWarningLimit: 4096,
  },
  server: { port: 5173, headers: ISOLATION_HEADERS },
  // The preview serves the policy as a header too: a worker takes its policy from its own response,
  // not from the page's meta tag.
  preview: { port: 4173, strictPort: true, headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, ...ISOLATION_HEADERS } },
});
