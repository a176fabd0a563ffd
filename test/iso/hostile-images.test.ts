// Crafted hostile images: each either lists (with safe names) or fails with a CorruptImageError that
// names a sector and offset; none crashes, hangs or allocates without bound.
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bothEndian32, buildIso, buildSeedIso, concat, directoryExtent, directoryRecord, rockRidgeRootSystemUse, rr, sector } from './iso-builder.ts';
import { openIsoImage } from '../../src-main/iso/iso-tree.ts';
import { readEntryContent } from '../../src-main/image/read-entry.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { readVolumeDescriptorSet } from '../../src-main/iso/volume-descriptors.ts';
import { exploreImage } from './explore-image.ts';
import { zisofsBody } from './zisofs-builder.ts';

/** A root (lba 20) holding `records`, Rock Ridge on, extra sectors as given. */
function rootWith(records: Uint8Array[], extra: [number, Uint8Array][] = [], sectorCount = 40): Uint8Array {
  const root = directoryExtent({ selfLba: 20, parentLba: 20, selfSystemUse: rockRidgeRootSystemUse(), records });
  return buildIso({ sectorCount, rootLba: 20, sectors: new Map([[20, root], ...extra]) });
}

function file(name: string, lba: number, sizeBytes: number, systemUse: Uint8Array[] = []): Uint8Array {
  return directoryRecord({ identifier: `${name.toUpperCase().slice(0, 8)};1`, lba, sizeBytes, systemUse: concat(rr.px(0o100644), rr.nm(name), ...systemUse) });
}

function folder(name: string, lba: number, systemUse: Uint8Array[] = []): Uint8Array {
  return directoryRecord({
    identifier: name.toUpperCase().slice(0, 8),
    lba,
    sizeBytes: sector,
    flags: 2,
    systemUse: concat(rr.px(0o040755), rr.nm(name), ...systemUse),
  });
}

const corruptMessage = /sector \d+, offset \d+|outside hostile\.iso/;

async function expectCorrupt(image: Uint8Array, pattern: RegExp): Promise<void> {
  const outcome = await exploreImage(image);
  expect(outcome.kind).toBe('corrupt');
  if (outcome.kind !== 'corrupt') return;
  expect(outcome.message).toMatch(pattern);
  expect(outcome.message).toMatch(corruptMessage);
}

async function expectListed(image: Uint8Array): Promise<string[]> {
  const outcome = await exploreImage(image);
  expect(outcome).toMatchObject({ kind: 'listed' });
  return outcome.kind === 'listed' ? [...outcome.paths] : [];
}

describe('volume descriptors', () => {
  it('treats a file without a volume descriptor at sector 16 as not an ISO image', async () => {
    expect(await exploreImage(new Uint8Array(40 * sector))).toEqual({ kind: 'not-iso' });
  });
  it('treats a file shorter than 17 sectors as not an ISO image', async () => {
    expect(await exploreImage(new Uint8Array(10 * sector))).toEqual({ kind: 'not-iso' });
  });
  it('rejects a volume space size whose little- and big-endian halves disagree', async () => {
    await expectCorrupt(buildIso({ sectorCount: 30, rootLba: 20, sectors: new Map(), editPrimary: (pvd) => (pvd[87] = 9) }), /volume space size disagrees/);
  });
  it('rejects a logical block size of 4096 bytes', async () => {
    await expectCorrupt(
      buildIso({ sectorCount: 30, rootLba: 20, sectors: new Map(), editPrimary: (pvd) => pvd.set([0, 16, 16, 0], 128) }),
      /logical block size of 4096/,
    );
  });
  it('stops after 64 descriptors when the terminator never comes', async () => {
    const image = buildIso({
      sectorCount: 200,
      rootLba: 150,
      omitTerminator: true,
      sectors: new Map([[150, directoryExtent({ selfLba: 150, parentLba: 150, records: [] })]]),
    });
    for (let lba = 17; lba < 140; lba += 1) image.set([0, 0x43, 0x44, 0x30, 0x30, 0x31, 1], lba * sector); // boot records forever
    expect(await exploreImage(image)).toEqual({ kind: 'listed', paths: [] });
  });
  it('refuses a descriptor set that has no primary volume descriptor', async () => {
    const image = buildIso({ sectorCount: 30, rootLba: 20, sectors: new Map(), editPrimary: (pvd) => (pvd[0] = 0) });
    await expectCorrupt(image, /no primary volume descriptor/);
  });
  it('refuses a root directory whose extent lies past the end of the image', async () => {
    const image = buildIso({ sectorCount: 30, rootLba: 5000, sectors: new Map() });
    await expectCorrupt(image, /past the image end/);
  });
  it('refuses a root directory declaring 4 GiB', async () => {
    const image = buildIso({
      sectorCount: 30,
      rootLba: 20,
      rootSizeBytes: 0xffff_f000,
      sectors: new Map([[20, directoryExtent({ selfLba: 20, parentLba: 20, records: [] })]]),
    });
    await expectCorrupt(image, /more than the \d+-byte limit/);
  });
  it('reads a descriptor set cut short by the end of the image', async () => {
    const image = buildIso({ sectorCount: 17, rootLba: 16, omitTerminator: true, sectors: new Map() });
    expect((await exploreImage(image)).kind).not.toBe('listed-with-crash');
  });
});

