// The generated trees of the differential suite: names at every limit (255 bytes, Joliet's 64 and 103
// UCS-2 units, 8.3 and 31-character collisions), Unicode (NFC/NFD, CJK, emoji), deep nesting (past
// ECMA-119's 8 levels, and 100 levels), 50,000 files, sizes around 2048, a 4.5 GiB sparse file,
// symlinks, hard links, device nodes and fifos, modes, owners and times.
import type { TreeBuilder, TreeSpec } from './trees.ts';

const GiB = 1024 * 1024 * 1024;

/** `count` characters of `unit` (so a name's length in bytes and UCS-2 units is exact). */
const repeat = (unit: string, count: number): string => unit.repeat(count);

/** A name of exactly `bytes` UTF-8 bytes ending in `suffix`, made of `unit` (an ASCII letter). */
const nameOfBytes = (bytes: number, suffix: string, unit = 'n'): string => `${repeat(unit, bytes - suffix.length)}${suffix}`;

function deepChain(tree: TreeBuilder, top: string, levels: number, name: (level: number) => string): void {
  let path = top;
  for (let level = 1; level <= levels; level += 1) {
    path = `${path}/${name(level)}`;
    tree.text(`${path}/at-level-${level}.txt`, `level ${level}\n`);
  }
}

export const treeSpecs: readonly TreeSpec[] = [
  {
    name: 'basic',
    version: 1,
    build(tree) {
      tree.text('/README.txt', 'A small tree: a few files and folders.\n');
      tree.file('/docs/manual.pdf', 70_000);
      tree.file('/docs/images/logo.png', 5_000);
      tree.text('/src/main.c', 'int main(void) { return 0; }\n');
      tree.dir('/empty-folder');
    },
  },
  {
    name: 'names-255-bytes',
    version: 1,
    build(tree) {
      tree.text(`/${nameOfBytes(255, '.txt')}`, '255 ASCII bytes\n');
      tree.text(`/${nameOfBytes(254, '.txt', 'm')}`, '254 ASCII bytes\n');
      tree.text(`/${nameOfBytes(255, '', 'd')}/${nameOfBytes(255, '.bin', 'f')}`, 'a 255-byte file in a 255-byte folder\n');
      // 85 three-byte CJK characters: 255 bytes, 85 UCS-2 units (over Joliet's 64).
      tree.text(`/${repeat('漢', 85)}`, '85 CJK characters\n');
      // 63 four-byte emoji: 252 bytes, 126 UCS-2 units (surrogate pairs).
      tree.text(`/${repeat('😀', 63)}`, '63 emoji\n');
    },
  },
  {
    name: 'joliet-limits',
    version: 1,
    build(tree) {
      // 64 UCS-2 units in all ('.txt' included), then 65; 103 and 104 for --joliet-long.
      for (const units of [60, 63, 64, 65, 100, 103, 104, 110]) tree.text(`/${nameOfBytes(units, '.txt', 'j')}`, `${units} units\n`);
      // Names equal in their first 64 (and first 103) units: truncation alone would collide.
      for (let index = 0; index < 4; index += 1) tree.text(`/collide/${repeat('c', 70)}-${index}.txt`, `collision ${index}\n`);
      for (let index = 0; index < 3; index += 1) tree.text(`/collide/${repeat('k', 110)}-${index}.txt`, `long collision ${index}\n`);
      tree.text(`/${repeat('é', 64)}`, '64 two-byte characters: 64 units\n');
    },
  },
  {
    name: 'iso-8.3-collisions',
    version: 1,
    build(tree) {
      for (let index = 0; index < 40; index += 1) tree.text(`/longfilename${index}.txt`, `file ${index}\n`);
      for (const name of ['README', 'readme', 'ReadMe', 'README.md', 'readme.MD', 'a.b.c.d', 'noext', '.hidden', 'x.longextension', 'UPPER.TXT', 'upper.txt'])
        tree.text(`/mixed/${name}`, `${name}\n`);
      for (let index = 0; index < 12; index += 1) tree.dir(`/directories/subdirectory-number-${index}`);
      tree.text('/directories/subdirectory-number-3/inside.txt', 'inside\n');
    },
  },
  {
    name: 'iso-31-collisions',
    version: 1,
    build(tree) {
      for (let index = 0; index < 30; index += 1) tree.text(`/${repeat('same-thirty-one-character-prefix', 2)}-${index}.dat`, `file ${index}\n`);
      for (let index = 0; index < 5; index += 1) tree.dir(`/${repeat('folder-with-a-very-long-name-', 2)}${index}`);
    },
  },
  {
    name: 'unicode-normalization',
    version: 1,
    build(tree) {
      // The same word in NFC and NFD: different names on disk, both must survive.
      tree.text(`/${'café'.normalize('NFC')}.txt`, 'NFC\n');
      tree.text(`/${'café'.normalize('NFD')}.txt`, 'NFD\n');
      tree.text(`/${'한국어'.normalize('NFD')}.txt`, 'Hangul NFD\n');
      tree.text('/Ångström/ÅSTRÖM.txt', 'Latin-1\n');
      tree.text('/Ελληνικά/αρχείο.txt', 'Greek\n');
    },
  },
  {
    name: 'cjk-emoji-rtl',
    version: 1,
    build(tree) {
      tree.text('/日本語のフォルダ/ファイル.txt', 'Japanese\n');
      tree.text('/中文/文件名称.md', 'Chinese\n');
      tree.text('/emoji 🎉🚀/party 🎉.txt', 'astral characters\n');
      tree.text('/family 👨‍👩‍👧.txt', 'zero-width joiners\n');
      tree.text('/العربية/ملف.txt', 'Arabic\n');
      tree.text('/mixed 日本 é 🎉 a.txt', 'mixed\n');
    },
  },
  {
    name: 'deep-9-levels',
    version: 1,
    build(tree) {
      deepChain(tree, '', 9, (level) => `level-${level}`);
    },
  },
  {
    name: 'deep-branches',
    version: 1,
    build(tree) {
      for (const branch of ['a', 'b', 'c']) deepChain(tree, `/${branch}`, 14, (level) => `${branch}-deep-${level}`);
      deepChain(tree, '/long', 10, (level) => `${repeat('long-deep-folder-name-', 4)}${level}`);
    },
  },
  {
    name: 'deep-100-levels',
    version: 1,
    build(tree) {
      deepChain(tree, '', 100, (level) => `d${level}`);
    },
  },
  {
    name: 'files-50000',
    version: 1,
    build(tree) {
      for (let folder = 0; folder < 250; folder += 1) {
        const dir = `/folder-${String(folder).padStart(3, '0')}`;
        tree.dir(dir);
        for (let index = 0; index < 200; index += 1) tree.text(`${dir}/file with a longer name ${index}.txt`, index % 50 === 0 ? `${folder}/${index}\n` : '');
      }
    },
  },
  {
    name: 'sizes-around-2048',
    version: 1,
    build(tree) {
      for (const size of [0, 1, 2047, 2048, 2049, 4095, 4096, 3 * 2048, 65_536, 1024 * 1024, 1024 * 1024 + 1]) tree.file(`/size-${size}.bin`, size);
      for (let index = 0; index < 5; index += 1) tree.file(`/empty/empty-${index}`, 0);
    },
  },
  {
    name: 'big-sparse-4.5GiB',
    version: 1,
    build(tree) {
      tree.sparse('/big/sparse-4.5GiB.img', 4.5 * GiB);
      tree.text('/big/after.txt', 'a small file after the big one\n');
    },
  },
  {
    name: 'symlinks',
    version: 2,
    build(tree) {
      tree.text('/target.txt', 'the target\n');
      tree.text('/folder/inside.txt', 'inside\n');
      tree.symlink('/relative', 'target.txt');
      tree.symlink('/absolute', '/etc/hostname');
      tree.symlink('/dangling', 'does/not/exist');
      tree.symlink('/to-folder', 'folder');
      tree.symlink('/folder/up', '../target.txt');
      tree.symlink('/folder/dot', './inside.txt');
      // No link to '/' here: this tree lives under test/, and Vitest's test-file glob follows links (a
      // link to '/' walked the whole file system); the hostile-tree test, outside the repository, has one.
      tree.symlink('/trailing-slash', 'folder/');
      tree.symlink('/link-to-link', 'relative');
      tree.symlink('/loop-a', 'loop-b');
      tree.symlink('/loop-b', 'loop-a');
      tree.symlink('/self', 'self');
      // A target of 1,000 bytes in 40 components, and one 240-byte component: SL spans continuation areas.
      tree.symlink('/long-target', Array.from({ length: 40 }, (_, index) => `component-${String(index).padStart(12, '0')}`).join('/'));
      tree.symlink('/long-component', `/${repeat('c', 240)}/x`);
      tree.symlink('/special chars', 'a b/c;d/ünï');
    },
  },
  {
    name: 'hard-links',
    version: 1,
    build(tree) {
      tree.file('/data/original.bin', 10_000);
      tree.hardLink('/data/original.bin', '/data/second-name.bin');
      tree.hardLink('/data/original.bin', '/elsewhere/third-name.bin');
      tree.text('/pair/one.txt', 'a pair\n');
      tree.hardLink('/pair/one.txt', '/pair/two.txt');
      tree.text('/same-content/a.txt', 'equal bytes, separate files\n');
      tree.text('/same-content/b.txt', 'equal bytes, separate files\n');
    },
  },
  {
    name: 'devices-fifos',
    version: 1,
    needsRoot: true,
    build(tree) {
      tree.node('/dev/null-like', 'c', [1, 3]);
      tree.node('/dev/loop-like', 'b', [7, 200]);
      tree.node('/dev/big-numbers', 'c', [300, 70_000]);
      tree.node('/pipes/fifo', 'p');
      tree.text('/pipes/regular.txt', 'beside a fifo\n');
    },
  },
  {
    name: 'modes-owners',
    version: 1,
    needsRoot: true,
    build(tree) {
      for (const name of ['private', 'public', 'setuid', 'setgid', 'none', 'exec', 'owned', 'big-ids']) tree.text(`/${name}`, `${name}\n`);
      tree.dir('/sticky-dir');
      tree.dir('/setgid-dir');
      tree.text('/setgid-dir/inside.txt', 'inside\n');
    },
    attributes: {
      '/private': { mode: 0o600 },
      '/public': { mode: 0o666 },
      '/setuid': { mode: 0o4755 },
      '/setgid': { mode: 0o2755 },
      '/none': { mode: 0o000 },
      '/exec': { mode: 0o755 },
      '/owned': { uid: 1234, gid: 5678 },
      '/big-ids': { uid: 100_000, gid: 65_534 },
      '/sticky-dir': { mode: 0o1777 },
      '/setgid-dir': { mode: 0o2775, uid: 1000, gid: 1000 },
    },
  },
  {
    name: 'times',
    version: 1,
    build(tree) {
      for (const name of ['epoch', 'y1980', 'y1999', 'y2038', 'y2100', 'recent']) tree.text(`/${name}.txt`, `${name}\n`);
      tree.dir('/old-folder');
    },
    attributes: {
      '/epoch.txt': { mtimeS: 0 },
      '/y1980.txt': { mtimeS: 315_532_800 },
      '/y1999.txt': { mtimeS: 946_684_799 },
      '/y2038.txt': { mtimeS: 2_147_483_648 },
      '/y2100.txt': { mtimeS: 4_102_444_800 },
      '/recent.txt': { mtimeS: 1_764_000_001 },
      '/old-folder': { mtimeS: 400_000_000 },
    },
  },
  {
    name: 'empty-folders',
    version: 1,
    build(tree) {
      tree.dir('/a/b/c/d');
      tree.dir('/only-empty/x');
      tree.dir('/only-empty/y');
      tree.dir('/e');
    },
  },
  {
    name: 'special-ascii-names',
    version: 1,
    build(tree) {
      const names = [
        ' leading space',
        'trailing space ',
        'semi;colon',
        'version;1',
        'dot.',
        '...dots',
        'back\\slash',
        'co:lon',
        'star*',
        'ques?tion',
        "quote's",
        'double"q',
        'brackets[1]{2}(3)',
        'percent%20',
        'hash#tag',
        'amp&and',
        'tilde~',
        'dash-and_underscore',
        'plus+equals=',
        'comma,',
        'at@',
        'dollar$',
        'caret^',
        'pipe|',
        'less<greater>',
      ];
      for (const name of names) tree.text(`/${name}`, `${name}\n`);
    },
  },
  {
    name: 'wide-folder',
    version: 1,
    build(tree) {
      // 3,000 entries in one folder: its records span many sectors, none crossing a sector end.
      for (let index = 0; index < 3000; index += 1)
        tree.text(`/wide/entry-${String(index).padStart(4, '0')}-${repeat('w', index % 60)}.txt`, index % 7 === 0 ? `${index}\n` : '');
    },
  },
  {
    name: 'mixed-everything',
    version: 1,
    build(tree) {
      tree.file('/boot/kernel', 300_000);
      tree.text('/etc/config file.conf', 'key = value\n');
      tree.symlink('/etc/link', 'config file.conf');
      tree.hardLink('/boot/kernel', '/boot/kernel.old');
      deepChain(tree, '/usr', 11, (level) => `share-${level}`);
      tree.text(`/usr/${nameOfBytes(200, '.so')}`, 'long library name\n');
      tree.text('/home/ユーザー/メモ.txt', 'notes\n');
      for (let index = 0; index < 200; index += 1) tree.file(`/var/cache/item-${index}`, (index * 997) % 9000);
    },
  },
];
