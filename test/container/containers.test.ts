// BIN/CUE and NRG containers made from xorriso-built ISOs (test/fixtures/container-images.ts), read
// through openImageSource and the real `isotope` commands, cross-checked with bchunk (an independent
// BIN/CUE reader) and compared byte for byte with the ISO they were made from.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImageSummary } from '../../shared/image.ts';
import { convertImage, OutputExistsError } from '../../src-main/container/convert-image.ts';
import { CancelledError } from '../../src-main/jobs/errors.ts';
import { openImageSource } from '../../src-main/container/open-image-source.ts';
import { audioPregapSectors, audioTrackSectors, containerPaths } from '../fixtures/container-images.ts';
import { computeEdc, rawSectorBytes } from '../fixtures/container-sectors.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { countBadRspcCodewords } from './rspc-syndromes.ts';
import { isotope, isotopeCat, testService as service } from '../helpers/in-process-cli.ts';
import { runJob } from '../helpers/run-job.ts';

const paths = containerPaths();
const scratch = mkdtempSync(join(tmpdir(), 'isotope-containers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const sourceIso = readFileSync(paths.sourceIso);
const sourceSectors = sourceIso.byteLength / 2048;

const containers = [
  ['MODE1/2352 BIN/CUE with an audio track', paths.mode1Cue],
  ['MODE2/2352 form 1 BIN/CUE', paths.mode2Cue],
  ['MODE1/2048 BIN/CUE', paths.mode2048Cue],
  ['Nero v2 (NER5, DAOX) with a pregap and an audio track', paths.nrgV2],
  ['Nero v1 (NERO, ETNF) with raw MODE1/2352 sectors', paths.nrgV1],
] as const;

describe('the container fixtures', () => {
  it('compute the EDC of ECMA-130 Annex A (CRC-32/CD-ROM-EDC check value)', () => {
    expect(computeEdc(new TextEncoder().encode('123456789'))).toBe(0x6ec2edc4);
  });

  it('carry sync, BCD MSF headers (2-second offset) and a correct EDC in every raw sector', () => {
    const bin = readFileSync(paths.mode1Bin);
    for (const lba of [0, 16, sourceSectors - 1]) {
      const sector = bin.subarray(lba * rawSectorBytes, (lba + 1) * rawSectorBytes);
      expect([...sector.subarray(0, 12)]).toEqual([0, ...new Array<number>(10).fill(0xff), 0]);
      const absolute = lba + 150;
      const bcd = (value: number): number => Math.floor(value / 10) * 16 + (value % 10);
      expect([...sector.subarray(12, 16)]).toEqual([bcd(Math.floor(absolute / 4500)), bcd(Math.floor(absolute / 75) % 60), bcd(absolute % 75), 1]);
      expect(sector.readUInt32LE(2064)).toBe(computeEdc(sector.subarray(0, 2064)));
    }
    const mode2 = readFileSync(paths.mode2Bin).subarray(16 * rawSectorBytes, 17 * rawSectorBytes);
    expect(mode2[15]).toBe(2);
    expect(mode2.readUInt32LE(2072)).toBe(computeEdc(mode2.subarray(16, 2072)));
  });

  it('carry P and Q parity whose RSPC syndromes are all zero (Mode 2 form 1: with the header taken as zero)', () => {
    const mode1 = readFileSync(paths.mode1Bin);
    const mode2 = readFileSync(paths.mode2Bin);
    for (const lba of [0, 17, sourceSectors - 1]) {
      expect(countBadRspcCodewords(mode1.subarray(lba * rawSectorBytes, (lba + 1) * rawSectorBytes))).toEqual({ p: 0, q: 0 });
      const form1 = Buffer.from(mode2.subarray(lba * rawSectorBytes, (lba + 1) * rawSectorBytes));
      form1.fill(0, 12, 16);
      expect(countBadRspcCodewords(form1)).toEqual({ p: 0, q: 0 });
    }
    // The check can fail: one flipped user byte breaks one P and one Q codeword.
    const damaged = Buffer.from(mode1.subarray(0, rawSectorBytes));
    damaged[700] = (damaged[700] as number) ^ 0x10;
    expect(countBadRspcCodewords(damaged)).toEqual({ p: 1, q: 1 });
  });

  it('read back with bchunk as the original ISO (MODE1 and MODE2 form 1) plus the audio track', () => {
    for (const [bin, cue, name] of [
      [paths.mode1Bin, paths.mode1Cue, 'm1'],
      [paths.mode2Bin, paths.mode2Cue, 'm2'],
    ] as const) {
      runTool('bchunk', [bin, cue, join(scratch, name)]);
      expect(sha256(readFileSync(join(scratch, `${name}01.iso`)))).toBe(sha256(sourceIso));
    }
    // bchunk writes an audio track from its INDEX 01: the pregap stays behind.
    expect(statSync(join(scratch, 'm102.cdr')).size).toBe(audioTrackSectors * rawSectorBytes);
  });
});

describe('openImageSource', () => {
  it.each(containers)('presents the %s as the bytes of the original ISO', async (_label, path) => {
    const source = await openImageSource(path);
    try {
      expect(source.sizeBytes).toBe(sourceIso.byteLength);
      expect(sha256(await source.read(0, source.sizeBytes))).toBe(sha256(sourceIso));
      // Reads that start and end inside sectors, and cross raw sector boundaries.
      for (const [offset, length] of [
        [1, 1],
        [2047, 2],
        [32768 + 5, 6000],
        [sourceIso.byteLength - 3, 3],
      ] as const) {
        expect(Buffer.from(await source.read(offset, length)).equals(sourceIso.subarray(offset, offset + length))).toBe(true);
      }
      await expect(source.read(sourceIso.byteLength - 1, 2)).rejects.toThrow(/outside/);
    } finally {
      await source.close();
    }
  });

  it('answers one read larger than its raw-read limit (4 MiB of 2352-byte sectors) in full', async () => {
    const source = await openImageSource(paths.bootCue);
    try {
      const iso = readFileSync(paths.bootIso);
      expect(iso.byteLength).toBeGreaterThan(4 * 1024 * 1024 * (2048 / 2352));
      expect(sha256(await source.read(0, source.sizeBytes))).toBe(sha256(iso));
      expect(Buffer.from(await source.read(1000, iso.byteLength - 2000)).equals(iso.subarray(1000, iso.byteLength - 1000))).toBe(true);
    } finally {
      await source.close();
    }
  });

  it('reports the tracks: the data track used, the audio track skipped', async () => {
    const cue = await openImageSource(paths.mode1Cue);
    await cue.close();
    expect(cue.container).toEqual({
      kind: 'bin-cue',
      containerSizeBytes: statSync(paths.mode1Bin).size,
      tracks: [
        { number: 1, mode: 'MODE1/2352', sectorSizeBytes: 2352, sectorCount: sourceSectors, fileName: 'disc.bin', used: true },
        { number: 2, mode: 'AUDIO', sectorSizeBytes: 2352, sectorCount: audioTrackSectors, fileName: 'disc.bin', used: false },
      ],
    });
    const nrg = await openImageSource(paths.nrgV2);
    await nrg.close();
    expect(nrg.container.kind).toBe('nrg');
    expect(nrg.container.tracks.map((track) => [track.mode, track.sectorCount, track.used])).toEqual([
      ['MODE1/2048', sourceSectors, true],
      ['AUDIO', audioTrackSectors, false],
    ]);
    expect(audioPregapSectors).toBeGreaterThan(0);
    const plain = await openImageSource(paths.sourceIso);
    await plain.close();
    expect(plain.container).toEqual({ kind: 'iso', tracks: [], containerSizeBytes: sourceIso.byteLength });
  });
});

describe('CUE sheets with one FILE per track', () => {
  it('read the data BIN and report the audio tracks of other files, raw or WAVE, without reading them', async () => {
    const folder = mkdtempSync(join(scratch, 'multi-file-'));
    copyFileSync(paths.mode2Bin, join(folder, 'Track 01.bin'));
    writeFileSync(join(folder, 'Track 02.bin'), Buffer.alloc(2352 * 10 + 17)); // a ragged skipped track is tolerated
    writeFileSync(
      join(folder, 'disc.cue'),
      'REM COMMENT "multi-file"\nFILE "Track 01.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n' +
        'FILE "Track 02.bin" BINARY\n  TRACK 02 AUDIO\n    INDEX 00 00:00:00\n    INDEX 01 00:00:02\n' +
        'FILE "Track 03.wav" WAVE\n  TRACK 03 AUDIO\n    INDEX 01 00:00:00\n',
    );
    const source = await openImageSource(join(folder, 'disc.cue'));
    try {
      expect(sha256(await source.read(0, source.sizeBytes))).toBe(sha256(sourceIso));
      expect(source.container.tracks.map((track) => [track.number, track.fileName, track.sectorCount, track.used])).toEqual([
        [1, 'Track 01.bin', sourceSectors, true],
        [2, 'Track 02.bin', 8, false],
        [3, 'Track 03.wav', null, false],
      ]);
    } finally {
      await source.close();
    }
  });
});

describe('isotope convert', () => {
  it.each(containers)('turns the %s into a byte-identical ISO', async (_label, path) => {
    const output = join(scratch, `converted-${sha256(Buffer.from(path)).slice(0, 8)}.iso`);
    const run = await isotope(['convert', path, output]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(sha256(readFileSync(output))).toBe(sha256(sourceIso));
    runTool('cmp', [output, paths.sourceIso]);
  });

  it('reports the skipped audio track and the data track in JSON', async () => {
    const output = join(scratch, 'json.iso');
    const run = await isotope(['convert', paths.mode1Cue, output, '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { bytesWritten: number; skippedTracks: { number: number; mode: string }[] };
    expect(result.bytesWritten).toBe(sourceIso.byteLength);
    expect(result.skippedTracks).toMatchObject([{ number: 2, mode: 'AUDIO', sectorCount: audioTrackSectors }]);
    expect((await isotope(['convert', paths.mode1Cue, join(scratch, 'text.iso')])).stdout).toMatch(/Skipped: track 02 AUDIO .* \(audio\)/);
  });

  it('refuses to replace an existing output unless --force, and leaves it untouched', async () => {
    const output = join(scratch, 'existing.iso');
    writeFileSync(output, 'keep me');
    const refused = await isotope(['convert', paths.mode2Cue, output]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already exists/);
    expect(readFileSync(output, 'utf8')).toBe('keep me');
    expect((await isotope(['convert', paths.mode2Cue, output, '--force'])).code).toBe(0);
    expect(sha256(readFileSync(output))).toBe(sha256(sourceIso));
    await expect(convertImage({ inputPath: paths.mode2Cue, outputPath: output })).rejects.toBeInstanceOf(OutputExistsError);
  });

  it('removes its partial output when cancelled, and reports progress up to the total', async () => {
    const folder = mkdtempSync(join(scratch, 'cancel-'));
    const controller = new AbortController();
    const seen: number[] = [];
    await expect(
      convertImage({
        inputPath: paths.mode1Cue,
        outputPath: join(folder, 'out.iso'),
        signal: controller.signal,
        onProgress: ({ bytesWritten }) => {
          seen.push(bytesWritten);
          controller.abort();
        },
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(readdirSync(folder)).toEqual([]);
    const progress: number[] = [];
    await convertImage({ inputPath: paths.nrgV1, outputPath: join(folder, 'done.iso'), onProgress: ({ bytesWritten }) => progress.push(bytesWritten) });
    expect(progress.at(-1)).toBe(sourceIso.byteLength);
    expect(readdirSync(folder)).toEqual(['done.iso']);
  });
});

describe('the image commands on containers', () => {
  it.each(containers)('ls -R and cat on the %s equal the same on the ISO', async (_label, path) => {
    const fromIso = await isotope(['ls', paths.sourceIso, '-R', '--json']);
    const fromContainer = await isotope(['ls', path, '-R', '--json']);
    expect(fromContainer.code).toBe(0);
    expect(fromContainer.stdout).toBe(fromIso.stdout);
    expect(fromIso.stdout).toContain('/random.bin');
    for (const file of ['/random.bin', '/docs/guide.txt']) {
      const expected = await isotopeCat(paths.sourceIso, file);
      const actual = await isotopeCat(path, file);
      expect(actual.code).toBe(0);
      expect(sha256(actual.bytes)).toBe(sha256(expected.bytes));
    }
  });

  it('image:open summarises a BIN/CUE with its volume label and container tracks', async () => {
    const result = await service().invoke('image:open', { path: paths.mode1Cue });
    expect(result.ok).toBe(true);
    const summary = (result as { value: ImageSummary }).value;
    expect(summary).toMatchObject({ format: 'iso9660', volumeLabel: 'ISOTOPE_CONTAINER', sizeBytes: sourceIso.byteLength, container: { kind: 'bin-cue' } });
    const plain = (await service().invoke('image:open', { path: paths.sourceIso })) as { value: ImageSummary };
    expect(plain.value.container).toBeUndefined();
  });

  it('extract from a BIN/CUE writes the same files as from the ISO', async () => {
    const destination = join(scratch, 'extracted');
    const result = await runJob(service(), 'extract', 'image:extract', { path: paths.mode2Cue, destination });
    expect(result.ok).toBe(true);
    expect(sha256(readFileSync(join(destination, 'random.bin')))).toBe(sha256((await isotopeCat(paths.sourceIso, '/random.bin')).bytes));
  });

  it('the boot report of a BIN/CUE of a hybrid ISO equals that of the ISO', async () => {
    const fromIso = await service().invoke('image:boot', { path: paths.bootIso });
    const fromCue = await service().invoke('image:boot', { path: paths.bootCue });
    expect(fromIso.ok).toBe(true);
    // Equal but for the file each developer message names (an unreadable loader's error starts with the image's path).
    const named = (report: unknown, path: string): unknown => JSON.parse(JSON.stringify(report).replaceAll(JSON.stringify(path).slice(1, -1), 'IMAGE'));
    expect(named(fromCue, paths.bootCue)).toEqual(named(fromIso, paths.bootIso));
    expect((fromCue as { value: { verdict: { usbUefi: { x64: boolean } } } }).value.verdict.usbUefi.x64).toBe(true);
    const bootConverted = join(scratch, 'boot-converted.iso');
    expect((await isotope(['convert', paths.bootCue, bootConverted])).code).toBe(0);
    runTool('cmp', [bootConverted, paths.bootIso]);
    expect(existsSync(bootConverted)).toBe(true);
  });
});
