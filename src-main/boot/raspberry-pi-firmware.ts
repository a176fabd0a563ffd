// Which Raspberry Pi generations the files of a boot partition serve (Raspberry Pi documentation,
// "The boot folder" and "Boot sequence"). Pi 1, 2, 3 and Zero (BCM2835/6/7) boot from the card: the
// boot ROM loads bootcode.bin, which starts the GPU firmware start*.elf with its fixup*.dat. Pi 4,
// 400 and CM4 (BCM2711) boot from their EEPROM, which loads start4*.elf and fixup4*.dat. Pi 5, 500
// and CM5 (BCM2712) need no firmware files at all: the EEPROM loads the kernel (kernel_2712.img by
// default) and a bcm2712 device tree. The device trees bcmNNNN-rpi-BOARD.dtb name boards exactly.
import type { RaspberryPiBoot, RaspberryPiGeneration, RaspberryPiGenerationEvidence } from '../../shared/boot.ts';
import { raspberryPiGenerations } from '../../shared/boot.ts';

const cardBootGenerations: readonly RaspberryPiGeneration[] = ['bcm2835', 'bcm2836', 'bcm2837'];

/** Firmware of the card-booting generations: start.elf, start_x.elf, start_cd.elf, start_db.elf and their fixups. */
const cardFirmware = /^(start(_x|_cd|_db)?\.elf|fixup(_x|_cd|_db)?\.dat)$/;
/** Pi 4 firmware: start4.elf, start4x.elf, start4cd.elf, start4db.elf and their fixups. */
const pi4Firmware = /^(start4(x|cd|db)?\.elf|fixup4(x|cd|db)?\.dat)$/;

/** The kernel each generation's firmware loads by default (boot folder docs, "Kernel files"). */
const kernelGenerations: Readonly<Record<string, readonly RaspberryPiGeneration[]>> = {
  'kernel.img': ['bcm2835'],
  'kernel7.img': ['bcm2836', 'bcm2837'],
  'kernel7l.img': ['bcm2711'],
  'kernel8.img': ['bcm2837', 'bcm2711', 'bcm2712'],
  'kernel_2712.img': ['bcm2712'],
};

/** Device tree prefixes, downstream (bcm2708-2712) and mainline (bcm2835-2837), by the SoC they describe. */
const deviceTreeGenerations: Readonly<Record<string, RaspberryPiGeneration>> = {
  bcm2708: 'bcm2835',
  bcm2835: 'bcm2835',
  bcm2709: 'bcm2836',
  bcm2836: 'bcm2836',
  bcm2710: 'bcm2837',
  bcm2837: 'bcm2837',
  bcm2711: 'bcm2711',
  bcm2712: 'bcm2712',
};
const deviceTreeName = /^(bcm27(?:0[89]|1[0-2])|bcm283[5-7])(?:d0)?-rpi-([a-z0-9-]+)\.dtb$/;

/**
 * The Pi boot evidence among the root files of the first partition (names as on disk), or null when
 * none of the Pi's own files is there. A generation is named by a file only it starts from (its
 * firmware; for the Pi 5 its kernel or device tree); its files are listed with the kernels and device
 * trees that serve it, and what else it needs to start and is missing is listed, never guessed away.
 */
export function recogniseRaspberryPiFiles(rootNames: readonly string[], partitionNumber: number): RaspberryPiBoot | null {
  const byLower = new Map(rootNames.map((name) => [name.toLowerCase(), name]));
  const lowerNames = [...byLower.keys()].sort();
  const named = new Set<RaspberryPiGeneration>();
  const served = new Map<RaspberryPiGeneration, string[]>();
  // Appends in place: a hostile root of 65,536 device trees costs linear time, not quadratic.
  const serve = (generations: readonly RaspberryPiGeneration[], lower: string): void => {
    for (const generation of generations) {
      const files = served.get(generation) ?? [];
      files.push(byLower.get(lower) ?? lower);
      served.set(generation, files);
    }
  };
  const boards: string[] = [];
  for (const lower of lowerNames) {
    const tree = deviceTreeName.exec(lower);
    if (lower === 'bootcode.bin' || cardFirmware.test(lower)) {
      serve(cardBootGenerations, lower);
      for (const generation of cardBootGenerations) named.add(generation);
    } else if (pi4Firmware.test(lower)) {
      serve(['bcm2711'], lower);
      named.add('bcm2711');
    } else if (tree?.[1] !== undefined && tree[2] !== undefined) {
      const generation = deviceTreeGenerations[tree[1]] ?? 'bcm2835';
      boards.push(tree[2]);
      serve([generation], lower);
      if (generation === 'bcm2712') named.add(generation);
    } else if (kernelGenerations[lower] !== undefined) {
      serve(kernelGenerations[lower], lower);
      if (lower === 'kernel_2712.img') named.add('bcm2712');
    }
  }
  const generations = raspberryPiGenerations
    .filter((generation) => named.has(generation))
    .map((generation): RaspberryPiGenerationEvidence => ({ generation, files: served.get(generation) ?? [], missing: missingFor(generation, lowerNames) }));
  const configFiles = ['config.txt', 'cmdline.txt'].filter((name) => byLower.has(name)).map((name) => byLower.get(name) ?? name);
  const hasKernel = Object.keys(kernelGenerations).some((kernel) => byLower.has(kernel));
  if (generations.length === 0 && !(byLower.has('config.txt') && hasKernel)) return null;
  return { partitionNumber, generations, boards: [...new Set(boards)], configFiles };
}

/** What a generation needs to start that the partition lacks (the kernel is left out: config.txt may name any file). */
function missingFor(generation: RaspberryPiGeneration, lowerNames: readonly string[]): string[] {
  const has = (pattern: RegExp): boolean => lowerNames.some((name) => pattern.test(name));
  if (cardBootGenerations.includes(generation)) {
    return [
      ...(lowerNames.includes('bootcode.bin') ? [] : ['bootcode.bin']),
      ...(has(/^start(_x|_cd|_db)?\.elf$/) ? [] : ['start.elf']),
      ...(has(/^fixup(_x|_cd|_db)?\.dat$/) ? [] : ['fixup.dat']),
    ];
  }
  if (generation === 'bcm2711') return [...(has(/^start4(x|cd|db)?\.elf$/) ? [] : ['start4.elf']), ...(has(/^fixup4(x|cd|db)?\.dat$/) ? [] : ['fixup4.dat'])];
  return has(/^bcm2712(d0)?-rpi-.*\.dtb$/) ? [] : ['bcm2712-rpi-*.dtb'];
}
