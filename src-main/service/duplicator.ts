// Duplicator mode (issue 19): one image, confirmed once with its options and the rule "every stick
// inserted from now on that the safety rules allow and that is big enough", written to each such
// stick as its own flash job (own id, `job:finished` and history record). Drives attached at start
// are never written; a stick that was written is written again only after it was removed and
// inserted (queue/stick-arrivals.ts). The image is written byte for byte, and its version is checked
// before every stick: a changed image stops duplicator mode rather than write what was not confirmed.
import { basename } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FlashResult } from '../../shared/flash.ts';
import type { JobFinished } from '../../shared/job.ts';
import { unacknowledgedBlockingFindings } from '../../shared/assessment.ts';
import type { DuplicatorPlan, DuplicatorPrepareRequest, DuplicatorStartRequest, DuplicatorState } from '../../shared/queue.ts';
import { assessImage } from '../assess/assess-image.ts';
import { safetyContext, scanDrives, sourceFactsOf } from '../drives/list-drives.ts';
import { checkDrive, type SafetyContext } from '../drives/safety-rules.ts';
import type { Drive } from '../../shared/drive.ts';
import type { FlashWork } from '../flash/flash-work.ts';
import { CodedError } from '../jobs/errors.ts';
import { stickArrivals } from '../queue/stick-arrivals.ts';
import { StickTally } from '../queue/stick-tally.ts';
import { bindingDifference } from './confirmations.ts';
import { flashedSizeOf, imageVersionOf, type ImageVersion, type PlanOptions } from './flash-plan.ts';
import type { HandlerContext } from './handler-types.ts';
import { startFlashJob } from './handlers/flash-handlers.ts';

type PlanContent = Omit<DuplicatorPlan, 'confirmationId' | 'expiresAtMs'>;

interface DuplicatorBinding {
  readonly image: ImageVersion;
  readonly plan: PlanContent;
}

/** How often the drives are enumerated while duplicator mode watches (an enumeration costs a few ms). */
const pollIntervalMs = 1000;
/** The sticks shown in the state, and all that is kept of the ones no longer written (the counts go on beyond). */
const maxSticksShown = 200;

export async function prepareDuplicator(request: DuplicatorPrepareRequest, options: PlanOptions): Promise<DuplicatorPlan> {
  const image = await imageVersionOf(request.imagePath);
  const imageSizeBytes = await flashedSizeOf(request.imagePath);
  // "Big enough" needs the size up front: a stream whose size only decoding tells cannot be judged per stick.
  if (imageSizeBytes === null)
    throw new CodedError('unsupported', `${request.imagePath}: its size is unknown until decoded, so no stick can be judged big enough; decode it first`);
  const assessment = await assessImage(request.imagePath, options.judgeImage ? { judge: options.judgeImage } : {});
  const { drives } = await scanDrives();
  const plan: PlanContent = {
    assessment,
    imagePath: request.imagePath,
    imageSizeBytes,
    verify: request.verify ?? true,
    eject: request.eject ?? true,
    includeAll: request.includeAll ?? false,
    presentDevices: drives.map((drive) => drive.device),
    phraseToType: options.shellConfirm === undefined ? basename(request.imagePath) : null,
  };
  return { ...options.confirmations.issue('duplicator', { image, plan } satisfies DuplicatorBinding), ...plan };
}

/** Uses up the confirmation and checks the image, the typed phrase and the findings; then the shell's own dialog. */
export async function confirmDuplicator(request: DuplicatorStartRequest, options: PlanOptions): Promise<DuplicatorBinding> {
  const binding = options.confirmations.consume('duplicator', request.confirmationId) as DuplicatorBinding;
  const refuse = (why: string): never => {
    throw new CodedError('confirmation-required', `confirmation ${request.confirmationId} no longer holds: ${why}; prepare duplicator mode again`);
  };
  const change = bindingDifference(binding.image, await imageVersionOf(binding.image.path).catch(() => null), 'image');
  if (change !== null) refuse(`the image changed (${change})`);
  const { phraseToType } = binding.plan;
  if (phraseToType !== null && request.typedPhrase?.trim() !== phraseToType)
    refuse(`the image's name was not typed (expected ${JSON.stringify(phraseToType)})`);
  const unacknowledged = unacknowledgedBlockingFindings(binding.plan.assessment, request.acknowledgedFindings ?? []);
  if (unacknowledged.length > 0) refuse(`the image has blocking findings not acknowledged: ${unacknowledged.map((finding) => finding.code).join(', ')}`);
  if (options.shellConfirm && !(await options.shellConfirm({ kind: 'duplicator', plan: binding.plan }))) {
    throw new CodedError('cancelled', 'duplicator mode was not confirmed in the confirmation dialog');
  }
  return binding;
}

