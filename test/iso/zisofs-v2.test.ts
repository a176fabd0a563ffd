// zisofs version 2 (libisofs doc/zisofs2_format.txt) as `xorriso -zisofs version_2=on` writes it: ZF
// entries of version 2 with algorithm "PZ", 24-byte file headers, 64-bit block pointers, 128 KiB
// blocks. Listing, cat and extract against xorriso's own extraction (-osirrox on -extract); other
// algorithms refused by name; the expansion guard still holds.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zisofsTreeFiles, zisofsV2IsoPath } from '../fixtures/iso-images.ts';
import { isotope, isotopeCat } from '../helpers/in-process-cli.ts';
import { exploreImage } from './explore-image.ts';
import { buildIso, concat, directoryExtent, directoryRecord, rockRidgeRootSystemUse, rr, sector, suspEntry } from './iso-builder.ts';
import { zisofsBody } from './zisofs-builder.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-zisofs2-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A ZF entry of version 2 (zisofs2_format.txt): algorithm chars, header size / 4, log2 block size, 64-bit size. */
function zfVersion2(algorithm: string, uncompressedBytes: number, blockLog2 = 17): Uint8Array {
  const size = new Uint8Array(8);
  new DataView(size.buffer).setBigUint64(0, BigInt(uncompressedBytes), true);
  const entry = suspEntry('ZF', concat(Uint8Array.of(algorithm.charCodeAt(0), algorithm.charCodeAt(1), 6, blockLog2), size));
  entry[3] = 2; // SUSP entry version: 2 for zisofs2
  return entry;
}

/** Offsets of every ZF entry in the image, with its version, algorithm, header size and block size. */
function zfEntriesOf(image: Buffer): { at: number; version: number; algorithm: string; headerBytes: number; blockLog2: number }[] {
  const found = [];
  for (let at = image.indexOf('ZF\x10'); at >= 0; at = image.indexOf('ZF\x10', at + 1)) {
    found.push({
      at,
      version: image[at + 3] as number,
      algorithm: image.toString('latin1', at + 4, at + 6),
      headerBytes: (image[at + 6] as number) * 4,
      blockLog2: image[at + 7] as number,
    });
  }
  return found;
}

describe('zisofs version 2 written by xorriso', () => {
  let xorrisoTree = '';
  beforeAll(() => {
    xorrisoTree = join(scratch, 'xorriso');
    execFileSync('xorriso', ['-osirrox', 'on', '-indev', zisofsV2IsoPath(), '-extract', '/', xorrisoTree], { stdio: 'ignore' });
  });

  it('is what the fixture claims: ZF version 2, "PZ", 24-byte headers, 128 KiB blocks', () => {
    const entries = zfEntriesOf(readFileSync(zisofsV2IsoPath()));
    expect(entries.length).toBeGreaterThanOrEqual(3);
    for (const entry of entries) expect(entry).toMatchObject({ version: 2, algorithm: 'PZ', headerBytes: 24, blockLog2: 17 });
  });

  it('lists every file with its uncompressed size, as xorriso extracts it', async () => {
    const { code, stdout } = await isotope(['ls', zisofsV2IsoPath(), '/', '-R', '--json']);
    expect(code).toBe(0);
    const sizes = Object.fromEntries(
      (JSON.parse(stdout) as { path: string; type: string; sizeBytes: number }[])
        .filter((entry) => entry.type === 'file')
        .map((entry) => [entry.path, entry.sizeBytes]),
    );
    expect(sizes).toEqual(Object.fromEntries(Object.keys(zisofsTreeFiles()).map((path) => [path, readFileSync(join(xorrisoTree, path)).byteLength])));
  });

  it('cats every file decompressed, byte for byte as xorriso -osirrox extracts it', async () => {
    for (const [path, original] of Object.entries(zisofsTreeFiles())) {
      const { code, bytes } = await isotopeCat(zisofsV2IsoPath(), path);
      expect(code, path).toBe(0);
      expect(bytes.equals(readFileSync(join(xorrisoTree, path))), path).toBe(true);
      expect(bytes.equals(original), path).toBe(true);
    }
  });

  it('extracts the tree decompressed, as xorriso does', async () => {
    const destination = join(scratch, 'isotope');
    const { code } = await isotope(['extract', zisofsV2IsoPath(), '--to', destination]);
    expect(code).toBe(0);
    for (const path of Object.keys(zisofsTreeFiles())) {
      expect(readFileSync(join(destination, path)).equals(readFileSync(join(xorrisoTree, path))), path).toBe(true);
    }
  });

  for (const [chars, name] of [
    ['XZ', 'xz'],
    ['L4', 'lz4'],
    ['ZD', 'zstd'],
  ] as const) {
    it(`refuses the ${name} algorithm by name (exit 1), rather than printing compressed bytes`, async () => {
      // The real image with one file's ZF entry announcing `chars`: that file alone is refused.
      const image = readFileSync(zisofsV2IsoPath());
      const entry = zfEntriesOf(image)[0];
      if (!entry) throw new Error('no ZF entry');
      image.write(chars, entry.at + 4, 'latin1');
      const patched = join(scratch, `${name}.iso`);
      writeFileSync(patched, image);
      const compressed = (await isotope(['ls', patched, '/', '-R', '--json'])).stdout;
      const files = (JSON.parse(compressed) as { path: string; type: string }[]).filter((listed) => listed.type === 'file');
      const outcomes = await Promise.all(files.map((file) => isotopeCat(patched, file.path)));
      const refused = outcomes.filter((outcome) => outcome.code !== 0);
      expect(refused).toHaveLength(1);
      expect(refused[0]?.code).toBe(1);
      expect(refused[0]?.stderr).toMatch(new RegExp(`zisofs algorithm '${name}' is not supported`));
    });
  }
});

