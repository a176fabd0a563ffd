// One flash job: a planned job (planned-job.svelte.ts) whose plan names the image, its assessment
// and the targets, with progress per target weighted over writing and verifying.
import type { FlashPlan, FlashPrepareRequest, FlashResult, FlashStartRequest } from '../../shared/flash.ts';
import { PlannedJob } from './planned-job.svelte.ts';

export class FlashJob extends PlannedJob<FlashPrepareRequest, FlashPlan, FlashStartRequest, FlashResult> {
  /** Overall progress over all targets and phases (writing and verifying weigh the same). */
  get overallFraction(): number | null {
    return this.overallOver(this.lastPlan?.verify ?? true);
  }
}
