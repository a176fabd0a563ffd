// The writers the differential suite reads back: Isotope's create pipeline in-process (what `isotope
// create` and iso:create run: createAuthoringOptions, planIso, writeIsoFile) and, to prove the harness
// on a reference writer, `xorriso -as mkisofs -R -J`. Both get the same tree and the same namespaces,
// level and Joliet limit; boot detection is off (these trees are data).
import { createAuthoringOptions } from '../../../src-main/authoring/create-request.ts';
import { planIso } from '../../../src-main/authoring/plan-iso.ts';
import { writeIsoFile } from '../../../src-main/authoring/write-iso-file.ts';
import { runOracleTool } from './oracles/oracle.ts';
import type { ImageOptions, WriterLeniency } from './compare.ts';

export type WriterName = 'isotope' | 'xorriso';

export interface WriteRequest extends ImageOptions {
  readonly treeRoot: string;
  readonly outputPath: string;
  readonly udf: boolean;
}

export const writerLeniency: Record<WriterName, WriterLeniency> = { isotope: { jolietExtraUnits: 0 }, xorriso: { jolietExtraUnits: 1 } };

/** Writes the image; throws with the writer's own words when it fails. */
export async function writeImage(writer: WriterName, request: WriteRequest): Promise<void> {
  if (writer === 'xorriso') {
    const namespaces = ['-R', '-J', ...(request.jolietLong ? ['-joliet-long'] : [])];
    runOracleTool('xorriso', ['-as', 'mkisofs', '-quiet', ...namespaces, '-iso-level', String(request.level), '-o', request.outputPath, request.treeRoot]);
    return;
  }
  const options = await createAuthoringOptions({
    sources: [request.treeRoot],
    outputPath: request.outputPath,
    options: { level: request.level, jolietLong: request.jolietLong, udf: request.udf, boot: { detect: false } },
  });
  const planned = await planIso(options);
  const controls = { signal: new AbortController().signal, onProgress: () => undefined };
  await writeIsoFile(planned, { jobId: 'differential', outputPath: request.outputPath, overwrite: true }, controls);
}