describe('directory records', () => {
  it('refuses a directory that contains the root again (a loop)', async () => {
    await expectCorrupt(rootWith([folder('loop', 20)]), /directory loop/);
  });
  it('refuses a folder that points at its own parent', async () => {
    const child = directoryExtent({ selfLba: 21, parentLba: 20, records: [folder('up', 20)] });
    await expectCorrupt(rootWith([folder('child', 21)], [[21, child]]), /directory loop/);
  });
  it('refuses two folders sharing one extent', async () => {
    const shared = directoryExtent({ selfLba: 21, parentLba: 20, records: [] });
    await expectCorrupt(rootWith([folder('a', 21), folder('b', 21)], [[21, shared]]), /already visited/);
  });
  it('refuses folders nested deeper than the limit', async () => {
    const extra: [number, Uint8Array][] = [];
    for (let level = 0; level < 300; level += 1) {
      const lba = 21 + level;
      extra.push([lba, directoryExtent({ selfLba: lba, parentLba: lba - 1, records: level < 299 ? [folder('d', lba + 1)] : [] })]);
    }
    await expectCorrupt(rootWith([folder('d', 21)], extra, 330), /nested deeper than 256/);
  });
  it('refuses a record shorter than the fixed part', async () => {
    await expectCorrupt(rootWith([directoryRecord({ identifier: 'A;1', lba: 30, sizeBytes: 1, lengthOverride: 20 })]), /less than the 34-byte minimum/);
  });
  it('refuses a record that crosses a sector boundary', async () => {
    const fillers = Array.from({ length: 44 }, (_, index) => directoryRecord({ identifier: `F${index}.TXT;1`, lba: 30, sizeBytes: 1 }));
    const root = directoryExtent({ selfLba: 20, parentLba: 20, records: fillers });
    let end = 0;
    while (root[end] !== 0) end += root[end] as number;
    expect(end).toBeGreaterThan(2048 - 200);
    expect(end).toBeLessThan(2048 - 34);
    root[end] = 200; // the record after the last filler claims 200 bytes: more than the sector has left
    root[end + 32] = 1;
    await expectCorrupt(buildIso({ sectorCount: 30, rootLba: 20, sectors: new Map([[20, root]]) }), /crosses the sector boundary/);
  });
  it('refuses a file identifier longer than its record', async () => {
    const record = directoryRecord({ identifier: 'A;1', lba: 30, sizeBytes: 1 });
    record[32] = 200;
    await expectCorrupt(rootWith([record]), /overruns/);
  });
  it('refuses a file whose extent runs past the end of the image', async () => {
    await expectCorrupt(rootWith([file('big', 30, 10 * 1024 * 1024)]), /past the image end/);
  });
  it('refuses an extent location whose little- and big-endian halves disagree', async () => {
    await expectCorrupt(rootWith([directoryRecord({ identifier: 'A;1', lba: 30, bigEndianLba: 31, sizeBytes: 5 })]), /location of extent disagrees/);
  });
  it('refuses a data length whose halves disagree', async () => {
    const record = directoryRecord({ identifier: 'A;1', lba: 30, sizeBytes: 5 });
    record[17] = 1;
    await expectCorrupt(rootWith([record]), /data length disagrees/);
  });
  it('refuses a multi-extent file whose final record is missing', async () => {
    await expectCorrupt(rootWith([directoryRecord({ identifier: 'M;1', lba: 30, sizeBytes: sector, flags: 0x80 })]), /no final record/);
  });
  it('refuses a multi-extent file continued under another name', async () => {
    const records = [
      directoryRecord({ identifier: 'M;1', lba: 30, sizeBytes: sector, flags: 0x80 }),
      directoryRecord({ identifier: 'N;1', lba: 31, sizeBytes: 5 }),
    ];
    await expectCorrupt(rootWith(records), /ends without its final record/);
  });
  it('renames ISO 9660 identifiers "." and ".." so they stay inside their folder', async () => {
    const paths = await expectListed(
      buildIso({
        sectorCount: 40,
        rootLba: 20,
        sectors: new Map([
          [
            20,
            directoryExtent({
              selfLba: 20,
              parentLba: 20,
              records: [directoryRecord({ identifier: '..', lba: 30, sizeBytes: 1 }), directoryRecord({ identifier: '.;1', lba: 30, sizeBytes: 1 })],
            }),
          ],
        ]),
      }),
    );
    expect(paths).toEqual(['iso9660:/_..', 'iso9660:/_.']);
  });
});

