// How the engine is bundled, said once: scripts/build.js (npm run build) bundles the engine with
// these settings, and the tests that bundle a piece of the engine to check what its bundle does (where
// a worker lands and how it loads, what loads at start) use them too, so they never check a bundle
// the build does not make. The entries, the output folder and the logging are each caller's own.

/** esbuild's settings for the engine (ESM with shared chunks, for Node 20). */
export const engineBundleOptions = Object.freeze({
  bundle: true,
  // Chunks shared by the entries (main, hash-worker, parse-worker) and the commands' lazy imports.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Runtime dependencies (and Electron) load from node_modules: native ones like drivelist must.
  packages: 'external',
});
