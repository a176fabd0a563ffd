// `isotope ls|cat|info|boot|extract` on a .gz (which cannot be read at random) decode it first into the
// decoded cache and then go on: the listing and a file's bytes come from the image inside, stdout holds
// only the command's output (the JSON document stays one document), and a second run decodes nothing.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isotope, isotopeCat } from '../helpers/in-process-cli.ts';

const dir = mkdtempSync('/tmp/isotope-decode-first-');
const imagePath = join(dir, 'image.iso.gz');
beforeAll(() => {
  vi.stubEnv('ISOTOPE_HOME', join(dir, 'data'));
  const tree = join(dir, 'tree');
  mkdirSync(join(tree, 'boot'), { recursive: true });
  writeFileSync(join(tree, 'boot', 'config.txt'), 'arm_64bit=1\n');
  writeFileSync(join(tree, 'README.TXT'), 'inside a gzip\n');
  const iso = join(dir, 'image.iso');
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-o', iso, tree], { stdio: 'ignore' });
  writeFileSync(imagePath, execFileSync('gzip', ['-c', iso], { maxBuffer: 64 * 1024 * 1024 }));
});
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('commands on an image that needs decoding', () => {
  it('decode it first, then list it, print a file and report it as read from its decoded copy', async () => {
    const listing = await isotope(['ls', '--json', imagePath]);
    expect(listing.code).toBe(0);
    expect((JSON.parse(listing.stdout) as { path: string }[]).map((entry) => entry.path).sort()).toEqual(['/README.TXT', '/boot']);
    expect(readdirSync(join(dir, 'data', 'decoded')).filter((name) => name.endsWith('.img'))).toHaveLength(1);

    const cat = await isotopeCat(imagePath, '/boot/config.txt');
    expect(cat.code).toBe(0);
    expect(cat.bytes.toString()).toBe('arm_64bit=1\n');
    const info = await isotope(['info', '--json', imagePath]);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({
      compression: { kind: 'gzip', access: 'decoded-cache', decodedSizeBytes: readFileSync(join(dir, 'image.iso')).length },
    });
  });
});
