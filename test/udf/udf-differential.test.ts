// The UDF reader against the reference readers on images real tools made: pycdlib's UDF walk and
// 7-Zip on genisoimage -udf bridges; 7-Zip (listing and extracted contents) on mkudffs + udfclient
// UDF-only images at revisions 1.02 and 2.01.
import { describe, expect, it } from 'vitest';
import { openImageFile } from '../../src-main/image/open-image-file.ts';
import { udfBridgeIsoPath, udfMkudffsPath, udfPycdlibSymlinksIsoPath, udfPycdlibSymlinkTargets, udfWindowsStubIsoPath } from '../fixtures/udf-images.ts';
import type { ComparableEntry } from '../iso/reference-listing.ts';
import { listWithIsotope } from '../iso/reference-listing.ts';
import { listUdfWith7zz, listUdfWithPycdlib } from './udf-references.ts';

const withoutContent = (entries: ComparableEntry[]): ComparableEntry[] => entries.map(({ sha256: _sha256, ...rest }) => rest);

describe('UDF listings equal the reference readers', () => {
  it('lists a genisoimage -udf bridge exactly as pycdlib walks its UDF tree, contents included', async () => {
    const path = udfBridgeIsoPath();
    const ours = await listWithIsotope(path, 'udf');
    expect(ours.length).toBeGreaterThan(320);
    expect(ours).toEqual(listUdfWithPycdlib(path));
  });

  it('lists a genisoimage -udf bridge exactly as 7-Zip does', async () => {
    const path = udfBridgeIsoPath();
    expect(withoutContent(await listWithIsotope(path, 'udf', { content: false }))).toEqual(listUdfWith7zz(path));
  });

  it('lists the Windows-style bridge UDF tree as pycdlib does, though its ISO 9660 tree hides it', async () => {
    const path = udfWindowsStubIsoPath();
    expect(await listWithIsotope(path, 'udf')).toEqual(listUdfWithPycdlib(path));
  });

  it('reads the symbolic links pycdlib writes (path components: root, parent, current, names)', async () => {
    const path = udfPycdlibSymlinksIsoPath();
    const ours = await listWithIsotope(path, 'udf');
    // pycdlib's walk knows a link is a link but not its target: the targets are the ones it was asked to write.
    expect(ours.map(({ target: _target, ...rest }) => rest)).toEqual(listUdfWithPycdlib(path));
    const targets = Object.fromEntries(ours.filter((entry) => entry.type === 'symlink').map((entry) => [entry.path, entry.target]));
    expect(targets).toEqual(udfPycdlibSymlinkTargets);
  });

  for (const revision of ['1.02', '2.01'] as const) {
    it(`lists and reads a mkudffs UDF ${revision} image filled by udfclient exactly as 7-Zip does`, async () => {
      const path = udfMkudffsPath(revision);
      const ours = await listWithIsotope(path, 'udf');
      expect(ours.length).toBeGreaterThan(10);
      expect(ours).toEqual(listUdfWith7zz(path, { content: true }));
    });
  }

  it('reports the revision mkudffs was asked for and the logical volume identifier', async () => {
    for (const revision of ['1.02', '2.01'] as const) {
      const opened = await openImageFile(udfMkudffsPath(revision));
      try {
        expect(opened.iso).toBeNull();
        expect(opened.image.namespace).toBe('udf');
        expect(opened.udf?.revision).toBe(revision);
        expect(opened.udf?.logicalVolume.logicalVolumeIdentifier).toBe(`MKUDF${revision}`);
      } finally {
        await opened.close();
      }
    }
  });
});
