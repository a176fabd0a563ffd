// Our ISO 9660 and Joliet names next to what xorriso and genisoimage record for the same tree (read
// with isoinfo), for the names where the reference tools agree on a rule we follow. The deliberate
// differences (directories without '.', accents dropped) are tested in iso-names and joliet-names.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoLevel } from '../../../shared/authoring.ts';
import { isoNamesForDirectory } from '../../../src-main/iso/iso-names.ts';
import { jolietNamesForDirectory } from '../../../src-main/iso/joliet-names.ts';

// The 64-unit name is as long as a Joliet name gets: recorded whole, with no ';1' to make room for.
const fileNames = [
  'README',
  `${'j'.repeat(60)}.pdf`,
  'hello world.txt',
  'a.b.c.tar.gz',
  'lower.TXT',
  'x;y.txt',
  'ALLCAPS.C',
  'we*ird:na?me.txt',
  'emoji😀.txt',
  'Mixed Case File.Html',
];
const directoryNames = ['averylongdirectorynamemorethaneight', 'dir with space'];
const children = [...fileNames.map((name) => ({ name, isDirectory: false })), ...directoryNames.map((name) => ({ name, isDirectory: true }))];

let folder = '';

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'isotope-names-'));
  mkdirSync(join(folder, 'tree'));
  for (const name of fileNames) writeFileSync(join(folder, 'tree', name), name);
  for (const name of directoryNames) mkdirSync(join(folder, 'tree', name));
});

afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

/** The root's names in `image` as isoinfo lists them (-J: the Joliet tree), sorted. */
function rootNames(image: string, joliet: boolean): string[] {
  const listing = execFileSync('isoinfo', ['-f', ...(joliet ? ['-J'] : []), '-i', image], { encoding: 'utf8' });
  return listing
    .split('\n')
    .filter((line) => /^\/[^/]+$/.test(line))
    .map((line) => line.slice(1))
    .sort();
}

function build(tool: 'xorriso' | 'genisoimage', level: IsoLevel, joliet: boolean): string {
  const image = join(folder, `${tool}-${level}-${joliet ? 'j' : 'n'}.iso`);
  const options = ['-iso-level', String(level), ...(joliet ? ['-J'] : []), '-input-charset', 'utf-8', '-o', image, join(folder, 'tree')];
  if (tool === 'xorriso') execFileSync('xorriso', ['-as', 'mkisofs', ...options], { stdio: 'ignore' });
  else execFileSync('genisoimage', options, { stdio: 'ignore' });
  return image;
}

describe('names next to the reference tools', () => {
  it('gives the level 1 names xorriso gives, and genisoimage but for its own two rules', () => {
    const ours = isoNamesForDirectory(children, 1).sort();
    expect(rootNames(build('xorriso', 1, false), false)).toEqual(ours);
    // genisoimage's own two rules: '.tar.gz' becomes '.TGZ', and a character beyond ASCII one '_' per UTF-8 byte.
    const genisoimageRules = new Map([
      ['A_B_C_TA.GZ;1', 'A_B_C.TGZ;1'],
      ['EMOJI_.TXT;1', 'EMOJI___.TXT;1'],
    ]);
    expect(rootNames(build('genisoimage', 1, false), false)).toEqual(ours.map((name) => genisoimageRules.get(name) ?? name).sort());
  });

  it('gives the level 3 names xorriso gives (genisoimage cuts directories to 31 where xorriso keeps 30)', () => {
    expect(rootNames(build('xorriso', 3, false), false)).toEqual(
      isoNamesForDirectory(children, 3)
        .map((name) => (name === 'AVERYLONGDIRECTORYNAMEMORETHANE' ? name.slice(0, 30) : name))
        .sort(),
    );
  });

  it('gives the Joliet names xorriso and genisoimage give, files without a version as they record them', () => {
    const ours = jolietNamesForDirectory(children, { long: false }).sort();
    expect(rootNames(build('xorriso', 1, true), true)).toEqual(ours);
    // genisoimage cuts 'emoji😀.txt' at the emoji ('emoji'); xorriso and we replace it.
    expect(rootNames(build('genisoimage', 1, true), true)).toEqual(ours.map((name) => (name === 'emoji_.txt' ? 'emoji' : name)).sort());
  });
});
