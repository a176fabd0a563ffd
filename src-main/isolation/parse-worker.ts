// Entry point of a parse worker thread: runs the parse jobs (parse-jobs.ts) the pool sends, one at a
// time, and answers with plain data. Everything an untrusted image makes the engine allocate lives in
// this thread's capped heap, so the worst image costs this thread, never the engine or Electron's main
// process. Protocol: parse-worker-protocol.ts.
import { parentPort } from 'node:worker_threads';
import { toAppError } from '../app-error/to-app-error.ts';
import { runParseJob, type ParseJobProgress } from './parse-jobs.ts';
import type { FromParseWorker, ToParseWorker } from './parse-worker-protocol.ts';

const port = parentPort;
if (!port) throw new Error('parse-worker.ts runs only as a worker thread');

let running: AbortController | null = null;

port.on('message', (message: ToParseWorker) => {
  if (message.type === 'cancel') {
    running?.abort();
    return;
  }
  const controller = new AbortController();
  running = controller;
  const onProgress = (progress: ParseJobProgress): void => port.postMessage({ type: 'progress', progress } satisfies FromParseWorker);
  // The pool validated nothing here: the request already passed the service's schema in the engine's thread.
  runParseJob(message.job, message.request as never, { signal: controller.signal, onProgress })
    .then(
      (value) => port.postMessage({ type: 'done', value } satisfies FromParseWorker),
      (error: unknown) => port.postMessage(describeFailure(error)),
    )
    .finally(() => {
      if (running === controller) running = null;
    });
});

/** Maps a job's error with the service's own mapping; what that mapping would log as a bug goes back whole. */
function describeFailure(error: unknown): FromParseWorker {
  let bug: unknown = null;
  const appError = toAppError(error, (_message, cause) => {
    bug = cause;
  });
  if (bug === null) return { type: 'failed', error: appError };
  const cause = bug instanceof Error ? bug : new Error(String(bug));
  return { type: 'bug', name: cause.name, message: cause.message, stack: cause.stack ?? `${cause.name}: ${cause.message}` };
}

port.postMessage({ type: 'ready' } satisfies FromParseWorker);
