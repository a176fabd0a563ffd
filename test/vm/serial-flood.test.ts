// A guest that floods its serial console cannot fill the host's disk (review R2 finding 4): the live
// view's serial file is capped (and the firmware log, which a guest writes through port 0x402), and
// a trial whose file passes the cap is stopped with `too-large` naming both sizes. The cap logic on a
// file written here, then the whole path through a real QEMU with a cap smaller than the GRUB banner
// the waiting disc prints (it would otherwise run the 60 s).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveView } from '../../src-main/vm/live-view.ts';
import { tryInVm } from '../../src-main/vm/try-in-vm.ts';
import { banners, waitingGrubIsoPath } from '../fixtures/qemu-boot-images.ts';
import { qemuAvailable, withQemuLock } from '../helpers/qemu-boot.ts';

const dir = mkdtempSync(join(tmpdir(), 'isotope-serial-flood-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the live view's serial file cap", () => {
  it('reports a serial file past the cap as too-large with both sizes, and still sends the text it read', async () => {
    const serialPath = join(dir, 'serial.txt');
    writeFileSync(serialPath, 'x'.repeat(1025));
    const texts: string[] = [];
    const live = new LiveView({
      serialPath,
      ppmPath: join(dir, 'live.ppm'),
      startedMs: 0,
      onBatch: (batch) => texts.push(batch.serialText),
      maxSerialFileBytes: 1024,
    });
    await live.tick(null);
    const flooded = await Promise.race([live.flooded, new Promise((resolve) => setTimeout(() => resolve('not flooded'), 100))]);
    expect(flooded).toMatchObject({ code: 'too-large', message: expect.stringMatching(/wrote 1025 bytes to its serial console, over the 1024 bytes/) });
    expect(texts.join('')).toHaveLength(1025);
    await live.finish();
  });

  it("caps the firmware log alike (a guest can write port 0x402 in a loop): too-large naming the firmware's debug console, its text still sent", async () => {
    const serialPath = join(dir, 'serial-quiet.txt');
    const firmwareLogPath = join(dir, 'firmware.log');
    writeFileSync(serialPath, 'quiet');
    writeFileSync(firmwareLogPath, 'y'.repeat(1025));
    const batches: { serialText: string; firmwareText: string }[] = [];
    const live = new LiveView({
      serialPath,
      firmwareLogPath,
      ppmPath: join(dir, 'live.ppm'),
      startedMs: 0,
      onBatch: (batch) => batches.push(batch),
      maxFirmwareLogBytes: 1024,
    });
    await live.tick(null);
    const flooded = await Promise.race([live.flooded, new Promise((resolve) => setTimeout(() => resolve('not flooded'), 100))]);
    expect(flooded).toMatchObject({
      code: 'too-large',
      message: expect.stringMatching(/wrote 1025 bytes to the firmware's debug console, over the 1024 bytes/),
    });
    expect(batches.map((batch) => batch.serialText).join('')).toBe('quiet');
    expect(batches.map((batch) => batch.firmwareText).join('')).toHaveLength(1025);
    await live.finish();
  });

  it('reports nothing for a file at the cap', async () => {
    const serialPath = join(dir, 'serial-at-cap.txt');
    writeFileSync(serialPath, 'x'.repeat(1024));
    const live = new LiveView({ serialPath, ppmPath: join(dir, 'live.ppm'), startedMs: 0, onBatch: () => undefined, maxSerialFileBytes: 1024 });
    await live.tick(null);
    const flooded = await Promise.race([live.flooded, new Promise((resolve) => setTimeout(() => resolve('not flooded'), 100))]);
    expect(flooded).toBe('not flooded');
    await live.finish();
  });
});

describe.skipIf(!qemuAvailable())('a trial whose guest writes past the cap', () => {
  it('is stopped with too-large long before the time asked', async () => {
    const startedMs = performance.now();
    const run = withQemuLock(() =>
      tryInVm(
        {
          imagePath: waitingGrubIsoPath(),
          firmware: 'bios',
          medium: 'cd',
          headless: true,
          seconds: 60,
          serialPath: null,
          screenshotPath: null,
          allowKvm: false,
          memoryMiB: 256,
        },
        { signal: new AbortController().signal, onScreen: () => undefined, tickMs: 250, maxSerialFileBytes: banners.waitingBios.length - 1 },
      ),
    );
    await expect(run).rejects.toMatchObject({ code: 'too-large', message: expect.stringMatching(/serial console, over the \d+ bytes a trial keeps/) });
    expect(performance.now() - startedMs).toBeLessThan(50_000);
  }, 120_000);
});
