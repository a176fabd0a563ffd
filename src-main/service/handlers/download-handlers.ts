// `download:start` and `downloads:*` (issue 19): a download is a job (kind `download`, phase
// `downloading`) into the download cache or a file the caller names. Through the contract a named
// file follows the extraction destination rules (home folder or a folder chosen in the shell's own
// dialog), as `drives:backup`'s output does; the CLI's user typed the path. Transport options (a
// test's CA, the CLI's --insecure) come from the shell's ServiceOptions, never from a request.
// Every download is recorded in the history (job-history.ts): its URL, then where it lies, its size,
// its SHA-256 as read while it streamed, and its checksum verdict as the record's verify result.
import { downloadTrust, type DownloadRequest, type DownloadResult } from '../../../shared/download.ts';
import { recordJob, type JobRecordEnd } from '../job-history.ts';
import { clearDownloads, defaultCacheLimitBytes, listDownloads } from '../../download/download-cache.ts';
import { runDownload } from '../../download/run-download.ts';
import { ProgressThrottle, RateMeter } from '../../jobs/progress-meter.ts';
import type { HandlerContext, HandlerTable } from '../handler-types.ts';
import { checkExtractionDestination } from './image-handlers.ts';
import { startJob } from './job-handlers.ts';

export const downloadHandlers: HandlerTable<'download:start' | 'downloads:list' | 'downloads:clear'> = {
  'download:start': (request, context) => startDownloadJob(request, context),
  'downloads:list': async () => ({ ...(await listDownloads()), limitBytes: defaultCacheLimitBytes }),
  'downloads:clear': ({ paths }) => clearDownloads(paths),
};

/** A refused destination fails the call itself; everything from the first request on is the job. */
async function startDownloadJob(request: DownloadRequest, context: HandlerContext): Promise<{ jobId: string }> {
  const { events, options } = context;
  if (request.outputPath !== undefined) await checkExtractionDestination(request.outputPath, options);
  const meter = new RateMeter();
  const throttle = new ProgressThrottle();
  return startJob(context, 'download', (jobId, signal) => {
    const startedMs = performance.now();
    const image = { path: request.outputPath ?? null, url: request.url, sizeBytes: null, sha256: null };
    const run = () =>
      runDownload({
        ...request,
        signal,
        ...(options.http ? { http: options.http } : {}),
        onProgress: (bytesDone, bytesTotal) => {
          meter.sample(bytesDone);
          if (!throttle.due(bytesDone === bytesTotal)) return;
          events.emit('job:progress', {
            jobId,
            kind: 'download',
            phase: 'downloading',
            bytesDone,
            bytesTotal,
            ...meter.rate(bytesDone, bytesTotal),
            targets: [],
            subject: request.url,
            files: null,
          });
        },
      });
    return recordJob(context, jobId, { kind: 'download', image, targets: [], mode: null }, run, (result) => downloadRecordEnd(result, startedMs));
  });
}

/** A download's history end: the file it made, the bytes fetched in this run per second, the checksum verdict as pass or fail (null: nothing to compare). */
function downloadRecordEnd(result: DownloadResult, startedMs: number): JobRecordEnd {
  const elapsedSeconds = (performance.now() - startedMs) / 1000;
  const fetchedBytes = result.sizeBytes - result.resumedFromBytes;
  return {
    outcome: 'succeeded',
    verify: downloadTrust(result),
    error: null,
    targets: [],
    writeBytesPerSecond: elapsedSeconds > 0 ? Math.round(fetchedBytes / elapsedSeconds) : null,
    image: { path: result.path, sizeBytes: result.sizeBytes, sha256: result.sha256 },
  };
}
