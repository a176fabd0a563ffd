// What a parse worker can be asked to do: every engine call that reads an untrusted image on behalf
// of the contract. One table, run either inside a parse worker (parse-worker.ts, for the Electron and
// web shells) or in the caller's thread (the CLI), so both run exactly the same engine code. Requests
// and answers are plain data: they cross a worker boundary by structured clone.
import type { IsoLayoutSummary, IsoRemasterRequest, IsoWriteResult } from '../../shared/authoring.ts';
import type { BootReport } from '../../shared/boot.ts';
import { judgeImageFile, type ImageJudgement } from '../assess/assess-image.ts';
import type { CallRequest, CallResponse } from '../../shared/contract.ts';
import type { ImageExtractProgress, ImageSearchResult } from '../../shared/image.ts';
import type { WriteModeChoice, WriteModeRequest } from '../../shared/stick.ts';
import { readBootReport } from '../boot/boot-report.ts';
import { openImageSource } from '../container/open-image-source.ts';
import { extractEntries, type ExtractSummary } from '../image/extract-entries.ts';
import { listExtractConflicts, listImage, previewImageFile, statImageEntry } from '../image/image-operations.ts';
import { searchImage, type ImageSearchProgress } from '../image/search-image.ts';
import { indexFilesByExtentLba } from '../format/tree-lookup.ts';
import { openIsoImage, type IsoImage } from '../iso/iso-tree.ts';
import { probeImageFile, withImageFile, type ImageFileProbe } from '../image/open-image-file.ts';
import { summarizeImage } from '../image/summarize-image.ts';
import { createCachedSource } from '../io/cached-source.ts';
import { planRemaster, remasterIso, type IsoWriteProgress } from '../authoring/remaster-iso.ts';
import { chooseFileWriteMode, planStickWrite, type StickPlanRequest, type WriteModePlan } from '../flash/stick-plan.ts';
import { judgePartitionFit } from '../flash/partition-fit.ts';
import type { PartitionFit } from '../../shared/drive.ts';
import { loadRevocations } from '../pe/revocations.ts';

/** What each long job reports as it goes; the other jobs report nothing. */
interface ProgressOfJob {
  'image:extract': ImageExtractProgress;
  'iso:remaster': IsoWriteProgress;
  /** A search's batches of matches: the job's results travel as its progress. */
  'image:search': ImageSearchProgress;
}

/** The progress job K reports (for every job at once: any job's). */
export type ParseJobProgress<K extends ParseJobName = ParseJobName> = K extends keyof ProgressOfJob ? ProgressOfJob[K] : never;

/** What a running job may use besides its request: cancellation and a progress channel. */
export interface ParseJobContext<Progress = ParseJobProgress> {
  readonly signal: AbortSignal;
  /** Progress of a long job (extraction, remaster); each call also proves the job is still moving (the time budget restarts). */
  readonly onProgress: (progress: Progress) => void;
}

/**
 * A remaster as a parse job. `path` names the original, as every parse job's request names its
 * image (the pool's errors name it); the output was checked by the service before the job started.
 */
export interface RemasterJobRequest {
  readonly path: string;
  readonly remaster: IsoRemasterRequest;
  /** Real paths the walks of added folders leave out (the service's private places for a contract caller; none for the CLI). */
  readonly withheld?: readonly string[];
}

export interface ParseJobs {
  'image:open': (request: CallRequest<'image:open'>) => Promise<CallResponse<'image:open'>>;
  'image:list': (request: CallRequest<'image:list'>) => Promise<CallResponse<'image:list'>>;
  'image:stat': (request: CallRequest<'image:stat'>) => Promise<CallResponse<'image:stat'>>;
  'image:preview': (request: CallRequest<'image:preview'>) => Promise<CallResponse<'image:preview'>>;
  'image:boot': (request: CallRequest<'image:boot'>) => Promise<BootReport>;
  /** A search by name or glob; the matches come as progress, in batches, as the walk finds them. */
  'image:search': (request: CallRequest<'image:search'>, context: ParseJobContext<ImageSearchProgress>) => Promise<ImageSearchResult>;
  /** The pre-flight assessment's reading of the image; the service adds this run's checksum verdict. */
  'image:assess': (request: CallRequest<'image:assess'>, context: ParseJobContext) => Promise<ImageJudgement>;
  /** The whole extraction, planning included: the plan is where a hostile tree costs memory. */
  'image:extract': (request: CallRequest<'image:extract'>, context: ParseJobContext<ImageExtractProgress>) => Promise<ExtractSummary>;
  /** What an extraction would write over at its destination: the same plan, one lstat per entry. */
  'image:extract-conflicts': (request: CallRequest<'image:extract-conflicts'>, context: ParseJobContext) => Promise<CallResponse<'image:extract-conflicts'>>;
  /** The remastered image's layout (`iso:plan-remaster`): the original's tree is read and the new one planned. */
  'iso:plan-remaster': (request: RemasterJobRequest) => Promise<IsoLayoutSummary>;
  /** The whole remaster (`iso:remaster`), plan and write, as the extraction: the original is read until the last byte is written. */
  'iso:remaster': (request: RemasterJobRequest & { readonly jobId: string }, context: ParseJobContext<IsoWriteProgress>) => Promise<IsoWriteResult>;
  /** A write's mode, and for copy mode the stick composed from the image's tree (flash:prepare, isotope flash). */
  'stick:plan': (request: StickPlanRequest, context: ParseJobContext) => Promise<WriteModePlan>;
  /** The mode alone (`drives:list`): the image's tree is opened, no stick composed. */
  'stick:mode': (request: { path: string; mode: WriteModeRequest }) => Promise<WriteModeChoice>;
  /** Whether a drive smaller than the disk image may take its partitions alone (`drives:list`, `flash:prepare`). */
  'flash:fit': (request: { path: string }, context: ParseJobContext) => Promise<PartitionFit | null>;
  /** Whether a recent image is still an image (`files:check-recent`): the opener's detection, nothing listed. */
  'image:probe': (request: { path: string }) => Promise<ImageFileProbe>;
}

