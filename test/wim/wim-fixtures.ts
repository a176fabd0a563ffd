// Real WIMs for the split tests, made by `wimlib-imagex capture` and `append` (Debian wimtools) and
// cached like every fixture: three images sharing files, with incompressible (seeded random) and
// compressible data, in each compression WIMs use, plus a solid one (as ESDs are) that cannot be split.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFixture, runTool } from '../fixtures/fixture-cache.ts';
import { seededBytes } from '../fixtures/iso-images.ts';

export const wimCompressions = ['none', 'xpress', 'lzx', 'lzms'] as const;
export type WimCompressionName = (typeof wimCompressions)[number];

/** The trees of the three images; the recipe text below must change when this does. */
function writeImageTrees(workDir: string): string[] {
  const first = join(workDir, 'first');
  mkdirSync(join(first, 'Windows/System32/drivers'), { recursive: true });
  writeFileSync(join(first, 'Windows/System32/random-1.dll'), seededBytes('wim random 1', 1536 * 1024 + 7));
  writeFileSync(join(first, 'Windows/System32/drivers/random-2.sys'), seededBytes('wim random 2', 700 * 1024));
  writeFileSync(join(first, 'Windows/notes.txt'), 'a compressible line of text\r\n'.repeat(110_000));
  writeFileSync(join(first, 'Windows/win.ini'), '[fonts]\r\n');
  writeFileSync(join(first, 'empty.txt'), '');
  const second = join(workDir, 'second');
  mkdirSync(join(second, 'Windows/System32'), { recursive: true });
  writeFileSync(join(second, 'Windows/System32/random-1.dll'), seededBytes('wim random 1', 1536 * 1024 + 7)); // shared with the first
  writeFileSync(join(second, 'Windows/System32/random-3.dll'), seededBytes('wim random 3', 900 * 1024 + 3));
  writeFileSync(join(second, 'Windows/setup.log'), 'another compressible line\n'.repeat(40_000));
  const third = join(workDir, 'third');
  mkdirSync(join(third, 'boot'), { recursive: true });
  for (let index = 0; index < 40; index += 1) writeFileSync(join(third, `boot/small-${index}.bin`), seededBytes(`wim small ${index}`, 3000 + index * 97));
  return [first, second, third];
}

const treeRecipe =
  'images: first (random 1.5 MiB+7, random 700 KiB, 3 MB text, win.ini, empty), second (shares random-1, random 900 KiB+3, 1 MB text), third (40 small random files) v1';

function captureWim(outputPath: string, workDir: string, captureFlags: readonly string[]): void {
  const [first, second, third] = writeImageTrees(workDir) as [string, string, string];
  runTool('wimlib-imagex', ['capture', first, outputPath, 'First', ...captureFlags]);
  runTool('wimlib-imagex', ['append', second, outputPath, 'Second']);
  runTool('wimlib-imagex', ['append', third, outputPath, 'Third']);
}

/** A three-image WIM compressed with `compression`, each resource on its own (splittable). */
export function wimFixture(compression: WimCompressionName): string {
  return ensureFixture({
    name: `split-${compression}.wim`,
    recipe: `wimlib-imagex capture/append --compress=${compression}; ${treeRecipe}`,
    build: (outputPath, workDir) => captureWim(outputPath, workDir, [`--compress=${compression}`]),
  });
}

/** The same images in one solid LZMS resource, as an ESD holds them. */
export function solidWimFixture(): string {
  return ensureFixture({
    name: 'split-solid.wim',
    recipe: `wimlib-imagex capture/append --solid; ${treeRecipe}`,
    build: (outputPath, workDir) => captureWim(outputPath, workDir, ['--solid']),
  });
}
