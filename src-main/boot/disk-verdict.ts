// The verdict rules of a disk image beyond El Torito and the ESP: how BIOS goes on from the MBR's
// code (bios-chain.ts), and the boards that start from an SD card by their own rules (Raspberry Pi
// firmware, U-Boot loaders). Each answer says what it found, with the sector, byte or file; where the
// bytes cannot settle it (boot code of an unknown kind) the answer stays as the MBR rule gives it.
import type { BiosBootChain, BoardBoot, BootReason, RaspberryPiBoot, UBootLoader } from '../../shared/boot.ts';
import { startsActivePartition } from './bios-chain.ts';

/** BIOS on a USB stick runs the MBR code; whether that code finds what it loads decides. */
export function judgeBiosChain(chain: BiosBootChain, reasons: BootReason[]): boolean {
  if (isPastEnd(chain)) {
    const what =
      chain.bootCode === 'grub2'
        ? `GRUB's boot.img in sector 0 loads core.img from sector ${chain.grubCoreSector}`
        : `sector 0 holds ${chain.bootCode} boot code, which starts the active partition ${chain.activePartition}`;
    reasons.push({
      code: 'bios-chain-past-end',
      message: `${what}, but that sector lies past the image's end (truncated?): whether BIOS starts it is unknown`,
    });
    return false;
  }
  if (chain.bootCode === 'grub2') {
    const where =
      chain.grubCoreLocation === 'bios-boot-partition'
        ? 'in the GPT BIOS boot partition'
        : chain.grubCoreLocation === 'post-mbr-gap'
          ? 'in the gap after the MBR'
          : 'inside a partition that is not a BIOS boot partition';
    if (chain.grubCoreFound === true) {
      reasons.push({
        code: 'bios-grub-core',
        message: `GRUB's boot.img in sector 0 loads core.img from sector ${chain.grubCoreSector}, ${where}, and that sector holds GRUB's diskboot: BIOS starts GRUB`,
      });
      return true;
    }
    reasons.push({
      code: 'bios-grub-core-missing',
      message: `GRUB's boot.img in sector 0 loads core.img from sector ${chain.grubCoreSector}, but that sector holds no GRUB core (no diskboot.img): BIOS stops with a GRUB error`,
    });
    return false;
  }
  if (startsActivePartition(chain)) {
    if (chain.activePartition !== null && chain.activeHasBootSector === true) {
      reasons.push({
        code: 'bios-active-partition',
        message: `sector 0 holds ${chain.bootCode} boot code, which starts the active partition: partition ${chain.activePartition} is active and its first sector is a boot sector (55 AA, code)`,
      });
      return true;
    }
    reasons.push({
      code: 'bios-no-active-partition',
      message:
        chain.activePartition === null
          ? `sector 0 holds ${chain.bootCode} boot code, which starts the active partition, but no partition is marked active (MBR status 0x80, or GPT attribute bit 2 for SYSLINUX's gptmbr)`
          : `sector 0 holds ${chain.bootCode} boot code, which starts the active partition ${chain.activePartition}, but its first sector is not a boot sector (no 55 AA or no code)`,
    });
    return false;
  }
  reasons.push({
    code: 'usb-bios-mbr-boot-code',
    message: `sector 0 holds MBR boot code (${chain.bootCode})${chain.activePartition === null ? '' : `, and partition ${chain.activePartition} is active`}: BIOS runs it from a USB stick`,
  });
  return true;
}

/** The sector the MBR code loads next (GRUB's core, the active partition's boot sector) lies past the image's end. */
function isPastEnd(chain: BiosBootChain): boolean {
  if (chain.bootCode === 'grub2') return chain.grubCoreFound === null;
  return startsActivePartition(chain) && chain.activePartition !== null && chain.activeHasBootSector === null;
}

/** Adds a reason per board found; true when any was. */
export function judgeBoards(boards: BoardBoot, reasons: BootReason[]): boolean {
  if (boards.raspberryPi) reasons.push({ code: 'raspberry-pi', message: describeRaspberryPi(boards.raspberryPi) });
  if (boards.uBoot) reasons.push({ code: uBootReasonCode(boards.uBoot), message: describeUBoot(boards.uBoot) });
  return boards.raspberryPi !== null || boards.uBoot !== null;
}

function describeRaspberryPi(pi: RaspberryPiBoot): string {
  const generations = pi.generations.map(
    (entry) => `${entry.generation} from ${entry.files.join(', ')}${entry.missing.length > 0 ? ` (missing ${entry.missing.join(', ')})` : ''}`,
  );
  const boards = pi.boards.length > 0 ? `; device trees for ${pi.boards.join(', ')}` : '';
  const found = generations.length > 0 ? generations.join('; ') : `no firmware for any generation, only ${pi.configFiles.join(', ')} and a kernel`;
  return `FAT partition ${pi.partitionNumber} holds Raspberry Pi boot files: ${found}${boards}`;
}

function uBootReasonCode(loader: UBootLoader): BootReason['code'] {
  if (loader.damaged) return 'u-boot-damaged';
  return loader.family === 'unknown' ? 'u-boot-unrecognised' : 'u-boot';
}

function describeUBoot(loader: UBootLoader): string {
  const version = loader.version ? ` (${loader.version})` : '';
  if (loader.damaged) return `${loader.evidence}${version}, but ${loader.damaged}: a damaged SPL, the ${loader.family} boot ROM refuses it`;
  if (loader.family === 'unknown') return `U-Boot is there but no boot ROM Isotope knows reads it: ${loader.evidence}${version}`;
  return `${loader.evidence}${version}: it boots on the ${loader.family} board it was built for${loader.board ? ` (${loader.board})` : ''}`;
}
