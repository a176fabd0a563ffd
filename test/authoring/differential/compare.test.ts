// The differential harness's own proof: compareListing must find what is wrong, not only agree. A real
// tree is written by xorriso (the reference writer) and read back by pycdlib; that listing matches the
// tree, and each single wrong fact put into it (a size, a name, a mode; a Joliet name; an ISO 9660
// identifier or a file's bytes) is reported, naming the entry.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareListing, type ImageOptions } from './compare.ts';
import type { OracleEntry, OracleListing } from './oracles/oracle.ts';
import { pycdlibOracle } from './oracles/pycdlib-oracle.ts';
import { snapshotDirectory, type TreeEntry } from './tree-entry.ts';
import { writeImage, writerLeniency } from './writers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-compare-'));
const treeRoot = join(scratch, 'tree');
const imagePath = join(scratch, 'tree.iso');
const image: ImageOptions = { level: 3, jolietLong: false };
let expected: TreeEntry[] = [];
const listings = new Map<string, OracleListing>();

beforeAll(async () => {
  mkdirSync(join(treeRoot, 'docs'), { recursive: true });
  writeFileSync(join(treeRoot, 'readme.txt'), 'read me\n');
  writeFileSync(join(treeRoot, 'docs/guide.txt'), 'a guide of some length\n');
  writeFileSync(join(treeRoot, 'docs/run.sh'), '#!/bin/sh\n');
  chmodSync(join(treeRoot, 'docs/run.sh'), 0o755);
  expected = snapshotDirectory(treeRoot, { content: true });
  await writeImage('xorriso', { treeRoot, outputPath: imagePath, udf: false, ...image });
  for (const namespace of ['rockridge', 'joliet', 'iso9660'] as const) {
    listings.set(namespace, await pycdlibOracle.read(imagePath, namespace, { content: true, scratchDir: scratch }));
  }
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The namespace's real listing with the entry at `path` changed by `change` (and its raw identifier, if given). */
function alteredListing(namespace: string, path: string, change: (entry: OracleEntry) => OracleEntry, rawName?: string): OracleListing {
  const listing = listings.get(namespace)!;
  const index = listing.entries.findIndex((entry) => entry.path.toLowerCase() === path.toLowerCase());
  expect(index).toBeGreaterThanOrEqual(0);
  const entries = listing.entries.map((entry, at) => (at === index ? change({ ...entry }) : entry));
  const rawNames = listing.rawNames && rawName !== undefined ? listing.rawNames.map((raw, at) => (at === index ? rawName : raw)) : listing.rawNames;
  return { ...listing, entries, ...(rawNames ? { rawNames } : {}) };
}

const problemsOf = (listing: OracleListing, namespace: 'rockridge' | 'joliet' | 'iso9660') =>
  compareListing(expected, listing, namespace, image, writerLeniency.xorriso);

describe('compareListing', () => {
  it('finds nothing wrong with a real image of the tree, in every namespace', () => {
    for (const namespace of ['rockridge', 'joliet', 'iso9660'] as const) expect(problemsOf(listings.get(namespace)!, namespace)).toEqual([]);
  });

  it('reports a wrong size, a wrong name and a wrong mode in Rock Ridge, naming the entry', () => {
    const wrongSize = alteredListing('rockridge', '/docs/guide.txt', (entry) => ({ ...entry, sizeBytes: (entry.sizeBytes ?? 0) + 1 }));
    expect(problemsOf(wrongSize, 'rockridge')).toEqual([expect.stringContaining('"/docs/guide.txt": expected')]);
    const wrongName = alteredListing('rockridge', '/readme.txt', (entry) => ({ ...entry, path: '/readme.TXT' }));
    expect(problemsOf(wrongName, 'rockridge')).toEqual(['missing "/readme.txt" (file)', 'unexpected "/readme.TXT"']);
    const wrongMode = alteredListing('rockridge', '/docs/run.sh', (entry) => ({ ...entry, mode: 0o644 }));
    expect(problemsOf(wrongMode, 'rockridge')).toEqual([expect.stringContaining('"/docs/run.sh": expected')]);
  });

  it('reports a wrong Joliet name and size, and a wrong ISO 9660 identifier and file content', () => {
    const renamed = alteredListing('joliet', '/docs/guide.txt', (entry) => ({ ...entry, path: '/docs/guide.md' }));
    expect(problemsOf(renamed, 'joliet')).toEqual(['missing "/docs/guide.txt"', '"/docs": unexpected "guide.md"']);
    const resized = alteredListing('joliet', '/readme.txt', (entry) => ({ ...entry, sizeBytes: 1, sha256: '0'.repeat(64) }));
    expect(problemsOf(resized, 'joliet').join('\n')).toContain('"/readme.txt": expected file');
    const badIdentifier = alteredListing('iso9660', '/README.TXT', (entry) => entry, 'read me.txt;1');
    expect(problemsOf(badIdentifier, 'iso9660').join('\n')).toContain('identifier "read me.txt;1"');
    const otherBytes = alteredListing('iso9660', '/README.TXT', (entry) => ({ ...entry, sha256: 'f'.repeat(64) }));
    expect(problemsOf(otherBytes, 'iso9660')).toEqual([expect.stringContaining('file contents differ')]);
  });
});
