// The writers the differential suite reads back: Isotope's `isotope create` (the built CLI, as a user
// runs it) and, to prove the harness on a reference writer, `xorriso -as mkisofs -R -J`. Both get the
// same tree and the same namespaces, level and Joliet limit.
import { spawnSync } from 'node:child_process';
import { assertBuilt, isotopeBin } from '../../helpers/built-cli.ts';
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
export function writeImage(writer: WriterName, request: WriteRequest): void {
  if (writer === 'xorriso') {
    runOracleTool('xorriso', [
      '-as',
      'mkisofs',
      '-quiet',
      '-R',
      '-J',
      ...(request.jolietLong ? ['-joliet-long'] : []),
      '-iso-level',
      String(request.level),
      ...(request.udf ? ['-udf'] : []),
      '-o',
      request.outputPath,
      request.treeRoot,
    ]);
    return;
  }
  assertBuilt();
  const args = ['create', request.treeRoot, '-o', request.outputPath, '--level', String(request.level), '--force', '--no-boot-detect'];
  if (request.jolietLong) args.push('--joliet-long');
  if (request.udf) args.push('--udf');
  // Not runIsotope: its 60 s limit is too short for the 4.5 GiB image.
  const run = spawnSync(process.execPath, [isotopeBin, ...args], { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`isotope ${args.join(' ')} exited with ${run.status ?? run.signal}:\n${run.stderr}\n${run.stdout}`);
}
