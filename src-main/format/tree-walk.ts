// The one depth-first walker of every image file tree (ISO 9660 and UDF). ECMA-119 6.8.2 and ECMA-167
// 4/8.6: a directory hierarchy is a tree. The walker counts entries and depth against the tree's limits;
// each tree says how it recognises a directory reached twice (a loop or a forgery whose data another
// directory covers), since only it knows what identifies a directory and what to name in the error.
import type { TreeEntry } from './file-tree.ts';
import { VisitedDirectoryBlocks } from './visited-directories.ts';

/** What one walk of one tree needs from that tree. */
export interface DirectoryWalk<Entry extends TreeEntry> {
  readonly maxDepth: number;
  readonly maxEntries: number;
  /** The block size directory data is counted in, and the source's size (for VisitedDirectoryBlocks). */
  readonly blockBytes: number;
  readonly sourceSizeBytes: number;
  listDirectory(directory: Entry): Promise<readonly Entry[]>;
  /**
   * Optional: the directory's children in parts as they are decoded (all of them, in listDirectory's
   * order), so a walk hands out the first entries of a huge directory before it has read the rest.
   */
  listDirectoryParts?(directory: Entry): AsyncIterable<readonly Entry[]>;
  /** Throws when the directory `child` must not be entered; `visited` holds the directory data met so far. */
  enter(child: Entry, visited: VisitedDirectoryBlocks): void;
  /** The corrupt-image error for `entry` (named where the tree records it). */
  corrupt(entry: Entry, message: string): Error;
  /**
   * Optional: told before each listing which directories the walk lists next (nearest first, at most
   * `readAheadDirectories`), so a tree can start reading them while this one is parsed.
   */
  readAhead?(upcoming: readonly Entry[]): void;
}

/** How many of the next directories a walk names to `DirectoryWalk.readAhead`. */
export const readAheadDirectories = 16;

/**
 * Depth-first walk yielding each directory's children as one batch, or as the parts the tree decodes
 * them in (parents' batches before their children's). Per directory or part, not per entry: an async
 * generator step costs more than parsing a record.
 */
export async function* walkDirectoryBatches<Entry extends TreeEntry>(from: Entry, walk: DirectoryWalk<Entry>): AsyncGenerator<readonly Entry[]> {
  if (from.type !== 'directory') return;
  const visited = new VisitedDirectoryBlocks(walk.blockBytes, walk.sourceSizeBytes);
  visited.visit(from.extents);
  const stack: { entry: Entry; depth: number }[] = [{ entry: from, depth: 0 }];
  let count = 0;
  while (stack.length > 0) {
    const { entry: directory, depth } = stack.pop() as { entry: Entry; depth: number };
    if (walk.readAhead) walk.readAhead(upcomingDirectories(stack));
    const subdirectories: Entry[] = [];
    const parts = walk.listDirectoryParts ? walk.listDirectoryParts(directory) : wholeDirectory(walk, directory);
    for await (const children of parts) {
      for (const child of children) {
        count += 1;
        if (count > walk.maxEntries) throw walk.corrupt(child, `the tree holds more than ${walk.maxEntries} entries`);
        if (child.type !== 'directory') continue;
        walk.enter(child, visited);
        if (depth + 1 >= walk.maxDepth) throw walk.corrupt(child, `directory ${child.path} is nested deeper than ${walk.maxDepth} levels`);
        subdirectories.push(child);
      }
      yield children;
    }
    for (let index = subdirectories.length - 1; index >= 0; index -= 1) stack.push({ entry: subdirectories[index] as Entry, depth: depth + 1 });
  }
}

/** A tree without parts lists a directory as one. */
async function* wholeDirectory<Entry extends TreeEntry>(walk: DirectoryWalk<Entry>, directory: Entry): AsyncGenerator<readonly Entry[]> {
  yield await walk.listDirectory(directory);
}

/** The directories at the top of the walk's stack, in the order they will be listed. */
function upcomingDirectories<Entry extends TreeEntry>(stack: readonly { readonly entry: Entry }[]): Entry[] {
  const upcoming: Entry[] = [];
  for (let index = stack.length - 1; index >= 0 && upcoming.length < readAheadDirectories; index -= 1) upcoming.push((stack[index] as { entry: Entry }).entry);
  return upcoming;
}

/** Every entry below `from`, in the order of walkDirectoryBatches. */
export async function* walkDirectoryEntries<Entry extends TreeEntry>(from: Entry, walk: DirectoryWalk<Entry>): AsyncGenerator<Entry> {
  for await (const batch of walkDirectoryBatches(from, walk)) yield* batch;
}
