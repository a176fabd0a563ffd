// A job call (it answers with an id at once) followed to its end, as the shells follow it
// (shared/follow-job.ts): the result its `job:finished` carries, or the call's own failure.
import { followJob, type JobFollower } from '../../shared/follow-job.ts';
import type { FinishedJobKind, JobResults } from '../../shared/job.ts';
import type { Result } from '../../shared/result.ts';
import type { Service } from '../../src-main/service/service.ts';

export function runJob<K extends FinishedJobKind>(
  service: Pick<Service, 'invoke' | 'on'>,
  kind: K,
  method: string,
  request: unknown,
  follower: JobFollower = {},
): Promise<Result<JobResults[K]>> {
  return followJob(
    { onProgress: (listener) => service.on('job:progress', listener), onFinished: (listener) => service.on('job:finished', listener) },
    kind,
    // Untyped on purpose: tests also send requests the boundary must refuse.
    () => service.invoke(method, request) as Promise<Result<{ jobId: string }>>,
    follower,
  );
}