export type ParseJobName = keyof ParseJobs;
export type ParseJobRequest<K extends ParseJobName> = Parameters<ParseJobs[K]>[0];
export type ParseJobResponse<K extends ParseJobName> = Awaited<ReturnType<ParseJobs[K]>>;

export const parseJobs: ParseJobs = {
  'image:open': ({ path }) => summarizeImage(path),
  'image:list': (request) => listImage(request),
  'image:stat': (request) => statImageEntry(request),
  'image:preview': (request) => previewImageFile(request),
  'image:boot': ({ path }) => readImageBootReport(path),
  'image:search': (request, { signal, onProgress }) => searchImage(request, { signal, onBatch: onProgress }),
  'image:assess': ({ path }, { signal }) => judgeImageFile(path, signal),
  'stick:plan': (request, { signal }) => planStickWrite(request, signal),
  'stick:mode': ({ path, mode }) => chooseFileWriteMode(path, mode),
  'flash:fit': ({ path }, { signal }) => judgePartitionFit(path, signal),
  'image:probe': ({ path }) => probeImageFile(path),
  'image:extract': (request, { signal, onProgress }) =>
    withImageFile(request.path, request.namespace ? { namespace: request.namespace } : {}, ({ image }) =>
      extractEntries({
        image,
        entries: request.entries ?? [],
        destination: request.destination,
        signal,
        onProgress,
        allowSharedExtents: request.allowSharedExtents === true,
        onConflict: request.onConflict,
        conflictChoices: request.conflictChoices,
      }),
    ),
  'image:extract-conflicts': (request, { signal }) => listExtractConflicts(request, signal),
  'iso:plan-remaster': ({ remaster, withheld }) => planRemaster(remaster, { withheld }),
  'iso:remaster': ({ remaster, jobId, withheld }, controls) => remasterIso(remaster, jobId, controls, { withheld }),
};

/** True for the jobs whose time budget restarts with each progress report. */
export function reportsProgress(job: ParseJobName): job is keyof ProgressOfJob {
  return job === 'image:extract' || job === 'iso:remaster' || job === 'image:search';
}

/** Runs one job in this thread. */
export function runParseJob<K extends ParseJobName>(
  job: K,
  request: ParseJobRequest<K>,
  context: ParseJobContext<ParseJobProgress<K>>,
): Promise<ParseJobResponse<K>> {
  // The table is keyed like the request and response types; TypeScript cannot correlate K across the three.
  const run = parseJobs[job] as (request: ParseJobRequest<K>, context: ParseJobContext<ParseJobProgress<K>>) => Promise<ParseJobResponse<K>>;
  return run(request, context);
}

/** How an image boots (El Torito, MBR/GPT/APM, EFI loaders, verdict), with the ISO path of each boot image. */
async function readImageBootReport(path: string): Promise<BootReport> {
  const source = createCachedSource(await openImageSource(path)); // .iso, .cue/.bin or .nrg
  try {
    // A disk image (MBR/GPT only) has no ISO tree: its boot report simply carries no image paths.
    const image = await openIsoImage(source);
    // The vendored files as they are now (parsed again when either changes); each loader is judged from its bytes.
    const revocations = await loadRevocations();
    return await readBootReport(source, image ? { lookupPath: pathsByExtentLba(image), revocations, tree: image } : { revocations });
  } finally {
    await source.close();
  }
}

/**
 * Finds the ISO path of the file starting at a logical block. The tree is walked once, on the first
 * lookup, however many catalog entries ask (a hostile catalog may hold a thousand).
 */
function pathsByExtentLba(image: IsoImage): (lba: number) => Promise<string | null> {
  let files: ReturnType<typeof indexFilesByExtentLba> | null = null;
  return async (lba) => (await (files ??= indexFilesByExtentLba(image))).get(lba)?.path ?? null;
}
