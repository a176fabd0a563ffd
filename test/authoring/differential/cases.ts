// Which trees are written with which options, and which oracles read them with content. Every tree is
// written at level 3 with Rock Ridge and Joliet; the name trees also at the levels and Joliet limits
// their names test. Reading 4.5 GiB through every tool would cost minutes: for that tree only
// Isotope's reader and pycdlib read the bytes, the other tools list (xorriso, isoinfo, 7zz) and bsdtar,
// which only extracts, sits out.
import type { ImageOptions } from './compare.ts';
import { treeSpecs } from './tree-specs.ts';
import type { TreeSpec } from './trees.ts';

export interface DifferentialCase {
  readonly spec: TreeSpec;
  readonly image: ImageOptions & { readonly udf: boolean };
  /** Oracles that hash every file (null: all of them). */
  readonly contentOracles: readonly string[] | null;
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
};

const spec = (name: string): TreeSpec => treeSpecs.find((candidate) => candidate.name === name) as TreeSpec;

export const differentialCases: readonly DifferentialCase[] = treeSpecs.flatMap((tree) => [
  {
    spec: tree,
    image: { level: 3, jolietLong: false, udf: false },
    contentOracles: tree.name === 'big-sparse-4.5GiB' ? ['isotope', 'pycdlib'] : null,
    slow: tree.name === 'big-sparse-4.5GiB' || tree.name === 'files-50000',
  },
  ...(extraOptions[tree.name] ?? []).map((image) => ({ spec: spec(tree.name), image, contentOracles: null, slow: image.udf })),
]);
