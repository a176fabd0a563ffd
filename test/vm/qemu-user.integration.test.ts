// QEMU never runs as root for a sudo user's trial (review R2 finding 2): an engine running as root
// with SUDO_UID/SUDO_GID set (here: nobody's) starts QEMU as that user, read from the running QEMU's
// /proc status; an image that user cannot read is refused before QEMU starts, naming the uid. A real
// root session (no SUDO_UID, or SUDO_UID=0) and a non-root engine keep their own ids.
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { qemuUser } from '../../src-main/vm/qemu-user.ts';
import { tryInVm, type TryRequest } from '../../src-main/vm/try-in-vm.ts';
import { waitingGrubIsoPath } from '../fixtures/qemu-boot-images.ts';
import { isRoot } from '../flash/loop-devices.ts';
import { qemuAvailable, withQemuLock } from '../helpers/qemu-boot.ts';

const nobody = 65534;

describe('the user QEMU runs as', () => {
  it('is the sudo user for a root engine with SUDO_UID and SUDO_GID, and nobody else', () => {
    expect(qemuUser({ SUDO_UID: '1000', SUDO_GID: '1001' }, 0)).toEqual({ uid: 1000, gid: 1001 });
    expect(qemuUser({}, 0)).toBeNull(); // a real root session
    expect(qemuUser({ SUDO_UID: '0', SUDO_GID: '0' }, 0)).toBeNull(); // sudo from root
    expect(qemuUser({ SUDO_UID: '1000', SUDO_GID: '1001' }, 1000)).toBeNull(); // not root: its own ids
    expect(qemuUser({ SUDO_UID: '10x', SUDO_GID: '1001' }, 0)).toBeNull();
  });
});

describe.skipIf(!isRoot || !qemuAvailable())('a trial started as root under sudo', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-qemu-user-');
    chmodSync(dir, 0o755); // nobody may enter it: the run's scratch folder is made here (TMPDIR)
    vi.stubEnv('TMPDIR', dir);
    vi.stubEnv('SUDO_UID', String(nobody));
    vi.stubEnv('SUDO_GID', String(nobody));
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  const request = (imagePath: string): TryRequest => ({
    imagePath,
    firmware: 'bios',
    medium: 'cd',
    headless: true,
    seconds: 3,
    serialPath: null,
    screenshotPath: null,
    allowKvm: false,
    memoryMiB: 256,
  });

  it("runs QEMU as the sudo user's uid and gid, never root, and the trial runs its time", async () => {
    const image = join(dir, 'waiting.iso');
    copyFileSync(waitingGrubIsoPath(), image);
    chmodSync(image, 0o644);
    let status = '';
    const outcome = await withQemuLock(() =>
      tryInVm(request(image), {
        onStarted: (pid) => {
          // setpriv has set the ids before it execs QEMU in the same process; read them once QEMU runs.
          setTimeout(() => (status = readFileSync(`/proc/${pid}/status`, 'utf8')), 1000);
        },
      }),
    );
    expect(outcome.endedBy).toBe('time-up');
    expect(status).toMatch(/^Name:\s+qemu-system-x86/m);
    expect(status).toMatch(new RegExp(`^Uid:\\s+${nobody}\\s+${nobody}\\s+${nobody}\\s+${nobody}$`, 'm'));
    expect(status).toMatch(new RegExp(`^Gid:\\s+${nobody}\\s+${nobody}\\s+${nobody}\\s+${nobody}$`, 'm'));
  }, 60_000);

  it('refuses an image the sudo user cannot read with permission-denied naming the uid, before QEMU starts', async () => {
    const image = join(dir, 'private.iso');
    copyFileSync(waitingGrubIsoPath(), image);
    chmodSync(image, 0o600);
    let started = false;
    await expect(tryInVm(request(image), { onStarted: () => (started = true) })).rejects.toMatchObject({
      code: 'permission-denied',
      message: expect.stringContaining(`${image} cannot be read by uid ${nobody} (the user who ran sudo)`),
    });
    expect(started).toBe(false);
  });
});
