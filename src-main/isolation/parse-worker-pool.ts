// Runs parse jobs (parse-jobs.ts) in worker threads with a heap cap and a time budget, so an image
// that makes the parsers allocate or loop without end costs a worker and a `too-complex` answer,
// never the engine's thread (in Electron, the main process). Workers are reused warm between calls:
// an image is opened per call, which is cheap; a thread and its module graph are not.
import type { Worker } from 'node:worker_threads';
import { startEngineWorker } from '../jobs/engine-worker.ts';
import { CodedError } from '../jobs/errors.ts';
import type { ImageParser, ParseRunOptions } from './image-parser.ts';
import { reportsProgress, type ParseJobName, type ParseJobProgress, type ParseJobRequest, type ParseJobResponse } from './parse-jobs.ts';
import type { FromParseWorker, ToParseWorker } from './parse-worker-protocol.ts';

export interface ParseWorkerLimits {
  /** V8 old-generation cap of each worker (`resourceLimits.maxOldGenerationSizeMb`). */
  readonly heapCapMb: number;
  /**
   * The longest a job may run without a sign of progress. Open, list, stat, preview and boot report
   * none, so this is their whole time; an extraction or a remaster restarts it with each progress event,
   * so a long copy runs as long as bytes keep moving, while its planning (a walk of the tree) gets this once.
   */
  readonly timeBudgetMs: number;
  /** Jobs running at once; more wait their turn. Bounds the engine's worst case at maxWorkers x heapCapMb. */
  readonly maxWorkers: number;
  /** How long the one warm spare worker waits for the next call before it ends. */
  readonly idleMs: number;
}

export const defaultParseWorkerLimits: ParseWorkerLimits = {
  // The largest honest working set is an extraction's plan, which holds every entry of the tree:
  // measured at about 0.35 KiB of heap per entry (50,500 entries: 16.8 MiB), so 512 MiB plans over a
  // million entries, 10x a distribution DVD, while four hostile workers at once stay within 2 GiB.
  heapCapMb: 512,
  // An honest 50,000-file image lists in well under a second here; 30 s is 30x that, and shorter than
  // the minutes the hostile images of issue 12 took.
  timeBudgetMs: 30_000,
  maxWorkers: 4,
  idleMs: 60_000,
};

/**
 * Loading the engine takes a worker about 0.2 s bundled and 1.5 s from source under tsx; one that is
 * not ready after a minute is stuck for reasons of its own, not the image's.
 */
const workerStartTimeoutMs = 60_000;

export interface ParseWorkerPool extends ImageParser {
  /** Ends every worker; running jobs fail as `cancelled`. */
  close(): Promise<void>;
}

interface PooledWorker {
  readonly worker: Worker;
  /** True once the worker has loaded the engine (its `ready` message). */
  ready: boolean;
  idleTimer: NodeJS.Timeout | null;
}

export function createParseWorkerPool(limits: Partial<ParseWorkerLimits> = {}): ParseWorkerPool {
  const settings: ParseWorkerLimits = { ...defaultParseWorkerLimits, ...limits };
  const all = new Set<PooledWorker>();
  let spare: PooledWorker | null = null;
  let busyCount = 0;
  const waiting: (() => void)[] = [];
  let closing = false;

  async function acquire(): Promise<PooledWorker> {
    while (busyCount >= settings.maxWorkers) await new Promise<void>((resolve) => waiting.push(resolve));
    busyCount += 1;
    const warm = spare;
    if (warm) {
      spare = null;
      if (warm.idleTimer) clearTimeout(warm.idleTimer);
      warm.worker.ref();
      return warm;
    }
    const pooled: PooledWorker = { worker: spawnParseWorker(settings.heapCapMb), ready: false, idleTimer: null };
    all.add(pooled);
    pooled.worker.once('exit', () => {
      all.delete(pooled);
      if (spare === pooled) spare = null;
    });
    return pooled;
  }

  /** Keeps a worker that answered as the warm spare (one is enough: calls mostly come one at a time). */
  function release(pooled: PooledWorker, reusable: boolean): void {
    busyCount -= 1;
    if (reusable && spare === null) {
      spare = pooled;
      pooled.worker.unref(); // an idle spare never keeps the process alive
      pooled.idleTimer = setTimeout(() => void pooled.worker.terminate(), settings.idleMs).unref();
    } else {
      void pooled.worker.terminate();
    }
    waiting.shift()?.();
  }

  async function run<K extends ParseJobName>(job: K, request: ParseJobRequest<K>, options: ParseRunOptions<K> = {}): Promise<ParseJobResponse<K>> {
    const pooled = await acquire();
    return runJobOn(pooled, job, request, options, { limits: settings, release: (reusable) => release(pooled, reusable), isClosing: () => closing });
  }

  return {
    run,
    async close() {
      closing = true;
      await Promise.all([...all].map((pooled) => pooled.worker.terminate()));
    },
  };
}

/** What one job needs of its pool. */
interface JobHost {
  readonly limits: ParseWorkerLimits;
  /** Hands the worker back when the job ends; `reusable` when it answered and may take the next job. */
  release(reusable: boolean): void;
  /** True once the pool is closing, so a worker's exit is a cancellation, not the image's doing. */
  isClosing(): boolean;
}

/**
 * Runs one job on `pooled` and settles once: on the worker's answer, on its failure or death, when
 * the time budget runs out, or when a fresh worker never starts. The worker goes back to the pool
 * only after an answer; any other end terminates it.
 */
