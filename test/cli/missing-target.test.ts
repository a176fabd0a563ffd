// A drive named on the command line that does not exist (src-main/cli/existing-paths.ts), in-process:
// flash, queue, verify, backup and try each say which path is missing and that it is no drive of this
// machine, with not-found's exit code (1), before reading the image or touching any other target.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { debianBootImages } from '../fixtures/boot-images.ts';
import { isotope } from '../helpers/in-process-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'isotope-missing-target-'));
beforeAll(() => void vi.stubEnv('ISOTOPE_HOME', join(dir, 'home')));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

const missingDevice = '/dev/isotope-no-such-drive';
const saysMissing = (path: string): string =>
  `isotope: ${path} does not exist: it is not a drive this machine has, nor a file (isotope drives --all lists the drives)\n`;

describe('a target that does not exist', () => {
  it('is named, as no drive of this machine, by flash, queue, verify, backup and try alike (exit 1, no raw ENOENT)', async () => {
    const image = debianBootImages.ipxe;
    for (const args of [
      ['flash', image, missingDevice, '--yes'],
      ['queue', `${image}=${missingDevice}`, '--yes'],
      ['queue', '--image', image, missingDevice, '--yes'],
      ['verify', image, missingDevice],
      ['backup', missingDevice, '-o', join(dir, 'backup.img')],
      ['try', missingDevice, '--headless', '--seconds', '1'],
    ]) {
      const run = await isotope(args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr, args.join(' ')).toBe(saysMissing(missingDevice));
      expect(run.stdout, args.join(' ')).toBe('');
    }
  });

  it('stops flash and queue before the image is read and before any other target is written', async () => {
    const written = join(dir, 'present.img');
    writeFileSync(written, Buffer.alloc(4096));
    const missingFile = join(dir, 'absent', 'target.img');
    for (const args of [
      ['flash', debianBootImages.ipxe, written, missingFile, '--yes'],
      ['queue', `${debianBootImages.ipxe}=${written}`, `${debianBootImages.grubRescueCdrom}=${missingFile}`, '--yes'],
    ]) {
      const run = await isotope(args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr, args.join(' ')).toBe(saysMissing(missingFile));
      expect(readFileSync(written).equals(Buffer.alloc(4096))).toBe(true);
    }
  });

  it("is a not-found error on stdout with --json, as any command's error is", async () => {
    const run = await isotope(['verify', debianBootImages.ipxe, missingDevice, '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      error: { code: 'not-found', message: saysMissing(missingDevice).slice('isotope: '.length, -1), detail: { path: missingDevice } },
    });
  });
});
