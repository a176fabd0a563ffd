// `flash:*` calls. `flash:start` and `flash:verify` answer at once with a job id; the job reports as
// `flash:progressed` and ends with one `flash:finished`. The engine re-enumerates and re-checks every
// target itself: ids and paths from the caller are only names.
import { randomUUID } from 'node:crypto';
import type { FlashProgress, FlashResult } from '../../../shared/flash.ts';
import type { TargetSelector } from '../../flash/flash-image.ts';
import { defaultDataDir } from '../../checksum/data-dir.ts';
import { runFlashWorkWithCache, type FlashWork } from '../../flash/flash-work.ts';
import { AppFailure } from '../app-failure.ts';
import type { HandlerContext, HandlerTable } from '../handler-types.ts';

const running = new Map<string, AbortController>();

export const flashHandlers: HandlerTable<'flash:start' | 'flash:cancel' | 'flash:verify'> = {
  'flash:start': async (request, context) => {
    const targets: TargetSelector[] = [...request.driveIds.map((driveId) => ({ driveId })), ...(request.targetPaths ?? []).map((path) => ({ path }))];
    if (targets.length === 0) throw new AppFailure('invalid-request', 'flash:start names no target');
    return startJob(context, {
      kind: 'flash',
      imagePath: request.imagePath,
      targets,
      verify: request.verify ?? true,
      includeAll: request.includeAll ?? false,
      eject: request.eject ?? true,
    });
  },
  'flash:verify': async (request, context) => {
    const target: TargetSelector | null =
      request.driveId !== undefined ? { driveId: request.driveId } : request.targetPath !== undefined ? { path: request.targetPath } : null;
    if (target === null) throw new AppFailure('invalid-request', 'flash:verify names neither driveId nor targetPath');
    return startJob(context, { kind: 'verify', imagePath: request.imagePath, target });
  },
  'flash:cancel': async ({ jobId }) => {
    const controller = running.get(jobId);
    controller?.abort();
    return { cancelled: controller !== undefined };
  },
};

function startJob({ events, options }: HandlerContext, work: FlashWork): { jobId: string } {
  const jobId = randomUUID();
  const controller = new AbortController();
  running.set(jobId, controller);
  const onProgress = (progress: FlashProgress): void => events.emit('flash:progressed', { ...progress, jobId });
  // The user's hash cache is read and written here, never by the elevated helper.
  void runFlashWorkWithCache(work, { jobId, signal: controller.signal, onProgress }, options.elevatedHelper ?? {}, defaultDataDir())
    .catch((error: unknown): FlashResult => {
      (options.log ?? console.error)('flash job failed unexpectedly', error);
      return internalFailure(jobId, work.imagePath);
    })
    .then((result) => {
      running.delete(jobId);
      events.emit('flash:finished', { ...result, jobId });
    });
  return { jobId };
}

function internalFailure(jobId: string, imagePath: string): FlashResult {
  return {
    jobId,
    outcome: 'failed',
    source: { path: imagePath, compression: 'none', sizeBytes: 0, sha256Hex: null },
    targets: [{ target: '', outcome: 'failed', bytesWritten: 0, error: { code: 'internal', message: 'internal error (see the engine log)', offsetBytes: null }, mismatch: null, refusals: [] }],
    elapsedMs: 0,
  };
}
