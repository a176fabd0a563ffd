// The UDF 1.02 bridge writer read back by our own UDF reader (which checks every tag's checksum and
// CRC, every tag location of the volume structures and every extent's bounds): the names, sizes,
// contents, modes, owners and times of a tree with every kind of node (symlinks and special files left
// out); hard links as one File Entry; unique ids; the plan's sizes; equal bytes for equal input; refusals.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuthoringNode } from '../../../src-main/format/authoring-tree.ts';
import type { TreeEntry } from '../../../src-main/format/file-tree.ts';
import type { ByteSource } from '../../../src-main/io/byte-source.ts';
import { planUdfBridge } from '../../../src-main/udf/udf-bridge-writer.ts';
import { openUdfTree, type UdfTree } from '../../../src-main/udf/udf-tree.ts';
import { deepLevels, longNameA, longNameB, manyFileCount, sampleTree, wideLongName } from './sample-tree.ts';
import { composeUdfOnlyImage, directoryNode, fileNode, treeTimeMs, zerosSource } from './udf-only-image.ts';

async function sha256Of(source: ByteSource, entry: TreeEntry): Promise<string> {
  const digest = createHash('sha256');
  for (const extent of entry.extents) digest.update(await source.read(extent.offsetBytes, extent.sizeBytes));
  return digest.digest('hex');
}

async function sha256OfNode(node: AuthoringNode): Promise<string> {
  return createHash('sha256')
    .update(await node.content!.read(0, node.sizeBytes))
    .digest('hex');
}

/** Every file and folder below `root` by its path, except names too long for a UDF identifier (checked on their own). */
function nodesByPath(root: AuthoringNode): Map<string, AuthoringNode> {
  const byPath = new Map<string, AuthoringNode>();
  const stack: { node: AuthoringNode; path: string }[] = [{ node: root, path: '' }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    for (const child of next.node.children ?? []) {
      if ([longNameA, longNameB, wideLongName].includes(child.name) || (child.kind !== 'file' && child.kind !== 'directory')) continue;
      const path = `${next.path}/${child.name}`;
      byPath.set(path, child);
      if (child.children) stack.push({ node: child, path });
    }
  }
  return byPath;
}

async function walk(tree: UdfTree): Promise<Map<string, TreeEntry>> {
  const entries = new Map<string, TreeEntry>();
  for await (const entry of tree.walk()) entries.set(entry.path, entry);
  return entries;
}

async function openImage(root: AuthoringNode, input: Parameters<typeof composeUdfOnlyImage>[1] = {}): Promise<{ tree: UdfTree; source: ByteSource }> {
  const image = composeUdfOnlyImage(root, input);
  const tree = await openUdfTree(image.source);
  if (!tree) throw new Error('no UDF anchor found');
  return { tree, source: image.source };
}

/** A File Entry's fields our reader does not give: link count (ECMA-167 4/14.9.6) and unique id (4/14.9.19). */
async function fileEntryCounters(source: ByteSource, entry: TreeEntry): Promise<{ linkCount: number; uniqueId: number }> {
  const bytes = await source.read(entry.extentLba * 2048, 2048);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { linkCount: view.getUint16(48, true), uniqueId: Number(view.getBigUint64(160, true)) };
}

