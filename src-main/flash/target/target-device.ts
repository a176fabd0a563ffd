// The raw target (I/O): opens a block device exclusively with O_DIRECT (or an existing regular file),
// learns its size and logical block size from sysfs, writes and reads whole aligned spans, and
// unmounts a drive's file systems by device number. Errno values become FlashFailures with offsets.
import { execFile } from 'node:child_process';
import { constants, close, fdatasync, fstat, open, read, write } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { deviceNumberOf } from '../../drives/list-drives.ts';
import { parseMountinfo } from '../../drives/mountinfo.ts';
import { FlashFailure, errnoOf, targetFailure } from '../flash-error.ts';
import { alignmentBytes } from './aligned-memory.ts';

const openAsync = promisify(open);
const closeAsync = promisify(close);
const fdatasyncAsync = promisify(fdatasync);
const fstatAsync = promisify(fstat);
const run = promisify(execFile);

function writeAsync(fd: number, view: Uint8Array, positionBytes: number): Promise<number> {
  return new Promise((resolve, reject) => write(fd, view, 0, view.length, positionBytes, (error, written) => (error ? reject(error) : resolve(written))));
}

function readAsync(fd: number, view: Uint8Array, positionBytes: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, view, 0, view.length, positionBytes, (error, count) => (error ? reject(error) : resolve(count))));
}

