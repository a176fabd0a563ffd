// Who QEMU runs as (review R2 finding 2): QEMU parses a hostile image and runs its guest's code, so
// an engine running as root under sudo starts it as the user who ran sudo (SUDO_UID and SUDO_GID,
// sudo(8)), through setpriv, with that user's own groups (initgroups(3): kvm among them where the
// user may use KVM) and no more: an escape from the guest lands in that account, never root's. What
// that QEMU must reach: the image, checked readable by that user before it starts (test(1) -r, the
// kernel's access rules: every folder above, ACLs), and the run's scratch folder, given to that user.
// A real root session (euid 0 without SUDO_UID, or SUDO_UID=0) keeps root's QEMU: there is no other
// account to fall back to, and root itself chose to run it.
import { execFile } from 'node:child_process';
import { chown, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sudoInvokingUser, type InvokingUser } from '../files/invoking-user-view.ts';
import { CodedError } from '../jobs/errors.ts';

/** util-linux's setpriv, at its fixed path (never a PATH lookup: see qemu-host.ts). */
export const setprivPath = '/usr/bin/setpriv';
const testPath = '/usr/bin/test';

/**
 * The user QEMU runs as when this engine is root under sudo; null when QEMU runs with this process's
 * own ids. The same user as the file dialog's (files/invoking-user-view.ts), but the read checks
 * differ on purpose: QEMU runs with the user's supplementary groups (kvm), the dialog's child without.
 */
export function qemuUser(env: NodeJS.ProcessEnv = process.env, euid: number | undefined = process.geteuid?.()): InvokingUser | null {
  return sudoInvokingUser(env, euid);
}

/** setpriv's options that make the command it runs `user`, with that user's own groups. */
export function setprivUserArgs(user: InvokingUser): string[] {
  return [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups'];
}

/** Whether `user` may read (`-r`) or write (`-w`) `path`, asked of the kernel by a child running as that user. */
function accessibleBy(user: InvokingUser, access: '-r' | '-w', path: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(setprivPath, [...setprivUserArgs(user), '--', testPath, access, path], { env: {}, timeout: 10_000 }, (error) => resolve(error === null));
  });
}

/**
 * Readies a run for QEMU as `user`: the disk must be readable by that user (else `permission-denied`
 * naming both, before QEMU starts; null for a drive, whose descriptor QEMU inherits), and the scratch folder (0700, made by root) and what it holds
 * become that user's, so QEMU can write its serial file, socket, variable store and overlay there.
 */
export async function prepareForQemuUser(user: InvokingUser, diskPath: string | null, scratchDir: string): Promise<void> {
  if (diskPath !== null && !(await accessibleBy(user, '-r', diskPath)))
    throw new CodedError(
      'permission-denied',
      `${diskPath} cannot be read by uid ${user.uid} (the user who ran sudo), and QEMU runs as that user, never as root: make it readable to that user, or run isotope without sudo`,
      { path: diskPath },
    );
  await chown(scratchDir, user.uid, user.gid);
  for (const name of await readdir(scratchDir)) await chown(join(scratchDir, name), user.uid, user.gid);
  if (!(await accessibleBy(user, '-w', scratchDir)))
    throw new CodedError(
      'permission-denied',
      `uid ${user.uid} (the user who ran sudo) cannot reach the run's folder ${scratchDir}: set TMPDIR to a folder that user can enter`,
      {
        path: scratchDir,
      },
    );
}
