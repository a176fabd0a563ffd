// The drive and flash calls the write screen needs, as small ports over the engine client, so the
// state classes stay independent of how a job's end arrives (`flash:start` answers with a job id at
// once; the result comes later as one `job:finished` event, awaited by shared/follow-job.ts).
import type { IsoCreateRequest, IsoRemasterRequest } from '../../shared/authoring.ts';
import type { DriveStatus, DrivesChange } from '../../shared/drive.ts';
import type {
  FlashPlan,
  FlashPrepareRequest,
  FlashResult,
  FlashStartRequest,
  FormatPlan,
  FormatPrepareRequest,
  FormatResult,
  FormatStartRequest,
} from '../../shared/flash.ts';
import { followJob } from '../../shared/follow-job.ts';
import type { FinishedJobKind, JobResults } from '../../shared/job.ts';
import { ok, type Result } from '../../shared/result.ts';
import type { WriteModeRequest } from '../../shared/stick.ts';
import type { EngineClient } from '../api.ts';
import type { IsoWritePort } from './iso-write-job.svelte.ts';
import type { PlannedJobPort } from './planned-job.svelte.ts';

export interface DrivesPort {
  /** `mode`: how the image will be written; a drive smaller than the image is refused only for a raw write. */
  list(request: { readonly imagePath: string | null; readonly includeAll: boolean; readonly mode: WriteModeRequest }): Promise<Result<readonly DriveStatus[]>>;
  onChanged(listener: (change: DrivesChange) => void): () => void;
  eject(driveId: string): Promise<Result<{ device: string }>>;
}

export type FlashPort = PlannedJobPort<FlashPrepareRequest, FlashPlan, FlashStartRequest, FlashResult>;
export type FormatPort = PlannedJobPort<FormatPrepareRequest, FormatPlan, FormatStartRequest, FormatResult>;

export function createDrivesPort(client: EngineClient): DrivesPort {
  return {
    async list({ imagePath, includeAll, mode }) {
      const result = await client.call('drives:list', { includeAll, ...(imagePath === null ? {} : { imagePath, mode }) });
      return result.ok ? ok(result.value.drives) : result;
    },
    onChanged: (listener) => client.subscribe('drives:changed', listener),
    eject: (driveId) => client.call('drives:eject', { driveId }),
  };
}

export function createFlashPort(client: EngineClient): FlashPort {
  return {
    prepare: (request) => client.call('flash:prepare', request),
    start: (request, onstarted) => followStartedJob(client, 'flash', () => client.call('flash:start', request), onstarted),
    cancel: (jobId) => cancelJob(client, jobId),
  };
}

/** Restoring a drive to a normal stick: planned and confirmed as a write is. */
export function createFormatPort(client: EngineClient): FormatPort {
  return {
    prepare: (request) => client.call('drives:format-prepare', request),
    start: (request, onstarted) => followStartedJob(client, 'format', () => client.call('drives:format-start', request), onstarted),
    cancel: (jobId) => cancelJob(client, jobId),
  };
}

/** A new image from folders and files: planned (`iso:plan-create`), then written (`iso:create`). */
export function createIsoCreatePort(client: EngineClient): IsoWritePort<IsoCreateRequest> {
  return {
    plan: (request) => client.call('iso:plan-create', request),
    start: (request, onstarted) => followStartedJob(client, 'create', () => client.call('iso:create', request), onstarted),
    cancel: (jobId) => cancelJob(client, jobId),
  };
}

/** An edited copy of an image: planned (`iso:plan-remaster`), then written (`iso:remaster`). */
export function createIsoRemasterPort(client: EngineClient): IsoWritePort<IsoRemasterRequest> {
  return {
    plan: (request) => client.call('iso:plan-remaster', request),
    start: (request, onstarted) => followStartedJob(client, 'remaster', () => client.call('iso:remaster', request), onstarted),
    cancel: (jobId) => cancelJob(client, jobId),
  };
}

/** Starts a job with `start` and answers with the result its one `job:finished` of kind `kind` carries. */
export function followStartedJob<K extends FinishedJobKind>(
  client: EngineClient,
  kind: K,
  start: () => Promise<Result<{ jobId: string }>>,
  onstarted: (jobId: string) => void,
): Promise<Result<JobResults[K]>> {
  return followJob({ onFinished: (listener) => client.subscribe('job:finished', listener) }, kind, start, { started: onstarted });
}

export async function cancelJob(client: EngineClient, jobId: string): Promise<void> {
  await client.call('job:cancel', { jobId });
}
