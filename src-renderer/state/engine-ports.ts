// The drive and flash calls the write screen needs, as small ports over the engine client, so the
// state classes stay independent of how a job's end arrives (`flash:start` answers with a job id at
// once; the result comes later as one `job:finished` event, awaited by shared/follow-job.ts).
import type { DriveStatus, DrivesChange } from '../../shared/drive.ts';
import type { FlashPlan, FlashPrepareRequest, FlashResult, FlashStartRequest } from '../../shared/flash.ts';
import { followJob } from '../../shared/follow-job.ts';
import { ok, type Result } from '../../shared/result.ts';
import type { EngineClient } from '../api.ts';

export interface DrivesPort {
  list(request: { readonly imagePath: string | null; readonly includeAll: boolean }): Promise<Result<readonly DriveStatus[]>>;
  onChanged(listener: (change: DrivesChange) => void): () => void;
  eject(driveId: string): Promise<Result<{ device: string }>>;
}

export interface FlashPort {
  /** Asks the engine what the write would do; its answer carries the confirmation `start` needs. */
  prepare(request: FlashPrepareRequest): Promise<Result<FlashPlan>>;
  /** Runs the whole job: `onstarted` gets its id at once (its progress is in the job store under it). */
  start(request: FlashStartRequest, onstarted: (jobId: string) => void): Promise<Result<FlashResult>>;
  cancel(jobId: string): Promise<void>;
}

export function createDrivesPort(client: EngineClient): DrivesPort {
  return {
    async list({ imagePath, includeAll }) {
      const result = await client.call('drives:list', { includeAll, ...(imagePath === null ? {} : { imagePath }) });
      return result.ok ? ok(result.value.drives) : result;
    },
    onChanged: (listener) => client.subscribe('drives:changed', listener),
    eject: (driveId) => client.call('drives:eject', { driveId }),
  };
}

export function createFlashPort(client: EngineClient): FlashPort {
  return {
    prepare: (request) => client.call('flash:prepare', request),
    start: (request, onstarted) =>
      followJob({ onFinished: (listener) => client.subscribe('job:finished', listener) }, 'flash', () => client.call('flash:start', request), {
        started: onstarted,
      }),
    async cancel(jobId) {
      await client.call('job:cancel', { jobId });
    },
  };
}