describe('SUSP and Rock Ridge', () => {
  it('refuses a CE entry that points at its own continuation area', async () => {
    const area = rr.ce(22, 0, 28);
    await expectCorrupt(rootWith([file('a', 30, 1, [rr.ce(22, 0, 28)])], [[22, area]]), /loop/);
  });
  it('refuses a two-area CE cycle', async () => {
    const first = concat(rr.ce(23, 0, 28));
    const second = concat(rr.ce(22, 0, 28));
    await expectCorrupt(
      rootWith(
        [file('a', 30, 1, [rr.ce(22, 0, 28)])],
        [
          [22, first],
          [23, second],
        ],
      ),
      /loop/,
    );
  });
  it('refuses a CE chain longer than 32 areas', async () => {
    const extra: [number, Uint8Array][] = [];
    for (let index = 0; index < 40; index += 1) extra.push([22 + index, rr.ce(22 + index + 1, 0, 28)]);
    await expectCorrupt(rootWith([file('a', 100, 1, [rr.ce(22, 0, 28)])], extra, 120), /more than 32 SUSP continuation areas/);
  });
  it('refuses a CE area past the end of the image', async () => {
    await expectCorrupt(rootWith([file('a', 30, 1, [rr.ce(90_000, 0, 100)])]), /past the image end/);
  });
  it('refuses a CE area of 4 GiB', async () => {
    await expectCorrupt(rootWith([file('a', 30, 1, [rr.ce(22, 0, 0xffff_ffff)])]), /exceed/);
  });
  it('refuses a system use entry shorter than its header', async () => {
    const bad = concat(rr.px(0o100644), Uint8Array.of(0x4e, 0x4d, 2, 1));
    await expectCorrupt(rootWith([directoryRecord({ identifier: 'A;1', lba: 30, sizeBytes: 1, systemUse: bad })]), /less than 4/);
  });
  it('refuses a system use entry longer than its field', async () => {
    const bad = concat(rr.px(0o100644), Uint8Array.of(0x4e, 0x4d, 200, 1, 0, 0x41));
    await expectCorrupt(rootWith([directoryRecord({ identifier: 'A;1', lba: 30, sizeBytes: 1, systemUse: bad })]), /needs 200 bytes/);
  });
  it('turns "/" and NUL inside a Rock Ridge name into "_"', async () => {
    const paths = await expectListed(rootWith([file('../../etc/passwd', 30, 1), file('a\0b', 30, 1)]));
    expect(paths).toContain('rockridge:/.._.._etc_passwd');
    expect(paths).toContain('rockridge:/a_b');
  });
  it('never names an entry "." or ".." from NM CURRENT/PARENT flags', async () => {
    const records = [
      directoryRecord({ identifier: 'A;1', lba: 30, sizeBytes: 1, systemUse: concat(rr.px(0o100644), rr.nm('', 4)) }),
      directoryRecord({ identifier: 'B;1', lba: 30, sizeBytes: 1, systemUse: concat(rr.px(0o100644), rr.nm('', 2)) }),
    ];
    expect(await expectListed(rootWith(records))).toEqual(expect.arrayContaining(['rockridge:/_..', 'rockridge:/_.']));
  });
  it('keeps duplicate names apart with a suffix', async () => {
    const paths = await expectListed(rootWith([file('same', 30, 1), file('same', 30, 1)]));
    expect(paths.filter((path) => path.startsWith('rockridge:'))).toEqual(['rockridge:/same', 'rockridge:/same~2']);
  });
  it('bounds an NM name continued across many entries', async () => {
    const pieces = Array.from({ length: 300 }, () => rr.nm('x'.repeat(240), 1));
    const area = concat(...pieces);
    const record = directoryRecord({
      identifier: 'S;1',
      lba: 30,
      sizeBytes: 1,
      systemUse: concat(rr.px(0o100644), rr.nm('start', 1), rr.ce(22, 0, area.byteLength)),
    });
    await expectCorrupt(rootWith([record], [[22, area]], 120), /NM name longer than/);
  });
  it('refuses a CL entry that points back at an ancestor (a CL cycle)', async () => {
    const child = directoryExtent({ selfLba: 21, parentLba: 20, records: [file('back', 0, 0, [rr.cl(20)])] });
    await expectCorrupt(rootWith([folder('child', 21)], [[21, child]]), /directory loop/);
  });
  it('refuses a CL entry that points at a sector holding no directory', async () => {
    await expectCorrupt(rootWith([file('moved', 0, 0, [rr.cl(30)])]), /does not start with a directory/);
  });
  it('refuses a CL entry past the end of the image', async () => {
    await expectCorrupt(rootWith([file('moved', 0, 0, [rr.cl(1_000_000)])]), /past the image end/);
  });
  it('hides an RE directory and shows it where its CL points from, once', async () => {
    const moved = directoryExtent({ selfLba: 22, parentLba: 21, records: [file('inside', 30, 1)] });
    const rrMoved = directoryExtent({ selfLba: 21, parentLba: 20, records: [folder('deep', 22, [rr.re()])] });
    const paths = await expectListed(
      rootWith(
        [folder('rr_moved', 21), file('deep', 0, 0, [rr.cl(22)])],
        [
          [21, rrMoved],
          [22, moved],
        ],
      ),
    );
    expect(paths.filter((path) => path.startsWith('rockridge:'))).toEqual(['rockridge:/rr_moved', 'rockridge:/deep', 'rockridge:/deep/inside']);
  });
  it('lists a PL pointing anywhere without following it', async () => {
    const child = directoryExtent({ selfLba: 21, parentLba: 20, records: [file('x', 30, 1, [rr.pl(21)])] });
    expect(await expectListed(rootWith([folder('c', 21)], [[21, child]]))).toContain('rockridge:/c/x');
  });
  it('keeps a symbolic link target that climbs out as recorded (extraction refuses it)', async () => {
    const link = directoryRecord({
      identifier: 'L;1',
      lba: 0,
      sizeBytes: 0,
      systemUse: concat(rr.px(0o120777), rr.nm('l'), rr.sl([{ flags: 4 }, { flags: 4 }, { text: 'etc' }])),
    });
    expect(await expectListed(rootWith([link]))).toContain('rockridge:/l');
  });
  it('reads an SL whose last component never ends', async () => {
    const link = directoryRecord({
      identifier: 'L;1',
      lba: 0,
      sizeBytes: 0,
      systemUse: concat(rr.px(0o120777), rr.nm('l'), rr.sl([{ flags: 1, text: 'abc' }], 1)),
    });
    expect(await expectListed(rootWith([link]))).toContain('rockridge:/l');
  });
  it('lists a device node as "other"', async () => {
    const node = directoryRecord({ identifier: 'D;1', lba: 0, sizeBytes: 0, systemUse: concat(rr.px(0o020644), rr.nm('null')) });
    expect(await expectListed(rootWith([node]))).toContain('rockridge:/null');
  });
});

