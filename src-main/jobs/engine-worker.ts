// The engine's worker threads (hash-worker, parse-worker), started the same way wherever the engine
// runs: bundled, each is an entry of its own beside the bundle's chunks (dist/main/NAME.js, built by
// scripts/build.js); from the TypeScript sources (Vitest, tsx), through NAME-from-source.mjs beside
// NAME.ts, which registers tsx's loader in the thread (Node 20 cannot run TypeScript) and loads it.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts worker `name` beside the module at `besideModuleUrl` (the caller's import.meta.url). From
 * the sources it inherits no execArgv: its bootstrap registers tsx itself, and an inherited
 * `--import tsx` would be resolved against the working directory, which elevation.ts moves to /
 * while a password prompt runs (a download started then failed: "Cannot find package 'tsx' imported from /").
 */
export function startEngineWorker(name: 'hash-worker' | 'parse-worker', besideModuleUrl: string, options: WorkerOptions): Worker {
  const fromSource = besideModuleUrl.endsWith('.ts');
  if (!fromSource) return new Worker(new URL(`./${name}.js`, besideModuleUrl), options);
  return new Worker(new URL(`./${name}-from-source.mjs`, besideModuleUrl), { ...options, execArgv: [] });
}
