// A source file's content while a new image is written (issue 15). The file is opened at its first
// read and closed once its last byte is read, so an image of 50,000 files holds a handful of
// descriptors at a time, not 50,000. The image's layout was planned from the walk's size, so the file
// must still be that file: its size and modification time are compared with the walk's when it is
// opened and again (fstat) after its last byte is read - a file that grew, shrank, was rewritten or
// vanished is a `source-changed` error naming it, and the write that reads it fails.
import { closeSync, constants, fstatSync, openSync, read, readSync } from 'node:fs';
import { promisify } from 'node:util';
import { assertReadInBounds, type ByteSource } from '../io/byte-source.ts';
import { CodedError } from '../jobs/errors.ts';
import { yieldWhenSliceSpent } from './sync-slices.ts';

/** What the walk saw of the file: the layout was planned with exactly this. */
export interface ExpectedFile {
  readonly sizeBytes: number;
  /** Stats.mtimeMs as lstat gave it (the check below compares fstat's, made the same way). */
  readonly modifiedMs: number;
}

/**
 * Files open at once, over every tree source of the process. A composed chunk reads all its pieces
 * together, and 8 MiB of 2 KiB files is 4,096 of them: without a bound that is past the 1,024
 * descriptors a desktop session allows by default. A file holds its slot from open to close; only a
 * file a chunk boundary cuts stays open between chunks, so the slots always come free.
 */
const maxOpenFiles = 64;
let openFiles = 0;
const waitingForSlot: (() => void)[] = [];

async function takeSlot(): Promise<void> {
  while (openFiles >= maxOpenFiles) await new Promise<void>((resume) => waitingForSlot.push(resume));
  openFiles += 1;
}

function giveSlot(): void {
  openFiles -= 1;
  waitingForSlot.shift()?.();
}

// Plain descriptors: a FileHandle (fs/promises) is an object with a finaliser per open, and an image
// of 50,000 small files opens 50,000 of them in a row. Opening, checking and closing are synchronous
// calls (sync-slices.ts: a thread-pool round trip costs several times the call), and so are reads of
// up to syncReadMaxBytes; a larger read goes through the thread pool, so the write of the chunk
// before overlaps it and a slow disk never holds the event loop for long.
const readAsync = promisify(read);
/** Reads this small are made synchronously: a few pages, microseconds from the page cache. */
const syncReadMaxBytes = 256 * 1024;

/** A file of a walked tree as its content needs it: where it lies (a path made when asked) and what the walk saw. */
export interface TreeFile extends ExpectedFile {
  readonly origin: string;
}

/**
 * The file at `path` (a string), or the walked node `file`, read when the write reaches it. A node
 * is held, not copied from: its path, size and time are the node's (issue 15: 50,000 copies of
 * paths, sizes and times cost about 8 MB from the walk to the end of the write).
 */
export function treeFileSource(file: TreeFile): ByteSource;
export function treeFileSource(path: string, expected: ExpectedFile): ByteSource;
export function treeFileSource(file: string | TreeFile, expected?: ExpectedFile): ByteSource {
  if (typeof file !== 'string') return new TreeFileSource(file);
  return new TreeFileSource({ origin: file, sizeBytes: expected!.sizeBytes, modifiedMs: expected!.modifiedMs });
}

/** A class, not closures: a tree of 50,000 files holds 50,000 of these, and methods on a prototype cost nothing per file. */
class TreeFileSource implements ByteSource {
  /** The open descriptor, while the file is being read. */
  #opening: Promise<number> | null = null;
  #readsInFlight = 0;
  #lastByteRead = false;

  constructor(private readonly file: TreeFile) {}

  /** The file's path (ByteSource.name, for messages). */
  get name(): string {
    return this.file.origin;
  }

  get sizeBytes(): number {
    return this.file.sizeBytes;
  }

  get modifiedMs(): number {
    return this.file.modifiedMs;
  }

  async read(offsetBytes: number, lengthBytes: number): Promise<Uint8Array> {
    const bytes = new Uint8Array(lengthBytes);
    await this.readInto(bytes, offsetBytes);
    return bytes;
  }

  async readInto(into: Uint8Array, offsetBytes: number): Promise<void> {
    const path = this.name;
    assertReadInBounds(path, this.sizeBytes, offsetBytes, into.byteLength);
    this.#readsInFlight += 1;
    try {
      await yieldWhenSliceSpent();
      this.#opening ??= openSlot(path);
      const descriptor = await this.#opening;
      if (into.byteLength <= syncReadMaxBytes) readFullySync(descriptor, into, offsetBytes, path, this.sizeBytes);
      else await readFully(descriptor, into, offsetBytes, path, this.sizeBytes);
      if (offsetBytes + into.byteLength === this.sizeBytes) this.#lastByteRead = true;
    } catch (error) {
      await this.#release(false);
      throw error;
    } finally {
      this.#readsInFlight -= 1;
    }
    // Reads may run together (a composed chunk reads its pieces at once): the last one to finish closes.
    if (this.#lastByteRead && this.#readsInFlight === 0) {
      this.#lastByteRead = false;
      await this.#release(true);
    }
  }

