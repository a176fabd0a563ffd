// Every job of kind flash, verify, format, backup and download the service runs is recorded in the
// history journal (src-main/history/): a `started` line before the job touches anything, so a job
// the process never finishes (kill -9, power loss) reads back as interrupted, then an `ended` line
// with the outcome, each phase's speed, the verify result and the error. The targets are described
// from a fresh enumeration (model, serial, size, bus path); the image's SHA-256 is only ever the one
// the job computed from the bytes it read in this run, never a remembered one.
// The history never fails a job: a journal that cannot be written is logged and the job goes on.
import { stat } from 'node:fs/promises';
import type { AppError } from '../../shared/errors.ts';
import type { FlashResult, TargetResult } from '../../shared/flash.ts';
import type { HistoryJobKind, HistoryOutcome, HistoryRecord, HistoryTarget } from '../../shared/history.ts';
import type { JobProgress } from '../../shared/job.ts';
import { toAppError } from '../app-error/to-app-error.ts';
import { busPathOf } from '../drives/bus-path.ts';
import { scanDrives } from '../drives/list-drives.ts';
import type { TargetSelector } from '../flash/flash-image.ts';
import type { FlashWork } from '../flash/flash-work.ts';
import { openHistoryJournal, type HistoryJournal } from '../history/history-journal.ts';
import type { EndedFields } from '../history/journal-events.ts';
import type { HandlerContext } from './handler-types.ts';

/** The engine's one journal: `<dataDir>/history.jsonl`, the data folder as it is at each event. */
export const historyJournal: HistoryJournal = openHistoryJournal();

export interface JobRecordStart {
  readonly kind: HistoryJobKind;
  readonly image: HistoryRecord['image'];
  /** Drives by id or path (a regular file stands for itself), described from a fresh enumeration. */
  readonly targets: readonly TargetSelector[];
  /** 'raw', 'copy-files', 'format-fat32' ...; null when nothing is written to a drive. */
  readonly mode: string | null;
}

/** What a job's end adds; the speeds default to what its progress measured, per phase. */
export type JobRecordEnd = Omit<EndedFields, 'endedMs' | 'writeBytesPerSecond' | 'verifyBytesPerSecond'> &
  Partial<Pick<EndedFields, 'writeBytesPerSecond' | 'verifyBytesPerSecond'>>;

/**
 * Runs `run` as the job `jobId`, recorded: its start is on disk before `run` begins; its end is
 * `end(result, started)` (started: the targets as described at the start), or, when `run` throws,
 * failed or cancelled with the error. Resolves or rejects as `run` does.
 */
export async function recordJob<T>(
  // Only the events and the log: the CLI records a job it runs below the service (isotope flash URL) with its service's.
  { events, log }: Pick<HandlerContext, 'events' | 'log'>,
  jobId: string,
  start: JobRecordStart,
  run: () => Promise<T>,
  end: (result: T, started: readonly HistoryTarget[]) => JobRecordEnd,
): Promise<T> {
  const targets = await describeTargets(start.targets).catch((error: unknown) => {
    log('history: the targets could not be described', error);
    return start.targets.map((selector) => unknownTarget('path' in selector ? selector.path : selector.driveId));
  });
  await historyJournal
    .started({ id: jobId, kind: start.kind, image: start.image, targets, mode: start.mode, startedMs: Date.now() })
    .catch((error: unknown) => log('history: the start of a job could not be recorded', error));
  const meter = new PhaseMeter();
  const unsubscribe = events.subscribe((name, payload) => {
    if (name === 'job:progress' && (payload as JobProgress).jobId === jobId) meter.observe(payload as JobProgress);
  });
  const record = (fields: JobRecordEnd): Promise<void> => {
    const rates = meter.rates();
    const withRates = fields.targets.map((target) => ({ ...target, ...rates.perTarget.get(target.device) }));
    return historyJournal
      .ended(jobId, {
        writeBytesPerSecond: rates.writeBytesPerSecond,
        verifyBytesPerSecond: rates.verifyBytesPerSecond,
        ...fields,
        targets: withRates,
        endedMs: Date.now(),
      })
      .catch((error: unknown) => log('history: the end of a job could not be recorded', error));
  };
  try {
    const result = await run();
    unsubscribe();
    await record(end(result, targets));
    return result;
  } catch (error) {
    unsubscribe();
    const appError = toAppError(error, () => undefined);
    const outcome: HistoryOutcome = appError.code === 'cancelled' ? 'cancelled' : 'failed';
    await record({ outcome, verify: null, error: appError, targets: targets.map((target) => ({ ...target, outcome, error: appError })) });
    throw error;
  }
}

