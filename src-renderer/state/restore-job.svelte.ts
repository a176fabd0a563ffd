// Restoring a drive to a normal stick (`drives:format-prepare`, then `drives:format-start`): a
// planned job like a write, confirmed by the drive's typed name, with per-target progress.
import type { FormatPlan, FormatPrepareRequest, FormatResult, FormatStartRequest } from '../../shared/flash.ts';
import { PlannedJob } from './planned-job.svelte.ts';

export class RestoreJob extends PlannedJob<FormatPrepareRequest, FormatPlan, FormatStartRequest, FormatResult> {
  /** Overall progress: a restore writes and flushes; it has no verifying pass. */
  get overallFraction(): number | null {
    return this.overallOver(false);
  }
}
