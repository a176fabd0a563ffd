// Loop devices for tests: created with `losetup -f --show`, and only the ones created here are ever
// detached (never `losetup -D`: other processes on the machine may own loop devices).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

export const isRoot = process.getuid?.() === 0;
export const rootSkipReason = 'loop-device tests need root (losetup); they are skipped for non-root users';

export class LoopDevices {
  private readonly created: string[] = [];

  attach(backingFile: string, options: { readOnly?: boolean } = {}): string {
    const args = ['-f', '--show', ...(options.readOnly ? ['-r'] : []), backingFile];
    const device = execFileSync('losetup', args, { encoding: 'utf8' }).trim();
    this.created.push(device);
    return device;
  }

  /** Detaches every loop device this instance created (and only those). */
  detachAll(): void {
    for (const device of this.created.splice(0)) {
      try {
        execFileSync('losetup', ['-d', device], { stdio: 'ignore' });
      } catch {
        // Already gone (a test detached it to simulate removal).
      }
    }
  }
}

/** SHA-256 of the first `lengthBytes` of a file or device, by the real `sha256sum`... of `head -c`. */
export function sha256OfPrefix(path: string, lengthBytes: number): string {
  return execFileSync('sh', ['-c', 'head -c "$1" "$2" | sha256sum', 'sh', String(lengthBytes), path], { encoding: 'utf8' }).split(' ')[0] ?? '';
}

/** The real `cmp`: true when the first `lengthBytes` of both are identical. */
export function cmpIdentical(a: string, b: string, lengthBytes: number): boolean {
  try {
    execFileSync('cmp', ['-n', String(lengthBytes), a, b], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Bytes of a file or device at an offset (for checking the first MiB and specific ranges). */
export function readBytes(path: string, offsetBytes: number, lengthBytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const bytes = Buffer.alloc(lengthBytes);
    const count = readSync(fd, bytes, 0, lengthBytes, offsetBytes);
    return bytes.subarray(0, count);
  } finally {
    closeSync(fd);
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