/** A flash, verify or format job's start: a verify writes nothing (no mode); a format's image is none. */
export function flashRecordStart(work: FlashWork): JobRecordStart {
  if (work.kind === 'format') {
    return { kind: 'format', image: { path: null, url: null, sizeBytes: null, sha256: null }, targets: work.targets, mode: `format-${work.recipe.fileSystem}` };
  }
  const image = { path: work.imagePath, url: null, sizeBytes: null, sha256: null };
  if (work.kind === 'verify') return { kind: 'verify', image, targets: [work.target], mode: null };
  return { kind: 'flash', image, targets: work.targets, mode: work.recipe?.kind === 'copy' ? 'copy-files' : 'raw' };
}

/** A flash's, verify's or format's end: its outcome, per-target outcomes and errors, and the image's SHA-256 when the write computed it. */
export function flashRecordEnd(
  result: Pick<FlashResult, 'outcome' | 'targets'> & { source?: FlashResult['source'] },
  started: readonly HistoryTarget[],
  verified: boolean,
): JobRecordEnd {
  const targets = started.map((target, index) => {
    const outcome = result.targets.find((candidate) => candidate.target === target.device) ?? result.targets[index];
    return outcome ? { ...target, outcome: targetOutcome(outcome), error: targetError(outcome) } : { ...target, outcome: result.outcome };
  });
  // The job's verify result speaks for every target: passed only when each was read back equal; one
  // that differed fails it; otherwise (a target that failed or was refused before its read-back) the
  // job did not verify every target, and each target's own outcome says what happened to it.
  const mismatch = result.targets.some((target) => target.error?.code === 'verification-mismatch');
  const everyVerified = result.targets.length > 0 && result.targets.every((target) => target.outcome === 'verified');
  const verify = !verified ? null : mismatch ? 'failed' : everyVerified ? 'passed' : null;
  const firstError = targets.find((target) => target.error !== null)?.error ?? null;
  const image = result.source ? { image: { sizeBytes: result.source.sizeBytes, sha256: result.source.sha256Hex } } : {};
  return { outcome: result.outcome, verify, error: result.outcome === 'succeeded' ? null : firstError, targets, ...image };
}

function targetOutcome(target: TargetResult): HistoryOutcome {
  if (target.outcome === 'verified' || target.outcome === 'written') return 'succeeded';
  return target.outcome;
}

function targetError(target: TargetResult): AppError | null {
  if (target.error === null) return null;
  const detail = target.error.offsetBytes === null ? {} : { detail: { offsetBytes: target.error.offsetBytes } };
  return { code: target.error.code, message: target.error.message, ...detail };
}

/** Each target as the enumeration sees it now: a drive (by id, or by its device path), or a regular file. */
async function describeTargets(selectors: readonly TargetSelector[]): Promise<HistoryTarget[]> {
  if (selectors.length === 0) return [];
  const { drives } = await scanDrives();
  return Promise.all(
    selectors.map(async (selector): Promise<HistoryTarget> => {
      const drive = drives.find((candidate) =>
        'driveId' in selector ? candidate.id === selector.driveId : candidate.device === selector.path || candidate.raw === selector.path,
      );
      if (drive) {
        return {
          device: drive.device,
          model: drive.model,
          serial: drive.serial,
          sizeBytes: drive.sizeBytes,
          busPath: await busPathOf(drive.device),
          outcome: 'running',
          error: null,
        };
      }
      if ('driveId' in selector) return unknownTarget(selector.driveId);
      const stats = await stat(selector.path).catch(() => null);
      return { ...unknownTarget(selector.path), sizeBytes: stats?.isFile() ? stats.size : null };
    }),
  );
}

function unknownTarget(device: string): HistoryTarget {
  return { device, model: null, serial: null, sizeBytes: null, busPath: null, outcome: 'running', error: null };
}

