// `isotope flash URL TARGET...` (issue 19): confirms the targets as a flash of a file does, then
// downloads the image into the download cache and writes it to the drives as its bytes arrive
// (flash/flash-from-download.ts), showing both. The image cannot be assessed before its bytes exist:
// the output says so, and the finished file is assessed afterwards and its findings reported. A
// download that fails, or whose sums disagree, fails the write and leaves each stick unusable. The
// drives are written here as root, else by the elevated helper, fed the download over its channel.
import { randomUUID } from 'node:crypto';
import type { CallResponse } from '../../../shared/contract.ts';
import { downloadVerdict, type DownloadResult } from '../../../shared/download.ts';
import { flashJobProgress } from '../../../shared/job.ts';
import type { FlashProgress, FlashResult } from '../../../shared/flash.ts';
import type { Result } from '../../../shared/result.ts';
import { formatBytes } from '../../../shared/units.ts';
import type { Service } from '../../service/service.ts';
import { reportFailure, type CliContext } from '../cli-context.ts';
import { exitCodes } from '../exit-codes.ts';
import { describeAssessment } from './assessment-report.ts';
import { insecureWarning } from './download-command.ts';
import { confirm, describeFlashResult, type FlashOptions } from './flash-command.ts';
import { ProgressDisplay, type ProgressReading } from './job-progress.ts';

type AssessCallResult = Result<CallResponse<'image:assess'>>;

/** What the user is told instead of a pre-flight verdict: nothing can be judged before the bytes exist. */
const judgedAsItArrives =
  'Not assessed before writing: the image is downloaded while it is written. It is judged as it arrives: the download is checked ' +
  'against the sums files next to its URL, each stick is read back against the finished file, and the finished file is assessed afterwards.\n';

export async function flashFromUrl(context: CliContext, service: Service, url: string, targetPaths: readonly string[], options: FlashOptions): Promise<void> {
  const json = options.json === true;
  if (options.mode === 'copy') {
    context.stderr('isotope: copy mode needs the whole image first: download it (isotope download URL -o FILE), then flash the file\n');
    return context.setExitCode(exitCodes.usage);
  }
  const targets = targetPaths.map((path) => ({ path }));
  if (options.insecure === true) context.stderr(insecureWarning);
  if (json) context.stdout(`${JSON.stringify({ event: 'image:not-assessed', reason: 'downloaded while written' })}\n`);
  else context.stderr(judgedAsItArrives);
  if (options.yes !== true) {
    if (!process.stdin.isTTY) {
      context.stderr('isotope: flashing erases the targets; pass --yes when not on a terminal\n');
      return context.setExitCode(exitCodes.usage);
    }
    if (!(await confirm(context, service, { imagePath: url, mode: 'raw' }, targetPaths, options.unsafe === true))) {
      context.stderr('isotope: nothing written\n');
      return context.setExitCode(exitCodes.failed);
    }
  }
  let result: FlashResult;
  // The finished file is assessed as soon as the download completes, while the drives are still
  // written, flushed and read back (the bench: ~0.3-0.5 s that came after the write); reported after it.
  let assessment: Promise<AssessCallResult> | null = null;
  const onDownloaded = (downloaded: DownloadResult): void => void (assessment = service.call('image:assess', { path: downloaded.path }));
  try {
    result = await recordedWrite(service, { url, targets, verify: options.verify }, (jobId) =>
      followWriteWhileDownloading(context, service, { jobId, url, targets, options, onDownloaded }),
    );
  } catch (error) {
    return context.setExitCode(reportFailure(context, error, json));
  }
  await reportAssessmentOfDownload(context, assessment, json);
  if (json) context.stdout(`${JSON.stringify({ event: 'job:finished', kind: 'flash', ...result })}\n`);
  else context.stdout(describeFlashFromUrl(result));
  context.setExitCode(result.outcome === 'succeeded' ? exitCodes.ok : exitCodes.failed);
}

/**
 * Runs `write` as a job recorded in the history (service/job-history.ts), as the service records the
 * flashes it starts: the URL as the image, then the downloaded file's path, size and the SHA-256 the write read.
 */
