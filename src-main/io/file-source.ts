// A ByteSource over a regular file or a block device, read with positioned reads (never the whole
// file). One of the few modules that touch `fs`.
import { open, readFile } from 'node:fs/promises';
import { assertReadInBounds, type ByteSource } from './byte-source.ts';

export class NotARegularFileError extends Error {
  readonly path: string;
  constructor(path: string) {
    super(`${path} is not a regular file or block device`);
    this.name = 'NotARegularFileError';
    this.path = path;
  }
}

export interface FileSource extends ByteSource {
  readonly path: string;
  readonly modifiedMs: number;
}

export async function openFileSource(path: string): Promise<FileSource> {
  const handle = await open(path, 'r');
  try {
    const stats = await handle.stat();
    if (!stats.isFile() && !stats.isBlockDevice()) throw new NotARegularFileError(path);
    // A block device reports size 0 in stat(); Linux publishes its size in 512-byte sectors under
    // /sys/dev/block/MAJOR:MINOR/size, found from the device number.
    const sizeBytes = stats.isBlockDevice() ? await blockDeviceSizeBytes(stats.rdev) : stats.size;
    const readInto = async (into: Uint8Array, offsetBytes: number): Promise<void> => {
      assertReadInBounds(path, sizeBytes, offsetBytes, into.byteLength);
      let filled = 0;
      // read() may return fewer bytes than asked (signals, devices): loop until done or EOF.
      while (filled < into.byteLength) {
        const { bytesRead } = await handle.read(into, filled, into.byteLength - filled, offsetBytes + filled);
        if (bytesRead === 0) throw new Error(`${path} ended at byte ${offsetBytes + filled} while reading`);
        filled += bytesRead;
      }
    };
    return {
      name: path,
      path,
      sizeBytes,
      modifiedMs: stats.mtimeMs,
      async read(offsetBytes, lengthBytes) {
        const bytes = new Uint8Array(lengthBytes);
        await readInto(bytes, offsetBytes);
        return bytes;
      },
      readInto,
      close() {
        return handle.close();
      },
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Linux: the size of the block device with device number `rdev` (0 when sysfs does not say). */
async function blockDeviceSizeBytes(rdev: number): Promise<number> {
  // glibc's gnu_dev_major / gnu_dev_minor for the 32-bit dev_t Node reports.
  const major = (rdev >>> 8) & 0xfff;
  const minor = (rdev & 0xff) | ((rdev >>> 12) & 0xfff00);
  try {
    const sectors = Number((await readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8')).trim());
    return Number.isSafeInteger(sectors) ? sectors * 512 : 0;
  } catch {
    return 0;
  }
}
