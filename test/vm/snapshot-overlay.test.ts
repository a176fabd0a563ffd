// Where QEMU's -snapshot overlay lives (review R2 finding 7): it holds every byte the guest writes,
// so it belongs in the run's own 0700 scratch folder (removed with the run), not in /var/tmp, QEMU's
// default. Read from the running QEMU's open descriptors (/proc/PID/fd) during a real trial.
import { readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { tryInVm } from '../../src-main/vm/try-in-vm.ts';
import { waitingGrubIsoPath } from '../fixtures/qemu-boot-images.ts';
import { qemuAvailable, withQemuLock } from '../helpers/qemu-boot.ts';

/** The files a process holds open, by the paths /proc shows ("… (deleted)" once unlinked). */
function openFiles(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
      } catch {
        return []; // closed between the listing and the read
      }
    });
  } catch {
    return []; // not started yet, or already gone
  }
}

describe.skipIf(process.platform !== 'linux' || !qemuAvailable())("QEMU's snapshot overlay", () => {
  it("is created in the run's scratch folder, never in /var/tmp", async () => {
    let pid = 0;
    const seen = new Set<string>();
    const watcher = setInterval(() => pid !== 0 && openFiles(pid).forEach((path) => seen.add(path)), 50);
    try {
      await withQemuLock(() =>
        tryInVm(
          {
            imagePath: waitingGrubIsoPath(),
            firmware: 'bios',
            medium: 'cd',
            headless: true,
            seconds: 3,
            serialPath: null,
            screenshotPath: null,
            allowKvm: false,
            memoryMiB: 256,
          },
          { onStarted: (started) => (pid = started) },
        ),
      );
    } finally {
      clearInterval(watcher);
    }
    const overlays = [...seen].filter((path) => /\/vl\.\w+( \(deleted\))?$/.test(path));
    expect(overlays.length, [...seen].join('\n')).toBeGreaterThan(0);
    for (const overlay of overlays) expect(overlay).toMatch(new RegExp(`^${tmpdir()}/isotope-try-\\w+/vl\\.`));
  }, 60_000);
});
