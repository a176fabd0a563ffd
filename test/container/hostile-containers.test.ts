// Hostile and broken CUE sheets and Nero images: each gives a typed error naming the file and the
// line or byte offset, quickly, never a crash or a hang. Inputs are hand-built from the fixture ISO.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCueSheet } from '../../src-main/container/cue-sheet.ts';
import { openImageSource } from '../../src-main/container/open-image-source.ts';
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { NotAnImageError } from '../../src-main/format/not-an-image-error.ts';
import { containerPaths } from '../fixtures/container-images.ts';
import { createSeededRandom } from '../helpers/seeded-random.ts';
import { isotope, testService as service } from '../helpers/in-process-cli.ts';

const paths = containerPaths();
const scratch = mkdtempSync(join(tmpdir(), 'isotope-hostile-containers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
/** A fresh folder holding `files` (name -> text or bytes); answers the folder. */
function folderWith(files: Readonly<Record<string, string | Uint8Array>>): string {
  counter += 1;
  const folder = join(scratch, `case-${counter}`);
  mkdirSync(folder, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(folder, name), content);
  return folder;
}

const dataCue = (fileName: string, mode = 'MODE1/2352'): string => `FILE "${fileName}" BINARY\n  TRACK 01 ${mode}\n    INDEX 01 00:00:00\n`;

async function openError(path: string): Promise<unknown> {
  try {
    const source = await openImageSource(path);
    await source.close();
  } catch (error) {
    return error;
  }
  throw new Error(`${path} opened without an error`);
}

describe('hostile CUE sheets', () => {
  it("refuses a FILE outside the sheet's folder (../ or absolute), naming the sheet and line", async () => {
    const outer = folderWith({ 'secret.bin': new Uint8Array(2352) });
    const inner = join(outer, 'inner');
    mkdirSync(inner);
    writeFileSync(join(inner, 'up.cue'), `REM hostile\n${dataCue('../secret.bin')}`);
    writeFileSync(join(inner, 'absolute.cue'), dataCue(join(outer, 'secret.bin')));
    for (const name of ['up.cue', 'absolute.cue']) {
      const error = await openError(join(inner, name));
      expect(error).toBeInstanceOf(CorruptImageError);
      expect((error as Error).message).toMatch(new RegExp(`${name} line \\d: FILE .* lies outside the CUE sheet's folder`));
    }
    const result = await service().invoke('image:open', { path: join(inner, 'up.cue') });
    expect(result).toMatchObject({ ok: false, error: { code: 'corrupt-image', detail: { line: 2 } } });
  });

  it('refuses a FILE that is a symbolic link inside the folder pointing outside it, naming the sheet, line and target', async () => {
    const outer = folderWith({ 'secret.bin': new Uint8Array(2352 * 4) });
    const inner = join(outer, 'inner');
    mkdirSync(inner);
    symlinkSync(join(outer, 'secret.bin'), join(inner, 'disc.bin'));
    writeFileSync(join(inner, 'disc.cue'), dataCue('disc.bin'));
    const error = await openError(join(inner, 'disc.cue'));
    expect(error).toBeInstanceOf(CorruptImageError);
    expect((error as Error).message).toBe(
      `${join(inner, 'disc.cue')} line 1: FILE "disc.bin" is a link to ${join(outer, 'secret.bin')}, outside the CUE sheet's folder`,
    );
    // A link that stays inside the folder is followed as before.
    copyFileSync(paths.mode1Bin, join(inner, 'real.bin'));
    symlinkSync('real.bin', join(inner, 'alias.bin'));
    writeFileSync(join(inner, 'alias.cue'), dataCue('alias.bin'));
    expect(await service().invoke('image:open', { path: join(inner, 'alias.cue') })).toMatchObject({ ok: true });
  });

  it('refuses a FILE nested 250 levels of 170-byte names deep (past PATH_MAX) as damage naming the sheet and line', async () => {
    const deep = Array.from({ length: 250 }, (_, level) => `${level}`.padEnd(170, 'n')).join('/');
    const folder = folderWith({ 'deep.cue': `REM deep\n${dataCue(`${deep}/disc.bin`)}` });
    const result = await service().invoke('image:open', { path: join(folder, 'deep.cue') });
    expect(result.ok ? null : { code: result.error.code, detail: result.error.detail }).toEqual({
      code: 'corrupt-image',
      detail: { file: join(folder, 'deep.cue'), line: 2 },
    });
    expect(result.ok ? '' : result.error.message).toMatch(/deep\.cue line 2: FILE .* names a path of \d+ bytes, longer than the 4096-byte limit \(PATH_MAX\)$/);
  });

  it('answers not-found, naming the BIN, when the sheet points at a missing file', async () => {
    const folder = folderWith({ 'disc.cue': dataCue('gone.bin') });
    const result = await service().invoke('image:open', { path: join(folder, 'disc.cue') });
    expect(result).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(JSON.stringify(result)).toContain('gone.bin');
  });

  it('refuses a BIN whose size is not a multiple of the sector size, with exit code 3', async () => {
    const folder = folderWith({ 'disc.cue': dataCue('disc.bin') });
    copyFileSync(paths.mode1Bin, join(folder, 'disc.bin'));
    truncateSync(join(folder, 'disc.bin'), 2352 * 40 + 100);
    const error = await openError(join(folder, 'disc.cue'));
    expect(error).toBeInstanceOf(CorruptImageError);
    expect((error as Error).message).toMatch(/disc\.cue line 2: track 1 \(MODE1\/2352\) spans 94180 bytes of disc\.bin .*not a multiple of 2352-byte sectors/);
    const run = await isotope(['convert', join(folder, 'disc.cue'), join(folder, 'out.iso')]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/disc\.cue line 2/);
  });

  it('refuses an INDEX past the end of the BIN, and a track starting before the previous one', async () => {
    const folder = folderWith({
      'past.cue': 'FILE "a.bin" BINARY\n TRACK 01 MODE1/2352\n  INDEX 01 00:00:00\n TRACK 02 AUDIO\n  INDEX 01 70:00:00\n',
      'back.cue': 'FILE "a.bin" BINARY\n TRACK 01 MODE1/2352\n  INDEX 01 00:00:10\n TRACK 02 AUDIO\n  INDEX 01 00:00:05\n',
      'a.bin': new Uint8Array(2352 * 20),
    });
    expect(((await openError(join(folder, 'past.cue'))) as Error).message).toMatch(
      /past\.cue line 2: track 1 spans bytes 0-\d+ of a\.bin, which holds 47040 bytes/,
    );
    expect(((await openError(join(folder, 'back.cue'))) as Error).message).toMatch(/back\.cue line 4: track 2 starts at frame 5/);
  });

  it('answers not-an-image when the first track is audio', async () => {
    const folder = folderWith({ 'audio.cue': dataCue('a.bin', 'AUDIO'), 'a.bin': new Uint8Array(2352 * 4) });
    expect(await openError(join(folder, 'audio.cue'))).toBeInstanceOf(NotAnImageError);
  });

  it.each([
    ['a TRACK before any FILE', 'TRACK 01 MODE1/2352\n', /line 1: TRACK before any FILE/],
    ['an unsupported mode', 'FILE "a.bin" BINARY\nTRACK 01 CDG\nINDEX 01 00:00:00\n', /line 2: unsupported track mode CDG/],
    ['a malformed position', 'FILE "a.bin" BINARY\nTRACK 01 AUDIO\nINDEX 01 00:61:00\n', /line 3: index position 00:61:00 is not mm:ss:ff/],
    ['a track without INDEX 01', 'FILE "a.bin" BINARY\nTRACK 01 AUDIO\nINDEX 00 00:00:00\n', /line 2: track 1 has no INDEX 01/],
    [
      'out-of-order track numbers',
      'FILE "a.bin" BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\nTRACK 05 AUDIO\nINDEX 01 00:01:00\n',
      /line 4: track 5 follows track 1/,
    ],
    [
      'a hundred tracks',
      `FILE "a.bin" BINARY\n${Array.from({ length: 100 }, (_, at) => `TRACK ${at + 1} AUDIO\nINDEX 01 00:00:00\n`).join('')}`,
      /track number 100 is not 1-99/,
    ],
    ['no track at all', 'REM nothing\n', /no TRACK command/],
  ])('rejects %s with the line', (_label, text, message) => {
    expect(() => parseCueSheet(text, 'x.cue')).toThrow(CorruptImageError);
    expect(() => parseCueSheet(text, 'x.cue')).toThrow(message);
  });

  it('parses or rejects any text quickly with a typed error (property)', () => {
    const word = fc.constantFrom('FILE', 'TRACK', 'INDEX', 'REM', '"a b.bin"', 'BINARY', 'MODE1/2352', 'AUDIO', '01', '00', '99:59:74', '00:00:00', '1', '-1');
    const text = fc
      .array(
        fc.array(word, { maxLength: 5 }).map((words) => words.join(' ')),
        { maxLength: 40 },
      )
      .map((lines) => lines.join('\n'));
    fc.assert(
      fc.property(text, (sheet) => {
        try {
          parseCueSheet(sheet, 'p.cue');
        } catch (error) {
          if (!(error instanceof CorruptImageError)) throw error;
        }
      }),
      { numRuns: 500, seed: 4 },
    );
  });
});

/** A Nero v2 image: `body`, then `chunks`, then the "NER5" footer pointing at `firstChunk` (default: right after body). */
function nrgV2(body: Uint8Array, chunks: readonly [string, Uint8Array, number?][], firstChunk?: bigint): Uint8Array {
  const parts: Uint8Array[] = [body];
  for (const [id, data, declared] of chunks) {
    const header = Buffer.alloc(8);
    header.write(id, 0, 'latin1');
    header.writeUInt32BE(declared ?? data.byteLength, 4);
    parts.push(header, data);
  }
  const footer = Buffer.alloc(12);
  footer.write('NER5', 0, 'latin1');
  footer.writeBigUInt64BE(firstChunk ?? BigInt(body.byteLength), 4);
  parts.push(footer);
  return Buffer.concat(parts);
}

function daox(
  tracks: readonly { sectorSize: number; mode: number; start: number; end: number }[],
  options: { first?: number; last?: number } = {},
): Uint8Array {
  const dao = Buffer.alloc(22 + 42 * tracks.length);
  dao[20] = options.first ?? 1;
  dao[21] = options.last ?? tracks.length;
  tracks.forEach((track, index) => {
    const at = 22 + index * 42;
    dao.writeUInt16BE(track.sectorSize, at + 12);
    dao[at + 14] = track.mode;
    dao.writeBigUInt64BE(BigInt(track.start), at + 26);
    dao.writeBigUInt64BE(BigInt(track.end), at + 34);
  });
  return dao;
}

describe('hostile Nero images', () => {
  const body = new Uint8Array(2048 * 4);
  const end: [string, Uint8Array] = ['END!', new Uint8Array(0)];

  async function nrgError(bytes: Uint8Array): Promise<Error> {
    counter += 1;
    const path = join(scratch, `hostile-${counter}.nrg`);
    writeFileSync(path, bytes);
    const error = await openError(path);
    expect(error).toBeInstanceOf(CorruptImageError);
    expect((error as Error).message).toContain(path);
    return error as Error;
  }

  it('reads a minimal well-formed image (the baseline the others break)', async () => {
    const path = join(scratch, 'good.nrg');
    writeFileSync(path, nrgV2(body, [['DAOX', daox([{ sectorSize: 2048, mode: 0, start: 0, end: body.byteLength }])], end]));
    const source = await openImageSource(path);
    await source.close();
    expect(source.sizeBytes).toBe(body.byteLength);
  });

  it('refuses a footer offset past the end', async () => {
    expect((await nrgError(nrgV2(body, [end], 1n << 40n))).message).toMatch(/footer points at byte 1099511627776, past the chunk area/);
  });

  it('refuses a chunk whose length runs past the footer', async () => {
    expect((await nrgError(nrgV2(body, [['DAOX', new Uint8Array(10), 0xfffffff0], end]))).message).toMatch(
      /Nero chunk at byte 8192: "DAOX" declares 4294967280 bytes, \d+ remain/,
    );
  });

  it('ends a walk of thousands of empty chunks without END! with an error, not a hang', async () => {
    const many: [string, Uint8Array][] = Array.from({ length: 10_001 }, () => ['MTYP', new Uint8Array(0)]);
    const started = Date.now();
    expect((await nrgError(nrgV2(body, many))).message).toMatch(/no END! chunk within 10000 chunks/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses a DAO header claiming more tracks than the chunk holds, and huge counts', async () => {
    const track = { sectorSize: 2048, mode: 0, start: 0, end: body.byteLength };
    expect((await nrgError(nrgV2(body, [['DAOX', daox([track], { first: 1, last: 99 })], end]))).message).toMatch(/names 99 tracks, the chunk holds 1/);
    expect((await nrgError(nrgV2(body, [['DAOX', daox([track], { first: 5, last: 2 })], end]))).message).toMatch(/names tracks 5-2/);
  });

  it('refuses a track extending into the chunks, a ragged track, or an unknown mode', async () => {
    expect((await nrgError(nrgV2(body, [['DAOX', daox([{ sectorSize: 2048, mode: 0, start: 0, end: body.byteLength + 2048 }])], end]))).message).toMatch(
      /track 1 ends at byte 10240, past the data/,
    );
    expect((await nrgError(nrgV2(body, [['DAOX', daox([{ sectorSize: 2048, mode: 0, start: 0, end: 3000 }])], end]))).message).toMatch(
      /not whole 2048-byte sectors/,
    );
    expect((await nrgError(nrgV2(body, [['DAOX', daox([{ sectorSize: 2048, mode: 0x42, start: 0, end: 2048 }])], end]))).message).toMatch(
      /unknown mode code 0x42/,
    );
  });

  it('answers every mutation of a real Nero image with its whole data track or a typed error naming the file (seeded sweep)', async () => {
    const original = readFileSync(paths.nrgV2);
    const chunkArea = original.byteLength - 12 - 8 * 6 - 8 - (22 + 42 * 2) - 8 - 8; // start of CUEX
    const path = join(scratch, 'mutant.nrg');
    // The ISO sweep's PRNG and replay knobs (test/iso/mutation-sweep.integration.test.ts).
    const seed = Number(process.env.ISOTOPE_SWEEP_SEED ?? 0x4e524700);
    const rounds = Number(process.env.ISOTOPE_SWEEP_ITERATIONS ?? 500);
    const random = createSeededRandom(seed);
    const below = (limit: number): number => Math.floor(random() * limit);
    const counts = { nrg: 0, plain: 0, corrupt: 0, 'not-an-image': 0 };
    for (let round = 0; round < rounds; round += 1) {
      const mutant = Buffer.from(original);
      for (let flips = 1 + below(3); flips > 0; flips -= 1) mutant[chunkArea + below(original.byteLength - chunkArea)] = below(256);
      writeFileSync(path, mutant);
      const where = `seed ${seed} round ${round}`;
      const started = performance.now();
      try {
        const source = await openImageSource(path);
        try {
          // An image that opens answers its whole data track, and never more bytes than the file holds.
          expect(source.sizeBytes, where).toBeLessThanOrEqual(original.byteLength);
          expect((await source.read(0, source.sizeBytes)).byteLength, where).toBe(source.sizeBytes);
          counts[source.container.kind === 'nrg' ? 'nrg' : 'plain'] += 1;
        } finally {
          await source.close();
        }
      } catch (error) {
        if (!(error instanceof CorruptImageError) && !(error instanceof NotAnImageError)) {
          throw new Error(`${where}: not a typed image error: ${String(error)}`, { cause: error });
        }
        expect(error.message, where).toContain(path);
        counts[error instanceof CorruptImageError ? 'corrupt' : 'not-an-image'] += 1;
      }
      expect(performance.now() - started, where).toBeLessThan(2000);
    }
    // Both answers must occur, or the mutations are not reaching the Nero parser.
    expect(counts.nrg).toBeGreaterThan(rounds / 5);
    expect(counts.corrupt).toBeGreaterThan(rounds / 5);
  }, 60_000);
});
