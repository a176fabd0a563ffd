// The two services the parse-worker tests compare: the web shell's, whose image calls run in a pool
// of parse workers (src-main/isolation/), and the CLI's, which runs the same calls in this thread.
import { afterAll } from 'vitest';
import { createParseWorkerPool, type ParseWorkerLimits, type ParseWorkerPool } from '../../src-main/isolation/parse-worker-pool.ts';
import { createService, type Service } from '../../src-main/service/service.ts';

const pools: ParseWorkerPool[] = [];
// Imported by a test file, this registers on that file: every pool it made is closed after its tests.
afterAll(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

/** A web-shell service whose image calls run in a pool of its own, with these limits. */
export function workerService(limits: Partial<ParseWorkerLimits> = {}): Service {
  const pool = createParseWorkerPool(limits);
  pools.push(pool);
  return createService({ shell: 'web', version: '0.0.0-test', log: () => undefined, imageParser: pool });
}

/** The CLI's service: the same engine calls in this thread. */
export const inProcessService = (): Service => createService({ shell: 'cli', version: '0.0.0-test', log: () => undefined });
