// A remaster as whole calls: the original's tree read with our readers, the layout planned, and for
// `remasterIso` the image written. Both read an untrusted image, so the service runs them as parse
// jobs (isolation/parse-jobs.ts) in a capped worker; the CLI runs the same calls in its own thread.
import type { IsoLayoutSummary, IsoRemasterRequest, IsoWriteResult } from '../../shared/authoring.ts';
import { planIso } from './plan-iso.ts';
import { remasterAuthoringOptions } from './remaster-request.ts';
import { closeTreeFiles } from './source-tree.ts';
import { writeIsoFile } from './write-iso-file.ts';
import type { IsoAuthoringOptions } from './iso-authoring.ts';

/** How far a remaster is: `scanning` while the original is read and the layout planned, then `writing-image`. */
export interface IsoWriteProgress {
  readonly phase: 'scanning' | 'writing-image';
  readonly bytesDone: number;
  /** Known once the layout is planned (null while scanning). */
  readonly bytesTotal: number | null;
  /** The file being written, or the original while scanning. */
  readonly subject: string | null;
}

/** What a remaster's walks of added folders leave out: real paths (SourceTreeOptions.withheld); none for the CLI. */
export interface RemasterSourceRules {
  readonly withheld?: readonly string[] | undefined;
}

/** The remastered image's layout; nothing is written. */
export async function planRemaster(request: IsoRemasterRequest, rules: RemasterSourceRules = {}, signal?: AbortSignal): Promise<IsoLayoutSummary> {
  return withRemasterOptions(request, { signal, withheld: rules.withheld }, async (options) => (await planIso(options, signal)).summary);
}

/** Plans and writes the remastered image to `request.outputPath` (checked by the caller beforehand; see writeIsoFile). */
export async function remasterIso(
  request: IsoRemasterRequest,
  jobId: string,
  controls: { signal: AbortSignal; onProgress(progress: IsoWriteProgress): void },
  rules: RemasterSourceRules = {},
): Promise<IsoWriteResult> {
  controls.onProgress({ phase: 'scanning', bytesDone: 0, bytesTotal: null, subject: request.imagePath });
  return withRemasterOptions(request, { signal: controls.signal, withheld: rules.withheld }, async (options) => {
    const planned = await planIso(options, controls.signal);
    const target = { jobId, outputPath: request.outputPath, overwrite: request.overwrite ?? false, sha256: request.sha256 ?? true };
    return writeIsoFile(planned, target, {
      signal: controls.signal,
      onProgress: (bytesDone, bytesTotal, subject) => controls.onProgress({ phase: 'writing-image', bytesDone, bytesTotal, subject }),
    });
  });
}

/** Runs `use` with the remaster's options, then closes the added files and, last, the original (the new image's files are read from it). */
async function withRemasterOptions<T>(
  request: IsoRemasterRequest,
  { signal, withheld }: { signal: AbortSignal | undefined; withheld: readonly string[] | undefined },
  use: (options: IsoAuthoringOptions) => Promise<T>,
): Promise<T> {
  const prepared = await remasterAuthoringOptions(request, signal, withheld);
  try {
    return await use(prepared.options);
  } finally {
    await closeTreeFiles(prepared.options.root);
    await prepared.close();
  }
}
