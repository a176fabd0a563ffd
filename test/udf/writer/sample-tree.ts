// The tree the UDF bridge writer's tests record: every kind of node, names that need CS0's 16-bit form
// or are too long for an identifier, hard links, links of each kind of path component, 1,000 files in
// one directory (identifiers across many blocks) and a path 12 directories deep.
import type { AuthoringNode } from '../../../src-main/format/authoring-tree.ts';
import { seededBytes } from '../../fixtures/iso-images.ts';
import { directoryNode, fileNode, specialNode, symlinkNode, treeTimeMs } from './udf-only-image.ts';

export const manyFileCount = 1000;
export const deepLevels = 12;
export const longNameA = `${'a'.repeat(300)}-first.txt`;
export const longNameB = `${'a'.repeat(300)}-second.txt`;
export const wideLongName = `${'ж'.repeat(200)}.txt`;

export function sampleTree(): AuthoringNode {
  const hardLinked = seededBytes('udf writer hard link', 5000);
  let deep = directoryNode(`level-${deepLevels}`, [fileNode('bottom.txt', new TextEncoder().encode('the bottom\n'))]);
  for (let level = deepLevels - 1; level >= 1; level -= 1) deep = directoryNode(`level-${level}`, [deep]);
  const many = Array.from({ length: manyFileCount }, (_, index) =>
    fileNode(`file-${String(index).padStart(4, '0')}.txt`, new TextEncoder().encode(`file ${index}\n`)),
  );
  return directoryNode(
    '',
    [
      fileNode('README.TXT', new TextEncoder().encode('Hello from the Isotope UDF writer.\n'), { modifiedMs: Date.UTC(1999, 11, 31, 23, 59, 59, 990) }),
      fileNode('empty.txt', new Uint8Array(0)),
      fileNode('two-blocks.bin', seededBytes('udf writer two blocks', 4096)),
      fileNode('random.bin', seededBytes('udf writer random', 3 * 1024 * 1024 + 123), { permissions: 0o600, uid: 0, gid: 0 }),
      fileNode('Ünïcödé.txt', new TextEncoder().encode('latin-1 name\n')),
      fileNode('snow ☃ man.txt', new TextEncoder().encode('16-bit name\n')),
      fileNode('smile 😀.txt', new TextEncoder().encode('astral name\n')),
      fileNode(longNameA, new TextEncoder().encode('long a\n')),
      fileNode(longNameB, new TextEncoder().encode('long b\n')),
      fileNode(wideLongName, new TextEncoder().encode('long wide\n')),
      fileNode('hidden.txt', new TextEncoder().encode('hidden\n'), { hidden: true }),
      fileNode('tool', new TextEncoder().encode('#!/bin/sh\n'), { permissions: 0o4755 }),
      fileNode('hard-a', hardLinked, { hardLinkKey: '1:42' }),
      directoryNode('docs', [
        fileNode('guide.txt', new TextEncoder().encode('A guide.\n'.repeat(1000))),
        fileNode('hard-b', hardLinked, { hardLinkKey: '1:42' }),
        directoryNode('empty-folder', [], { permissions: 0o700 }),
      ]),
      directoryNode('links', [
        symlinkNode('relative', '../README.TXT'),
        symlinkNode('absolute', '/docs/guide.txt'),
        symlinkNode('here', './../docs//guide.txt'),
        symlinkNode('long', `${'x'.repeat(200)}/`.repeat(12)),
      ]),
      directoryNode('special', [
        specialNode('fifo', 'fifo'),
        specialNode('socket', 'socket'),
        specialNode('null', 'character-device', { device: { major: 1, minor: 3 } }),
        specialNode('sda', 'block-device', { device: { major: 8, minor: 0 } }),
      ]),
      directoryNode('many', many),
      directoryNode('deep', [deep]),
    ],
    { modifiedMs: treeTimeMs },
  );
}
