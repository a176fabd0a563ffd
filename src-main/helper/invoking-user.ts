// The elevated helper acting for the user who asked (issue 12 §1): the image is opened with that
// user's rights, and the channel's secret is read only from a private file that user owns.
//
// Why switch the effective ids rather than have the user's process stream the image over the socket:
// the source is opened once, as the user, and from then on the helper reads that descriptor exactly
// as before - positioned reads straight into its O_DIRECT-aligned slots, the decoders (xz, gzip,
// bzip2, zstd, zip) pulling from it, and the verify pass re-reading ranges of it with readAt - so the
// speed and the byte comparison stay as they are. Streaming would add a copy and a socket hop for
// every byte, and verification would need the user's process to serve random re-reads. The kernel's
// own permission check on open() (with the user's euid, egid and groups) is the rule, so ACLs,
// group rights and unreadable parent folders all count, with nothing re-implemented here.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { FlashFailure } from '../flash/flash-error.ts';
import type { HelperScope } from '../flash/flash-image.ts';

export interface InvokingUser {
  readonly uid: number;
  /** The primary group: the group of the channel directory the user's process created. */
  readonly gid: number;
}

/**
 * A scope whose `asInvokingUser` takes the user's effective uid, gid and supplementary groups for
 * the duration of `open`, then restores root's. seteuid() is process-wide (glibc applies it to every
 * thread, libuv's file-system pool included), so nothing else may run meanwhile: the helper runs one
 * job, and calls this before it enumerates drives or opens any target.
 */
export function invokingUserScope(user: InvokingUser): HelperScope {
  let inside = false;
  return {
    async asInvokingUser(open) {
      // Root asked (sudo from a root shell): root's rights are the user's.
      if (user.uid === 0 || process.geteuid?.() !== 0) return open();
      if (inside) throw new Error('asInvokingUser does not nest');
      inside = true;
      const rootGroups = process.getgroups!();
      try {
        try {
          // Node has process.initgroups on POSIX; @types/node does not declare it.
          (process as unknown as { initgroups: (user: number, extraGroup: number) => void }).initgroups(user.uid, user.gid);
        } catch {
          // A uid without a passwd entry: its primary group alone.
          process.setgroups!([user.gid]);
        }
        process.setegid!(user.gid);
        process.seteuid!(user.uid);
        return await open();
      } finally {
        process.seteuid!(0);
        process.setegid!(0);
        process.setgroups!(rootGroups);
        inside = false;
      }
    },
  };
}

/** The secret is 64 hex digits; anything much longer is not ours. */
const maxSecretBytes = 128;

/**
 * Reads the channel secret without following a symlink (O_NOFOLLOW) and without blocking on a FIFO
 * (O_NONBLOCK), and only from a regular file with one link, owned by `uid`, readable by nobody else:
 * as root, a planted link to /etc/shadow would otherwise be read and sent back over the socket.
 */
export async function readOwnedSecret(path: string, uid: number): Promise<string> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    throw new FlashFailure('refused', `the helper secret ${path} cannot be opened without following links: ${(error as Error).message}`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.nlink !== 1 || stats.uid !== uid || (stats.mode & 0o077) !== 0 || stats.size > maxSecretBytes) {
      throw new FlashFailure(
        'refused',
        `the helper secret ${path} is not a private regular file of uid ${uid} (uid ${stats.uid}, mode ${(stats.mode & 0o7777).toString(8)}, ${stats.nlink} links, ${stats.size} bytes)`,
      );
    }
    const bytes = Buffer.alloc(maxSecretBytes);
    const { bytesRead } = await handle.read(bytes, 0, maxSecretBytes, 0);
    return bytes.subarray(0, bytesRead).toString('utf8').trim();
  } finally {
    await handle.close();
  }
}