describe('zisofs', () => {
  const text = new TextEncoder().encode('zisofs '.repeat(20_000));
  const zisofsFile = (body: Uint8Array, uncompressed: number): Uint8Array =>
    rootWith([file('z', 30, body.byteLength, [rr.zf(uncompressed)])], [[30, body]], 30 + Math.ceil(body.byteLength / sector) + 2);

  it('reads a well-formed zisofs file', async () => {
    expect(await expectListed(zisofsFile(zisofsBody(text), text.byteLength))).toContain('rockridge:/z');
  });
  it('refuses a zisofs bomb that claims 4 GiB from a few bytes', async () => {
    const body = zisofsBody(new Uint8Array(0), { declaredBytes: 0xffff_ffff, blocks: [] });
    const padded = concat(body, new Uint8Array(4 * 131073 + 64));
    await expectCorrupt(zisofsFile(padded, 0xffff_ffff), /decompression bomb|overruns/);
  });
  it('refuses a zisofs block that inflates past its block size', async () => {
    const oversized = deflateSync(new Uint8Array(1024 * 1024));
    await expectCorrupt(zisofsFile(zisofsBody(new Uint8Array(32768), { blocks: [oversized] }), 32768), /zisofs block/);
  });
  it('refuses a zisofs file without the magic number', async () => {
    const body = zisofsBody(text);
    body[0] = 0;
    await expectCorrupt(zisofsFile(body, text.byteLength), /magic/);
  });
  it('refuses zisofs block pointers that run backwards', async () => {
    const body = zisofsBody(text);
    new DataView(body.buffer).setUint32(20, 10, true);
    await expectCorrupt(zisofsFile(body, text.byteLength), /out of order/);
  });
  it('refuses a zisofs block pointer past the file', async () => {
    const body = zisofsBody(text);
    new DataView(body.buffer).setUint32(24, 0x7fff_0000, true);
    await expectCorrupt(zisofsFile(body, text.byteLength), /outside the/);
  });
  it('refuses a zisofs block size of 2^30', async () => {
    const body = zisofsBody(text);
    body[13] = 30;
    await expectCorrupt(zisofsFile(body, text.byteLength), /block size/);
  });
  it('refuses a zisofs header that disagrees with the ZF entry', async () => {
    await expectCorrupt(zisofsFile(zisofsBody(text), text.byteLength + 1), /ZF entry/);
  });
  it('refuses a zisofs block holding garbage instead of zlib', async () => {
    await expectCorrupt(zisofsFile(zisofsBody(new Uint8Array(100), { blocks: [Uint8Array.of(1, 2, 3, 4, 5)] }), 100), /does not inflate/);
  });
});

