// UDF as a peer namespace: `auto` keeps a full ISO 9660 tree but prefers UDF over a stub one, the
// service calls and the `isotope` ls / cat / extract / info commands take `udf`, info recognises a
// Windows installer layout, and VAT / sparable volumes fail with a clear "not supported" message.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImageListing, ImageSummary } from '../../shared/image.ts';
import { openImageFile } from '../../src-main/image/open-image-file.ts';
import { seededBytes } from '../fixtures/iso-images.ts';
import { isotope, isotopeCat, testService as service } from '../helpers/in-process-cli.ts';
import { udfBridgeIsoPath, udfMkudffsPath, udfSparableImagePath, udfVatImagePath, udfWindowsStubIsoPath } from '../fixtures/udf-images.ts';
import { listUdfWith7zz } from './udf-references.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-udf-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('choosing the UDF namespace', () => {
  it('keeps Rock Ridge for auto on a full bridge and offers udf after it', async () => {
    const opened = await openImageFile(udfBridgeIsoPath());
    try {
      expect(opened.image.namespace).toBe('rockridge');
      expect(opened.image.namespaces).toEqual(['rockridge', 'joliet', 'iso9660']);
      expect(opened.udf).not.toBeNull();
    } finally {
      await opened.close();
    }
    const summary = ((await service().invoke('image:open', { path: udfBridgeIsoPath() })) as { ok: true; value: ImageSummary }).value;
    expect(summary.format).toBe('iso9660');
    expect(summary.namespaces).toEqual(['rockridge', 'joliet', 'iso9660', 'udf']);
    expect(summary.udf).toMatchObject({
      revision: '1.02',
      logicalVolumeIdentifier: 'ISOTOPE_UDF',
      isoTreeIsStub: false,
      windowsInstaller: null,
      partitionMaps: ['physical'],
    });
  });

  it('prefers UDF for auto when the ISO 9660 tree is only a README stub', async () => {
    const listing = ((await service().invoke('image:list', { path: udfWindowsStubIsoPath(), directory: '/' })) as { ok: true; value: ImageListing }).value;
    expect(listing.namespace).toBe('udf');
    expect(listing.entries.map((entry) => entry.name).sort()).toEqual(['README.TXT', 'boot', 'bootmgr', 'efi', 'sources']);
    const iso = (
      (await service().invoke('image:list', { path: udfWindowsStubIsoPath(), directory: '/', namespace: 'iso9660' })) as { ok: true; value: ImageListing }
    ).value;
    expect(iso.entries.map((entry) => entry.name)).toEqual(['README.TXT']);
  });

  it('recognises a Windows installer layout and its largest file in image:open and isotope info', async () => {
    const summary = ((await service().invoke('image:open', { path: udfWindowsStubIsoPath() })) as { ok: true; value: ImageSummary }).value;
    expect(summary.namespaces?.[0]).toBe('udf');
    expect(summary.udf).toMatchObject({
      isoTreeIsStub: true,
      windowsInstaller: { installImagePath: '/sources/install.wim', installImageSizeBytes: 1024 * 1024, hasBootmgr: true, hasEfiBoot: true },
      largestFile: { path: '/sources/install.wim', sizeBytes: 1024 * 1024 },
      fileCount: 5,
    });
    const info = await isotope(['info', udfWindowsStubIsoPath()]);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/UDF revision: +1\.02/);
    expect(info.stdout).toMatch(/Windows setup: \/sources\/install\.wim \(1048576 bytes\), bootmgr, efi\/boot\/bootx64\.efi/);
  });

  it('describes a UDF-only image as format udf with its volume label', async () => {
    const summary = ((await service().invoke('image:open', { path: udfMkudffsPath('2.01') })) as { ok: true; value: ImageSummary }).value;
    expect(summary).toMatchObject({ format: 'udf', volumeLabel: 'MKUDF2.01', iso: null, namespaces: ['udf'] });
    expect(summary.udf?.revision).toBe('2.01');
  });

  it('lists, cats and extracts with --namespace udf in the CLI', async () => {
    const path = udfBridgeIsoPath();
    const listed = await isotope(['ls', path, '/docs', '--namespace', 'udf', '--json']);
    expect(listed.code).toBe(0);
    const entries = JSON.parse(listed.stdout) as { path: string; type: string; sizeBytes: number }[];
    expect(entries.find((entry) => entry.path === '/docs/random.bin')).toMatchObject({ type: 'file', sizeBytes: 3 * 1024 * 1024 + 123 });
    const reference = listUdfWith7zz(path)
      .filter((entry) => /^\/docs\/[^/]+$/.test(entry.path))
      .map((entry) => entry.path);
    expect(entries.map((entry) => entry.path).sort()).toEqual(reference);

    const catted = await isotopeCat(path, '/docs/random.bin', ['--namespace', 'udf']);
    expect(catted.code).toBe(0);
    expect(createHash('sha256').update(catted.bytes).digest('hex')).toBe(
      createHash('sha256')
        .update(seededBytes('udf random.bin', 3 * 1024 * 1024 + 123))
        .digest('hex'),
    );

    const destination = join(scratch, 'extracted');
    const extracted = await isotope(['extract', udfMkudffsPath('1.02'), '/docs', '--to', destination, '--namespace', 'udf']);
    expect(extracted.code).toBe(0);
    expect(readFileSync(join(destination, 'docs/guide.txt'), 'utf8')).toBe('A guide.\n'.repeat(1000));
  });

  it('refuses an ISO 9660 namespace on a UDF-only image, naming the one it has', async () => {
    const result = await service().invoke('image:list', { path: udfMkudffsPath('1.02'), directory: '/', namespace: 'joliet' });
    expect(result.ok).toBe(false);
    expect((result as { error: { message: string } }).error.message).toMatch(/no joliet namespace \(it has: udf\)/);
  });

  it('says VAT and sparable partitions are not supported rather than misreading them', async () => {
    for (const [path, kind] of [
      [udfVatImagePath(), 'virtual'],
      [udfSparableImagePath(), 'sparable'],
    ] as const) {
      const result = await service().invoke('image:list', { path, directory: '/', namespace: 'udf' });
      expect(result.ok).toBe(false);
      expect((result as { error: { message: string } }).error.message).toMatch(new RegExp(`is a ${kind} partition, which Isotope does not read yet`));
    }
  });
});
