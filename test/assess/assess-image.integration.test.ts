// The pre-flight assessment on real images: xorriso's hybrid ISO whole and cut to 45% (a half
// download), a GPT disk image made by sgdisk whole and cut short, text, seeded random bytes, the
// flash fixtures compressed by the real tools, and checksum verdicts recorded by the real service.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, openSync, closeSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { unacknowledgedBlockingFindings } from '../../shared/assessment.ts';
import { assessImage } from '../../src-main/assess/assess-image.ts';
import { ChecksumVerdicts, checkedStateOfVerification } from '../../src-main/assess/checksum-verdicts.ts';
import { createService } from '../../src-main/service/service.ts';
import { bootFixturePath } from '../fixtures/boot-images.ts';
import { flashArchivePath } from '../fixtures/flash-images.ts';
import { plainIsoPath } from '../fixtures/iso-images.ts';
import { createSeededRandom } from '../helpers/seeded-random.ts';
import { runJob } from '../helpers/run-job.ts';

const mebibyte = 1024 * 1024;
let folder = '';

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'isotope-assess-'));
});

function copyOf(path: string, name: string): string {
  const copy = join(folder, name);
  copyFileSync(path, copy);
  return copy;
}

/** An 8 MiB disk image with a GPT made by sgdisk: partition 1 is LBA 2048-10239 (4 MiB, EFI system type). */
function gptDiskImage(name: string): string {
  const path = join(folder, name);
  writeFileSync(path, Buffer.alloc(8 * mebibyte));
  execFileSync('sgdisk', ['-n', '1:2048:10239', '-t', '1:ef00', path], { stdio: 'ignore' });
  return path;
}

function codesOf(findings: readonly { code: string }[]): string[] {
  return findings.map((finding) => finding.code);
}

