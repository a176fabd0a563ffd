// Properties: whatever names an image holds, extraction paths and links stay inside the chosen folder.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractEntries } from '../../src-main/image/extract-entries.ts';
import { isLinkTargetInside, isStrictlyInside, resolveExtractionPath } from '../../src-main/io/extraction-paths.ts';
import { openIsoImage } from '../../src-main/iso/iso-tree.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';
import { buildIso, concat, directoryExtent, directoryRecord, rockRidgeRootSystemUse, rr, sector } from '../iso/iso-builder.ts';

const hostileComponent = fc.oneof(
  fc.constantFrom('..', '.', '', '/', '/etc', '../..', 'a/../..', '\0', 'x\0y', '..\\..', '~', 'C:\\x'),
  fc.string({ maxLength: 12 }),
  fc.string({ minLength: 250, maxLength: 300 }),
);

describe('resolveExtractionPath', () => {
  it('returns null or a path strictly inside the root, for any components', () => {
    const root = '/tmp/isotope-root';
    fc.assert(
      fc.property(fc.array(hostileComponent, { maxLength: 6 }), (components) => {
        const path = resolveExtractionPath(root, components);
        if (path !== null) expect(isStrictlyInside(root, path)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts a link target only when following it stays inside the root', () => {
    const root = '/tmp/isotope-root';
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b'), { minLength: 1, maxLength: 3 }),
        fc.array(fc.constantFrom('..', '.', 'a', '/', 'etc'), { maxLength: 6 }),
        (at, targetParts) => {
          const linkPath = join(root, ...at);
          const target = targetParts.join('/');
          if (isLinkTargetInside(root, linkPath, target)) {
            const followed = resolve(dirname(linkPath), target);
            expect(followed === root || isStrictlyInside(root, followed)).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null; // dangling or a loop: it leads nowhere, so nowhere outside
  }
}

/** Every path that now exists under `scratch`, links unfollowed. */
function listAll(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    out.push(path);
    if (lstatSync(path).isDirectory()) listAll(path, out);
  }
  return out;
}

describe('extracting images with hostile names', () => {
  it('writes nothing outside the destination, whatever the Rock Ridge names and link targets', async () => {
    const nameBytes = fc.oneof(
      fc.constantFrom('..', '.', '/', '../../escape', '/etc/passwd', 'a\0b', 'ok.txt', 'dir'),
      fc.string({ minLength: 1, maxLength: 20 }),
      fc.string({ minLength: 240, maxLength: 250 }),
    );
    // Targets built from links to links: "a/x/../.." escapes if "a" is a link to "." and x a folder.
    const linkTarget = fc.oneof(
      fc.constantFrom('../../../../etc', '/etc/passwd', '..', '.', 'ok.txt', 'dir/../..', '', 'dir/x/../..', 'ok.txt/../..'),
      fc.array(fc.constantFrom('..', '.', 'dir', 'ok.txt', 'x'), { maxLength: 5 }).map((parts) => parts.join('/')),
      fc.string({ maxLength: 30 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ name: nameBytes, kind: fc.constantFrom('file', 'folder', 'link'), target: linkTarget }), { minLength: 1, maxLength: 8 }),
        async (items) => {
          const scratch = mkdtempSync(join(tmpdir(), 'isotope-prop-'));
          try {
            const destination = join(scratch, 'out');
            mkdirSync(destination);
            const records = items.map((item, index) => {
              const identifier = `E${index}`;
              if (item.kind === 'folder')
                return directoryRecord({ identifier, lba: 21, sizeBytes: sector, flags: 2, systemUse: concat(rr.px(0o040755), rr.nm(item.name)) });
              if (item.kind === 'link')
                return directoryRecord({
                  identifier: `${identifier};1`,
                  lba: 0,
                  sizeBytes: 0,
                  systemUse: concat(
                    rr.px(0o120777),
                    rr.nm(item.name),
                    rr.sl(item.target.split('/').map((text) => (text === '' ? { flags: 8 } : text === '..' ? { flags: 4 } : { text }))),
                  ),
                });
              return directoryRecord({ identifier: `${identifier};1`, lba: 30, sizeBytes: 5, systemUse: concat(rr.px(0o100644), rr.nm(item.name)) });
            });
            const root = directoryExtent({ selfLba: 20, parentLba: 20, selfSystemUse: rockRidgeRootSystemUse(), sectors: 2, records });
            const empty = directoryExtent({ selfLba: 21, parentLba: 20, records: [] });
            const bytes = buildIso({
              sectorCount: 40,
              rootLba: 20,
              rootSizeBytes: 2 * sector,
              sectors: new Map([
                [20, root],
                [21, empty],
                [30, new TextEncoder().encode('hello')],
              ]),
            });
            const image = await openIsoImage(createMemorySource(bytes));
            if (!image) throw new Error('not an ISO');
            try {
              await extractEntries({ image, entries: [], destination });
            } catch {
              // A refusal is fine (e.g. two folders sharing an extent); escaping is not.
            }
            const realDestination = realpathSync(destination);
            expect(readdirSync(scratch)).toEqual(['out']);
            for (const path of listAll(destination)) {
              expect(isStrictlyInside(realDestination, path)).toBe(true);
              if (!lstatSync(path).isSymbolicLink()) continue;
              expect(isLinkTargetInside(realDestination, path, readlinkSync(path))).toBe(true);
              // And physically: where the kernel lands following it (when it lands anywhere) is inside.
              const landed = realpathOrNull(path);
              if (landed !== null) expect(landed === realDestination || isStrictlyInside(realDestination, landed)).toBe(true);
            }
          } finally {
            rmSync(scratch, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('link chains', () => {
  it('refuses a ".." after a name, which a link to "." would turn into an escape', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'isotope-chain-'));
    try {
      const destination = join(scratch, 'out');
      mkdirSync(destination);
      const link = (name: string, target: string) =>
        directoryRecord({
          identifier: `${name.toUpperCase()};1`,
          lba: 0,
          sizeBytes: 0,
          systemUse: concat(
            rr.px(0o120777),
            rr.nm(name),
            rr.sl(target.split('/').map((text) => (text === '..' ? { flags: 4 } : text === '.' ? { flags: 2 } : { text }))),
          ),
        });
      const folder = directoryRecord({ identifier: 'X', lba: 21, sizeBytes: sector, flags: 2, systemUse: concat(rr.px(0o040755), rr.nm('x')) });
      const root = directoryExtent({
        selfLba: 20,
        parentLba: 20,
        selfSystemUse: rockRidgeRootSystemUse(),
        records: [link('a', '.'), link('b', 'a/x/../..'), folder],
      });
      const bytes = buildIso({
        sectorCount: 40,
        rootLba: 20,
        sectors: new Map([
          [20, root],
          [21, directoryExtent({ selfLba: 21, parentLba: 20, records: [] })],
        ]),
      });
      const image = await openIsoImage(createMemorySource(bytes));
      const summary = await extractEntries({ image: image!, entries: [], destination });
      expect(summary.skipped).toEqual([{ path: '/b', reason: expect.stringMatching(/points outside/) }]);
      expect(readlinkSync(join(destination, 'a'))).toBe('.');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