describe('UDF bridge writer, read back by our UDF reader', () => {
  it('records every name, size, content, mode, owner and time of the tree', async () => {
    const root = sampleTree();
    const { tree, source } = await openImage(root);
    expect(tree.revision).toBe('1.02');
    expect(tree.primary.volumeIdentifier).toBe('ISOTOPE_UDF');
    expect(tree.logicalVolume.logicalVolumeIdentifier).toBe('ISOTOPE_UDF');
    expect(tree.fileSetIdentifier).toBe('ISOTOPE_UDF');
    const entries = await walk(tree);
    const expected = nodesByPath(root);
    for (const [path, node] of expected) {
      const entry = entries.get(path);
      expect(entry, path).toBeDefined();
      expect({ path, type: entry!.type, mode: entry!.mode, uid: entry!.uid, gid: entry!.gid, mtimeMs: entry!.mtimeMs, hidden: entry!.hidden }).toEqual({
        path,
        type: node.kind,
        mode: node.mode,
        uid: node.uid,
        gid: node.gid,
        mtimeMs: node.modifiedMs,
        hidden: node.hidden,
      });
      if (node.kind === 'file') {
        expect(entry!.sizeBytes, path).toBe(node.sizeBytes);
        expect(await sha256Of(source, entry!), path).toBe(await sha256OfNode(node));
      }
    }
    // The three long names are the only entries not named as in the tree.
    expect(entries.size).toBe(expected.size + 3);
  });

  it('leaves symbolic links, devices, FIFOs and sockets out, as the Joliet tree does (7-Zip refuses a UDF volume holding any)', async () => {
    const { tree } = await openImage(sampleTree());
    const entries = await walk(tree);
    expect([...entries.keys()].filter((path) => path.startsWith('/links/') || path.startsWith('/special/'))).toEqual([]);
    expect(entries.get('/links')?.type).toBe('directory');
    expect(entries.get('/special')?.type).toBe('directory');
  });

  it('cuts names too long for a 255-byte identifier to distinct ones that keep the start, a CRC and the extension', async () => {
    const { tree } = await openImage(sampleTree());
    const names = (await tree.listDirectory(tree.root)).map((entry) => entry.name);
    const cut = names.filter((name) => name.includes('#'));
    expect(cut).toHaveLength(3);
    expect(new Set(cut).size).toBe(3);
    for (const name of cut) {
      expect(name).toMatch(/#[0-9A-F]{4}\.txt$/);
      const wide = name.startsWith('ж');
      // CS0: 1 byte of compression id, then 1 byte (8-bit form) or 2 bytes (16-bit form) per UTF-16 unit.
      expect(1 + name.length * (wide ? 2 : 1)).toBeLessThanOrEqual(255);
      expect(1 + (name.length + 1) * (wide ? 2 : 1)).toBeGreaterThan(255);
      expect(name.startsWith(wide ? 'жжж' : 'aaa')).toBe(true);
    }
    expect(names).toContain('snow ☃ man.txt');
    expect(names).toContain('smile 😀.txt');
    expect(names).toContain('Ünïcödé.txt');
  });

  it('lists 1,000 files of one directory, whose identifiers span many blocks, in name order', async () => {
    const { tree } = await openImage(sampleTree());
    const many = await tree.lookup('/many');
    const listed = await tree.listDirectory(many!);
    expect(listed.map((entry) => entry.name)).toEqual(Array.from({ length: manyFileCount }, (_, index) => `file-${String(index).padStart(4, '0')}.txt`));
    expect(many!.sizeBytes).toBeGreaterThan(20 * 2048);
  });

  it('reaches a file 12 directories down', async () => {
    const { tree, source } = await openImage(sampleTree());
    const path = `/deep/${Array.from({ length: deepLevels }, (_, index) => `level-${index + 1}`).join('/')}/bottom.txt`;
    const bottom = await tree.lookup(path);
    expect(new TextDecoder().decode(await source.read(bottom!.extents[0]!.offsetBytes, bottom!.sizeBytes))).toBe('the bottom\n');
  });

  it('names a hard-linked file by two identifiers pointing at one File Entry with a link count of 2', async () => {
    const { tree, source } = await openImage(sampleTree());
    const first = await tree.lookup('/hard-a');
    const second = await tree.lookup('/docs/hard-b');
    expect(first!.extentLba).toBe(second!.extentLba);
    expect((await fileEntryCounters(source, first!)).linkCount).toBe(2);
    expect((await fileEntryCounters(source, (await tree.lookup('/README.TXT'))!)).linkCount).toBe(1);
  });

  it('gives the root unique id 0 and every other entry its own id from 16 on, below the integrity descriptor next id', async () => {
    const root = directoryNode('', [fileNode('a', new Uint8Array([1])), directoryNode('d', [fileNode('b', new Uint8Array([2]))])]);
    const image = composeUdfOnlyImage(root);
    const tree = (await openUdfTree(image.source))!;
    const ids = [];
    for (const entry of [tree.root, ...(await walk(tree)).values()]) ids.push((await fileEntryCounters(image.source, entry)).uniqueId);
    expect(ids).toEqual([0, 16, 17, 18]);
    // ECMA-167 4/14.15.1 in the LVID's contents use (byte 40): the next unique id.
    const integrity = await image.source.read((image.partitionStartLba - image.plan.integritySectors) * 2048, 2048);
    expect(Number(new DataView(integrity.buffer, integrity.byteOffset).getBigUint64(40, true))).toBe(19);
  });

  it('counts a directory link for its own name and one for each subdirectory, as genisoimage', async () => {
    const { tree, source } = await openImage(sampleTree());
    const docs = await tree.lookup('/docs');
    expect((await fileEntryCounters(source, docs!)).linkCount).toBe(2);
    expect((await fileEntryCounters(source, tree.root)).linkCount).toBe(1 + 5);
  });

  it('replaces every file time by the fixed one of a reproducible image', async () => {
    const fixedMs = Date.UTC(2020, 0, 2, 3, 4, 5);
    const { tree } = await openImage(sampleTree(), { fixedFileTimesMs: fixedMs });
    const times = new Set([...(await walk(tree)).values()].map((entry) => entry.mtimeMs));
    expect([...times]).toEqual([fixedMs]);
  });

  it('plans the file set block by block: descriptor and terminator, each directory entry and its identifiers, each file entry', () => {
    const root = directoryNode('', [fileNode('a', new Uint8Array(5)), fileNode('b', new Uint8Array(0)), directoryNode('d', [])]);
    const plan = planUdfBridge({ root, volumeIdentifier: 'X', recordedMs: treeTimeMs, fixedFileTimesMs: null, identitySeed: 's' });
    expect({ sequence: plan.sequenceSectors, integrity: plan.integritySectors, fileSet: plan.fileSetSectors }).toEqual({
      sequence: 16,
      integrity: 2,
      fileSet: 2 + 2 + 1 + 1 + 2,
    });
    const recognition = plan.renderRecognitionSequence();
    expect(recognition.byteLength).toBe(3 * 2048);
    expect([0, 1, 2].map((index) => new TextDecoder().decode(recognition.subarray(index * 2048 + 1, index * 2048 + 6)))).toEqual(['BEA01', 'NSR02', 'TEA01']);
  });

  it('writes equal bytes for equal input, and a different volume set identifier for another seed', async () => {
    const read = async (seed: string): Promise<Uint8Array> => {
      const image = composeUdfOnlyImage(sampleTree(), { identitySeed: seed });
      return image.source.read(0, image.source.sizeBytes);
    };
    const first = await read('seed one');
    expect(Buffer.from(await read('seed one')).equals(Buffer.from(first))).toBe(true);
    expect(Buffer.from(await read('seed two')).equals(Buffer.from(first))).toBe(false);
    const one = await openImage(sampleTree(), { identitySeed: 'seed one' });
    const two = await openImage(sampleTree(), { identitySeed: 'seed two' });
    // OSTA UDF 2.2.2.5: the first 16 characters are a unique hex number.
    expect(one.tree.primary.volumeSetIdentifier).toMatch(/^[0-9A-F]{16}$/);
    expect(one.tree.primary.volumeSetIdentifier).not.toBe(two.tree.primary.volumeSetIdentifier);
  });

  it('warns of each name it cut, and once of how many symlinks and special files it left out', () => {
    const plan = planUdfBridge({ root: sampleTree(), volumeIdentifier: 'X', recordedMs: 0, fixedFileTimesMs: null, identitySeed: 's' });
    expect(plan.warnings).toHaveLength(4);
    expect(plan.warnings[0]).toMatch(new RegExp(`^UDF: /${longNameA} is longer than a 255-byte UDF identifier, recorded as a+#[0-9A-F]{4}\\.txt$`));
    expect(plan.warnings[3]).toMatch(/^UDF: 8 symbolic links, devices, FIFOs or sockets are left out of the UDF tree, as out of the Joliet one/);
    const plain = directoryNode('', [fileNode('a', new Uint8Array(1))]);
    expect(planUdfBridge({ root: plain, volumeIdentifier: 'X', recordedMs: 0, fixedFileTimesMs: null, identitySeed: 's' }).warnings).toEqual([]);
  });

  it('renders the file set alike whether read whole, block by block or in unaligned pieces', async () => {
    const image = composeUdfOnlyImage(sampleTree());
    const fileSetOffsetBytes = image.fileSetLba * 2048;
    const sizeBytes = image.plan.fileSetSectors * 2048;
    const whole = Buffer.from(await image.source.read(fileSetOffsetBytes, sizeBytes));
    for (const pieceBytes of [2048, 777, 5 * 2048 + 13]) {
      const pieces: Uint8Array[] = [];
      for (let done = 0; done < sizeBytes; done += pieceBytes)
        pieces.push(await image.source.read(fileSetOffsetBytes + done, Math.min(pieceBytes, sizeBytes - done)));
      expect(Buffer.concat(pieces).equals(whole), `pieces of ${pieceBytes} bytes`).toBe(true);
    }
  });

  it('refuses a file a File Entry cannot describe in 234 extents, naming it', () => {
    const sizeBytes = 300 * 1024 ** 3;
    const root = directoryNode('', [fileNode('huge.img', zerosSource(sizeBytes), { origin: '/src/huge.img' })]);
    expect(() => planUdfBridge({ root, volumeIdentifier: 'X', recordedMs: 0, fixedFileTimesMs: null, identitySeed: 's' })).toThrow(
      expect.objectContaining({ code: 'file-too-large', message: expect.stringContaining(`/src/huge.img holds ${sizeBytes} bytes`) }),
    );
  });

  it('refuses addresses that put a structure over an anchor or the file set outside the partition', () => {
    const root = directoryNode('', [fileNode('a', new Uint8Array(5))]);
    const plan = planUdfBridge({ root, volumeIdentifier: 'X', recordedMs: 0, fixedFileTimesMs: null, identitySeed: 's' });
    const addresses = {
      volumeSectorCount: 400,
      mainSequenceLba: 257,
      reserveSequenceLba: 273,
      integrityLba: 289,
      partitionStartLba: 291,
      fileSetLba: 291,
      extentsOf: () => [{ lba: 300, sizeBytes: 5 }],
    };
    expect(() => plan.render(addresses)).not.toThrow();
    expect(() => plan.render({ ...addresses, mainSequenceLba: 250 })).toThrow(/main volume descriptor sequence at LBA 250/);
    expect(() => plan.render({ ...addresses, fileSetLba: 280, integrityLba: 300 })).toThrow(/file set at LBA 280 lies outside the partition/);
    expect(() => plan.render({ ...addresses, extentsOf: () => [{ lba: 300, sizeBytes: 4 }] })).toThrow(/placed as 4 bytes, it holds 5/);
  });
});