describe('zisofs version 2 built by hand', () => {
  const text = new TextEncoder().encode('zisofs2 '.repeat(40_000));
  function imageWith(body: Uint8Array, zf: Uint8Array): Uint8Array {
    const record = directoryRecord({ identifier: 'Z.;1', lba: 30, sizeBytes: body.byteLength, systemUse: concat(rr.px(0o100644), rr.nm('z'), zf) });
    const root = directoryExtent({ selfLba: 20, parentLba: 20, selfSystemUse: rockRidgeRootSystemUse(), records: [record] });
    return buildIso({
      sectorCount: 30 + Math.ceil(body.byteLength / sector) + 2,
      rootLba: 20,
      sectors: new Map([
        [20, root],
        [30, body],
      ]),
    });
  }

  it('reads 32 KiB blocks with 64-bit pointers', async () => {
    const path = join(scratch, 'blocks-32k.iso');
    writeFileSync(path, imageWith(zisofsBody(text, { version: 2, blockLog2: 15 }), zfVersion2('PZ', text.byteLength, 15)));
    const { code, bytes } = await isotopeCat(path, '/z');
    expect(code).toBe(0);
    expect(bytes.equals(Buffer.from(text))).toBe(true);
  });

  it('refuses a file header naming xz even when the ZF entry says PZ', async () => {
    const path = join(scratch, 'header-xz.iso');
    writeFileSync(path, imageWith(zisofsBody(text, { version: 2, algorithmId: 2 }), zfVersion2('PZ', text.byteLength)));
    const { code, stderr } = await isotopeCat(path, '/z');
    expect(code).toBe(1);
    expect(stderr).toMatch(/zisofs algorithm 'xz' is not supported/);
  });

  it('refuses a 16 KiB file claiming 256 MiB of empty blocks: the expansion guard holds for version 2', async () => {
    const claimedBytes = 256 * 1024 * 1024;
    const holes = Array.from({ length: claimedBytes / 2 ** 17 }, () => new Uint8Array(0));
    const body = zisofsBody(new Uint8Array(0), { version: 2, blockLog2: 17, declaredBytes: claimedBytes, blocks: holes });
    const outcome = await exploreImage(imageWith(body, zfVersion2('PZ', claimedBytes)));
    expect(outcome).toMatchObject({ kind: 'corrupt', message: expect.stringMatching(/decompression bomb/) as unknown });
  });

  it('refuses a 64-bit block pointer past the stored file', async () => {
    const body = zisofsBody(text, { version: 2, blockLog2: 17 });
    new DataView(body.buffer, body.byteOffset).setBigUint64(24 + 8, 2n ** 40n, true);
    const outcome = await exploreImage(imageWith(body, zfVersion2('PZ', text.byteLength)));
    expect(outcome).toMatchObject({ kind: 'corrupt', message: expect.stringMatching(/block pointer 1 .* outside the/) as unknown });
  });
});
