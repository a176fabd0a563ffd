// A library's licence text as About shows it (issue 17), read from real package folders made here:
// the file npm packs under any of its usual names, nothing when the package ships none, and a file
// over the cap cut at the cap and said to be cut.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxLicenceTextBytes } from '../../shared/app.ts';
import { packageLicenceText } from '../../src-main/io/bundled-licences.ts';

describe('packageLicenceText', () => {
  let root = '';
  const packageWith = (name: string, files: Record<string, string>): string => {
    const folder = join(root, name);
    mkdirSync(folder);
    for (const [fileName, text] of Object.entries(files)) writeFileSync(join(folder, fileName), text);
    return folder;
  };
  beforeAll(() => {
    root = mkdtempSync('/dev/shm/isotope-licences-');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads LICENSE, LICENCE.md, COPYING or LICENSE-MIT, the first by name when there are several, and nothing else', async () => {
    expect(await packageLicenceText(packageWith('gpl', { COPYING: 'GPL text', 'README.md': 'readme' }))).toEqual({
      fileName: 'COPYING',
      text: 'GPL text',
      truncated: false,
    });
    expect(await packageLicenceText(packageWith('british', { 'LICENCE.md': 'MIT text' }))).toMatchObject({ fileName: 'LICENCE.md' });
    expect(await packageLicenceText(packageWith('two', { 'LICENSE-MIT': 'MIT', LICENSE: 'Apache' }))).toMatchObject({ fileName: 'LICENSE', text: 'Apache' });
    expect(await packageLicenceText(packageWith('lookalike', { 'LICENSES.txt': 'not the pattern', 'package.json': '{}' }))).toBeNull();
  });

  it('answers null for a package that ships no licence file, and for one whose LICENSE is a folder', async () => {
    expect(await packageLicenceText(packageWith('bare', { 'package.json': '{"license":"MIT"}' }))).toBeNull();
    const odd = packageWith('odd', {});
    mkdirSync(join(odd, 'LICENSE'));
    expect(await packageLicenceText(odd)).toBeNull();
  });

  it(`gives the first ${maxLicenceTextBytes} bytes of a longer file and says it was cut; a file of exactly the cap is whole`, async () => {
    const long = packageWith('long', { LICENSE: 'x'.repeat(maxLicenceTextBytes + 10) });
    const cut = await packageLicenceText(long);
    expect(cut?.truncated).toBe(true);
    expect(cut?.text.length).toBe(maxLicenceTextBytes);
    const exact = await packageLicenceText(packageWith('exact', { LICENSE: 'y'.repeat(maxLicenceTextBytes) }));
    expect(exact).toMatchObject({ truncated: false });
    expect(exact?.text.length).toBe(maxLicenceTextBytes);
  });
});
