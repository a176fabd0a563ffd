// Runs VM trials of drives as the app's vm:try does (runVmTrial with elevation/'s starter), as an
// unprivileged engine, and prints one JSON line per trial. Started (as nobody) by
// test/vm/try-drive-elevated.integration.test.ts inside a mount namespace whose /usr/bin/pkexec is a
// fake (test/flash/tools/fake-polkit.py): a drive the engine cannot open goes through the built
// `isotope flash-helper TOKEN`. For each trial it records QEMU's ids from /proc/PID/status (read once
// QEMU itself runs, not setpriv before its exec), stops the trial once `until` is on the serial
// console, and says whether QEMU's process is gone afterwards. `exitOnStart`: the engine exits
// (as if killed) as soon as QEMU runs, printing its pid, to see the helper end that VM.
import { readFileSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startElevatedQemu } from '../../../src-main/elevation/vm-elevation.ts';
import { runVmTrial } from '../../../src-main/vm/vm-trial.ts';

export interface ElevatedTrySpec {
  readonly entryPath: string;
  readonly trials: readonly {
    readonly device: string;
    readonly deviceNumber: string;
    readonly until: string | null;
    readonly seconds: number;
    readonly exitOnStart?: boolean;
  }[];
}

export interface ElevatedTryLine {
  readonly result?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
  readonly serial: string;
  readonly qemuPid: number | null;
  /** The Uid:, Gid: and Groups: lines of QEMU's /proc/PID/status. */
  readonly qemuIds: string | null;
  readonly qemuGoneAfter: boolean | null;
}

const processGone = (pid: number): boolean => {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8')); // a zombie has ended
  } catch {
    return true;
  }
};

/** QEMU's id lines once the process has exec'd QEMU (setpriv changes the ids first). */
async function qemuIdsOf(pid: number): Promise<string | null> {
  for (let tries = 0; tries < 100; tries += 1) {
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    if (comm.startsWith('qemu')) {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      return status
        .split('\n')
        .filter((line) => /^(Uid|Gid|Groups):/.test(line))
        .join('\n');
    }
    await sleep(50);
  }
  return null;
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ElevatedTrySpec;
const elevation = { interpreterPath: process.execPath, entryPath: spec.entryPath };
for (const trial of spec.trials) {
  const controller = new AbortController();
  let serial = '';
  let qemuPid: number | null = null;
  let qemuIds: Promise<string | null> = Promise.resolve(null);
  const line: { result?: unknown; error?: NonNullable<ElevatedTryLine['error']> } = {};
  try {
    line.result = await runVmTrial(
      {
        imagePath: trial.device,
        expectedDeviceNumber: trial.deviceNumber,
        firmware: 'bios',
        medium: 'usb',
        headless: true,
        seconds: trial.seconds,
        serialPath: null,
        screenshotPath: null,
        allowKvm: false,
        memoryMiB: 256,
      },
      {
        signal: controller.signal,
        elevate: (work) => startElevatedQemu(work, elevation),
        onStarted: (pid) => {
          qemuPid = pid;
          if (trial.exitOnStart) {
            writeSync(1, `${JSON.stringify({ qemuPid: pid })}\n`);
            process.exit(0);
          }
          qemuIds = qemuIdsOf(pid);
        },
        onScreen: (batch) => {
          serial += batch.serialText;
          if (trial.until !== null && serial.includes(trial.until)) controller.abort();
        },
        onTick: () => undefined,
      },
    );
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    line.error = { code: code ?? 'none', message };
  }
  const pid = qemuPid as number | null; // set in a callback: TypeScript still sees the initial null
  const result: ElevatedTryLine = { ...line, serial, qemuPid: pid, qemuIds: await qemuIds, qemuGoneAfter: pid === null ? null : processGone(pid) };
  writeSync(1, `${JSON.stringify(result)}\n`);
}
