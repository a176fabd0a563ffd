// Loop devices for tests: created with `losetup -f --show`, and only the ones created here are ever
// detached (never `losetup -D`: other processes on the machine may own loop devices).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

/**
 * A PATH under which the engine sees only the loop devices whose backing file lies below `folder`:
 * other tests (and other test files, which Vitest runs in parallel) attach loop devices at the same
 * time, and a duplicator or a queue with --unsafe would write them. An lsblk first on that PATH (put
 * in `folder`) runs the real one and keeps only those loops. For a spawned CLI, or for the engine in
 * the test's own process (its drive scan runs `lsblk` from process.env.PATH at each scan).
 */
export function pathSeeingOnlyLoopsIn(folder: string): string {
  mkdirSync(folder, { recursive: true });
  const wrapper = join(folder, 'lsblk');
  writeFileSync(
    wrapper,
    `#!/usr/bin/python3
import json, os, subprocess, sys
answer = subprocess.run(['/usr/bin/lsblk', *sys.argv[1:]], capture_output=True, text=True, check=True)
def ours(device):
    try:
        with open('/sys/block/%s/loop/backing_file' % os.path.basename(device['name'])) as backing:
            return backing.read().startswith(${JSON.stringify(folder)} + '/')
    except OSError:
        return False
tree = json.loads(answer.stdout)
tree['blockdevices'] = [device for device in tree['blockdevices'] if ours(device)]
print(json.dumps(tree))
`,
  );
  chmodSync(wrapper, 0o755);
  return `${folder}:${process.env.PATH ?? ''}`;
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
