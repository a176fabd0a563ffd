// Reading the folders and files a new image is made of (issue 15) into one AuthoringNode tree.
import type { AuthoringNode } from '../format/authoring-tree.ts';
import { CodedError } from '../jobs/errors.ts';

/** Walks folders/files with lstat (never follows symlinks), applies excludes, returns the merged root. */
export async function readSourceTree(
  sources: readonly string[],
  options: { excludes: readonly string[]; signal?: AbortSignal },
): Promise<{ root: AuthoringNode; warnings: string[] }> {
  void sources;
  void options;
  throw new CodedError('unsupported', 'readSourceTree is not built yet');
}
