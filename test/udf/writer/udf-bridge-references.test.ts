// The UDF 1.02 bridge writer's output judged by the reference tools: udfinfo (udftools) reads the
// volume structure, udfclient (NetBSD's UDF implementation) lists and copies files out, 7-Zip lists and
// extracts the tree (it refuses whole volumes holding symlinks or special files, which the bridge leaves
// out), each compared with the tree that was written.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthoringNode } from '../../../src-main/format/authoring-tree.ts';
import { listWithIsotope } from '../../iso/reference-listing.ts';
import { listUdfWith7zz } from '../udf-references.ts';
import { manyFileCount, sampleTree } from './sample-tree.ts';
import { composeUdfOnlyImage, writeSparseImage, type UdfOnlyImage } from './udf-only-image.ts';
import { runUdfclient, udfclientVolume } from './udfclient.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-udf-writer-'));
const fullPath = join(scratch, 'full.img');
let full: UdfOnlyImage;

beforeAll(async () => {
  full = composeUdfOnlyImage(sampleTree(), { identitySeed: 'reference seed' });
  await writeSparseImage(full, fullPath);
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function udfinfo(path: string): { fields: Map<string, string>; layout: string[] } {
  const output = execFileSync('udfinfo', [path], { encoding: 'utf8' });
  const fields = new Map<string, string>();
  const layout: string[] = [];
  for (const line of output.split('\n')) {
    if (line.startsWith('start=')) layout.push(line);
    else if (line.includes('=')) fields.set(line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1));
  }
  return { fields, layout };
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('UDF bridge writer, judged by the reference tools', () => {
  it('udfinfo reads a closed, read-only UDF 1.02 volume with our identifiers, counts and layout', () => {
    const { fields, layout } = udfinfo(fullPath);
    const sectorCount = full.source.sizeBytes / 2048;
    expect(
      Object.fromEntries(
        ['label', 'vid', 'lvid', 'fsid', 'impid', 'udfrev', 'udfwriterev', 'integrity', 'accesstype', 'blocksize', 'blocks'].map((key) => [
          key,
          fields.get(key),
        ]),
      ),
    ).toEqual({
      label: 'ISOTOPE_UDF',
      vid: 'ISOTOPE_UDF',
      lvid: 'ISOTOPE_UDF',
      fsid: 'ISOTOPE_UDF',
      impid: '*Isotope',
      udfrev: '1.02',
      udfwriterev: '1.02',
      integrity: 'closed',
      accesstype: 'readonly',
      blocksize: '2048',
      blocks: String(sectorCount),
    });
    // The sample tree: 18 folders below the root; 1,000 + 16 files, one of them a second name of a hard-linked
    // file (its 4 symlinks and 4 special files are left out).
    expect({ files: fields.get('numfiles'), dirs: fields.get('numdirs') }).toEqual({ files: String(manyFileCount + 15), dirs: '19' });
    expect(fields.get('fullvsid')).toMatch(/^[0-9A-F]{16}$/);
    const partitionBlocks = sectorCount - 1 - full.partitionStartLba;
    expect(layout).toEqual([
      'start=16, blocks=3, type=VRS',
      'start=256, blocks=1, type=ANCHOR',
      'start=257, blocks=16, type=MVDS',
      'start=273, blocks=16, type=RVDS',
      'start=289, blocks=1, type=LVID',
      `start=${full.partitionStartLba}, blocks=${partitionBlocks}, type=PSPACE`,
      `start=${sectorCount - 1}, blocks=1, type=ANCHOR`,
    ]);
  });

  it('udfclient lists our names, sizes and owners and copies files out byte for byte', async () => {
    const volume = udfclientVolume(fullPath);
    expect(volume).toMatch(/^[0-9A-F]{16}:ISOTOPE_UDF:ISOTOPE_UDF:ISOTOPE_UDF$/);
    const listing = runUdfclient(fullPath, `cd ${volume}\nls`);
    expect(listing).toMatch(/-rw-------\s+0\s+0\s+3145851\s+random\.bin/);
    expect(listing).toMatch(/-rwxr-xr-x\s+1000\s+1000\s+10\s+tool/);
    expect(listing).toMatch(/-rw-r--r--\s+1000\s+1000\s+0\s+empty\.txt/);
    const out = join(scratch, 'udfclient-out');
    mkdirSync(out);
    const copied = runUdfclient(fullPath, `lcd ${out}\ncd ${volume}\nget random.bin\nget docs/guide.txt guide.txt\nget hard-a\nmget many`);
    expect(copied).not.toMatch(/can't|couldn't|error/i);
    const root = sampleTree();
    const byName = (node: AuthoringNode, name: string): AuthoringNode => node.children!.find((child) => child.name === name)!;
    const expectedSha = async (node: AuthoringNode): Promise<string> => sha256(await node.content!.read(0, node.sizeBytes));
    expect(sha256(readFileSync(join(out, 'random.bin')))).toBe(await expectedSha(byName(root, 'random.bin')));
    expect(sha256(readFileSync(join(out, 'guide.txt')))).toBe(await expectedSha(byName(byName(root, 'docs'), 'guide.txt')));
    expect(sha256(readFileSync(join(out, 'hard-a')))).toBe(await expectedSha(byName(root, 'hard-a')));
    expect(readdirSync(join(out, 'many'))).toHaveLength(manyFileCount);
    expect(readFileSync(join(out, 'many/file-0999.txt'), 'utf8')).toBe('file 999\n');
  });

  it('7-Zip lists and extracts the tree (its symlinks and special files left out) exactly as our reader does', async () => {
    const ours = await listWithIsotope(fullPath, 'udf');
    expect(ours.length).toBeGreaterThan(manyFileCount + 20);
    expect(ours).toEqual(listUdfWith7zz(fullPath, { content: true }));
  });
});