export interface RawTarget {
  readonly path: string;
  readonly isBlockDevice: boolean;
  /** Capacity in bytes (a regular file: its current size; it may grow). */
  readonly sizeBytes: number;
  /** O_DIRECT transfers must be multiples of this, at offsets that are multiples of it. */
  readonly logicalBlockSizeBytes: number;
  /** True when writes bypass the page cache. */
  readonly isDirect: boolean;
  /** A block device's "major:minor" and disk sequence as opened (what a later open must find again); undefined for a regular file. */
  readonly identity: ExpectedDevice;
  /** Writes all of `view` at `offsetBytes`; an aligned span goes through O_DIRECT, a ragged tail through the page cache. */
  writeAt(view: Uint8Array, offsetBytes: number): Promise<void>;
  /** fdatasync: buffered write errors surface only here. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** The device's size from sysfs (stat() says 0 for block devices). */
export async function deviceSizeBytes(path: string): Promise<number> {
  const number = deviceNumberOf((await stat(path, { bigint: true })).rdev);
  const sectors = Number((await readFile(`/sys/dev/block/${number}/size`, 'utf8')).trim());
  // sysfs "size" counts 512-byte sectors whatever the logical block size (Documentation/ABI: block/<disk>/size).
  return sectors * 512;
}

async function logicalBlockSizeOf(path: string): Promise<number> {
  const number = deviceNumberOf((await stat(path, { bigint: true })).rdev);
  const text = await readFile(`/sys/dev/block/${number}/queue/logical_block_size`, 'utf8').catch(() => '512');
  const size = Number(text.trim());
  return Number.isSafeInteger(size) && size >= 512 && size <= 65536 ? size : 512;
}

/**
 * Where a target may be opened: anywhere (undefined: the user's own process, whose rights are the
 * limit), or only the whole block device with this "major:minor" (the elevated helper: issue 12 §1).
 */
export type ExpectedDevice = { readonly deviceNumber: string; readonly diskSequence?: string } | undefined;

/**
 * The kernel's disk sequence number of a block device (Linux 5.15+, /sys/dev/block/M:m/diskseq): a new
 * one for every medium change and every loop attach, so a stick swapped in at the same /dev/sdX (same
 * "major:minor") is told apart from the one written. Null where the kernel does not tell it.
 */
export async function diskSequenceOf(deviceNumber: string): Promise<string | null> {
  return readFile(`/sys/dev/block/${deviceNumber}/diskseq`, 'utf8').then(
    (text) => text.trim() || null,
    () => null,
  );
}

/**
 * The check that counts for the elevated helper: fstat() of the descriptor it actually opened, so a
 * path swapped between the enumeration and the open cannot turn the write (or read-back) into one of
 * a regular file, a partition or a character device.
 */
async function checkOpenedDevice(fd: number, path: string, expected: ExpectedDevice): Promise<void> {
  if (expected === undefined) return;
  const stats = await fstatAsync(fd, { bigint: true });
  const number = stats.isBlockDevice() ? deviceNumberOf(stats.rdev) : null;
  if (number !== expected.deviceNumber) {
    const what = number === null ? 'not a block device' : `block device ${number}`;
    throw new FlashFailure(
      'refused',
      `${path} opened as ${what}; the elevated helper writes only the whole drive ${expected.deviceNumber} of its own enumeration`,
    );
  }
  if (expected.diskSequence === undefined) return;
  // Read after the open: the descriptor holds the medium whose sequence number sysfs now names.
  const sequence = await diskSequenceOf(expected.deviceNumber);
  if (sequence !== expected.diskSequence) {
    throw new FlashFailure(
      'target-removed',
      `${path} now holds another medium (disk sequence ${sequence ?? 'unknown'}, written as ${expected.diskSequence}): the drive written was removed or swapped`,
    );
  }
}

/**
 * The two descriptors a target is written through: O_DIRECT for whole blocks (null where the file
 * system refuses it) and a buffered one for a ragged tail; both checked against the helper's scope.
 */
async function openWriteDescriptors(path: string, isBlockDevice: boolean, expected: ExpectedDevice): Promise<{ directFd: number | null; bufferedFd: number }> {
  const base = constants.O_WRONLY | (isBlockDevice ? constants.O_EXCL : 0);
  let directFd: number | null = null;
  try {
    directFd = await openAsync(path, base | constants.O_DIRECT);
  } catch (error) {
    // Some file systems refuse O_DIRECT (EINVAL): such a regular file is written through the cache.
    if (errnoOf(error) !== 'EINVAL' || isBlockDevice) throw targetFailure(error, 'open', path, null);
  }
  let bufferedFd: number;
  try {
    bufferedFd = await openAsync(path, constants.O_WRONLY);
  } catch (error) {
    if (directFd !== null) await closeAsync(directFd);
    throw targetFailure(error, 'open', path, null);
  }
  try {
    for (const fd of [directFd, bufferedFd]) if (fd !== null) await checkOpenedDevice(fd, path, expected);
  } catch (error) {
    await Promise.allSettled([directFd === null ? Promise.resolve() : closeAsync(directFd), closeAsync(bufferedFd)]);
    throw error;
  }
  return { directFd, bufferedFd };
}

/** The opened block device's identity, from fstat() of the descriptor itself (not the path, which may since name another). */
async function identityOf(fd: number): Promise<ExpectedDevice> {
  const deviceNumber = deviceNumberOf((await fstatAsync(fd, { bigint: true })).rdev);
  const diskSequence = await diskSequenceOf(deviceNumber);
  return diskSequence === null ? { deviceNumber } : { deviceNumber, diskSequence };
}

/** Writes all of `view` at `offsetBytes`, resuming after partial writes; a write of 0 bytes is a short write. */
async function writeSpan(path: string, fd: number, view: Uint8Array, offsetBytes: number): Promise<void> {
  let done = 0;
  while (done < view.length) {
    let written: number;
    try {
      written = await writeAsync(fd, view.subarray(done), offsetBytes + done);
    } catch (error) {
      throw targetFailure(error, 'write', path, offsetBytes + done);
    }
    if (written === 0) {
      throw new FlashFailure('short-write', `${path} accepted 0 of ${view.length - done} bytes at byte ${offsetBytes + done}`, offsetBytes + done);
    }
    done += written;
  }
}

/**
 * Opens the target for writing. A block device is opened O_EXCL, which the kernel refuses (EBUSY)
 * while anything has it mounted or claimed: that is the last word on "is it in use".
 */
export async function openRawTarget(path: string, expected?: ExpectedDevice): Promise<RawTarget> {
  let stats;
  try {
    stats = await stat(path);
  } catch (error) {
    throw targetFailure(error, 'open', path, null);
  }
  const isBlockDevice = stats.isBlockDevice();
  if (!isBlockDevice && !stats.isFile()) throw new FlashFailure('write-failed', `${path} is neither a block device nor a regular file`);
  if (expected !== undefined && !isBlockDevice)
    throw new FlashFailure('refused', `${path} is a regular file; the elevated helper writes only whole block devices`);
  const { directFd, bufferedFd } = await openWriteDescriptors(path, isBlockDevice, expected);
  const sizeBytes = isBlockDevice ? await deviceSizeBytes(path) : stats.size;
  const logicalBlockSizeBytes = isBlockDevice ? await logicalBlockSizeOf(path) : alignmentBytes;
  const identity = isBlockDevice ? await identityOf(bufferedFd) : undefined;

  let closed = false;
  const writeAt = async (view: Uint8Array, offsetBytes: number): Promise<void> => {
    if (isBlockDevice && offsetBytes + view.length > sizeBytes) {
      const fits = Math.max(0, sizeBytes - offsetBytes);
      if (fits > 0) await writeAt(view.subarray(0, fits), offsetBytes);
      throw new FlashFailure('no-space', `${path} ends at byte ${sizeBytes}; the image goes on past it`, sizeBytes);
    }
    if (directFd === null) return writeSpan(path, bufferedFd, view, offsetBytes);
    const aligned = view.length - (view.length % logicalBlockSizeBytes);
    if (aligned > 0) await writeSpan(path, directFd, view.subarray(0, aligned), offsetBytes);
    // A ragged tail cannot go through O_DIRECT (EINVAL): like dd, write it through the page cache.
    if (aligned < view.length) await writeSpan(path, bufferedFd, view.subarray(aligned), offsetBytes + aligned);
  };

  return {
    path,
    isBlockDevice,
    sizeBytes,
    logicalBlockSizeBytes,
    isDirect: directFd !== null,
    identity,
    writeAt,
    async flush() {
      try {
        // One call: fdatasync works on the file (the device's inode), not on the descriptor, so it also
        // covers the ragged tail written through the buffered fd, with one cache flush sent to the drive.
        await fdatasyncAsync(directFd ?? bufferedFd);
      } catch (error) {
        throw targetFailure(error, 'flush', path, null);
      }
    },
    async close() {
      // Idempotent: a second close of a reused fd number would close somebody else's file.
      if (closed) return;
      closed = true;
      await Promise.allSettled([directFd === null ? Promise.resolve() : closeAsync(directFd), closeAsync(bufferedFd)]);
    },
  };
}

export interface ReadBackHandle {
  readonly isDirect: boolean;
  /** Reads up to `view.length` bytes at `offsetBytes` (a multiple of the block size); returns the count. */
  readAt(view: Uint8Array, offsetBytes: number): Promise<number>;
  close(): Promise<void>;
}

/** Opens the target for reading back, bypassing the page cache (O_DIRECT) wherever the OS allows. */
export async function openReadBack(path: string, expected?: ExpectedDevice): Promise<ReadBackHandle> {
  let fd: number;
  let isDirect = true;
  try {
    fd = await openAsync(path, constants.O_RDONLY | constants.O_DIRECT);
  } catch (error) {
    if (errnoOf(error) !== 'EINVAL') throw targetFailure(error, 'read', path, null);
    isDirect = false;
    fd = await openAsync(path, constants.O_RDONLY).catch((again: unknown) => {
      throw targetFailure(again, 'read', path, null);
    });
  }
  // Read back as root, a file would become an oracle for its bytes (the mismatch offset): same rule as writes.
  await checkOpenedDevice(fd, path, expected).catch(async (error: unknown) => {
    await closeAsync(fd);
    throw error;
  });
  return {
    isDirect,
    async readAt(view, offsetBytes) {
      let done = 0;
      while (done < view.length) {
        let count: number;
        try {
          count = await readAsync(fd, view.subarray(done), offsetBytes + done);
        } catch (error) {
          throw targetFailure(error, 'read', path, offsetBytes + done);
        }
        if (count === 0) break;
        done += count;
        // O_DIRECT reads stop at the device's end with a partial block count; the next read returns 0.
      }
      return done;
    },
    close: () => closeAsync(fd),
  };
}

/** Unmounts every file system on these device numbers (a drive and its partitions); returns the mountpoints. */
export async function unmountDeviceNumbers(deviceNumbers: readonly string[]): Promise<string[]> {
  const wanted = new Set(deviceNumbers);
  const mounts = parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8')).filter((mount) => wanted.has(mount.deviceNumber));
  // Deepest first, so nested mounts come off before their parents.
  const mountpoints = [...new Set(mounts.map((mount) => mount.mountpoint))].sort((a, b) => b.length - a.length);
  for (const mountpoint of mountpoints) {
    try {
      // execFile, no shell: the mountpoint is one argv element whatever characters it holds.
      await run('umount', ['--', mountpoint], { timeout: 60_000 });
    } catch (error) {
      throw new FlashFailure('target-busy', `could not unmount ${mountpoint}: ${(error as Error).message.trim()}`);
    }
  }
  return mountpoints;
}
