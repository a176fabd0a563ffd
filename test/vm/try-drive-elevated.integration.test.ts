// Issue 18, "for a drive, reading it needs the same elevation path as verify, and the drive is opened
// read-only": an engine running as nobody tries a loop-device stick it cannot open (root:disk 0660),
// as the app's vm:try does (runVmTrial with elevation/'s starter, test/vm/tools/elevated-try.ts),
// through a fake pkexec and the built `isotope flash-helper` (test/helpers/fake-pkexec.ts). The
// helper opens the drive O_RDONLY and runs QEMU as nobody: SYSLINUX's banner comes up on the serial
// console the engine reads from its own folder; QEMU's /proc status shows nobody's ids and no groups;
// Stop ends it; a wrong device number is refused by the helper before any QEMU starts; an engine that
// dies takes its VM with it; the drive's bytes never change. Root only; TCG (ISOTOPE_VM_ACCEL).
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceNumberOf } from '../../src-main/drives/list-drives.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { LoopDevices, isRoot, rootSkipReason, sha256OfPrefix } from '../flash/loop-devices.ts';
import { assertBuilt, isotopeBin } from '../helpers/built-cli.ts';
import { nobody, runAsNobodyWithFakePkexec, type FakePkexecRun } from '../helpers/fake-pkexec.ts';
import { seaBiosWords } from '../helpers/firmware-words.ts';
import { qemuAvailable, withQemuLock } from '../helpers/qemu-boot.ts';
import type { ElevatedTryLine, ElevatedTrySpec } from './tools/elevated-try.ts';

const runner = fileURLToPath(new URL('./tools/elevated-try.ts', import.meta.url));
const stickBytes = 16 * 1024 * 1024;
const banner = 'Loading isotope-drive.krn';
/** The CLI runs the seconds asked (it has no "until"): SYSLINUX prints its banner within a few seconds under TCG. */
const cliSeconds = 10;