describe('Joliet', () => {
  it.each([
    [0x40, 1],
    [0x43, 2],
    [0x45, 3],
  ] as const)('reads the UCS-2 level from escape sequence %%/%s (Joliet level %i)', async (escapeByte, level) => {
    const root = directoryExtent({ selfLba: 20, parentLba: 20, records: [] });
    const image = buildIso({ sectorCount: 40, rootLba: 20, jolietRootLba: 20, sectors: new Map([[20, root]]) });
    image[17 * sector + 90] = escapeByte;
    const set = await readVolumeDescriptorSet(createMemorySource(image));
    expect(set?.supplementary[0]?.jolietLevel).toBe(level);
  });
  it('treats a supplementary descriptor without a UCS-2 escape sequence as not Joliet', async () => {
    const image = buildIso({
      sectorCount: 40,
      rootLba: 20,
      jolietRootLba: 20,
      sectors: new Map([[20, directoryExtent({ selfLba: 20, parentLba: 20, records: [] })]]),
    });
    image.fill(0x20, 17 * sector + 88, 17 * sector + 120);
    const opened = await openIsoImage(createMemorySource(image));
    expect(opened?.namespaces).toEqual(['iso9660']);
  });
  it('turns "/" and ".." in UCS-2 names into safe names', async () => {
    const ucs2 = (text: string): Uint8Array => Uint8Array.from(Array.from(text).flatMap((c) => [0, c.charCodeAt(0)]));
    const jolietRoot = directoryExtent({
      selfLba: 21,
      parentLba: 21,
      records: [directoryRecord({ identifier: ucs2('../x/y'), lba: 30, sizeBytes: 1 }), directoryRecord({ identifier: ucs2('..'), lba: 30, sizeBytes: 1 })],
    });
    const root = directoryExtent({ selfLba: 20, parentLba: 20, records: [] });
    const image = buildIso({
      sectorCount: 40,
      rootLba: 20,
      jolietRootLba: 21,
      sectors: new Map([
        [20, root],
        [21, jolietRoot],
      ]),
    });
    expect(await expectListed(image)).toEqual(['joliet:/.._x_y', 'joliet:/_..']);
  });
});

