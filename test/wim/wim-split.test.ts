// splitWim against the reference: wimlib-imagex split of the same WIM makes the same parts (byte for
// byte but the random GUID), wimlib verifies our parts, and applying our split set gives the same
// files as applying the WIM.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ByteSource } from '../../src-main/io/byte-source.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { splitPartName, splitWim } from '../../src-main/wim/wim-split.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { wimCompressions, wimFixture } from './wim-fixtures.ts';

const mebibyte = 1024 * 1024;
const scratch = mkdtempSync(join(tmpdir(), 'wim-split-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function writeSource(source: ByteSource, path: string): Promise<void> {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < source.sizeBytes; at += mebibyte) chunks.push(await source.read(at, Math.min(mebibyte, source.sizeBytes - at)));
  writeFileSync(path, Buffer.concat(chunks));
}

/** Splits `wimPath` with ours into `folder`/ours.swm..., returning the part paths in order. */
async function splitWithOurs(wimPath: string, folder: string, maxPartBytes: number): Promise<string[]> {
  const wim = await openFileSource(wimPath);
  try {
    const parts = await splitWim(wim, { baseName: 'ours.swm', maxPartBytes });
    for (const part of parts) await writeSource(part.source, join(folder, part.name));
    return parts.map((part) => join(folder, part.name));
  } finally {
    await wim.close();
  }
}

/** wimlib-imagex split takes the part size in MiB. */
function splitWithWimlib(wimPath: string, folder: string, maxPartMebibytes: number): string[] {
  runTool('wimlib-imagex', ['split', wimPath, join(folder, 'theirs.swm'), String(maxPartMebibytes)]);
  const names = readdirSync(folder).filter((name) => /^theirs\d*\.swm$/.test(name));
  return names.map((_, index) => join(folder, splitPartName('theirs.swm', index + 1)));
}

/** The part's bytes with the 16-byte GUID at header offset 24 zeroed: wimlib draws a random one per split. */
function withoutGuid(path: string): Buffer {
  const bytes = readFileSync(path);
  bytes.fill(0, 24, 40);
  return bytes;
}

/** Every path under `root` with its type and, for files, the SHA-256 of its content. */
function describeTree(root: string, relative = ''): string[] {
  const lines: string[] = [];
  for (const name of readdirSync(join(root, relative)).sort()) {
    const path = join(relative, name);
    const stats = statSync(join(root, path));
    if (stats.isDirectory()) lines.push(`${path}/`, ...describeTree(root, path));
    else
      lines.push(
        `${path} ${createHash('sha256')
          .update(readFileSync(join(root, path)))
          .digest('hex')}`,
      );
  }
  return lines;
}

function newFolder(name: string): string {
  return mkdtempSync(join(scratch, `${name}-`));
}

describe('splitWim', () => {
  it.each(wimCompressions)('splits a %s WIM of three images into the parts wimlib-imagex split makes, byte for byte but the GUID', async (compression) => {
    const wimPath = wimFixture(compression);
    const folder = newFolder(compression);
    const ours = await splitWithOurs(wimPath, folder, mebibyte);
    const theirs = splitWithWimlib(wimPath, folder, 1);
    expect(ours.length).toBeGreaterThanOrEqual(3);
    expect(ours.length).toBe(theirs.length);
    ours.forEach((path, index) => expect(withoutGuid(path).equals(withoutGuid(theirs[index]!)), `part ${index + 1}`).toBe(true));
  });

  it('gives every part one new GUID, its number of the total and the spanned flag', async () => {
    const wimPath = wimFixture('lzx');
    const ours = await splitWithOurs(wimPath, newFolder('headers'), mebibyte);
    const originalGuid = readFileSync(wimPath).subarray(24, 40);
    const headers = ours.map((path) => readFileSync(path).subarray(0, 208));
    const guid = headers[0]!.subarray(24, 40);
    expect(guid.equals(originalGuid)).toBe(false);
    headers.forEach((header, index) => {
      expect(header.subarray(24, 40).equals(guid)).toBe(true);
      expect([header.readUInt16LE(40), header.readUInt16LE(42)]).toEqual([index + 1, ours.length]);
      expect(header.readUInt32LE(16) & 0x8).toBe(0x8); // WIM_HDR_FLAG_SPANNED
      expect(header.readUInt32LE(44)).toBe(3); // every part names all three images
    });
  });

  it('puts a resource larger than the part limit alone in its part, as wimlib does', async () => {
    const wimPath = wimFixture('none'); // the 1.5 MiB random file is stored as it is
    const largeBytes = 1536 * 1024 + 7;
    const ours = await splitWithOurs(wimPath, newFolder('large'), mebibyte);
    const storedSizes = ours.map((path) => {
      const bytes = readFileSync(path);
      const tableOffset = Number(bytes.readBigUInt64LE(48 + 8));
      const entryCount = Number(bytes.readBigUInt64LE(48 + 16)) / 50;
      // RESHDR_DISK_SHORT: 7 bytes of stored size at the start of each 50-byte entry.
      return Array.from({ length: entryCount }, (_, index) => bytes.readUIntLE(tableOffset + index * 50, 6));
    });
    const holding = storedSizes.filter((sizes) => sizes.includes(largeBytes));
    expect(holding).toEqual([[largeBytes]]);
  });

  it('makes parts that wimlib verifies and that apply to the same files as the WIM, image by image', async () => {
    const wimPath = wimFixture('lzx');
    const folder = newFolder('apply');
    const ours = await splitWithOurs(wimPath, folder, mebibyte);
    runTool('wimlib-imagex', ['verify', ours[0]!, `--ref=${join(folder, 'ours*.swm')}`]);
    for (const image of [1, 2, 3]) {
      const fromWim = newFolder(`wim-${image}`);
      const fromParts = newFolder(`parts-${image}`);
      runTool('wimlib-imagex', ['apply', wimPath, String(image), fromWim]);
      runTool('wimlib-imagex', ['apply', ours[0]!, String(image), fromParts, `--ref=${join(folder, 'ours*.swm')}`]);
      const expected = describeTree(fromWim);
      expect(expected.length).toBeGreaterThan(2);
      expect(describeTree(fromParts)).toEqual(expected);
    }
  });

  it('keeps the boot index when everything fits in one part, as wimlib does', async () => {
    const folder = newFolder('boot');
    const bootable = join(folder, 'bootable.wim');
    writeFileSync(bootable, readFileSync(wimFixture('xpress')));
    runTool('wimlib-imagex', ['info', bootable, '2', '--boot']);
    const [ours, ...rest] = await splitWithOurs(bootable, folder, 100 * mebibyte);
    const theirs = splitWithWimlib(bootable, folder, 100);
    expect(rest).toEqual([]);
    expect(theirs.length).toBe(1);
    expect(withoutGuid(ours!).equals(withoutGuid(theirs[0]!))).toBe(true);
    const header = readFileSync(ours!).subarray(0, 208);
    expect(header.readUInt32LE(120)).toBe(2);
    expect(header.readUInt32LE(16) & 0x8).toBe(0);
  });

  it('splits a WIM with an integrity table into parts without one, which wimlib verifies', async () => {
    const folder = newFolder('integrity');
    const checked = join(folder, 'checked.wim');
    writeFileSync(checked, readFileSync(wimFixture('lzx')));
    runTool('wimlib-imagex', ['optimize', checked, '--check']);
    expect(readFileSync(checked).readUInt32LE(124)).toBeGreaterThan(0); // the integrity table's stored size
    const ours = await splitWithOurs(checked, folder, mebibyte);
    for (const path of ours)
      expect(
        readFileSync(path)
          .subarray(124, 148)
          .every((byte) => byte === 0),
      ).toBe(true);
    runTool('wimlib-imagex', ['verify', ours[0]!, `--ref=${join(folder, 'ours*.swm')}`]);
  });

  it('names parts as wimlib does: the number before the last extension, or appended', () => {
    expect(['install.swm', 'install2.swm', 'install12.swm'].map((_, index) => splitPartName('install.swm', [1, 2, 12][index]!))).toEqual([
      'install.swm',
      'install2.swm',
      'install12.swm',
    ]);
    expect(splitPartName('parts.d/install', 3)).toBe('parts.d/install3');
  });
});
