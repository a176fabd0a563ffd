// `drives:format-*`: restore a drive to an empty FAT32 or exFAT stick. Prepare answers with a plan and
// an engine-issued confirmation (service/format-plan.ts); start runs it once, as a flash of the new
// stick's bytes (same pipeline, elevation, progress, cancel and read-back), reporting as `job:progress`
// of kind `format` and ending with one `job:finished` of kind `format`.
import type { FlashProgress, FlashResult, FormatResult } from '../../../shared/flash.ts';
import { flashJobProgress } from '../../../shared/job.ts';
import { runFlashWork } from '../../elevation/elevation.ts';
import type { FlashWork } from '../../flash/flash-work.ts';
import { confirmFormat, prepareFormat } from '../format-plan.ts';
import type { HandlerContext, HandlerTable } from '../handler-types.ts';
import { startJob } from './job-handlers.ts';
import { flashRecordEnd, flashRecordStart, recordJob } from '../job-history.ts';

export const formatHandlers: HandlerTable<'drives:format-prepare' | 'drives:format-start'> = {
  'drives:format-prepare': (request, { options, confirmations }) => prepareFormat(request, { confirmations, shellConfirm: options.confirmDestructive }),
  'drives:format-start': async (request, context) => {
    const { work, plan } = await confirmFormat(request, { confirmations: context.confirmations, shellConfirm: context.options.confirmDestructive });
    return startFormatJob(context, work, plan.label);
  },
};

/** Starts a format job; `label` is the label as written (the plan's), which the result names. */
function startFormatJob(
  { events, options, jobs, log }: Pick<HandlerContext, 'events' | 'options' | 'jobs' | 'log'>,
  work: FlashWork,
  label: string,
): { jobId: string } {
  if (work.kind !== 'format') throw new Error(`startFormatJob was given a ${work.kind} job`);
  const { recipe } = work;
  return startJob({ events, jobs, log }, 'format', async (jobId, signal) => {
    const onProgress = (progress: FlashProgress): void => events.emit('job:progress', flashJobProgress({ ...progress, jobId }, 'format'));
    const run = (): Promise<FlashResult> => runFlashWork(work, { jobId, signal, onProgress }, options.elevatedHelper ?? {});
    const result = await recordJob({ events, log }, jobId, flashRecordStart(work), run, (ended, started) =>
      // A format reads no image: its written bytes are the new stick's, not an image's size.
      flashRecordEnd({ outcome: ended.outcome, targets: ended.targets }, started, true),
    );
    return {
      jobId,
      outcome: result.outcome,
      fileSystem: recipe.fileSystem,
      label,
      table: recipe.table,
      targets: result.targets,
      elapsedMs: result.elapsedMs,
    } satisfies FormatResult;
  });
}
