// Writing a planned image to its file (issue 15).
import type { IsoWriteResult } from '../../shared/authoring.ts';
import { CodedError } from '../jobs/errors.ts';
import type { PlannedIso } from './iso-authoring.ts';

/** Streams planned.source to `${outputPath}.partial`, fsyncs, renames to outputPath; on error/cancel removes the partial file. */
export async function writeIsoFile(
  planned: PlannedIso,
  target: { jobId: string; outputPath: string; overwrite: boolean },
  controls: { signal: AbortSignal; onProgress(bytesDone: number, bytesTotal: number, subject: string | null): void },
): Promise<IsoWriteResult> {
  void planned;
  void target;
  void controls;
  throw new CodedError('unsupported', 'writeIsoFile is not built yet');
}
