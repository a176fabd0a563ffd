// The UDF bridge as the composer places it (planIso with udf: true) beside ISO 9660 and Rock Ridge:
// both views of the same image name the same files and folders with the same attributes and point at
// the same bytes of every file (one copy of the data), hard links included; the UDF view leaves symlinks
// and special files out, with one warning; pycdlib's UDF walk and udfclient agree.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planIso } from '../../../src-main/authoring/plan-iso.ts';
import { openImageFile } from '../../../src-main/image/open-image-file.ts';
import type { TreeEntry } from '../../../src-main/format/file-tree.ts';
import type { AuthoringNode } from '../../../src-main/format/authoring-tree.ts';
import { authoringOptions, writePlannedIso } from '../../authoring/plan-iso-fixtures.ts';
import { listWithIsotope, listWithPycdlib } from '../../iso/reference-listing.ts';
import { longNameA, longNameB, manyFileCount, sampleTree, wideLongName } from './sample-tree.ts';
import { runUdfclient, udfclientVolume } from './udfclient.ts';

let written: { path: string; remove(): void };
let summaryWarnings: readonly string[];

/**
 * The sample tree less the names UDF must cut (Rock Ridge keeps them whole) and the link whose Rock
 * Ridge SL entry spans several continuation areas (pycdlib reads only one).
 */
function bridgeTree(): AuthoringNode {
  const root = sampleTree();
  const left = new Set([longNameA, longNameB, wideLongName]);
  const children = root.children!.filter((child) => !left.has(child.name));
  return {
    ...root,
    children: children.map((child) => (child.name === 'links' ? { ...child, children: child.children!.filter((link) => link.name !== 'long') } : child)),
  };
}

/** The paths of the tree's symbolic links and special files, which the bridge leaves out. */
function leftOutPaths(node: AuthoringNode, path = ''): string[] {
  return (node.children ?? []).flatMap((child) => {
    const childPath = `${path}/${child.name}`;
    if (child.kind === 'directory') return leftOutPaths(child, childPath);
    return child.kind === 'file' ? [] : [childPath];
  });
}

/** What the UDF view holds of the Rock Ridge one: files and folders, not the folder deep directories were relocated to (RRIP 4.1.5). */
const leftOut = new Set(['/RR_MOVED', ...leftOutPaths(bridgeTree())]);
const inUdf = (entry: { path: string }): boolean => !leftOut.has(entry.path);

beforeAll(async () => {
  const planned = await planIso(authoringOptions(bridgeTree(), { udf: true, rockRidge: true, joliet: true }));
  summaryWarnings = planned.summary.warnings;
  written = await writePlannedIso(planned);
});

afterAll(() => written.remove());

async function entriesOf(namespace: 'udf' | 'rockridge'): Promise<Map<string, TreeEntry>> {
  const opened = await openImageFile(written.path, { namespace });
  try {
    const entries = new Map<string, TreeEntry>();
    for await (const entry of opened.image.walk()) if (inUdf(entry)) entries.set(entry.path, entry);
    return entries;
  } finally {
    await opened.close();
  }
}

describe('UDF bridge placed by planIso', () => {
  it("names Rock Ridge's files and folders, with the same types, sizes and contents", async () => {
    const udf = await listWithIsotope(written.path, 'udf');
    expect(udf.length).toBeGreaterThan(1000);
    expect(udf).toEqual((await listWithIsotope(written.path, 'rockridge')).filter(inUdf));
  });

  it('records the same modes and owners as Rock Ridge, and the same times to its whole seconds', async () => {
    const attributes = (entries: Map<string, TreeEntry>, timeUnitMs: number): unknown[] =>
      [...entries.values()]
        .map((entry) => ({ path: entry.path, mode: entry.mode, uid: entry.uid, gid: entry.gid, mtimeMs: Math.floor(entry.mtimeMs! / timeUnitMs) * timeUnitMs }))
        .sort((a, b) => (a.path < b.path ? -1 : 1));
    // Rock Ridge's TF holds 7-byte times (ECMA-119 9.1.5: whole seconds); UDF's timestamps keep centiseconds.
    expect(attributes(await entriesOf('udf'), 1000)).toEqual(attributes(await entriesOf('rockridge'), 1));
    expect((await entriesOf('udf')).get('/README.TXT')!.mtimeMs).toBe(Date.UTC(1999, 11, 31, 23, 59, 59, 990));
  });

  it('points every file at the bytes ISO 9660 points at: the data is written once, hard links once', async () => {
    const udf = await entriesOf('udf');
    const rockRidge = await entriesOf('rockridge');
    for (const [path, entry] of udf) {
      if (entry.type !== 'file' || entry.sizeBytes === 0) continue;
      expect(entry.extents.map((extent) => extent.offsetBytes)[0], path).toBe(rockRidge.get(path)!.extents[0]!.offsetBytes);
    }
    expect(udf.get('/hard-a')!.extentLba).toBe(udf.get('/docs/hard-b')!.extentLba);
  });

  it("carries the bridge's one warning counting the symbolic links and special files it left out into the plan's summary", () => {
    expect(summaryWarnings).toEqual([
      expect.stringMatching(/^UDF: 7 symbolic links, devices, FIFOs or sockets are left out of the UDF tree, as out of the Joliet one/),
    ]);
  });

  it('reads alike in pycdlib, which walks UDF with its own parser', async () => {
    expect(listWithPycdlib(written.path, 'udf')).toEqual(await listWithIsotope(written.path, 'udf'));
  });

  it('udfclient lists the volume and copies files out of it byte for byte', () => {
    const volume = udfclientVolume(written.path);
    expect(volume).toMatch(/^[0-9A-F]{16}:/);
    expect(runUdfclient(written.path, `cd ${volume}\nls`)).toMatch(/-rw-r--r--\s+1000\s+1000\s+35\s+README\.TXT/);
    const out = mkdtempSync(join(tmpdir(), 'isotope-udfclient-'));
    try {
      const copied = runUdfclient(written.path, `lcd ${out}\ncd ${volume}\nget README.TXT\nmget many`);
      expect(copied).not.toMatch(/can't|couldn't|error/i);
      expect(readFileSync(join(out, 'README.TXT'), 'utf8')).toBe('Hello from the Isotope UDF writer.\n');
      expect(readdirSync(join(out, 'many'))).toHaveLength(manyFileCount);
      expect(readFileSync(join(out, 'many/file-0999.txt'), 'utf8')).toBe('file 999\n');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
