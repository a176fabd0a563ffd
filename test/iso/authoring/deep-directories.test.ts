// Deep directory relocation (ECMA-119 6.8.2.1, RRIP 4.1.5): which directories move to RR_MOVED, the
// same ones genisoimage moves, in an order that depends only on the tree.
import { describe, expect, it } from 'vitest';
import { madeFolderNode, modeTypeBits, type AuthoringNode } from '../../../src-main/format/authoring-tree.ts';
import { planRelocations } from '../../../src-main/iso/deep-directories.ts';

function directory(name: string, children: AuthoringNode[] = []): AuthoringNode {
  return madeFolderNode({ name, timeMs: 0, children, origin: `/src/${name}` });
}

function file(name: string): AuthoringNode {
  return { ...directory(name), kind: 'file', mode: modeTypeBits.file | 0o644, children: null };
}

/** A chain of directories named by `names`, the first directly below the returned root. */
function chain(names: string[], leaf: AuthoringNode[] = []): AuthoringNode {
  let below = leaf;
  for (const name of [...names].reverse()) below = [directory(name, below)];
  return directory('', below);
}

describe('planRelocations', () => {
  it('moves the directories at level 9 and, counting again from RR_MOVED, their deep descendants, as genisoimage does', () => {
    // genisoimage -R on /a/b/.../t and /x/y/z/1/2/3/4/h moves h (twice: /a/.../h and /x/.../h), n and t.
    const root = chain('abcdefghijklmnopqrst'.split(''), [file('file')]);
    root.children?.push(chain(['x', 'y', 'z', '1', '2', '3', '4', 'h']).children?.[0] as AuthoringNode);
    const { relocations, movedName } = planRelocations(root);
    expect(movedName).toBe('rr_moved'); // genisoimage's name, which bsdtar requires of the directory holding RE entries
    expect(relocations.map((relocation) => relocation.originalPath)).toEqual([
      '/a/b/c/d/e/f/g/h',
      '/a/b/c/d/e/f/g/h/i/j/k/l/m/n',
      '/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t',
      '/x/y/z/1/2/3/4/h',
    ]);
    expect(relocations.map((relocation) => [relocation.originalParent.name, relocation.directory.name])).toEqual([
      ['g', 'h'],
      ['m', 'n'],
      ['s', 't'],
      ['4', 'h'],
    ]);
  });

  it('moves nothing in a tree of 8 levels', () => {
    expect(planRelocations(chain('abcdefg'.split(''), [file('f')])).relocations).toEqual([]);
  });

  it('gives the same relocations whatever order the children are listed in', () => {
    const deep = (prefix: string) => chain(`${prefix}bcdefghij`.split('')).children?.[0] as AuthoringNode;
    const forward = directory('', [deep('p'), deep('q'), deep('r')]);
    const backward = directory('', [deep('r'), deep('q'), deep('p')]);
    const paths = (root: AuthoringNode) => planRelocations(root).relocations.map((relocation) => relocation.originalPath);
    expect(paths(backward)).toEqual(paths(forward));
    expect(paths(forward)).toEqual(['/p/b/c/d/e/f/g/h', '/q/b/c/d/e/f/g/h', '/r/b/c/d/e/f/g/h']);
  });

  it('names the relocation directory apart from a root child called rr_moved', () => {
    const root = directory('', [directory('rr_moved'), directory('RR-MOVED_1'), file('readme')]);
    expect(planRelocations(root).movedName).toBe('rr_moved_2');
  });

  it('walks 255 levels without recursion and moves every sixth directory from the first at level 9', () => {
    const names = Array.from({ length: 255 }, (_, index) => `d${index}`);
    const { relocations } = planRelocations(chain(names));
    // Levels 2-8 stay (d0-d6); then d7 moves to level 3, and every 6th after it reaches level 9 again (3 + 6).
    expect(relocations).toHaveLength(Math.ceil((255 - 7) / 6));
    expect(relocations[0]?.directory.name).toBe('d7');
    expect(relocations[1]?.directory.name).toBe('d13');
  });
});
