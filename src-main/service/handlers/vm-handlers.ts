// `vm:host` and `vm:try`: trying an image or a drive in QEMU (issue 18, src-main/vm/). A trial is a
// job of kind `try`: its progress is the time run (no bytes), a headless trial streams `vm:screen`,
// and Stop (`job:cancel`) ends it as `stopped`, a normal end rather than a cancellation. A drive this
// user cannot open is tried through the elevated helper, which runs QEMU as this user (drive-launch.ts).
import type { VmTryRequest } from '../../../shared/vm.ts';
import { startElevatedQemu } from '../../elevation/vm-elevation.ts';
import { vmHostReport } from '../../vm/qemu-host.ts';
import { runVmTrial, trialRequest } from '../../vm/vm-trial.ts';
import type { HandlerContext, HandlerTable } from '../handler-types.ts';
import { startJob } from './job-handlers.ts';

export const vmHandlers: HandlerTable<'vm:host' | 'vm:try'> = {
  'vm:host': () => vmHostReport(),
  'vm:try': (request, context) => startTrialJob(request, context),
};

/** "BIOS, USB stick", what the progress names as the job's subject. */
function trialSubject(request: VmTryRequest): string {
  return `${request.firmware === 'bios' ? 'BIOS' : 'UEFI'}, ${request.medium === 'usb' ? 'USB stick' : 'CD'}`;
}

/** Refusals (no window here, a drive gone or unreadable, QEMU missing) fail the call itself; the run is the job. */
async function startTrialJob(request: VmTryRequest, context: HandlerContext): Promise<{ jobId: string }> {
  const { events } = context;
  const tryRequest = await trialRequest(request);
  const secondsMs = request.seconds === undefined ? null : request.seconds * 1000;
  return startJob(context, 'try', (jobId, signal) =>
    runVmTrial(tryRequest, {
      signal,
      elevate: (work) => startElevatedQemu(work),
      onScreen: ({ serialText, firmwareText, screenshotPng, elapsedMs }) =>
        events.emit('vm:screen', { jobId, serialText, firmwareText, screenshotPngBase64: screenshotPng?.toString('base64') ?? null, elapsedMs }),
      onTick: (elapsedMs) =>
        events.emit('job:progress', {
          jobId,
          kind: 'try',
          phase: 'running-vm',
          bytesDone: 0,
          bytesTotal: null,
          bytesPerSecond: 0,
          etaMs: secondsMs === null ? null : Math.max(0, secondsMs - elapsedMs),
          targets: [],
          subject: trialSubject(request),
          files: null,
        }),
    }),
  );
}
