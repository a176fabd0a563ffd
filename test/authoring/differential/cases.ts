// Which trees are written with which options, and which oracles read them with content. Every tree is
// written at level 3 with Rock Ridge and Joliet; the name trees also at the levels and Joliet limits
// their names test, three also with a UDF bridge. Reading 4.5 GiB or 50,000 files through every tool
// would cost many minutes: those two trees get the readings in readingsOf.
import type { ImageOptions } from './compare.ts';
import { treeSpecs } from './tree-specs.ts';
import type { TreeSpec } from './trees.ts';

export interface DifferentialCase {
  readonly spec: TreeSpec;
  readonly image: ImageOptions & { readonly udf: boolean };
  /** Oracles that hash every file (null: all of them). */
  readonly contentOracles: readonly string[] | null;
  /** The readings ('oracle/namespace') worth their time on this tree (null: all of them). */
  readonly readings: readonly string[] | null;
  /** Worth the time only for the writer under test, not for the reference run that proves the harness (nor UDF, which xorriso does not write). */
  readonly slow: boolean;
}

const extraOptions: Record<string, readonly (ImageOptions & { readonly udf: boolean })[]> = {
  'iso-8.3-collisions': [
    { level: 1, jolietLong: false, udf: false },
    { level: 2, jolietLong: false, udf: false },
  ],
  'iso-31-collisions': [{ level: 2, jolietLong: false, udf: false }],
  'joliet-limits': [{ level: 3, jolietLong: true, udf: false }],
  'names-255-bytes': [{ level: 3, jolietLong: true, udf: false }],
  basic: [{ level: 1, jolietLong: false, udf: true }],
  'mixed-everything': [{ level: 3, jolietLong: false, udf: true }],
  'cjk-emoji-rtl': [{ level: 3, jolietLong: false, udf: true }],
};

/**
 * 50,000 files: each full reading costs 25-100 s here (pycdlib, xorriso's extraction, 7-Zip's): every
 * namespace through our reader, Rock Ridge through the fastest independent readers. 4.5 GiB: pycdlib
 * (its Rock Ridge record is the last extent's) and isoinfo (one line per extent) cannot size a
 * multi-extent file, xorriso's own included (checked by hand: 536872960 bytes for 4831838208), so
 * they sit out; our reader and 7-Zip read every byte, xorriso lists.
 */
const readingsOf: Record<string, readonly string[]> = {
  'files-50000': ['isotope/rockridge', 'isotope/joliet', 'isotope/iso9660', 'isoinfo/rockridge', 'isoinfo/iso9660', 'bsdtar/rockridge'],
  'big-sparse-4.5GiB': ['isotope/rockridge', 'isotope/joliet', 'isotope/iso9660', 'xorriso/rockridge', 'xorriso/joliet', 'xorriso/iso9660', '7zz/joliet'],
};

const spec = (name: string): TreeSpec => treeSpecs.find((candidate) => candidate.name === name) as TreeSpec;

export const differentialCases: readonly DifferentialCase[] = treeSpecs.flatMap((tree) => [
  {
    spec: tree,
    image: { level: 3, jolietLong: false, udf: false },
    contentOracles: tree.name === 'big-sparse-4.5GiB' ? ['isotope', '7zz'] : null,
    readings: readingsOf[tree.name] ?? null,
    slow: tree.name === 'big-sparse-4.5GiB' || tree.name === 'files-50000',
  },
  ...(extraOptions[tree.name] ?? []).map((image) => ({ spec: spec(tree.name), image, contentOracles: null, readings: null, slow: image.udf })),
]);