  close(): Promise<void> {
    return this.#release(false);
  }

  /** Closes the file; after its last byte, checks first that it still is the file the walk saw. */
  async #release(check: boolean): Promise<void> {
    const closing = this.#opening;
    this.#opening = null;
    if (closing === null) return;
    const descriptor = await closing.catch(() => null);
    if (descriptor === null) return;
    try {
      if (check) assertUnchanged(descriptor, this.file, 'after its last byte was read');
    } finally {
      closeSync(descriptor);
      giveSlot();
    }
  }
}

/**
 * Opens the file in a slot of its own (given back when it closes). O_NOFOLLOW: a file swapped for a
 * symbolic link since the walk is not followed (it could point anywhere, /etc/shadow included);
 * O_NONBLOCK: one swapped for a fifo does not hang the open. What was opened is judged after the
 * last byte (assertUnchanged), so a small file costs one fstat, not two.
 */
async function openSlot(path: string): Promise<number> {
  await takeSlot();
  try {
    return openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    giveSlot();
    const code = error instanceof Error && 'code' in error ? error.code : null;
    if (code === 'ENOENT') throw new CodedError('source-changed', `${path} disappeared after the sources were read`, { path });
    if (code === 'ELOOP') throw new CodedError('source-changed', `${path} became a symbolic link after the sources were read`, { path });
    if (code === 'EACCES' || code === 'EPERM') throw new CodedError('permission-denied', `${path}: permission denied opening it`, { path });
    throw error;
  }
}

/** Throws source-changed unless the open file is still the regular file the walk saw; its path is made only then. */
function assertUnchanged(descriptor: number, file: TreeFile, when: string): void {
  const stats = fstatSync(descriptor);
  const sizeBytes = stats.size;
  const modifiedMs = stats.mtimeMs;
  if (stats.isFile() && sizeBytes === file.sizeBytes && modifiedMs === file.modifiedMs) return;
  const path = file.origin;
  if (!stats.isFile()) throw new CodedError('source-changed', `${path} is no longer a regular file (${when})`, { path });
  throw new CodedError(
    'source-changed',
    `${path} changed while the image was made (${when}): ${sizeBytes} bytes modified at ${new Date(modifiedMs).toISOString()}, ` +
      `where the layout was planned for ${file.sizeBytes} bytes modified at ${new Date(file.modifiedMs).toISOString()}`,
    { path },
  );
}

/** Fills `into` from `offsetBytes` through the thread pool; the file ending early means it shrank since it was measured. */
async function readFully(descriptor: number, into: Uint8Array, offsetBytes: number, path: string, sizeBytes: number): Promise<void> {
  // read() may return fewer bytes than asked: loop until done or the end of the file.
  for (let filled = 0; filled < into.byteLength;) {
    const { bytesRead } = await readAsync(descriptor, into, filled, into.byteLength - filled, offsetBytes + filled).catch((error: unknown) => {
      throw readFailure(error, path);
    });
    filled += counted(bytesRead, offsetBytes + filled, path, sizeBytes);
  }
}

/** readFully with synchronous reads, for a read of at most syncReadMaxBytes. */
function readFullySync(descriptor: number, into: Uint8Array, offsetBytes: number, path: string, sizeBytes: number): void {
  for (let filled = 0; filled < into.byteLength;) {
    let bytesRead: number;
    try {
      bytesRead = readSync(descriptor, into, filled, into.byteLength - filled, offsetBytes + filled);
    } catch (error) {
      throw readFailure(error, path);
    }
    filled += counted(bytesRead, offsetBytes + filled, path, sizeBytes);
  }
}

/** A read's count, where 0 (the end of the file before the size the walk saw) means the file shrank. */
function counted(bytesRead: number, atBytes: number, path: string, sizeBytes: number): number {
  if (bytesRead === 0) {
    throw new CodedError('source-changed', `${path} ended at byte ${atBytes}, but it was ${sizeBytes} bytes when the sources were read`, { path });
  }
  return bytesRead;
}

function readFailure(error: unknown, path: string): unknown {
  const code = error instanceof Error && 'code' in error ? error.code : null;
  // A folder or a fifo swapped in since the walk (the open did not block: O_NONBLOCK).
  if (code === 'EISDIR' || code === 'EAGAIN' || code === 'EINVAL' || code === 'ESPIPE') {
    return new CodedError('source-changed', `${path} is no longer a regular file (${code} reading it)`, { path });
  }
  return error;
}