function runJobOn<K extends ParseJobName>(
  pooled: PooledWorker,
  job: K,
  request: ParseJobRequest<K>,
  options: ParseRunOptions<K>,
  host: JobHost,
): Promise<ParseJobResponse<K>> {
  const { worker } = pooled;
  const imagePath = request.path;
  const { timeBudgetMs, heapCapMb } = host.limits;
  return new Promise<ParseJobResponse<K>>((resolve, reject) => {
    const finish = (reusable: boolean): void => {
      clearTimeout(budgetTimer);
      worker.off('message', onMessage);
      worker.off('messageerror', onMessageError);
      worker.off('error', onError);
      worker.off('exit', onExit);
      options.signal?.removeEventListener('abort', onAbort);
      host.release(reusable);
    };
    const overrun = (): void => {
      finish(false); // terminate: a job past its budget may be stuck in a loop that never yields
      reject(overrunFailure(job, imagePath, timeBudgetMs));
    };
    // The budget runs from the moment the worker can start on the job: a fresh worker's start-up
    // (loading the engine, slower from source under tsx) is the pool's cost, not the image's.
    let budgetTimer: NodeJS.Timeout | undefined;
    const restartBudget = (): void => {
      clearTimeout(budgetTimer);
      budgetTimer = setTimeout(overrun, timeBudgetMs);
    };
    const onMessage = (message: FromParseWorker): void => {
      switch (message.type) {
        case 'ready':
          pooled.ready = true;
          restartBudget();
          return;
        case 'progress':
          restartBudget();
          options.onProgress?.(message.progress as ParseJobProgress<K>);
          return;
        case 'done':
          finish(true);
          resolve(message.value as ParseJobResponse<K>);
          return;
        case 'failed':
        case 'bug':
          finish(true);
          reject(jobFailure(message));
          return;
      }
    };
    const onMessageError = (error: Error): void => {
      finish(false);
      reject(error);
    };
    const onError = (error: Error): void => {
      finish(false);
      reject(pooled.ready ? deathFailure(job, imagePath, heapCapMb, error) : startFailure(error));
    };
    const onExit = (exitCode: number): void => {
      finish(false);
      reject(exitFailure(job, imagePath, exitCode, { isClosing: host.isClosing(), wasReady: pooled.ready }));
    };
    const onAbort = (): void => worker.postMessage({ type: 'cancel' } satisfies ToParseWorker);
    worker.on('message', onMessage);
    worker.on('messageerror', onMessageError);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ type: 'run', job, request } satisfies ToParseWorker);
    if (pooled.ready) restartBudget();
    else {
      budgetTimer = setTimeout(() => {
        finish(false);
        reject(startFailure(new Error(`not ready after ${workerStartTimeoutMs} ms`)));
      }, workerStartTimeoutMs);
    }
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A job that ran past its time budget (for an extraction or a remaster: that long without progress). */
function overrunFailure(job: ParseJobName, imagePath: string, timeBudgetMs: number): CodedError {
  const progressNote = reportsProgress(job) ? ' without progress' : '';
  return new CodedError('too-complex', `${job} of ${imagePath} ran ${timeBudgetMs} ms${progressNote}, past the parser's time budget`, {
    path: imagePath,
    timeBudgetMs,
  });
}

/** A job that ended in an error inside the worker: the job's own failure, or a bug (not an CodedError: the service logs it with the worker's stack and answers `internal`). */
function jobFailure(message: Extract<FromParseWorker, { type: 'failed' | 'bug' }>): Error {
  if (message.type === 'failed') return new CodedError(message.error.code, message.error.message, message.error.detail);
  return Object.assign(new Error(message.message), { name: message.name, stack: message.stack });
}

/** A worker that exited under a job: the pool closing cancels it; one that never started is a bug; otherwise it stopped while reading this image. */
function exitFailure(job: ParseJobName, imagePath: string, exitCode: number, state: { readonly isClosing: boolean; readonly wasReady: boolean }): Error {
  if (state.isClosing) return new CodedError('cancelled', `${job} of ${imagePath} stopped: the engine is shutting down`);
  if (!state.wasReady) return startFailure(new Error(`exit code ${exitCode}`));
  return new CodedError('corrupt-image', `the parser stopped (exit code ${exitCode}) during ${job} of ${imagePath}`, { path: imagePath, exitCode });
}

/**
 * A worker that died under a job, after it had started: out of heap is `too-complex`; any other
 * death (the job's own errors come back as messages) happened while reading this image, so blame it.
 */
function deathFailure(job: ParseJobName, imagePath: string, heapCapMb: number, error: Error): CodedError {
  if ('code' in error && error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new CodedError('too-complex', `${job} of ${imagePath} needed more than the parser's ${heapCapMb} MiB heap`, { path: imagePath, heapCapMb });
  }
  return new CodedError('corrupt-image', `the parser stopped during ${job} of ${imagePath}: ${error.message}`, { path: imagePath });
}

/** A worker that died before it could load the engine says nothing about the image: a bug (`internal`), logged by the service. */
function startFailure(cause: Error): Error {
  return new Error(`the parse worker did not start: ${cause.message}`, { cause });
}

let sharedPool: ParseWorkerPool | null = null;

/** The process's pool with the default limits, started on first use: workers are a process-wide resource. */
export function sharedParseWorkerPool(): ParseWorkerPool {
  return (sharedPool ??= createParseWorkerPool());
}

/** A parse worker with its heap capped, started as every engine worker is (jobs/engine-worker.ts). */
function spawnParseWorker(heapCapMb: number): Worker {
  return startEngineWorker('parse-worker', import.meta.url, { resourceLimits: { maxOldGenerationSizeMb: heapCapMb }, stdout: false, stderr: false });
}
