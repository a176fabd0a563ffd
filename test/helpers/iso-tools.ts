// What the real tools say about an image, for differential assertions.
import { runTool } from '../fixtures/fixture-cache.ts';

/** The volume id of an image's primary volume descriptor, as xorriso reports it. */
export function xorrisoVolumeId(imagePath: string): string {
  const output = runTool('xorriso', ['-indev', imagePath, '-pvd_info']);
  const match = /^Volume Id\s*:\s*(.*)$/m.exec(output);
  if (!match?.[1]) throw new Error(`xorriso -pvd_info printed no Volume Id:\n${output}`);
  return match[1].trimEnd();
}

/** The volume space size in bytes, as isoinfo (genisoimage) reports it. */
export function isoinfoVolumeSizeBytes(imagePath: string): number {
  const output = runTool('isoinfo', ['-d', '-i', imagePath]);
  const blocks = /^Volume size is:\s*(\d+)/m.exec(output)?.[1];
  const blockSize = /^Logical block size is:\s*(\d+)/m.exec(output)?.[1];
  if (!blocks || !blockSize) throw new Error(`isoinfo -d printed no volume size:\n${output}`);
  return Number(blocks) * Number(blockSize);
}