describe('assessImage', () => {
  it('finds nothing blocking in a complete hybrid ISO made by xorriso', async () => {
    const assessment = await assessImage(bootFixturePath('hybridGpt'));
    expect(assessment.kind).toBe('hybrid-iso');
    expect(assessment.blocking).toBe(false);
    expect(codesOf(assessment.findings)).toEqual(['checksum-not-checked']);
  });

  it('blocks a hybrid ISO cut to 45% as truncated, with the bytes present and the bytes its volume and partitions say', async () => {
    const whole = bootFixturePath('hybridGpt');
    const wholeBytes = statSync(whole).size;
    const cut = copyOf(whole, 'half-download.iso');
    const presentBytes = Math.floor(wholeBytes * 0.45);
    truncateSync(cut, presentBytes);

    const assessment = await assessImage(cut);
    expect(assessment.blocking).toBe(true);
    const truncated = assessment.findings.find((finding) => finding.code === 'truncated');
    expect(truncated).toMatchObject({ severity: 'blocking', presentBytes, expectedBytes: wholeBytes });
    expect(truncated?.message).toContain(`file is ${presentBytes} bytes`);
    expect(truncated?.message).toContain('the ISO 9660 volume');
    expect(truncated?.message).toContain('GPT backup header');
  });

  it('reads a complete GPT disk image made by sgdisk as a disk image whose USB boot Isotope cannot judge', async () => {
    const assessment = await assessImage(gptDiskImage('disk.img'));
    expect(assessment.kind).toBe('disk-image');
    expect(assessment.blocking).toBe(false);
    expect(codesOf(assessment.findings)).toEqual(['usb-boot-unknown', 'checksum-not-checked']);
  });

  it('blocks a GPT disk image cut short: its partition and backup header lie past the end', async () => {
    const path = gptDiskImage('disk-cut.img');
    truncateSync(path, 4 * mebibyte);
    const assessment = await assessImage(path);
    const truncated = assessment.findings.find((finding) => finding.code === 'truncated');
    expect(truncated).toMatchObject({ severity: 'blocking', presentBytes: 4 * mebibyte, expectedBytes: 8 * mebibyte });
    expect(truncated?.message).toContain('GPT partition 1 (LBA 2048-10239) ends at byte 5242880');
    expect(truncated?.message).toContain('the GPT backup header (LBA 16383) ends at byte 8388608');
  });

  it('blocks a text file as not an image', async () => {
    const path = join(folder, 'notes.txt');
    writeFileSync(path, 'These are not the bytes of a disk.\n'.repeat(4000));
    const assessment = await assessImage(path);
    expect(assessment.kind).toBe('unknown');
    expect(assessment.findings[0]).toMatchObject({ code: 'not-an-image', severity: 'blocking' });
    expect(assessment.findings[0]?.message).toContain('140000-byte file: no ISO 9660 volume descriptor at sector 16');
  });

  it('blocks random bytes as not an image', async () => {
    const random = createSeededRandom(0x150707);
    const bytes = Buffer.alloc(mebibyte, 0).map(() => Math.floor(random() * 256));
    // The seed is fixed; make sure no byte pair happens to be a boot signature at 510.
    bytes[510] = 0;
    const path = join(folder, 'random.bin');
    writeFileSync(path, bytes);
    const assessment = await assessImage(path);
    expect(codesOf(assessment.findings.filter((finding) => finding.severity === 'blocking'))).toEqual(['not-an-image']);
  });

  it('recognises a compressed image by its magic, whatever its name, and says its content is judged once it is unpacked', async () => {
    const renamed = copyOf(flashArchivePath('xz'), 'image-without-extension');
    const assessment = await assessImage(renamed);
    // One xz block (xz -T1): no random access and, in a new copy, no decoded cache file.
    expect(assessment).toMatchObject({ kind: 'compressed', compression: 'xz', blocking: false });
    expect(codesOf(assessment.findings)).toEqual(['needs-decoding', 'checksum-not-checked']);
    for (const kind of ['gz', 'bz2', 'zst', 'zip'] as const) {
      expect(await assessImage(flashArchivePath(kind))).toMatchObject({ kind: 'compressed', blocking: false });
    }
  });

  it('blocks a cut .xz and a cut .zip, whose ends are missing', async () => {
    const xz = await assessImage(flashArchivePath('xz', { truncated: true }));
    expect(xz.findings[0]).toMatchObject({ code: 'damaged', severity: 'blocking' });
    expect(xz.findings[0]?.message).toContain('not a complete .xz file');
    const zip = await assessImage(flashArchivePath('zip', { truncated: true }));
    expect(zip.findings[0]?.message).toContain('no zip end of central directory record');
  });

  it('blocks an ISO whose GPT header CRC is damaged, naming where', async () => {
    const path = copyOf(bootFixturePath('hybridGpt'), 'bad-gpt.iso');
    const handle = openSync(path, 'r+');
    writeSync(handle, Buffer.from([0xde, 0xad]), 0, 2, 512 + 16); // GPT HeaderCRC32 (UEFI 2.10 table 5-5)
    closeSync(handle);
    const assessment = await assessImage(path);
    const damaged = assessment.findings.find((finding) => finding.code === 'damaged');
    expect(damaged?.severity).toBe('blocking');
    expect(damaged?.message).toContain('GPT header CRC32');
    expect(damaged?.message).toContain('offset 528');
  });

  it('warns that a plain (non-hybrid) ISO will not start from a USB stick', async () => {
    const assessment = await assessImage(plainIsoPath());
    expect(assessment.findings[0]).toMatchObject({ code: 'usb-boot-no', severity: 'warning' });
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(assessImage(bootFixturePath('hybridGpt'), { signal: controller.signal })).rejects.toThrow();
  });
});

