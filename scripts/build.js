// `npm run build`: the engine + CLI (ESM, one entry with the Electron shell split into its own
// chunk), the preload (CommonJS, as sandboxed preloads must be) and the renderer (Vite) into dist/.
import { cp, rm } from 'node:fs/promises';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { engineBundleOptions } from './engine-bundle.js';
import { readEngineBuild } from './engine-build.js';

const log = (line) => process.stderr.write(`${line}\n`);

await rm('dist', { recursive: true, force: true });

await esbuild({
  // hash-worker: the one hashing worker thread (checksum pass and flash), loaded beside the bundle (src-main/checksum/hash-worker-client.ts).
  // parse-worker: where untrusted images are parsed, loaded beside the bundle (src-main/isolation/parse-worker-pool.ts).
  entryPoints: { main: 'src-main/main.ts', 'hash-worker': 'src-main/checksum/hash-worker.ts', 'parse-worker': 'src-main/isolation/parse-worker.ts' },
  outdir: 'dist/main',
  ...engineBundleOptions,
  sourcemap: true,
  logLevel: 'warning',
  // The commit this engine was built from, for Settings › About (src-main/service/handlers/app-handlers.ts reads it).
  define: { ISOTOPE_ENGINE_BUILD: JSON.stringify(readEngineBuild('.')) },
});
log('built dist/main (engine, CLI, web shell, Electron shell)');

// The vendored Secure Boot revocation data, beside the bundle where src-main/io/vendored-data.ts finds it.
await cp('resources/secureboot', 'dist/secureboot', { recursive: true });
log('copied dist/secureboot (DBX and SBAT level data)');

await esbuild({
  entryPoints: ['src-main/electron/preload.ts'],
  outfile: 'dist/preload/preload.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['electron'],
  sourcemap: true,
  logLevel: 'warning',
});
log('built dist/preload');

await viteBuild({ configFile: 'vite.config.ts', logLevel: 'warn' });
log('built dist/renderer');