/** True once /proc no longer shows `pid` running (gone, or a zombie nobody reaped yet). */
function processEnded(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

describe.skipIf(!isRoot || !qemuAvailable())(`vm:try of a drive the engine cannot open, through the elevated helper (${rootSkipReason})`, () => {
  const loops = new LoopDevices();
  let dir = '';
  let device = '';
  let before = '';
  let run: FakePkexecRun;
  let lines: ElevatedTryLine[] = [];
  let orphanPid = 0;

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync('/dev/shm/isotope-try-elevated-');
    chmodSync(dir, 0o755);
    const image = join(dir, 'syslinux-stick.img');
    const config = join(dir, 'syslinux.cfg');
    writeFileSync(config, `SERIAL 0 115200\nPROMPT 0\nDEFAULT usb\nLABEL usb\n  KERNEL isotope-drive.krn\n`);
    runTool('mkfs.fat', ['-F', '16', '-C', image, String(stickBytes / 1024)]);
    runTool('mcopy', ['-i', image, config, '::/syslinux.cfg']);
    runTool('syslinux', ['--install', image]);
    device = loops.attach(image);
    chmodSync(device, 0o660); // root:disk, as udev leaves a stick: nobody is not in the disk group
    before = sha256OfPrefix(device, stickBytes);
    const deviceNumber = deviceNumberOf(statSync(device, { bigint: true }).rdev);
    const wrongNumber = `${deviceNumber.split(':')[0]}:${Number(deviceNumber.split(':')[1]) + 200}`;
    const spec: ElevatedTrySpec = {
      entryPath: isotopeBin,
      trials: [
        { device, deviceNumber: wrongNumber, until: null, seconds: 30 },
        { device, deviceNumber, until: banner, seconds: 90 },
        { device, deviceNumber, until: null, seconds: 90, exitOnStart: true },
      ],
    };
    const specPath = join(dir, 'spec.json');
    writeFileSync(specPath, JSON.stringify(spec), { mode: 0o644 });
    run = await withQemuLock(async () => {
      const result = runAsNobodyWithFakePkexec(dir, [process.execPath, '--import', 'tsx', runner, specPath], { env: { ISOTOPE_VM_ACCEL: 'tcg' } });
      lines = result.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((text) => JSON.parse(text) as ElevatedTryLine);
      orphanPid = (lines[2] as { qemuPid?: number } | undefined)?.qemuPid ?? 0;
      for (let waitedMs = 0; orphanPid !== 0 && !processEnded(orphanPid) && waitedMs < 10_000; waitedMs += 100) await sleep(100);
      return result;
    });
  }, 150_000);
  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('boots the drive through the helper: the banner on the serial console the engine reads, Stop ends it as stopped', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const trial = lines[1]!;
    expect(trial.error).toBeUndefined();
    expect(trial.serial).toMatch(/SYSLINUX \d+\.\d+/);
    expect(trial.serial).toContain(banner);
    expect(trial.result).toMatchObject({ endedBy: 'stopped', accelerator: 'tcg', firmware: 'bios', medium: 'usb' });
    expect(trial.qemuGoneAfter).toBe(true);
    // The prompt was asked for the helper with a token only: the device travels over the private channel.
    expect(run.pkexecLog).toMatch(/ flash-helper [0-9a-f]{32}\n/);
    expect(run.pkexecLog).not.toContain(device);
  });

  it("runs QEMU as the engine's user (nobody), with no supplementary groups, never as root", () => {
    const ids = lines[1]!.qemuIds;
    expect(ids).toContain(`Uid:\t${nobody}\t${nobody}\t${nobody}\t${nobody}`);
    expect(ids).toContain(`Gid:\t${nobody}\t${nobody}\t${nobody}\t${nobody}`);
    expect(ids).toMatch(/^Groups:\s*$/m);
  });

  it('a wrong expected device number is refused by the helper, and no QEMU starts', () => {
    const trial = lines[0]!;
    expect(trial.error?.code).toBe('not-found');
    expect(trial.error?.message).toMatch(/^elevated helper: .* is not a whole drive of the helper's enumeration/);
    expect(trial.qemuPid).toBeNull();
  });

  it('an engine that dies while its VM runs takes the VM with it (the helper kills QEMU when the channel closes)', () => {
    expect(orphanPid).toBeGreaterThan(0);
    expect(processEnded(orphanPid)).toBe(true);
  });

  it(
    'isotope try DEVICE, run by a user who cannot read the drive, boots it headless through the same helper: the BIOS hand-off in the --firmware-log file, the banner in the --serial file, the prompt asked for a token only',
    async () => {
      let serialPath = '';
      let firmwareLogPath = '';
      const cli = await withQemuLock(async () =>
        runAsNobodyWithFakePkexec(dir, [process.execPath, isotopeBin, 'try', device, '--firmware', 'bios', '--headless', '--seconds', String(cliSeconds)], {
          env: { ISOTOPE_VM_ACCEL: 'tcg' },
          prepareRun: (runDir) => {
            const out = join(runDir, 'out'); // nobody's own folder for the files the CLI writes
            mkdirSync(out);
            chownSync(out, nobody, nobody);
            serialPath = join(out, 'serial.txt');
            firmwareLogPath = join(out, 'firmware.log');
            return { args: ['--serial', serialPath, '--firmware-log', firmwareLogPath] };
          },
        }),
      );
      expect(cli.status, cli.stderr).toBe(0);
      expect(cli.stdout).toMatch(new RegExp(`^${device}: BIOS USB stick, TCG, \\d+ MiB: the VM ran \\d+\\.\\d s and was stopped\n$`));
      // SeaBIOS's hand-off to the stick's boot sector (its debug console, copied out of the helper's QEMU's folder), then SYSLINUX's banner.
      expect(readFileSync(firmwareLogPath, 'latin1')).toMatch(seaBiosWords.handOff['usb-stick']);
      expect(readFileSync(serialPath, 'latin1')).toContain(banner);
      expect(cli.pkexecLog).toMatch(/ flash-helper [0-9a-f]{32}\n/);
      expect(cli.pkexecLog).not.toContain(device);
    },
    cliSeconds * 1000 + 90_000,
  );

  it("leaves the drive's bytes as they were", () => {
    expect(sha256OfPrefix(device, stickBytes)).toBe(before);
  });
});
