// `isotope try IMAGE [--firmware bios|uefi] [--as usb|cd] [--headless --seconds N] [--serial FILE]
// [--screenshot FILE] [--firmware-log FILE]`: boots an image file or a drive in QEMU to see it start
// before a stick is written; nothing is written to the image or drive (QEMU's -snapshot). A drive
// this user cannot read is tried through the elevated helper, headless. The engine is src-main/vm/.
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { vmFirmwares, vmMedia } from '../../../shared/vm.ts';
import { reportFailure, type CliContext } from '../cli-context.ts';
import { exitCodes } from '../exit-codes.ts';
import { namesExistingPaths } from '../existing-paths.ts';

interface TryOptions {
  firmware: 'bios' | 'uefi';
  as: 'usb' | 'cd';
  headless?: boolean;
  seconds?: number;
  serial?: string;
  screenshot?: string;
  firmwareLog?: string;
  kvm: boolean;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('give a positive number of seconds.');
  return seconds;
}

export function registerTryCommand(program: Command, context: CliContext): void {
  program
    .command('try')
    .description('boot an image or drive in a QEMU virtual machine, without writing to it')
    .argument('<image>', 'image file or drive')
    .addOption(new Option('--firmware <firmware>', 'the PC firmware').choices(vmFirmwares).default('uefi'))
    .addOption(new Option('--as <medium>', 'boot it as a USB stick or as a CD').choices(vmMedia).default('usb'))
    .option('--headless', 'no window: run for --seconds, then stop the VM')
    .option('--seconds <n>', 'stop the VM after this many seconds', parseSeconds)
    .option('--serial <file>', "write the guest's serial console to this file")
    .option('--screenshot <file>', 'save a PNG of the screen when the time is up')
    .option('--firmware-log <file>', "write the firmware's own log (SeaBIOS's debug console) to this file")
    .option('--no-kvm', 'emulate the processor (TCG) even where KVM is usable')
    .action(async (image: string, options: TryOptions) => {
      if (!(await namesExistingPaths(context, [resolve(image)]))) return;
      const { tryInVm } = await import('../../vm/try-in-vm.ts');
      const { trialDriveAtPath } = await import('../../vm/vm-trial.ts');
      const { startElevatedQemu } = await import('../../elevation/vm-elevation.ts');
      try {
        const drive = await trialDriveAtPath(resolve(image));
        const request = {
          imagePath: drive?.device ?? resolve(image),
          ...(drive === null ? {} : { expectedDeviceNumber: drive.deviceNumber }),
          firmware: options.firmware,
          medium: options.as,
          headless: options.headless === true,
          seconds: options.seconds ?? null,
          serialPath: options.serial === undefined ? null : resolve(options.serial),
          screenshotPath: options.screenshot === undefined ? null : resolve(options.screenshot),
          firmwareLogPath: options.firmwareLog === undefined ? null : resolve(options.firmwareLog),
          allowKvm: options.kvm,
        };
        // A drive this user cannot open takes the path `isotope verify DEVICE` takes: the elevated
        // helper (through the OS prompt) opens it read-only and starts QEMU as this user.
        const outcome = await tryInVm(request, { elevate: startElevatedQemu });
        const seconds = (outcome.ranMs / 1000).toFixed(1);
        const how = outcome.endedBy === 'time-up' ? `ran ${seconds} s and was stopped` : `stopped by itself after ${seconds} s`;
        context.stdout(
          `${outcome.diskPath}: ${options.firmware.toUpperCase()} ${options.as === 'cd' ? 'CD' : 'USB stick'}, ${outcome.accelerator.toUpperCase()}, ${outcome.memoryMiB} MiB: the VM ${how}\n`,
        );
        // Asked for N seconds, a VM that stopped sooner (the guest powered off, the window was closed) did not do what was asked.
        if (options.seconds !== undefined && outcome.endedBy !== 'time-up') {
          context.stderr(
            `isotope: the VM stopped after ${seconds} s, before the ${options.seconds} s asked${options.screenshot === undefined ? '' : ': no screenshot'}\n`,
          );
          return context.setExitCode(exitCodes.failed);
        }
        if (outcome.screenshotWritten) context.stdout(`screenshot: ${resolve(options.screenshot!)}\n`);
        context.setExitCode(exitCodes.ok);
      } catch (error) {
        context.setExitCode(reportFailure(context, error));
      }
    });
}