describe('seed image', () => {
  it('lists the well-formed seed image (multi-extent, CE-continued NM, symlink)', async () => {
    expect(await expectListed(buildSeedIso())).toEqual(
      expect.arrayContaining(['rockridge:/multi.bin', 'rockridge:/sub/a-name-continued-in-a-CE-area.txt', 'rockridge:/sub/link']),
    );
  });
  it('reads data that sits after an extended attribute record', async () => {
    const record = directoryRecord({ identifier: 'X;1', lba: 30, sizeBytes: 5, extendedAttributeBlocks: 1 });
    const bytes = rootWith(
      [record],
      [
        [30, new TextEncoder().encode('the extended attribute record')],
        [31, new TextEncoder().encode('after')],
      ],
    );
    expect(await expectListed(bytes)).toContain('iso9660:/X');
    const source = createMemorySource(bytes);
    const image = await openIsoImage(source, { namespace: 'iso9660' });
    const chunks: Uint8Array[] = [];
    for await (const chunk of readEntryContent(source, (await image!.lookup('/X'))!)) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('after');
  });
  it('lists hidden files (existence bit) and leaves associated files out (ECMA-119 9.1.6)', async () => {
    const hidden = directoryRecord({ identifier: 'HIDDEN.TXT;1', lba: 30, sizeBytes: 1, flags: 0x01 });
    const associated = directoryRecord({ identifier: 'HIDDEN.TXT;1', lba: 30, sizeBytes: 1, flags: 0x04 });
    const image = buildIso({
      sectorCount: 40,
      rootLba: 20,
      sectors: new Map([[20, directoryExtent({ selfLba: 20, parentLba: 20, records: [associated, hidden] })]]),
    });
    expect(await expectListed(image)).toEqual(['iso9660:/HIDDEN.TXT']);
    const opened = await openIsoImage(createMemorySource(image));
    expect((await opened!.lookup('/HIDDEN.TXT'))?.hidden).toBe(true);
  });
  it('has a both-endian helper that the builder relies on', () => {
    expect(Array.from(bothEndian32(1))).toEqual([1, 0, 0, 0, 0, 0, 0, 1]);
  });
});
