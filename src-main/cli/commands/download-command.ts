// `isotope download URL [-o FILE] [--mirror URL]... [--metalink FILE|URL] [--sha256 HEX] [--yes] [--json] [--insecure]`:
// a download (issue 19) into Isotope's download cache or FILE, followed to its end with the one
// progress display, then the SHA-256 read while it streamed and the checksum verdict (sums files
// found next to the URL, the pasted or the Metalink's SHA-256). Exit 1 when a checksum disagrees.
// --insecure turns TLS checking off for this run only: it is a shell option, never a contract field.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { VerificationVerdict } from '../../../shared/checksum.ts';
import { downloadTrust, downloadVerdict, type DownloadRequest, type DownloadResult } from '../../../shared/download.ts';
import type { HttpFetchOptions } from '../../net/http-download.ts';
import { collect, reportFailure, reportResult, type CliContext } from '../cli-context.ts';
import { exitCodes } from '../exit-codes.ts';
import { followFileWritingJob } from './job-progress.ts';

interface DownloadOptions {
  output?: string;
  mirror: string[];
  metalink?: string;
  sha256?: string;
  yes?: boolean;
  json?: boolean;
  insecure?: boolean;
}

export const insecureWarning =
  'WARNING: --insecure: TLS certificates are NOT checked for this download. Anyone between you and the server can\n' +
  'WARNING: replace the bytes; only a checksum verdict below (a signed sums file, or a SHA-256 you trust) vouches for them.\n';

export function registerDownloadCommand(program: Command, context: CliContext): void {
  program
    .command('download')
    .description('download an image over HTTPS or HTTP (resumed, mirrors in turn), hashed as it streams and checked against the sums files next to it')
    .argument('[url]', 'the http:// or https:// URL (optional with --metalink)')
    .option('-o, --output <file>', 'save it here instead of the download cache')
    .option('--mirror <url>', 'another URL of the same file, tried in order on a failure or a stall (repeatable)', collect, [])
    .option('--metalink <file-or-url>', 'a Metalink (RFC 5854): its URLs as mirrors and its SHA-256 as the expected digest')
    .option('--sha256 <hex>', 'the SHA-256 the download must have')
    .option('--yes', 'replace an existing output file')
    .option('--json', 'one JSON object per line: progress events, then the result')
    .option('--insecure', 'do not check TLS certificates (loudly; the checksums are then all that vouch for the bytes)')
    .action(async (url: string | undefined, options: DownloadOptions) => {
      const json = options.json === true;
      const http: HttpFetchOptions = options.insecure ? { insecureTls: true } : {};
      if (options.insecure) context.stderr(insecureWarning);
      const request = await requestFrom(context, url, options, http).catch((error: unknown) => {
        context.setExitCode(reportFailure(context, error, json));
        return null;
      });
      if (request === null) return;
      if ('usage' in request) {
        context.stderr(`isotope: ${request.usage}\n`);
        return context.setExitCode(exitCodes.usage);
      }
      const service = context.createService({ http });
      const result = await followFileWritingJob(context, service, { kind: 'download', json, labelOf: () => 'downloading' }, () =>
        service.call('download:start', request),
      );
      if (!result.ok) return context.setExitCode(reportResult(context, result, json, () => ''));
      const verdict = downloadVerdict(result.value);
      if (json) context.stdout(`${JSON.stringify({ event: 'job:finished', kind: 'download', ...result.value, checksumVerdict: verdict })}\n`);
      else context.stdout(describeDownloadResult(result.value, verdict));
      context.setExitCode(downloadTrust(result.value) === 'failed' ? exitCodes.failed : exitCodes.ok);
    });
}

/** The contract request, or a usage error; a Metalink is read (or fetched) here, its URLs after the given ones. */
async function requestFrom(
  context: CliContext,
  url: string | undefined,
  options: DownloadOptions,
  http: HttpFetchOptions,
): Promise<DownloadRequest | { usage: string }> {
  const pasted = options.sha256?.toLowerCase();
  if (pasted !== undefined && !/^[0-9a-f]{64}$/.test(pasted)) return { usage: `--sha256 ${options.sha256} is not a SHA-256 (64 hex digits)` };
  let urls = [...(url === undefined ? [] : [url]), ...options.mirror];
  let expectedSha256 = pasted;
  if (options.metalink !== undefined) {
    const { loadMetalink } = await import('../../download/metalink-source.ts');
    const metalink = await loadMetalink(options.metalink, http);
    if (pasted !== undefined && metalink.sha256 !== null && metalink.sha256 !== pasted) {
      return { usage: `--sha256 ${pasted} differs from the Metalink's SHA-256 ${metalink.sha256}` };
    }
    expectedSha256 ??= metalink.sha256 ?? undefined;
    urls = [...new Set([...urls, ...metalink.urls])];
    context.stderr(`Metalink ${options.metalink}: ${metalink.urls.length} URL(s)${metalink.sha256 ? `, SHA-256 ${metalink.sha256}` : ''}\n`);
  }
  const [first, ...mirrors] = urls;
  if (first === undefined) return { usage: 'give a URL, or --metalink' };
  return {
    url: first,
    ...(mirrors.length > 0 ? { mirrors } : {}),
    ...(options.output !== undefined ? { outputPath: resolve(options.output), overwrite: options.yes === true } : {}),
    ...(expectedSha256 !== undefined ? { expectedSha256 } : {}),
  };
}

function describeDownloadResult(result: DownloadResult, verdict: VerificationVerdict): string {
  const resumed = result.resumedFromBytes > 0 ? `, ${result.resumedFromBytes} bytes kept from an earlier try and re-read` : '';
  const lines = [
    `DOWNLOADED: ${result.url} (${result.sizeBytes} bytes${resumed})`,
    ...(result.servedBy !== result.url ? [`served by ${result.servedBy}`] : []),
    `saved as ${result.path}`,
    `SHA256 ${result.sha256}`,
  ];
  if (result.expectedSha256Matches !== null) lines.push(`the given SHA-256: ${result.expectedSha256Matches ? 'matches' : 'DOES NOT MATCH'}`);
  for (const sums of result.verification?.sumsFiles ?? []) {
    const matched = sums.comparisons.some((comparison) => comparison.matches);
    lines.push(
      `${sums.sumsPath}: ${sums.comparisons.length === 0 ? 'no entry for it' : matched ? 'matches' : 'DOES NOT MATCH'}, signature ${sums.signature.status}`,
    );
  }
  const problems = (result.sumsSearchProblems ?? []).map((problem) => `  sums search: ${problem}`);
  lines.push(`CHECKSUM: ${verdict}`, ...(result.verification?.reasons ?? []).map((reason) => `  ${reason}`), ...problems, '');
  return lines.join('\n');
}
