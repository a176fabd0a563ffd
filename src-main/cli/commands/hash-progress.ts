// A one-line progress display on stderr for `isotope hash` and `isotope check`, shown only when
// stderr is a terminal (pipes and --json consumers get clean output).
import { randomUUID } from 'node:crypto';
import type { HashProgress } from '../../../shared/checksum.ts';
import type { Service } from '../../service/service.ts';
import type { CliContext } from '../cli-context.ts';

export interface ProgressLine {
  /** The job id to pass in the request, so the service emits `checksum:progressed` for it. */
  readonly jobId: string;
  /** Stops listening and erases the line. */
  stop(): void;
}

export function showHashProgress(service: Service, context: CliContext, options: { enabled: boolean }): ProgressLine {
  const jobId = randomUUID();
  if (!options.enabled) return { jobId, stop: () => undefined };
  let shown = false;
  const unsubscribe = service.on('checksum:progressed', (progress) => {
    if (progress.jobId !== jobId) return;
    context.stderr(`\r${describeProgress(progress)}\x1b[K`);
    shown = true;
  });
  return {
    jobId,
    stop() {
      unsubscribe();
      if (shown) context.stderr('\r\x1b[K');
    },
  };
}

export function describeProgress(progress: HashProgress): string {
  const mebibytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
  const percent = progress.totalBytes ? ` ${((progress.bytesHashed / progress.totalBytes) * 100).toFixed(0)}%` : '';
  const eta = progress.etaMs !== null ? `, ${Math.ceil(progress.etaMs / 1000)} s left` : '';
  return `hashing${percent} (${mebibytes(progress.bytesHashed)}${progress.totalBytes ? ` of ${mebibytes(progress.totalBytes)}` : ''}, ${mebibytes(progress.bytesPerSecond)}/s${eta})`;
}
