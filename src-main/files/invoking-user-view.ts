// The file dialog under sudo (issue 17: it "never lists outside what the user's own account can
// read"): an engine started with `sudo isotope web` runs as root, who reads everything, so a folder
// is listed only once a child process running with the invoking user's uid and gid (sudo(8) sets
// SUDO_UID and SUDO_GID) has checked with access(2) that the user may read it and enter it. access()
// checks the caller's real ids through the kernel's own rules (every folder above must be enterable,
// ACLs count), so nothing is re-implemented here. The child also names the user's home (getpwuid(3)),
// whose credential places are the ones left out. Why a child and not seteuid() around the listing:
// seteuid() is process-wide, and this engine may be writing a drive as root at the same moment.
//
// The child starts with the user's uid and primary gid and no supplementary groups (libuv drops them
// when it sets the ids), so a folder readable only through a supplementary group is refused: the
// safe side. A real root session (euid 0 without SUDO_UID, or SUDO_UID=0) lists as root.
import { spawn } from 'node:child_process';
import { CodedError } from '../jobs/errors.ts';

export interface InvokingUser {
  readonly uid: number;
  readonly gid: number;
}

/** What the invoking user's own account says: its home and name, and why it cannot list the folder asked about (an errno code), if it cannot. */
export interface InvokingUserView {
  readonly home: string;
  readonly userName: string;
  readonly folderError: string | null;
  /** For each file asked about, in order: why the user may not read it (an errno code: ENOENT, EACCES...), or null when it may. */
  readonly fileErrors: readonly (string | null)[];
}

/**
 * The user who ran sudo, whose rights the dialog (and QEMU, vm/qemu-user.ts) takes when this process
 * is root under sudo; null when this process's own rights are the user's (not root, or a real root
 * session). `env` and `euid` are this process's unless a test gives others.
 */
export function sudoInvokingUser(env: NodeJS.ProcessEnv = process.env, euid: number | undefined = process.geteuid?.()): InvokingUser | null {
  if (euid !== 0) return null;
  const uid = Number(env.SUDO_UID);
  const gid = Number(env.SUDO_GID ?? env.SUDO_UID);
  if (env.SUDO_UID === undefined || !Number.isSafeInteger(uid) || uid <= 0 || !Number.isSafeInteger(gid) || gid < 0) return null;
  return { uid, gid };
}

// Runs in the child, as the user: argv[1] is the folder to check ('' for none), the rest are files to check for reading.
const probeScript = `
const fs = require('node:fs'), os = require('node:os');
const [folder, ...files] = process.argv.slice(1);
const refusal = (path, mode) => { try { fs.accessSync(path, mode); return null; } catch (error) { return String(error.code || 'EACCES'); } };
const folderError = folder ? refusal(folder, fs.constants.R_OK | fs.constants.X_OK) : null;
const fileErrors = files.map((file) => refusal(file, fs.constants.R_OK));
const user = os.userInfo();
process.stdout.write(JSON.stringify({ home: user.homedir, userName: user.username, folderError, fileErrors }));
`;

/**
 * Asks a child running as `user` for its home and name, whether it may read and enter `folder` (when
 * given), and whether it may read each of `files` (the Start screen's recent images, files:check-recent).
 */
export function viewAsInvokingUser(user: InvokingUser, folder: string | null, files: readonly string[] = []): Promise<InvokingUserView> {
  return new Promise((resolve, reject) => {
    // Electron's binary runs as plain Node with ELECTRON_RUN_AS_NODE; Node ignores the variable.
    const child = spawn(process.execPath, ['-e', probeScript, folder ?? '', ...files], {
      uid: user.uid,
      gid: user.gid,
      env: { ELECTRON_RUN_AS_NODE: '1', PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10_000,
    });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      try {
        if (status !== 0) throw new Error(`exit status ${status}`);
        resolve(JSON.parse(Buffer.concat(output).toString('utf8')) as InvokingUserView);
      } catch (error) {
        reject(new CodedError('permission-denied', `the rights of uid ${user.uid} could not be checked: ${(error as Error).message}`, { uid: user.uid }));
      }
    });
  });
}
