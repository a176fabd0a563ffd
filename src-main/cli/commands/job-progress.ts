// The CLI's one progress display, for every job (flash, verify, hash, check, convert): on a terminal
// one line on stderr, redrawn in place (percent, bytes, rate, ETA and a bar) and erased or kept at
// the end; with --json one JSON line per event on stdout; otherwise nothing, so pipes get clean output.
import { followJob } from '../../../shared/follow-job.ts';
import type { JobProgress, JobResults } from '../../../shared/job.ts';
import type { Result } from '../../../shared/result.ts';
import type { Service } from '../../service/service.ts';
import type { CliContext } from '../cli-context.ts';

/** One stream of bytes as the display words it: "hashing 42% (3 MiB of 9 MiB, 1 MiB/s, 6 s left) [########............]". */
export interface ProgressReading {
  readonly label: string;
  readonly bytesDone: number;
  readonly bytesTotal: number | null;
  readonly bytesPerSecond: number;
  readonly etaMs: number | null;
  readonly failed?: boolean;
}

export interface ProgressOutput {
  /** JSON lines on stdout instead of a line on the terminal. */
  readonly json: boolean;
  /** stderr is a terminal: only then is a line drawn. */
  readonly tty: boolean;
}

const barCells = 20;

export class ProgressDisplay {
  #drawn = false;

  constructor(
    private readonly context: CliContext,
    private readonly output: ProgressOutput,
  ) {}

  /** One report: `{ event, ...payload }` as a JSON line with --json, else `readings` on the terminal line. */
  show(event: string, payload: object, readings: readonly ProgressReading[]): void {
    if (this.output.json) {
      this.context.stdout(`${JSON.stringify({ event, ...payload })}\n`);
      return;
    }
    if (!this.output.tty) return;
    this.context.stderr(`\r${readings.map(describeReading).join(' | ')}\x1b[K`);
    this.#drawn = true;
  }

  /** Ends the display: the drawn line is erased, or kept (moved past) when `keep` (a flash's last state stays on screen). */
  end({ keep = false }: { readonly keep?: boolean } = {}): void {
    if (this.#drawn) this.context.stderr(keep ? '\n' : '\r\x1b[K');
    this.#drawn = false;
  }
}

export function describeReading(reading: ProgressReading): string {
  const mebibytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
  const fraction = reading.bytesTotal ? Math.min(1, reading.bytesDone / reading.bytesTotal) : null;
  const percent = fraction === null ? '' : ` ${Math.floor(fraction * 100)}%`;
  const total = reading.bytesTotal ? ` of ${mebibytes(reading.bytesTotal)}` : '';
  const eta = reading.etaMs !== null ? `, ${Math.ceil(reading.etaMs / 1000)} s left` : '';
  const bar = fraction === null ? '' : ` [${'#'.repeat(Math.round(fraction * barCells)).padEnd(barCells, '.')}]`;
  const failed = reading.failed ? ' FAILED' : '';
  return `${reading.label}${percent} (${mebibytes(reading.bytesDone)}${total}, ${mebibytes(reading.bytesPerSecond)}/s${eta})${bar}${failed}`;
}

/**
 * Follows a job that writes one file (backup, create, remaster, download) to its end: its progress as one
 * reading labelled by `labelOf` on the terminal line (or JSON lines), the line kept at the end;
 * Ctrl-C cancels the job, which removes its partial file.
 */
export async function followFileWritingJob<K extends 'backup' | 'create' | 'remaster' | 'download'>(
  context: CliContext,
  service: Service,
  job: { readonly kind: K; readonly json: boolean; readonly labelOf: (progress: JobProgress) => string },
  start: () => Promise<Result<{ jobId: string }>>,
): Promise<Result<JobResults[K]>> {
  let cancel: (() => void) | null = null;
  const display = new ProgressDisplay(context, { json: job.json, tty: process.stderr.isTTY === true });
  try {
    return await followJob(
      { onProgress: (listener) => service.on('job:progress', listener), onFinished: (listener) => service.on('job:finished', listener) },
      job.kind,
      start,
      {
        started: (jobId) => {
          cancel = () => void service.call('job:cancel', { jobId });
          process.once('SIGINT', cancel);
        },
        progressed: (progress) => display.show('job:progress', progress, [{ ...hashReading(progress), label: job.labelOf(progress) }]),
      },
    );
  } finally {
    display.end({ keep: true });
    if (cancel) process.removeListener('SIGINT', cancel);
  }
}

// `isotope hash` and `isotope check`: their hashing job followed to its end, its progress drawn on
// the terminal only (their --json output is one document).

/** Starts a hashing job with `start` and resolves with its result; its progress on stderr when `enabled`. */
export async function followHashingJob<K extends 'hash' | 'verify'>(
  service: Service,
  context: CliContext,
  kind: K,
  start: () => Promise<Result<{ jobId: string }>>,
  options: { enabled: boolean },
): Promise<Result<JobResults[K]>> {
  const display = options.enabled ? new ProgressDisplay(context, { json: false, tty: true }) : null;
  try {
    return await followJob(
      { onProgress: (listener) => service.on('job:progress', listener), onFinished: (listener) => service.on('job:finished', listener) },
      kind,
      start,
      {
        progressed: (progress) => display?.show('job:progress', progress, [hashReading(progress)]),
      },
    );
  } finally {
    display?.end();
  }
}

function hashReading(progress: JobProgress): ProgressReading {
  return {
    label: progress.phase,
    bytesDone: progress.bytesDone,
    bytesTotal: progress.bytesTotal,
    bytesPerSecond: progress.bytesPerSecond,
    etaMs: progress.etaMs,
  };
}

export function describeProgress(progress: JobProgress): string {
  return describeReading(hashReading(progress));
}
