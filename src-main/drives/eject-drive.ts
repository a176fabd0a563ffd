// Ejects a drive so it can be pulled out safely: `eject` (unmounts and, for USB sticks, stops the
// device), else udisks' power-off. One of the few files that start processes.
import { execFile } from 'node:child_process';

export class EjectFailedError extends Error {
  readonly device: string;
  constructor(device: string, detail: string) {
    super(`could not eject ${device}: ${detail}`);
    this.name = 'EjectFailedError';
    this.device = device;
  }
}

function run(command: string, args: readonly string[]): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) =>
    execFile(command, [...args], { timeout: 30_000 }, (error, _stdout, stderr) =>
      resolve({ ok: error === null, detail: (stderr || error?.message || '').trim().split('\n')[0] ?? '' }),
    ),
  );
}

/** Ejects the whole-disk device `device` (e.g. /dev/sdb); EjectFailedError with the tools' reason. */
export async function ejectDrive(device: string): Promise<void> {
  const ejected = await run('eject', [device]);
  if (ejected.ok) return;
  const poweredOff = await run('udisksctl', ['power-off', '--block-device', device]);
  if (poweredOff.ok) return;
  throw new EjectFailedError(device, `eject said "${ejected.detail}"; udisksctl said "${poweredOff.detail}"`);
}
