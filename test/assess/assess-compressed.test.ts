// The pre-flight assessment of compressed disk images: the decoded bytes are judged exactly as a raw
// image's (kind, truncation, boot verdict, the space needed on the target) when they can be read at
// random (a multi-block .xz) or from the decoded cache file; a .gz with neither says its content is
// unjudged until it is unpacked, never a verdict about it. Images: the Raspberry-Pi-style card
// (sfdisk, mkfs.fat, mkfs.ext4 -d) padded with zeros, compressed by the real xz and gzip.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assessImage } from '../../src-main/assess/assess-image.ts';
import { decodeToCache } from '../../src-main/container/decoded-cache.ts';
import { readPartitionMap } from '../../src-main/disk/partition-map.ts';
import { openFileSource } from '../../src-main/io/file-source.ts';
import { diskFixturePath } from '../fixtures/disk-images.ts';

const MiB = 1024 * 1024;
let dir = '';
/** The card padded to 64 MiB with zeros, and where its partitions end (read by sfdisk's layout). */
let card = '';
let partitionsEndBytes = 0;

beforeAll(async () => {
  dir = mkdtempSync('/tmp/isotope-assess-compressed-');
  vi.stubEnv('ISOTOPE_HOME', join(dir, 'data'));
  card = join(dir, 'card.img');
  copyFileSync(diskFixturePath('pi'), card);
  truncateSync(card, 64 * MiB);
  const source = await openFileSource(card);
  try {
    partitionsEndBytes = Math.max(...(await readPartitionMap(source)).partitions.map((partition) => partition.offsetBytes + partition.sizeBytes));
  } finally {
    await source.close();
  }
});
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

function compressed(rawPath: string, name: string, command: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, execFileSync(command[0]!, [...command.slice(1), '-c', rawPath], { maxBuffer: 128 * MiB }));
  return path;
}

const codesOf = (findings: readonly { code: string }[]): string[] => findings.map((finding) => finding.code);

describe('assessImage of a compressed disk image', () => {
  it('judges a multi-block .img.xz by its decoded bytes: a disk image of 64 MiB needing a drive of only its partitions', async () => {
    const xz = compressed(card, 'card.img.xz', ['xz', '-1', '-T2', '--block-size=4MiB']);
    const assessment = await assessImage(xz);
    expect(partitionsEndBytes).toBeLessThan(64 * MiB);
    expect(assessment).toMatchObject({
      kind: 'disk-image',
      compression: 'xz',
      decodedSizeBytes: 64 * MiB,
      requiredTargetBytes: partitionsEndBytes,
      blocking: false,
    });
    // Its boot verdict is the decoded card's: a board's firmware, which no PC rule judges.
    expect(codesOf(assessment.findings)).toEqual(['usb-boot-unknown', 'checksum-not-checked']);
    expect(assessment.writeMode).toBeUndefined();
  });

  it('blocks a multi-block .img.xz whose decoded card is cut short, with the decoded bytes present and the bytes its partitions say', async () => {
    const cut = join(dir, 'cut.img');
    copyFileSync(card, cut);
    truncateSync(cut, 40 * MiB);
    const assessment = await assessImage(compressed(cut, 'cut.img.xz', ['xz', '-1', '-T2', '--block-size=4MiB']));
    expect(assessment).toMatchObject({ kind: 'disk-image', compression: 'xz', blocking: true });
    expect(assessment.findings[0]).toMatchObject({ code: 'truncated', presentBytes: 40 * MiB, expectedBytes: partitionsEndBytes });
  });

  it('says a .img.gz is unjudged until unpacked, then judges it from its decoded cache file', async () => {
    const gz = compressed(card, 'card.img.gz', ['gzip', '-1']);
    const before = await assessImage(gz);
    expect(before).toMatchObject({ kind: 'compressed', compression: 'gzip', blocking: false });
    expect(before.findings[0]).toMatchObject({ code: 'needs-decoding', severity: 'info' });
    expect(before.findings[0]?.message).toContain('its content is judged once it is unpacked');
    expect(before.requiredTargetBytes).toBeUndefined();

    await decodeToCache(gz, { freeSpace: () => Promise.resolve(1024 ** 4), reserveBytes: 0 });
    const after = await assessImage(gz);
    expect(after).toMatchObject({ kind: 'disk-image', compression: 'gzip', decodedSizeBytes: 64 * MiB, requiredTargetBytes: partitionsEndBytes });
    expect(codesOf(after.findings)).toEqual(['usb-boot-unknown', 'checksum-not-checked']);
  });

  it('names the space a raw disk image needs when its partitions end before it does', async () => {
    expect(await assessImage(card)).toMatchObject({ kind: 'disk-image', requiredTargetBytes: partitionsEndBytes, blocking: false });
    // The same card without its zero tail needs all of it: no separate figure.
    const exact = join(dir, 'exact.img');
    copyFileSync(card, exact);
    truncateSync(exact, partitionsEndBytes);
    expect((await assessImage(exact)).requiredTargetBytes).toBeUndefined();
  });
});
