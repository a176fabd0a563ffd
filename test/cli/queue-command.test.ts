// `isotope queue` in-process, without root: arguments that name no queue are usage errors (exit 2)
// naming what is wrong; the refusals are `isotope flash`'s (a blocking finding without --force, no
// --yes off a terminal), and nothing is written then; a queue to regular files writes each one as
// its own job, recorded in the history of $ISOTOPE_HOME.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { debianBootImages } from '../fixtures/boot-images.ts';
import { isotope } from '../helpers/in-process-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'isotope-queue-cli-'));
beforeAll(() => void vi.stubEnv('ISOTOPE_HOME', join(dir, 'home')));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

/** An existing regular file of `sizeBytes` zero bytes (the CLI writes existing files as it writes drives). */
function targetFile(name: string, sizeBytes = 4096): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.alloc(sizeBytes));
  return path;
}

describe('isotope queue', () => {
  it('refuses arguments that name no queue with exit 2, saying what is wrong', async () => {
    const target = targetFile('usage.img');
    for (const [args, message] of [
      [[], 'name IMAGE=TARGET pairs, or --image IMAGE and its targets'],
      [['--image', debianBootImages.ipxe], `--image ${debianBootImages.ipxe} names no target`],
      [[target], `${target} is not IMAGE=TARGET`],
      [[`${debianBootImages.ipxe}=`], 'is not IMAGE=TARGET'],
      [[`${debianBootImages.ipxe}=${target}`, `${debianBootImages.grubRescueCdrom}=${target}`], 'which is named twice'],
      [['--duplicator'], '--duplicator takes --image IMAGE and no targets'],
      [['--duplicator', '--image', debianBootImages.ipxe, target], '--duplicator takes --image IMAGE and no targets'],
      [['--duplicator', '--image', debianBootImages.ipxe, '--sequential'], 'no --sequential or --mode'],
      [['--duplicator', '--image', debianBootImages.ipxe, '--table', 'gpt'], "nor copy mode's --table, --wim-part-mib or --windows-* options"],
      [['--duplicator', '--image', debianBootImages.ipxe, '--windows-skip-checks'], "nor copy mode's --table"],
    ] as const) {
      const run = await isotope(['queue', ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });

  it('refuses the whole queue, writing nothing, when one image has a blocking finding and --force is not given (exit 1)', async () => {
    const notAnImage = join(dir, 'random.bin');
    writeFileSync(notAnImage, Buffer.alloc(8192, 0x5a));
    const [first, second] = [targetFile('first.img'), targetFile('second.img')];
    const run = await isotope(['queue', `${debianBootImages.ipxe}=${first}`, `${notAnImage}=${second}`, '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`not writing ${notAnImage}: this file is not a disk image; pass --force to write it anyway`);
    expect(readFileSync(first).equals(Buffer.alloc(4096))).toBe(true);
    expect(readFileSync(second).equals(Buffer.alloc(4096))).toBe(true);
  });

  it('asks for --yes when not on a terminal (exit 2), before anything is written', async () => {
    const target = targetFile('unasked.img');
    const run = await isotope(['queue', `${debianBootImages.ipxe}=${target}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('a queue erases its targets; pass --yes when not on a terminal');
    expect(readFileSync(target).equals(Buffer.alloc(4096))).toBe(true);
  });

  it('refuses duplicator mode before it watches: an image with a blocking finding without --force (exit 1), and off a terminal without --yes (exit 2)', async () => {
    const notAnImage = join(dir, 'not-an-image.bin');
    writeFileSync(notAnImage, Buffer.alloc(8192, 0x5a));
    const blocked = await isotope(['queue', '--duplicator', '--image', notAnImage, '--yes']);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain(`not writing ${notAnImage}: this file is not a disk image; pass --force to write it anyway`);
    expect(blocked.stderr).not.toContain('Watching');
    const unasked = await isotope(['queue', '--duplicator', '--image', debianBootImages.ipxe]);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain('Duplicator mode writes');
    expect(unasked.stderr).toContain('duplicator mode erases every drive inserted; pass --yes when not on a terminal');
  });

  it('writes two images to two files as two jobs, says each result and the count, and records both in the history', async () => {
    const targets = [targetFile('ipxe.img'), targetFile('rescue.img')];
    const images = [debianBootImages.ipxe, debianBootImages.grubRescueCdrom];
    const run = await isotope(['queue', `${images[0]}=${targets[0]}`, `${images[1]}=${targets[1]}`, '--yes']);
    expect(run.code).toBe(0);
    for (const [index, image] of images.entries()) {
      expect(readFileSync(targets[index]!).equals(readFileSync(image))).toBe(true);
      expect(run.stdout).toContain(`SUCCEEDED: ${image}`);
      expect(run.stdout).toContain(`${targets[index]}: verified`);
    }
    expect(run.stdout).toContain('Queue: 2 of 2 pairs succeeded\n');
    const history = await isotope(['history', '--json', '--kind', 'flash']);
    const { records } = JSON.parse(history.stdout) as { records: { image: { path: string }; outcome: string }[] };
    expect(records.map((record) => [record.image.path, record.outcome]).sort()).toEqual(images.map((image) => [image, 'succeeded']).sort());
  });
});