const running = new Map<string, { stop(): DuplicatorState }>();

export function stopDuplicator(duplicatorId: string): DuplicatorState {
  const duplicator = running.get(duplicatorId);
  if (duplicator === undefined) throw new CodedError('not-found', `no duplicator mode ${duplicatorId.slice(0, 64)} runs in this engine`);
  return duplicator.stop();
}

/** Starts watching: the drives attached now are the baseline, never written while they stay. */
export async function startDuplicator(
  context: Pick<HandlerContext, 'events' | 'options' | 'jobs' | 'log'>,
  binding: DuplicatorBinding,
): Promise<DuplicatorState> {
  const { plan } = binding;
  const duplicatorId = randomUUID();
  const sticks = new StickTally(maxSticksShown);
  let seen = stickArrivals(new Set(), (await scanDrives()).drives).seen;
  let watching = true;
  let stoppedBecause: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  const state = (): DuplicatorState => ({ duplicatorId, imagePath: plan.imagePath, watching, ...sticks.snapshot(), stoppedBecause });
  const changed = (): void => context.events.emit('duplicator:changed', state());
  const unsubscribe = context.events.subscribe((name, payload) => {
    if (name !== 'job:finished') return;
    const finished = payload as JobFinished;
    if (!sticks.finish(finished.jobId, finished.result.ok ? (finished.result.value as FlashResult).outcome : 'failed')) return;
    if (!watching && sticks.runningCount === 0) unsubscribe();
    changed();
  });
  const stop = (why: string | null): DuplicatorState => {
    watching = false;
    stoppedBecause ??= why;
    if (timer !== null) clearTimeout(timer);
    running.delete(duplicatorId);
    // Jobs already running still end and are counted; then nothing is listened to.
    if (sticks.runningCount === 0) unsubscribe();
    changed();
    return state();
  };
  const tick = async (): Promise<void> => {
    const scan = await scanDrives();
    const arrivals = stickArrivals(seen, scan.drives);
    seen = arrivals.seen;
    if (arrivals.arrived.length > 0 && watching) {
      const imageChange = bindingDifference(binding.image, await imageVersionOf(binding.image.path).catch(() => null), 'image');
      if (imageChange !== null) return void stop(`the image changed (${imageChange})`);
      const safety = safetyContext(scan, { includeAll: plan.includeAll, source: await sourceFactsOf(plan.imagePath), imageSizeBytes: plan.imageSizeBytes });
      for (const drive of arrivals.arrived) {
        // Belt and braces beside stickArrivals: never a second job on a device this mode is writing.
        if (sticks.isWriting(drive.device)) continue;
        const refusals = refusalsOf(drive, safety);
        if (refusals.length > 0) sticks.addSkipped(drive.device, drive.description, refusals.join('; '));
        else sticks.addWriting(drive.device, drive.description, startFlashJob(context, workFor(plan, drive.id)).jobId);
      }
      changed();
    }
  };
  const loop = (): void => {
    timer = setTimeout(() => {
      tick()
        .catch((error: unknown) => context.log('duplicator: an enumeration failed', error))
        .finally(() => watching && loop());
    }, pollIntervalMs);
    // Watching never keeps a process alive by itself (as drives/watch-drives.ts).
    timer.unref();
  };
  running.set(duplicatorId, { stop: () => stop(null) });
  loop();
  return state();
}

/** Why the safety rules refuse a newly inserted drive; without "show all drives", anything but a removable USB stick is refused too. */
function refusalsOf(drive: Drive, safety: SafetyContext): string[] {
  const notUsb = !safety.includeAll && !(drive.isUsb && drive.isRemovable) ? [`${drive.device} is not a removable USB stick`] : [];
  return [...notUsb, ...checkDrive(drive, safety).refusals.map((issue) => issue.reason)];
}

/** One stick's job: the image byte for byte, with the options confirmed. */
function workFor(plan: PlanContent, driveId: string): FlashWork {
  const { imagePath, verify, eject, includeAll } = plan;
  return { kind: 'flash', imagePath, targets: [{ driveId }], verify, eject, includeAll, recipe: { kind: 'raw' } };
}