/** Bytes per second of one target (or of a job's single stream) in the write and the verify phases; null where not measured. */
interface PhaseRates {
  readonly writeBytesPerSecond: number | null;
  readonly verifyBytesPerSecond: number | null;
}

/** One stream's phases as its progress reported them: time spent in each, and its bytes. */
interface PhaseStream {
  phase: string;
  sinceMs: number;
  failed: boolean;
  readonly elapsedMs: Map<string, number>;
  /** Per phase: the most bytes reported, its total when known, and whether the stream went on to a later phase (so it did them all). */
  readonly bytes: Map<string, { done: number; total: number | null; completed: boolean }>;
}

const writePhases = ['writing', 'flushing', 'backing-up', 'downloading'];

/**
 * Each phase's speed from the job's own progress reports: a target's write speed is the bytes it
 * wrote over the time from its first `writing` report to its first report after `flushing` (the
 * bytes count as written once flushed); its verify speed the bytes read back over its `verifying`
 * time. A phase a target left for the next one, not failing, did its whole total, even when the
 * throttled reports never showed the last bytes. A job without targets (a backup, a download) has
 * one stream, its single phase counting as the write. The job's speed is its slowest target's.
 */
class PhaseMeter {
  readonly #streams = new Map<string, PhaseStream>();

  observe(progress: JobProgress): void {
    const readings = progress.targets.length > 0 ? progress.targets : [{ ...progress, target: '', failed: false }];
    const nowMs = performance.now();
    for (const { target, phase, bytesDone, bytesTotal, failed } of readings) {
      let stream = this.#streams.get(target);
      if (!stream) this.#streams.set(target, (stream = { phase, sinceMs: nowMs, failed, elapsedMs: new Map(), bytes: new Map() }));
      if (stream.phase !== phase) {
        const left = stream.bytes.get(stream.phase);
        if (left && !failed) left.completed = true;
        this.#close(stream, nowMs);
        Object.assign(stream, { phase, sinceMs: nowMs });
      }
      stream.failed = failed;
      const known = stream.bytes.get(phase);
      stream.bytes.set(phase, { done: Math.max(known?.done ?? 0, bytesDone), total: bytesTotal ?? known?.total ?? null, completed: false });
    }
  }

  rates(): PhaseRates & { perTarget: Map<string, PhaseRates> } {
    const nowMs = performance.now();
    const perTarget = new Map<string, PhaseRates>();
    for (const [target, stream] of this.#streams) {
      this.#close(stream, nowMs);
      stream.sinceMs = nowMs;
      const bytesOf = (phase: string): number => {
        const counted = stream.bytes.get(phase);
        return counted === undefined ? 0 : counted.completed && counted.total !== null ? counted.total : counted.done;
      };
      perTarget.set(target, {
        writeBytesPerSecond: perSecond(Math.max(...writePhases.filter((phase) => phase !== 'flushing').map(bytesOf)), sumOf(stream.elapsedMs, writePhases)),
        verifyBytesPerSecond: perSecond(bytesOf('verifying'), sumOf(stream.elapsedMs, ['verifying'])),
      });
    }
    const slowest = (pick: (rates: PhaseRates) => number | null): number | null => {
      const known = [...perTarget.values()].map(pick).filter((rate): rate is number => rate !== null);
      return known.length === 0 ? null : Math.min(...known);
    };
    return {
      writeBytesPerSecond: slowest((rates) => rates.writeBytesPerSecond),
      verifyBytesPerSecond: slowest((rates) => rates.verifyBytesPerSecond),
      perTarget,
    };
  }

  #close(stream: PhaseStream, nowMs: number): void {
    stream.elapsedMs.set(stream.phase, (stream.elapsedMs.get(stream.phase) ?? 0) + (nowMs - stream.sinceMs));
  }
}

function sumOf(values: ReadonlyMap<string, number>, keys: readonly string[]): number {
  return keys.reduce((total, key) => total + (values.get(key) ?? 0), 0);
}

function perSecond(bytes: number, elapsedMs: number): number | null {
  return bytes > 0 && elapsedMs > 0 ? Math.round((bytes / elapsedMs) * 1000) : null;
}
