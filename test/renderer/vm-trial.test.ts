// The Boot tab's "Try in a VM" state (src-renderer/state/vm-trial.svelte.ts): the serial console
// bounded to its newest 256 Ki characters (its escape sequences are removed by shared/vm.ts
// readableSerialText, test/shared/vm.test.ts); the host's report from the real engine choosing the
// defaults; a window refused by the engine without a display shown as the trial's error; the
// firmware's own log of a real in-app trial (SeaBIOS's debug console) as the panel shows it.
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { JobStore } from '../../src-renderer/state/jobs.svelte.ts';
import { appendBounded, maxSerialChars, VmTrial } from '../../src-renderer/state/vm-trial.svelte.ts';
import { seaBiosWords } from '../helpers/firmware-words.ts';
import { withQemuLock } from '../helpers/qemu-boot.ts';
import { inProcessEngine } from './in-process-engine.ts';

afterEach(() => vi.unstubAllEnvs());

describe('the serial console as shown', () => {
  it('keeps the newest characters within the bound, dropping the oldest', () => {
    const kept = appendBounded('a'.repeat(maxSerialChars - 2), 'bcde');
    expect(kept).toHaveLength(maxSerialChars);
    expect(kept.startsWith('aa')).toBe(true);
    expect(kept.endsWith('abcde')).toBe(true);
    expect(appendBounded('xyz', '123', 4)).toBe('z123');
  });
});

describe('VmTrial over the real engine', () => {
  it("offers UEFI (OVMF is installed) and only the in-app view where the engine has no display, with QEMU's path and no install hint", async () => {
    vi.stubEnv('DISPLAY', '');
    vi.stubEnv('WAYLAND_DISPLAY', '');
    const { client } = inProcessEngine();
    const trial = new VmTrial(client, new JobStore(client));
    await trial.loadHost();
    expect(trial.hostError).toBeNull();
    expect(trial.host).toMatchObject({ qemuPath: '/usr/bin/qemu-system-x86_64', display: false, installHint: null });
    expect(trial.firmware).toBe('uefi');
    expect(trial.views).toEqual(['in-app']);
    expect(trial.view).toBe('in-app');
  });

  it("offers QEMU's window first where there is a display", async () => {
    vi.stubEnv('DISPLAY', ':0');
    const { client } = inProcessEngine();
    const trial = new VmTrial(client, new JobStore(client));
    await trial.loadHost();
    expect(trial.views).toEqual(['window', 'in-app']);
    expect(trial.view).toBe('window');
  });

  it("shows the firmware's own log of an in-app BIOS trial: SeaBIOS says the blank stick is not bootable and that no device is, and Stop ends it", async () => {
    vi.stubEnv('ISOTOPE_VM_ACCEL', 'tcg'); // this CI's /dev/kvm opens, but its guests never run
    const dir = mkdtempSync(join(tmpdir(), 'isotope-vm-trial-firmware-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const blank = join(dir, 'blank.img');
    writeFileSync(blank, '');
    truncateSync(blank, 8 * 1024 * 1024);
    const { client } = inProcessEngine();
    const trial = new VmTrial(client, new JobStore(client));
    trial.firmware = 'bios';
    trial.view = 'in-app';
    await withQemuLock(async () => {
      const run = trial.start({ kind: 'image', path: blank });
      onTestFinished(() => void trial.stop()); // never leave a VM running after a failure
      for (let waitedMs = 0; !seaBiosWords.nothingToBoot.test(trial.firmwareText) && waitedMs < 60_000; waitedMs += 100)
        await new Promise((resolve) => setTimeout(resolve, 100));
      await trial.stop();
      await run;
    });
    expect(trial.firmwareDisplay).toMatch(seaBiosWords.stickNotBootable);
    expect(trial.firmwareDisplay).toMatch(seaBiosWords.nothingToBoot);
    expect(trial.result).toMatchObject({ endedBy: 'stopped', firmware: 'bios' });
  }, 90_000);

  it('shows the engine’s refusal of a window without a display as the trial’s error, and is ready again', async () => {
    vi.stubEnv('DISPLAY', '');
    vi.stubEnv('WAYLAND_DISPLAY', '');
    const { client } = inProcessEngine();
    const trial = new VmTrial(client, new JobStore(client));
    trial.view = 'window';
    await trial.start({ kind: 'image', path: '/tmp/any.iso' });
    expect(trial.error).toMatchObject({ code: 'unsupported' });
    expect(trial.running).toBe(false);
    expect(trial.result).toBeNull();
  });
});