describe('the checksum verdict in the assessment', () => {
  const service = createService({ shell: 'cli', version: '0.0.0-test', log: () => undefined });
  const sha256Of = (path: string): string => execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0] ?? '';

  it('blocks an image whose pasted digest did not match in this run, and forgets it when the file changes with its mtime kept', async () => {
    const path = copyOf(bootFixturePath('hybridGpt'), 'mismatch.iso');
    const compared = await runJob(service, 'compare', 'checksum:compare', { path, expected: 'a'.repeat(64) });
    expect(compared).toMatchObject({ ok: true, value: { matches: false } });

    const assessment = await assessImage(path);
    expect(assessment.checksum.state).toBe('mismatch');
    expect(assessment.findings.find((finding) => finding.code === 'checksum-mismatch')?.severity).toBe('blocking');
    expect(unacknowledgedBlockingFindings(assessment, [])).toHaveLength(1);
    expect(unacknowledgedBlockingFindings(assessment, ['checksum-mismatch'])).toEqual([]);

    // Another version of the file (same size, mtime set back as `touch -r` does) has no verdict.
    const reference = join(folder, 'reference');
    writeFileSync(reference, '');
    execFileSync('touch', ['-r', path, reference]);
    const handle = openSync(path, 'r+');
    writeSync(handle, Buffer.from('X'), 0, 1, 40_000);
    closeSync(handle);
    execFileSync('touch', ['-r', reference, path]);
    expect((await assessImage(path)).checksum).toEqual({ state: 'not-checked', checkedAtMs: null });
  });

  it('records no verdict for a file that changed while it was being checked', async () => {
    const path = copyOf(bootFixturePath('hybridGpt'), 'changing.iso');
    const verdicts = new ChecksumVerdicts();
    await verdicts.recordCheck(
      path,
      async () => {
        const handle = openSync(path, 'r+');
        writeSync(handle, Buffer.from('Y'), 0, 1, 50_000);
        closeSync(handle);
        return { verdict: 'mismatch' as const };
      },
      (report) => ({ state: checkedStateOfVerification(report.verdict), digests: {} }),
    );
    expect((await assessImage(path, { checksumVerdicts: verdicts })).checksum.state).toBe('not-checked');
    await verdicts.recordCheck(
      path,
      async () => ({ verdict: 'mismatch' as const }),
      (report) => ({ state: checkedStateOfVerification(report.verdict), digests: {} }),
    );
    expect((await assessImage(path, { checksumVerdicts: verdicts })).checksum.state).toBe('mismatch');
  });

  it('says a matching pasted digest is unsigned (information, not a block)', async () => {
    const path = copyOf(bootFixturePath('hybridGpt'), 'matches.iso');
    await runJob(service, 'compare', 'checksum:compare', { path, expected: sha256Of(path) });
    const assessment = await assessImage(path);
    expect(assessment.checksum.state).toBe('matches-unsigned');
    expect(assessment.findings.find((finding) => finding.code === 'checksum-unsigned')?.severity).toBe('info');
    expect(assessment.blocking).toBe(false);
  });
  it('blocks on a pasted digest that differs from the one read by the Checksums pass, and a pasted match never softens a mismatch', async () => {
    const path = copyOf(bootFixturePath('hybridGpt'), 'pasted-after-pass.iso');
    const wrong = 'f'.repeat(64);
    await runJob(service, 'verify', 'checksum:verify', { path, expected: sha256Of(path) });
    expect((await assessImage(path)).checksum.state).toBe('matches-unsigned');
    expect(await runJob(service, 'compare', 'checksum:compare', { path, expected: wrong })).toMatchObject({
      ok: true,
      value: { matches: false, actual: sha256Of(path) },
    });
    const afterMismatch = await assessImage(path);
    expect(afterMismatch.checksum.state).toBe('mismatch');
    expect(afterMismatch.blocking).toBe(true);
    await runJob(service, 'compare', 'checksum:compare', { path, expected: sha256Of(path) });
    expect((await assessImage(path)).checksum.state).toBe('mismatch');
  });
});

describe('image:assess through the service', () => {
  it('answers the assessment of a cut image and refuses a relative path', async () => {
    const service = createService({ shell: 'web', version: '0.0.0-test', log: () => undefined });
    const cut = copyOf(bootFixturePath('hybridGpt'), 'cut-for-service.iso');
    truncateSync(cut, 1024 * 1024);
    const result = await service.invoke('image:assess', { path: cut });
    expect(result).toMatchObject({
      ok: true,
      value: { blocking: true, findings: [{ code: 'truncated', presentBytes: 1024 * 1024 }, { code: 'checksum-not-checked' }] },
    });
    expect(await service.invoke('image:assess', { path: 'relative.iso' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });
});
