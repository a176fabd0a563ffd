// ISO 9660 paths as isoinfo and pycdlib print them, with version suffixes and the empty extension's
// dot ("/README.TXT;1", "/DOCS/NOEXT.;1", ECMA-119 7.5.1), name the same entries as the listed names
// for cat, extract, ls and stat. isoinfo's own listing and extraction are the oracle.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImageEntryStat } from '../../shared/image.ts';
import { plainIsoPath } from '../fixtures/iso-images.ts';
import { udfSmallIsoPath } from '../fixtures/udf-images.ts';
import { isotope, isotopeCat, testService } from '../helpers/in-process-cli.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-suffixes-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every path `isoinfo -f` prints, e.g. "/DOCS/NOEXT.;1". */
function isoinfoPaths(image: string): string[] {
  return execFileSync('isoinfo', ['-f', '-i', image], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '');
}

const isoinfoFile = (image: string, path: string): Buffer => execFileSync('isoinfo', ['-i', image, '-x', path]);

/** Every file pycdlib walks, by the ISO 9660 path it prints ("/DOCS/NOEXT.;1"), with its content. */
function pycdlibFiles(image: string): Record<string, Buffer> {
  const script = [
    'import base64, io, json, sys, pycdlib',
    'iso = pycdlib.PyCdlib(); iso.open(sys.argv[1]); out = {}',
    'for root, dirs, files in iso.walk(iso_path="/"):',
    '    for name in files:',
    '        path = root.rstrip("/") + "/" + name; data = io.BytesIO()',
    '        iso.get_file_from_iso_fp(data, iso_path=path); out[path] = base64.b64encode(data.getvalue()).decode()',
    'print(json.dumps(out))',
  ].join('\n');
  const printed = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, image], { encoding: 'utf8' })) as Record<string, string>;
  return Object.fromEntries(Object.entries(printed).map(([path, base64]) => [path, Buffer.from(base64, 'base64')]));
}

describe('ISO 9660 paths with version suffixes and trailing dots', () => {
  const image = plainIsoPath();
  const files = isoinfoPaths(image).filter((path) => path.includes(';'));

  it('has the suffixed names this test is about (isoinfo prints them)', () => {
    expect(files).toEqual(expect.arrayContaining(['/README.TXT;1', '/DOCS/GUIDE.TXT;1', '/DOCS/NOEXT.;1']));
  });

  it('cats each file by the path isoinfo prints, with the bytes isoinfo extracts', async () => {
    for (const path of files) {
      const { code, bytes, stderr } = await isotopeCat(image, path);
      expect({ path, code, stderr }).toEqual({ path, code: 0, stderr: '' });
      expect(bytes.equals(isoinfoFile(image, path)), path).toBe(true);
    }
  });

  it('cats each file by the path pycdlib prints, with the bytes pycdlib reads', async () => {
    const pycdlib = pycdlibFiles(image);
    expect(Object.keys(pycdlib).sort()).toEqual([...files].sort());
    for (const [path, bytes] of Object.entries(pycdlib)) expect((await isotopeCat(image, path)).bytes.equals(bytes), path).toBe(true);
  });

  it('stats by the suffixed path, under the listed name, with the size isoinfo extracts', async () => {
    const stat = await testService().invoke('image:stat', { path: image, file: '/DOCS/NOEXT.;1' });
    expect(stat).toMatchObject({ ok: true, value: { entry: { path: '/DOCS/NOEXT', type: 'file' } } });
    expect((stat as { value: ImageEntryStat }).value.entry.sizeBytes).toBe(isoinfoFile(image, '/DOCS/NOEXT.;1').byteLength);
  });

  it('lists by a suffixed path: a file is found (and is no folder), a folder lists', async () => {
    const file = await isotope(['ls', image, '/DOCS/NOEXT.;1']);
    expect(file).toMatchObject({ code: 1, stderr: expect.stringMatching(/is not a folder/) as unknown });
    const folder = await isotope(['ls', image, '/DOCS;1']);
    expect(folder.code).toBe(0);
    expect(folder.stdout).toMatch(/\/DOCS\/GUIDE\.TXT\n.*\/DOCS\/NOEXT\n$/);
  });

  it('extracts by the suffixed path', async () => {
    const destination = join(scratch, 'out');
    const { code } = await isotope(['extract', image, '/DOCS/NOEXT.;1', '/README.TXT;1', '--to', destination]);
    expect(code).toBe(0);
    expect(readFileSync(join(destination, 'NOEXT')).equals(isoinfoFile(image, '/DOCS/NOEXT.;1'))).toBe(true);
    expect(readFileSync(join(destination, 'README.TXT')).equals(isoinfoFile(image, '/README.TXT;1'))).toBe(true);
  });

  it('still says not found for a suffix that names nothing listed', async () => {
    const { code, stderr } = await isotopeCat(image, '/README.TXT;2x');
    expect(code).toBe(1);
    expect(stderr).toMatch(/no entry/);
  });

  it('names the same file in the UDF tree of a UDF bridge', async () => {
    const bridge = udfSmallIsoPath();
    const { code, bytes } = await isotopeCat(bridge, '/README.TXT;1', ['--namespace', 'udf']);
    expect(code).toBe(0);
    expect(bytes.equals(isoinfoFile(bridge, '/README.TXT;1'))).toBe(true);
    expect(await testService().invoke('image:stat', { path: bridge, file: '/README.TXT;1', namespace: 'udf' })).toMatchObject({
      ok: true,
      value: { entry: { path: '/README.TXT' } },
    });
  });
});
