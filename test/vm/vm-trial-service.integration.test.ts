// `vm:host` and `vm:try` through the real service (createService), as the app calls them: the host
// report names this machine's QEMU and OVMF; a window is refused where there is no display; an in-app
// trial of a real GRUB disc streams `vm:screen` batches (the loader's banner on the serial console and
// a PNG of the screen), reports progress as a `try` job, and Stop (`job:cancel`) ends it as `stopped`
// within seconds. The disc's bytes are unchanged after the run.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { JobFinished, JobProgress } from '../../shared/job.ts';
import type { VmScreen } from '../../shared/vm.ts';
import { createService, type Service } from '../../src-main/service/service.ts';
import { banners, waitingGrubIsoPath } from '../fixtures/qemu-boot-images.ts';
import { qemuAvailable, withQemuLock } from '../helpers/qemu-boot.ts';

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Resolves with the first value `take` returns that is not undefined, or rejects after `timeoutMs`. */
function waitFor<T>(timeoutMs: number, what: string, take: () => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const value = take();
      if (value !== undefined) {
        clearInterval(timer);
        resolve(value);
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }
    }, 50);
  });
}

function newService(): Service {
  return createService({ shell: 'web', version: 'test', log: () => undefined });
}

afterEach(() => vi.unstubAllEnvs());

describe.skipIf(!qemuAvailable())('vm:host and vm:try through the service', () => {
  it("reports Debian's QEMU and OVMF at their fixed paths, guest memory within 512..2048 MiB, no display without DISPLAY, and no install hint", async () => {
    vi.stubEnv('DISPLAY', '');
    vi.stubEnv('WAYLAND_DISPLAY', '');
    const host = await newService().call('vm:host', {});
    if (!host.ok) throw new Error(host.error.message);
    expect(host.value).toMatchObject({ qemuPath: '/usr/bin/qemu-system-x86_64', uefiAvailable: true, display: false, installHint: null });
    expect(host.value.memoryMiB).toBeGreaterThanOrEqual(512);
    expect(host.value.memoryMiB).toBeLessThanOrEqual(2048);
  });

  it("refuses QEMU's own window where there is no display, before any job starts", async () => {
    vi.stubEnv('DISPLAY', '');
    vi.stubEnv('WAYLAND_DISPLAY', '');
    const service = newService();
    const finished: JobFinished[] = [];
    service.on('job:finished', (end) => finished.push(end));
    const started = await service.call('vm:try', { source: { kind: 'image', path: waitingGrubIsoPath() }, firmware: 'bios', medium: 'cd', view: 'window' });
    expect(started).toMatchObject({ ok: false, error: { code: 'unsupported', message: expect.stringMatching(/needs a display.*in-app view/) } });
    expect(finished).toEqual([]);
  });

  it('refuses a missing image as not-found before any job starts', async () => {
    const started = await newService().call('vm:try', {
      source: { kind: 'image', path: '/tmp/isotope-no-such-image.iso' },
      firmware: 'bios',
      medium: 'cd',
      view: 'in-app',
    });
    expect(started).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('streams the serial console (the GRUB banner) and a PNG screenshot of an in-app BIOS trial, and Stop ends it as stopped within 5 s', async () => {
    // TCG: this CI's /dev/kvm opens, but its guests never run (src-main/vm/qemu-host.ts kvmUsable).
    vi.stubEnv('ISOTOPE_VM_ACCEL', 'tcg');
    const discPath = waitingGrubIsoPath();
    const before = sha256(discPath);
    const service = newService();
    const screens: VmScreen[] = [];
    const progress: JobProgress[] = [];
    let finished: JobFinished | undefined;
    service.on('vm:screen', (screen) => screens.push(screen));
    service.on('job:progress', (report) => progress.push(report));
    service.on('job:finished', (end) => (finished = end));
    await withQemuLock(async () => {
      const started = await service.call('vm:try', { source: { kind: 'image', path: discPath }, firmware: 'bios', medium: 'cd', view: 'in-app' });
      if (!started.ok) throw new Error(started.error.message);
      const { jobId } = started.value;
      onTestFinished(() => void service.call('job:cancel', { jobId })); // never leave a VM running after a failure
      const serialOf = (): string => screens.map((screen) => screen.serialText).join('');
      await waitFor(60_000, 'banner on the serial console', () => (serialOf().includes(banners.waitingBios) ? true : undefined));
      const png = await waitFor(10_000, 'screenshot', () => screens.find((screen) => screen.screenshotPngBase64 !== null)?.screenshotPngBase64 ?? undefined);
      expect(Buffer.from(png, 'base64').subarray(0, 8)).toEqual(pngSignature);
      expect(screens.every((screen) => screen.jobId === jobId && Buffer.byteLength(screen.serialText) <= 64 * 1024)).toBe(true);
      expect(progress.at(-1)).toMatchObject({ jobId, kind: 'try', phase: 'running-vm', bytesTotal: null, etaMs: null, subject: 'BIOS, CD' });

      const stopAskedMs = Date.now();
      expect(await service.call('job:cancel', { jobId })).toEqual({ ok: true, value: { cancelled: true } });
      const end = await waitFor(10_000, 'job:finished', () => finished);
      expect(Date.now() - stopAskedMs).toBeLessThan(5_000);
      expect(end).toMatchObject({
        jobId,
        kind: 'try',
        result: { ok: true, value: { endedBy: 'stopped', firmware: 'bios', medium: 'cd', accelerator: 'tcg' } },
      });
    });
    expect(sha256(discPath)).toBe(before);
  }, 120_000);
});