async function recordedWrite(
  service: Service,
  job: { readonly url: string; readonly targets: readonly { path: string }[]; readonly verify: boolean },
  write: (jobId: string) => Promise<FlashResult>,
): Promise<FlashResult> {
  const { flashRecordEnd, recordJob } = await import('../../service/job-history.ts');
  const jobId = randomUUID();
  const image = { path: null, url: job.url, sizeBytes: null, sha256: null };
  return recordJob(
    { events: service.events, log: service.log },
    jobId,
    { kind: 'flash', image, targets: job.targets, mode: 'raw' },
    () => write(jobId),
    (result, started) => {
      const end = flashRecordEnd(result, started, job.verify);
      return { ...end, image: { ...end.image, path: result.download?.result?.path ?? null } };
    },
  );
}

/** Runs the download and the write together; the display shows the download's bytes beside each drive's. */
async function followWriteWhileDownloading(
  context: CliContext,
  service: Service,
  job: {
    readonly jobId: string;
    readonly url: string;
    readonly targets: readonly { path: string }[];
    readonly options: FlashOptions;
    readonly onDownloaded: (result: DownloadResult) => void;
  },
): Promise<FlashResult> {
  const { flashFromDownload } = await import('../../flash/flash-from-download.ts');
  // Here as root (or to regular files), else in the elevated helper, which the download's reports reach over its channel.
  const { chooseArrivingWrite } = await import('../../elevation/elevation.ts');
  const startWrite = await chooseArrivingWrite(job.targets);
  const json = job.options.json === true;
  const display = new ProgressDisplay(context, { json, tty: process.stderr.isTTY === true });
  const controller = new AbortController();
  const cancel = (): void => {
    context.stderr('\nCancelling: the download stops, and the drives are partly written and now unusable until written again.\n');
    controller.abort();
  };
  process.once('SIGINT', cancel);
  const download: ProgressReading = { label: 'download', bytesDone: 0, bytesTotal: null, bytesPerSecond: 0, etaMs: null };
  let drives: readonly ProgressReading[] = [];
  let lastDownloadShownMs = 0;
  const show = (event: string, payload: object): void => display.show(event, payload, [download, ...drives]);
  try {
    return await flashFromDownload({
      download: { url: job.url, ...(job.options.mirror.length > 0 ? { mirrors: job.options.mirror } : {}) },
      ...(job.options.insecure === true ? { http: { insecureTls: true } } : {}),
      targets: job.targets,
      verify: job.options.verify,
      includeAll: job.options.unsafe === true,
      signal: controller.signal,
      onDownloadProgress: (bytesDone, bytesTotal) => {
        Object.assign(download, { bytesDone, bytesTotal });
        // The download reports every range; about four reports a second are plenty.
        const nowMs = Date.now();
        if (nowMs - lastDownloadShownMs < 250 && bytesDone !== bytesTotal) return;
        lastDownloadShownMs = nowMs;
        show('download:progress', { bytesDone, bytesTotal });
      },
      onDownloaded: job.onDownloaded,
      jobId: job.jobId,
      startWrite,
      onProgress: (progress: FlashProgress) => {
        drives = progress.targets.map((target) => ({ ...target, label: `${target.target}: ${target.phase}` }));
        const reported = flashJobProgress(progress);
        // On the service's events too: the history measures each phase's speed from them.
        service.events.emit('job:progress', reported);
        show('job:progress', reported);
      },
    });
  } finally {
    display.end({ keep: true });
    process.removeListener('SIGINT', cancel);
  }
}

/** The finished file's pre-flight findings, read once its bytes existed (`assessment`, started then); null, and nothing said, for a download that did not finish. */
async function reportAssessmentOfDownload(context: CliContext, assessment: Promise<AssessCallResult> | null, json: boolean): Promise<void> {
  if (assessment === null) return;
  const assessed = await assessment;
  if (!assessed.ok) {
    context.stderr(`isotope: the downloaded file could not be assessed: ${assessed.error.message}\n`);
    return;
  }
  if (json) context.stdout(`${JSON.stringify({ event: 'image:assessed', ...assessed.value })}\n`);
  else context.stderr(describeAssessment(assessed.value));
}

/** The flash's report, then what the download proved, or why each stick was left unusable. */
function describeFlashFromUrl(result: FlashResult): string {
  const lines = [describeFlashResult(result).trimEnd()];
  const download = result.download;
  if (download?.result) {
    const { result: done } = download;
    lines.push(`Downloaded ${download.url} (${formatBytes(done.sizeBytes)}) from ${done.servedBy} to ${done.path}`);
    lines.push(`Download SHA256 ${done.sha256}; checksum verdict: ${downloadVerdict(done)}`);
  }
  for (const target of download?.unusableTargets ?? []) lines.push(`${target}: the stick was left unusable because ${download?.failure ?? ''}`);
  return `${lines.join('\n')}\n`;
}
