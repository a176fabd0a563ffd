// `job:*` calls: what every long job shares, whatever its kind (src-main/jobs/).
import type { HandlerTable } from '../handler-types.ts';

export const jobHandlers: HandlerTable<'job:cancel'> = {
  'job:cancel': async ({ jobId }, { jobs }) => ({ cancelled: jobs.cancel(jobId) }),
};
