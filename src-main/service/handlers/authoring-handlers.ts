// `iso:*`: making a new image from folders and files, and a remastered copy of one (src-main/authoring/).
// The output follows the extraction destination rules (home folder or a folder chosen in the shell's
// own dialog), never lies inside a source, and replaces no file unless asked. The sources follow theirs
// (security/source-locations.ts): an image carries whatever it reads, so for any caller but the CLI a
// source lies in the home folder or was chosen in the shell's open dialog, and never in a credential
// folder or Isotope's own data, which the walk of a source folder holding one leaves out. The plan
// calls refuse the same outputs and sources (so a GUI learns at Preview what Create would refuse),
// then walk and plan only; the create and remaster calls check them, then run as a job: `scanning`
// (the sources' metadata, the layout), then `writing-image` (one ordered pass into OUT.partial,
// renamed when complete). A remaster reads an
// untrusted image, so its plan and its whole job run as parse jobs (context.parser: a capped worker,
// or for the CLI this thread), where a crash or an out-of-memory error cannot take the engine down.
import { lstat, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { IsoCreateRequest, IsoLayoutSummary, IsoRemasterRequest, IsoWriteResult } from '../../../shared/authoring.ts';
import type { JobPhase } from '../../../shared/job.ts';
import { createAuthoringOptions } from '../../authoring/create-request.ts';
import type { IsoAuthoringOptions } from '../../authoring/iso-authoring.ts';
import { planIso } from '../../authoring/plan-iso.ts';
import { closeTreeFiles, type ScanProgress } from '../../authoring/source-tree.ts';
import { checkIsoOutput, writeIsoFile, type IsoOutputCheck } from '../../authoring/write-iso-file.ts';
import { CodedError } from '../../jobs/errors.ts';
import { ProgressThrottle, RateMeter } from '../../jobs/progress-meter.ts';
import { SourceLocations, SourceNotAllowedError } from '../../security/source-locations.ts';
import type { HandlerContext, HandlerTable } from '../handler-types.ts';
import { checkExtractionDestination, extractionDestinations } from './image-handlers.ts';
import { startJob } from './job-handlers.ts';

/**
 * Where the contract's sources may lie: the home folder, and what the shell's open dialog chose
 * (`iso:pick-sources` records it here). The CLI, whose user typed the paths, is not limited.
 */
export const sourceLocations = new SourceLocations();

type AuthoringCall = 'iso:plan-create' | 'iso:create' | 'iso:plan-remaster' | 'iso:remaster' | 'iso:pick-output' | 'iso:pick-sources';

/** The composer's options for one request, and what releases their sources once the image is written (or not). */
interface PreparedImage {
  readonly options: IsoAuthoringOptions;
  close(): Promise<void>;
}

async function prepareCreate(
  request: IsoCreateRequest,
  withheld: readonly string[],
  signal?: AbortSignal,
  onScanned?: (scanned: ScanProgress) => void,
): Promise<PreparedImage> {
  const options = await createAuthoringOptions(request, signal, onScanned, withheld);
  return { options, close: () => closeTreeFiles(options.root) };
}

function createOutput(request: IsoCreateRequest): IsoOutputCheck {
  return { outputPath: request.outputPath, overwrite: request.overwrite ?? false, sources: request.sources };
}

/** What a create reads from disk besides the image's tree: the isohybrid MBR's boot code file. */
function createReads(request: IsoCreateRequest): string[] {
  const hybridMbrPath = request.options.boot?.hybridMbrPath;
  return [...request.sources, ...(hybridMbrPath ? [hybridMbrPath] : [])];
}

/** The files and folders a remaster adds. */
function addedSources(request: IsoRemasterRequest): string[] {
  return request.edits.flatMap((edit) => (edit.kind === 'add' ? [edit.sourcePath] : []));
}

/** A remaster reads the original and every file or folder added to it: the output may be none of them. */
function remasterOutput(request: IsoRemasterRequest): IsoOutputCheck {
  return { outputPath: request.outputPath, overwrite: request.overwrite ?? false, sources: [request.imagePath, ...addedSources(request)] };
}

export const authoringHandlers: HandlerTable<AuthoringCall> = {
  'iso:plan-create': async (request, context) => {
    await checkOutput(context, createOutput(request));
    return planSummary(prepareCreate(request, await checkSources(context, createReads(request))));
  },
  'iso:create': (request, context) =>
    startIsoJob(context, 'create', { output: createOutput(request), reads: createReads(request) }, (job) => createIso(request, job)),
  'iso:plan-remaster': async (request, context) => {
    await checkOutput(context, remasterOutput(request));
    const withheld = await checkSources(context, addedSources(request));
    return context.parser.run('iso:plan-remaster', { path: request.imagePath, remaster: request, withheld });
  },
  'iso:remaster': (request, context) =>
    startIsoJob(context, 'remaster', { output: remasterOutput(request), reads: addedSources(request) }, (job) => runRemasterJob(context, request, job)),
  'iso:pick-output': async ({ suggestedName }, { options }) => {
    if (!options.pickIsoOutput) throw new CodedError('unsupported', `the ${options.shell} shell has no save dialog`);
    const path = await options.pickIsoOutput(suggestedName);
    // The folder the user chose in the shell's own dialog (never the renderer's word) becomes an allowed destination.
    if (path !== null) await extractionDestinations.choose(dirname(path));
    return { path };
  },
  'iso:pick-sources': async ({ kind }, { options }) => {
    if (!options.pickIsoSources) throw new CodedError('unsupported', `the ${options.shell} shell has no open dialog`);
    // What the user chose in the shell's own dialog (never the renderer's word) becomes an allowed source.
    const paths = await options.pickIsoSources(kind);
    await sourceLocations.choose(paths);
    return { paths };
  },
};

/** The plan of an image, its sources closed again (the plan reads boot images at most). */
async function planSummary(preparing: Promise<PreparedImage>): Promise<IsoLayoutSummary> {
  const prepared = await preparing;
  try {
    return (await planIso(prepared.options)).summary;
  } finally {
    await prepared.close();
  }
}

/** Refuses an output not allowed for this caller, inside a source, or existing without overwrite. */
async function checkOutput(context: HandlerContext, output: IsoOutputCheck): Promise<void> {
  // The CLI's user typed the path; any other caller's path is not the user's choice (issue 12 §2).
  await checkExtractionDestination(output.outputPath, context.options);
  await checkIsoOutput(output);
}

/**
 * Refuses, for a caller other than the CLI, a source outside the home folder and what was chosen in
 * the shell's open dialog, or in a private place; answers the real paths the walks must leave out.
 */
async function checkSources(context: HandlerContext, reads: readonly string[]): Promise<readonly string[]> {
  // The CLI's user typed the paths (issue 12 §2, as for outputs); its walks leave nothing out.
  if (context.options.shell === 'cli') return [];
  for (const source of reads) {
    await sourceLocations.check(source).catch((error: unknown) => {
      if (error instanceof SourceNotAllowedError) throw new CodedError('source-not-allowed', error.message, { path: error.source });
      throw error;
    });
  }
  return sourceLocations.privatePlaces();
}

/** What an authoring job's work gets: its id, cancellation, its progress reporter, and the real paths its walks leave out. */
interface IsoJob {
  readonly jobId: string;
  readonly signal: AbortSignal;
  readonly report: ProgressReport;
  readonly withheld: readonly string[];
}

/**
 * Refusals (output not allowed, inside a source, existing; a source not allowed) fail the call itself;
 * the walk, plan and write are the job. `reads` are the paths read from disk that checkSources rules on.
 */
async function startIsoJob(
  context: HandlerContext,
  kind: 'create' | 'remaster',
  { output, reads }: { output: IsoOutputCheck; reads: readonly string[] },
  work: (job: IsoJob) => Promise<IsoWriteResult>,
): Promise<{ jobId: string }> {
  await checkOutput(context, output);
  const withheld = await checkSources(context, reads);
  return startJob(context, kind, (jobId, signal): Promise<IsoWriteResult> => {
    const report = progressReporter(context, jobId, kind);
    report('scanning', 0, null, output.sources[0] ?? null);
    return work({ jobId, signal, report, withheld });
  });
}

/** The create job: walk the sources, plan, write. The sources are the user's own files, read in this thread. */
async function createIso(request: IsoCreateRequest, { jobId, signal, report, withheld }: IsoJob): Promise<IsoWriteResult> {
  // Scanning reports the bytes of file data found so far; their total is known only when the walk ends.
  const prepared = await prepareCreate(request, withheld, signal, (scanned) => report('scanning', scanned.fileBytes, null, scanned.path));
  try {
    const planned = await planIso(prepared.options, signal);
    const target = { jobId, outputPath: request.outputPath, overwrite: request.overwrite ?? false, sha256: request.sha256 ?? true };
    return await writeIsoFile(planned, target, {
      signal,
      onProgress: (bytesDone, bytesTotal, subject) => report('writing-image', bytesDone, bytesTotal, subject),
    });
  } finally {
    await prepared.close();
  }
}

/**
 * The remaster job, run whole by the parser. The job removes its partial output on any failure it
 * lives through (cancel included); a worker ended for its heap cap or time budget cannot, so the
 * service removes `OUT.partial` itself, but only when none was there before the job: the write never
 * opens an existing one, so a file of that name found at the start is not this job's.
 */
async function runRemasterJob(context: HandlerContext, request: IsoRemasterRequest, { jobId, signal, report, withheld }: IsoJob): Promise<IsoWriteResult> {
  const partialPath = `${request.outputPath}.partial`;
  const partialWasThere = await lstat(partialPath).then(
    () => true,
    () => false,
  );
  try {
    return await context.parser.run(
      'iso:remaster',
      { path: request.imagePath, remaster: request, jobId, withheld },
      { signal, onProgress: (progress) => report(progress.phase, progress.bytesDone, progress.bytesTotal, progress.subject) },
    );
  } catch (error) {
    if (!partialWasThere) await rm(partialPath, { force: true });
    throw error;
  }
}

type ProgressReport = (phase: JobPhase, bytesDone: number, bytesTotal: number | null, subject: string | null) => void;

/** One job's `job:progress` reports: rate and ETA per phase, at most ~8 a second, a phase change and the end at once. */
function progressReporter(context: HandlerContext, jobId: string, kind: 'create' | 'remaster'): ProgressReport {
  const meter = new RateMeter();
  const throttle = new ProgressThrottle();
  let lastPhase: JobPhase | null = null;
  return (phase, bytesDone, bytesTotal, subject) => {
    const phaseChanged = phase !== lastPhase;
    if (phaseChanged) meter.restart(bytesDone);
    lastPhase = phase;
    meter.sample(bytesDone);
    if (!throttle.due(phaseChanged || bytesDone === bytesTotal)) return;
    context.events.emit('job:progress', {
      jobId,
      kind,
      phase,
      bytesDone,
      bytesTotal,
      ...meter.rate(bytesDone, bytesTotal),
      targets: [],
      subject,
      files: null,
    });
  };
}
