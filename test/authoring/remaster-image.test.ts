// Remastered images end to end: remasterAuthoringOptions, then the composer (planIso), written to a
// file and read back by xorriso (boot layout, Rock Ridge attributes, file bytes, Joliet names) and by
// our boot report, each compared with the same reading of the original.
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RemasterEdit } from '../../shared/authoring.ts';
import { planIso } from '../../src-main/authoring/plan-iso.ts';
import { remasterAuthoringOptions } from '../../src-main/authoring/remaster-request.ts';
import { readBootReport } from '../../src-main/boot/boot-report.ts';
import { openImageSource } from '../../src-main/container/open-image-source.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { xorrisoFeaturesIsoPath } from '../fixtures/iso-images.ts';
import { onlyFields, byPath } from './remaster-helpers.ts';
import { xorrisoOracle } from './differential/oracles/xorriso-oracle.ts';
import type { Namespace } from './differential/oracles/oracle.ts';

const scratch = mkdtempSync(join(tmpdir(), 'remaster-image-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const addedText = 'Added by the remaster test.\n';

/** Remasters `imagePath` with `edits` into a new file in the scratch folder; answers its path. */
async function remaster(
  imagePath: string,
  name: string,
  edits: readonly RemasterEdit[],
  reproducible: { sourceDateEpochSeconds: number } | null = null,
): Promise<string> {
  const outputPath = join(scratch, name);
  const remastered = await remasterAuthoringOptions({ imagePath, outputPath, edits, ...(reproducible ? { reproducible: true, ...reproducible } : {}) });
  try {
    const planned = await planIso(remastered.options);
    const descriptor = openSync(outputPath, 'w');
    try {
      const chunkBytes = 4 * 1024 * 1024;
      for (let offsetBytes = 0; offsetBytes < planned.source.sizeBytes; offsetBytes += chunkBytes) {
        writeSync(descriptor, await planned.source.read(offsetBytes, Math.min(chunkBytes, planned.source.sizeBytes - offsetBytes)));
      }
    } finally {
      closeSync(descriptor);
    }
  } finally {
    await remastered.close();
  }
  return outputPath;
}

function sha256OfFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A file to add, on disk. */
function addedFile(): string {
  const path = join(scratch, 'added.txt');
  writeFileSync(path, addedText);
  return path;
}

/**
 * The boot layout xorriso reports, without what a new layout moves (LBAs, the catalog's place,
 * partition starts and sizes): platforms, emulations, load segments and sizes, image paths and
 * options, and the system area's summary and partition types.
 */
function bootLayout(imagePath: string): string[] {
  const report = runTool('xorriso', ['-indev', imagePath, '-report_el_torito', 'plain', '-report_system_area', 'plain']);
  const lines: string[] = [];
  for (const line of report.split('\n')) {
    const bootImage = /^El Torito boot img :\s+(\d+\s+\S+\s+[yn]\s+\S+\s+\S+\s+\S+\s+\d+)\s+\d+$/.exec(line);
    if (bootImage) lines.push(`boot img ${bootImage[1]?.replace(/\s+/g, ' ')}`);
    else if (/^El Torito img (path|opts)|^System area summary|^GPT partname local|^GPT type GUID|^APM partition name/.test(line))
      lines.push(line.replace(/\s+/g, ' '));
    const mbrPartition = /^MBR partition\s+:\s+(\d+)\s+(0x\w+)\s+(0x\w+)/.exec(line);
    if (mbrPartition) lines.push(`MBR partition ${mbrPartition.slice(1).join(' ')}`);
  }
  return lines;
}

/** Our own boot report's verdict and El Torito entries (without LBAs). */
async function ourBootReport(imagePath: string): Promise<unknown> {
  const source = await openImageSource(imagePath);
  try {
    const report = await readBootReport(source);
    const entries = report.elTorito?.entries.map(({ imageLba, ...entry }) => (void imageLba, entry));
    // The verdict's words name sectors, which a new layout moves.
    const verdict = JSON.parse(JSON.stringify(report.verdict).replace(/sector \d+/g, 'sector N')) as unknown;
    return { entries, verdict, mbr: report.mbr?.bootCodeKind ?? null, gpt: report.gpt !== null, apm: report.apm !== null };
  } finally {
    await source.close();
  }
}

/** xorriso's reading of one namespace, with the fields it read (content included). */
async function listing(imagePath: string, namespace: Namespace): Promise<ReturnType<typeof onlyFields>> {
  const read = await xorrisoOracle.read(imagePath, namespace, { content: true, scratchDir: mkdtempSync(join(scratch, `${namespace}-`)) });
  return onlyFields(read.entries, read.fields);
}

/** What the composer writes differently, on purpose or for want of a HybridSpec field (said in the report). */
const mbrPartitionLines = /^(System area summary|MBR partition )/;

describe('a remastered image', () => {
  it.each([
    ['the xorriso isolinux + EFI hybrid (MBR, GPT)', bootFixturePath('hybridGpt')],
    ['the xorriso hybrid with an Apple partition map (MBR, GPT, APM)', bootFixturePath('hybridApm')],
    ['ipxe.iso', '/usr/lib/ipxe/ipxe.iso'],
  ])('of %s with a file added has the boot layout of the original, as xorriso and our boot report read it', async (name, imagePath) => {
    const outputPath = await remaster(imagePath, `${name.replace(/\W+/g, '-')}.iso`, [{ kind: 'add', sourcePath: addedFile(), imagePath: '/added.txt' }]);
    expect(bootLayout(outputPath)).toEqual(bootLayout(imagePath));
    expect(await ourBootReport(outputPath)).toEqual(await ourBootReport(imagePath));
  });

  it("of grub-rescue-cdrom.iso keeps its El Torito entry (boot info table, GRUB 2 boot info) and GRUB's MBR code, its partition made isohybrid's", async () => {
    const imagePath = '/usr/lib/grub-rescue/grub-rescue-cdrom.iso';
    const outputPath = await remaster(imagePath, 'grub-rescue.iso', [{ kind: 'add', sourcePath: addedFile(), imagePath: '/added.txt' }]);
    const layout = bootLayout(outputPath);
    expect(layout.filter((line) => !mbrPartitionLines.test(line))).toEqual(bootLayout(imagePath).filter((line) => !mbrPartitionLines.test(line)));
    // grub-mkrescue's --protective-msdos-label (partition 1 of type 0xcd from sector 1) has no HybridSpec field:
    // the composer writes the isohybrid partition over the whole image, beside the same GRUB MBR code.
    expect(layout).toContain('System area summary: MBR grub2-mbr cyl-align-on');
    expect(await ourBootReport(outputPath)).toEqual(await ourBootReport(imagePath));
  });

  it("keeps every untouched file's bytes and Rock Ridge attributes, beside the added file", async () => {
    const imagePath = xorrisoFeaturesIsoPath();
    const outputPath = await remaster(imagePath, 'features.iso', [{ kind: 'add', sourcePath: addedFile(), imagePath: '/docs/added.txt' }]);
    const remastered = await listing(outputPath, 'rockridge');
    const added = remastered.find((entry) => entry.path === '/docs/added.txt');
    expect(added?.sizeBytes).toBe(addedText.length);
    const kept = remastered.filter((entry) => entry !== added);
    expect(kept.sort(byPath)).toEqual(await listing(imagePath, 'rockridge'));
  });

  it("keeps every Joliet name of the original that fits Joliet's 103 units with its version, with the same bytes", async () => {
    const imagePath = xorrisoFeaturesIsoPath();
    const outputPath = await remaster(imagePath, 'features-joliet.iso', []);
    const original = await listing(imagePath, 'joliet');
    const remastered = await listing(outputPath, 'joliet');
    // xorriso -joliet-long records two 104-unit names without a version; the composer's limit is 103 units
    // with ';1', so it names those two anew. Every other name is the original's.
    const fits = (entry: { path: string }): boolean => (entry.path.split('/').pop() as string).length <= 101;
    const originalPaths = new Set(original.map((entry) => entry.path));
    expect(remastered.filter((entry) => originalPaths.has(entry.path))).toEqual(original.filter(fits));
    expect(original.filter((entry) => !fits(entry))).toHaveLength(2);
    // xorriso leaves links and FIFOs out of Joliet; the composer records them as empty files there.
    const rockRidge = await listing(imagePath, 'rockridge');
    const nonRegular = rockRidge.filter((entry) => entry.kind !== 'file' && entry.kind !== 'directory').map((entry) => entry.path);
    const renamed = remastered.filter((entry) => !originalPaths.has(entry.path) && !nonRegular.includes(entry.path));
    expect(renamed.map((entry) => entry.sha256)).toEqual(original.filter((entry) => !fits(entry)).map((entry) => entry.sha256));
  });
  it('made reproducibly twice, with the added file touched in between, is the same bytes; made plainly twice, it is not', async () => {
    const imagePath = bootFixturePath('hybridGpt');
    const edits: RemasterEdit[] = [{ kind: 'add', sourcePath: addedFile(), imagePath: '/added.txt' }];
    const epoch = { sourceDateEpochSeconds: 1_700_000_000 };
    const first = await remaster(imagePath, 'reproducible-1.iso', edits, epoch);
    utimesSync(addedFile(), new Date(), new Date(Date.now() + 5000));
    const second = await remaster(imagePath, 'reproducible-2.iso', edits, epoch);
    expect(sha256OfFile(second)).toBe(sha256OfFile(first));
    // Without it the GPT's GUIDs and the volume's times are new each time.
    expect(sha256OfFile(await remaster(imagePath, 'plain-2.iso', edits))).not.toBe(sha256OfFile(await remaster(imagePath, 'plain-1.iso', edits)));
  });
});
