// Rock Ridge entries of authored records, each rendered into a real directory record (and its
// continuation areas inside an image-sized buffer) and read back by our reader: rock-ridge.ts through
// system-use.ts, CE chains included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modeTypeBits, type AuthoringKind, type AuthoringNode } from '../../../src-main/format/authoring-tree.ts';
import { createMemorySource } from '../../../src-main/io/memory-source.ts';
import { parseDirectoryRecord } from '../../../src-main/iso/directory-record.ts';
import { deviceNumbers, RockRidgeReader, type RockRidgeAttributes } from '../../../src-main/iso/rock-ridge.ts';
import { planSystemUse, type PlannedSystemUse, type SystemUsePlace, type SystemUseRequest } from '../../../src-main/iso/rock-ridge-writer.ts';
import {
  readExtensionIdentifier,
  readSharingProtocol,
  readSystemUseEntries,
  visitContinuations,
  visitRecordSystemUse,
} from '../../../src-main/iso/system-use.ts';
import { directoryRecord } from '../iso-builder.ts';

const modifiedMs = Date.UTC(2024, 5, 15, 12, 30, 7);

function node(kind: AuthoringKind, fields: Partial<AuthoringNode> = {}): AuthoringNode {
  const typeBits = {
    file: modeTypeBits.file,
    directory: modeTypeBits.directory,
    symlink: modeTypeBits.symlink,
    'block-device': modeTypeBits.blockDevice,
    'character-device': modeTypeBits.characterDevice,
    fifo: modeTypeBits.fifo,
    socket: modeTypeBits.socket,
  }[kind];
  return {
    name: 'x',
    kind,
    mode: typeBits | 0o644,
    uid: 1000,
    gid: 100,
    modifiedMs,
    accessedMs: modifiedMs + 1000,
    changedMs: modifiedMs + 2000,
    sizeBytes: 0,
    content: null,
    hardLinkKey: null,
    linkTarget: null,
    device: null,
    hidden: false,
    children: kind === 'directory' ? [] : null,
    keptNames: null,
    origin: '/src/x',
    ...fields,
  };
}

function request(subject: AuthoringNode, fields: Partial<SystemUseRequest> = {}): SystemUseRequest {
  return {
    node: subject,
    name: subject.name,
    role: 'entry',
    isRootSelf: false,
    serialNumber: 42,
    linkCount: 1,
    relocation: null,
    fixedTimesMs: null,
    ...fields,
  };
}

const imageSectors = 24;

/** The record's part (written into a zeroed field of its planned size) and the continuation areas, for one place. */
function render(planned: PlannedSystemUse, place: SystemUsePlace): { inRecord: Uint8Array; continuation: Uint8Array } {
  const inRecord = new Uint8Array(planned.inRecordBytes);
  planned.writeInRecord(inRecord, 0, place);
  return { inRecord, continuation: planned.renderContinuation(place) };
}

interface ReadBack {
  readonly attributes: RockRidgeAttributes;
  readonly recordBytes: number;
  readonly inRecordBytes: number;
  readonly continuationBytes: number;
  readonly signatures: string[];
  readonly sharingProtocol: { skipBytes: number } | null;
}

/**
 * Plans and renders the entries of a record named `identifier`, places the record at sector 4 and the
 * continuation at `at`, and reads it all back as a reader of the image would.
 */
async function renderAndRead(
  systemUse: SystemUseRequest,
  identifier = 'NAME.;1',
  place?: { continuationLba: number; continuationOffsetBytes: number; linkedDirectoryLba: number | null },
): Promise<ReadBack> {
  const identifierBytes = identifier.length;
  const space = 255 - 33 - identifierBytes - (identifierBytes % 2 === 0 ? 1 : 0);
  const planned = planSystemUse(systemUse, space);
  // One area may sit anywhere in its sector; several start one.
  const at = place ?? { continuationLba: 9, continuationOffsetBytes: planned.continuationBytes > 2048 ? 0 : 100, linkedDirectoryLba: null };
  const rendered = render(planned, at);
  expect(rendered.inRecord.byteLength).toBe(planned.inRecordBytes);
  expect(rendered.continuation.byteLength).toBe(planned.continuationBytes);
  const recordBytes = directoryRecord({ identifier, lba: 30, sizeBytes: 0, systemUse: rendered.inRecord });
  const image = new Uint8Array(imageSectors * 2048);
  image.set(recordBytes, 4 * 2048);
  image.set(rendered.continuation, at.continuationLba * 2048 + at.continuationOffsetBytes);
  const record = parseDirectoryRecord(image.subarray(4 * 2048, 5 * 2048), 0, { offsetBytes: 4 * 2048 });
  const options = { source: createMemorySource(image, 'authored.iso'), logicalBlockSizeBytes: 2048, skipBytes: 0, budget: null };
  const reader = new RockRidgeReader();
  const continuation = visitRecordSystemUse(record, 0, reader);
  if (continuation) await visitContinuations(record, continuation, options, reader);
  const signatures = (await readSystemUseEntries(record, options)).map((entry) => entry.signature);
  return {
    attributes: reader.snapshot(),
    recordBytes: recordBytes.byteLength,
    inRecordBytes: planned.inRecordBytes,
    continuationBytes: planned.continuationBytes,
    signatures,
    sharingProtocol: readSharingProtocol(record),
  };
}

describe('planSystemUse: entries read back', () => {
  it("records a file's mode, links, owner, modification time and name (PX, TF, NM) inside its record", async () => {
    const back = await renderAndRead(request(node('file', { name: 'Read Me.txt', mode: 0o100640 }), { linkCount: 3 }));
    expect(back.attributes).toMatchObject({
      name: 'Read Me.txt',
      mode: 0o100640,
      linkCount: 3,
      uid: 1000,
      gid: 100,
      modifiedMs,
      symlinkTarget: null,
      device: null,
    });
    expect(back.signatures).toEqual(['PX', 'TF', 'NM']);
    expect(back.continuationBytes).toBe(0);
    expect(back.inRecordBytes % 2).toBe(0);
    expect(back.recordBytes).toBeLessThanOrEqual(255);
  });

  it('records a name of any script in one NM inside the record, its length counted in UTF-8 bytes', async () => {
    for (const name of ['Ünïcødé.txt', '名前のファイル', 'emoji 🎉 and ß', 'plain-ascii']) {
      const back = await renderAndRead(request(node('file', { name })));
      expect(back.attributes.name).toBe(name);
      expect(back.signatures).toEqual(['PX', 'TF', 'NM']);
      const entriesBytes = 44 + 26 + 5 + new TextEncoder().encode(name).byteLength; // PX, TF, NM
      expect(back.inRecordBytes).toBe(entriesBytes + (entriesBytes % 2));
    }
  });

  it('writes the 44-byte PX of RRIP 1.12 with the serial number, and every TF time at once when reproducible', async () => {
    const fixedMs = Date.UTC(2020, 0, 2, 3, 4, 5);
    const planned = planSystemUse(request(node('file'), { serialNumber: 0x01020304, fixedTimesMs: fixedMs }), 200);
    const bytes = render(planned, { continuationLba: 0, continuationOffsetBytes: 0, linkedDirectoryLba: null }).inRecord;
    expect([...bytes.subarray(0, 4)]).toEqual([0x50, 0x58, 44, 1]);
    expect([...bytes.subarray(36, 44)]).toEqual([4, 3, 2, 1, 1, 2, 3, 4]);
    // TF: flags modify | access | attributes, then three equal 7-byte UTC stamps (2020-01-02 03:04:05 +00).
    expect([...bytes.subarray(44, 49)]).toEqual([0x54, 0x46, 26, 1, 0x0e]);
    for (let stamp = 0; stamp < 3; stamp += 1) expect([...bytes.subarray(49 + stamp * 7, 56 + stamp * 7)]).toEqual([120, 1, 2, 3, 4, 5, 0]);
    const back = await renderAndRead(request(node('file'), { fixedTimesMs: fixedMs }));
    expect(back.attributes.modifiedMs).toBe(fixedMs);
  });

  it('gives the root\'s "." SP first and the RRIP_1991A ER in a continuation area, as xorriso does', async () => {
    const back = await renderAndRead(request(node('directory', { mode: 0o40755 }), { name: null, role: 'self', isRootSelf: true, linkCount: 4 }), '\u0000');
    expect(back.sharingProtocol).toEqual({ skipBytes: 0 });
    expect(back.signatures).toEqual(['SP', 'PX', 'TF', 'ER']);
    expect(back.continuationBytes).toBe(237);
    expect(back.attributes).toMatchObject({ name: null, mode: 0o40755, linkCount: 4 });
    const rendered = render(planSystemUse(request(node('directory'), { name: null, role: 'self', isRootSelf: true }), 221), {
      continuationLba: 3,
      continuationOffsetBytes: 0,
      linkedDirectoryLba: null,
    });
    expect(readExtensionIdentifier({ signature: 'ER', version: 1, bytes: rendered.continuation, offsetBytes: 3 * 2048 })).toBe('RRIP_1991A');
  });

  it('writes no NM for "." and ".." and gives them the directory\'s PX and TF', async () => {
    for (const role of ['self', 'parent'] as const) {
      const back = await renderAndRead(
        request(node('directory', { name: 'boot', mode: 0o40700 }), { name: null, role }),
        role === 'self' ? '\u0000' : '\u0001',
      );
      expect(back.signatures).toEqual(['PX', 'TF']);
      expect(back.attributes).toMatchObject({ name: null, mode: 0o40700 });
    }
  });

  it('records a 255-byte UTF-8 name in NM pieces cut between characters, continued through a CE when the record is full', async () => {
    const name = `${'é'.repeat(127)}a`;
    expect(new TextEncoder().encode(name).byteLength).toBe(255);
    const back = await renderAndRead(request(node('file', { name })), 'VERYLONGFILENAME_MORE_THAN_.EXT;1');
    expect(back.attributes.name).toBe(name);
    expect(back.signatures.filter((signature) => signature === 'NM')).toHaveLength(2);
    expect(back.continuationBytes).toBeGreaterThan(0);
    expect(back.recordBytes).toBeLessThanOrEqual(255);
  });

  it('refuses a name longer than 255 bytes, naming where it came from', () => {
    const long = node('file', { name: 'n'.repeat(256), origin: '/home/ana/tree/nnn' });
    expect(() => planSystemUse(request(long), 200)).toThrow(
      expect.objectContaining({ code: 'bad-source-name', message: expect.stringContaining('/home/ana/tree/nnn') }),
    );
  });
});

describe('planSystemUse: symbolic links and devices', () => {
  const targets = ['/', '/usr/bin/env', '../lib/./x', 'a//b', 'dir/', '.', '..', `${'ü'.repeat(200)}/${'c'.repeat(300)}/end`, 'é/'.repeat(1000).slice(0, 2000)];
  for (const target of targets) {
    it(`reads back the target ${JSON.stringify(target.length > 40 ? `${target.slice(0, 40)}…` : target)} (SL components, ROOT/CURRENT/PARENT, CONTINUE)`, async () => {
      const back = await renderAndRead(request(node('symlink', { name: 'link', mode: 0o120777, linkTarget: target })));
      expect(back.attributes.symlinkTarget).toBe(target);
      expect(back.attributes.name).toBe('link');
    });
  }

  it('spreads a 4095-byte target over continuation areas one sector each, chained by CE', async () => {
    const target = 'a/'.repeat(2047) + 'b';
    expect(target.length).toBe(4095);
    const link = request(node('symlink', { linkTarget: target }));
    const planned = planSystemUse(link, 200);
    expect(planned.continuationBytes).toBeGreaterThan(2048);
    const back = await renderAndRead(link, 'NAME.;1', { continuationLba: 10, continuationOffsetBytes: 0, linkedDirectoryLba: null });
    expect(back.attributes.symlinkTarget).toBe(target);
    expect(() => render(planned, { continuationLba: 10, continuationOffsetBytes: 512, linkedDirectoryLba: null })).toThrow(/must start a sector/);
  });

  it('refuses a target longer than 4095 bytes, naming the link', () => {
    const link = node('symlink', { linkTarget: 'x'.repeat(4096), origin: '/src/too-far' });
    expect(() => planSystemUse(request(link), 200)).toThrow(
      expect.objectContaining({ code: 'bad-source-name', message: expect.stringContaining('/src/too-far') }),
    );
  });

  it('records device numbers (PN) as a dev_t that the reader, xorriso and bsdtar decode to major and minor', async () => {
    for (const device of [
      { major: 8, minor: 1 },
      { major: 0, minor: 5 },
      { major: 300, minor: 70_000 },
      { major: 259, minor: 1_048_575 },
    ]) {
      const back = await renderAndRead(request(node('block-device', { mode: 0o60660, device })));
      expect(back.attributes.device && deviceNumbers(back.attributes.device)).toEqual(device);
    }
    const common = await renderAndRead(request(node('character-device', { mode: 0o20666, device: { major: 1, minor: 3 } })));
    expect(common.attributes.device).toEqual({ high: 0, low: 0x103 }); // makedev(1, 3)
    const large = await renderAndRead(request(node('character-device', { mode: 0o20666, device: { major: 300, minor: 70_000 } })));
    expect(large.attributes.device).toEqual({ high: 0, low: 112 | (300 << 8) | (69_888 << 12) }); // makedev(300, 70000)
  });

  it("reads mkisofs's form of PN (the major high, the minor low) too", () => {
    expect(deviceNumbers({ high: 8, low: 1 })).toEqual({ major: 8, minor: 1 });
  });
});

describe('planSystemUse: relocated directories (RRIP 4.1.5)', () => {
  it("writes CL with the moved directory's block, PL with the original parent's, and RE", async () => {
    const directory = node('directory', { name: 'deep', mode: 0o40755 });
    const childLink = await renderAndRead(request(directory, { relocation: 'child-link' }), 'DEEP', {
      continuationLba: 9,
      continuationOffsetBytes: 0,
      linkedDirectoryLba: 77,
    });
    expect(childLink.attributes).toMatchObject({ childLinkLba: 77, relocated: false, name: 'deep' });
    const parentLink = await renderAndRead(request(directory, { name: null, role: 'parent', relocation: 'parent-link' }), '\u0001', {
      continuationLba: 9,
      continuationOffsetBytes: 0,
      linkedDirectoryLba: 23,
    });
    expect(parentLink.attributes.parentLinkLba).toBe(23);
    const relocated = await renderAndRead(request(directory, { relocation: 'relocated' }), 'DEEP');
    expect(relocated.attributes).toMatchObject({ relocated: true, childLinkLba: null, name: 'deep' });
  });

  it('refuses to render a CL without the linked block (a layout bug)', () => {
    const planned = planSystemUse(request(node('directory'), { relocation: 'child-link' }), 200);
    expect(() => render(planned, { continuationLba: 0, continuationOffsetBytes: 0, linkedDirectoryLba: null })).toThrow(RangeError);
  });
});

/** No lone surrogate: file systems give names as UTF-8, which cannot hold one. In 'u' mode a pair is one code point, so only a lone half matches. */
function isWellFormed(text: string): boolean {
  return !/[\ud800-\udfff]/u.test(text);
}

describe('planSystemUse: properties', () => {
  const text = (maxLength: number) =>
    fc.string({
      minLength: 1,
      maxLength,
      unit: fc.oneof(fc.constantFrom('a', '/', '.', 'é', '日', '😀'), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' })),
    });

  it('reads back any name and target of allowed length, and keeps every record within 255 bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        text(80).filter((name) => isWellFormed(name) && !name.includes('/') && new TextEncoder().encode(name).byteLength <= 255),
        text(900).filter((target) => isWellFormed(target)),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 1900 }),
        async (name, target, identifierLength, offset) => {
          const link = request(node('symlink', { name, linkTarget: target }));
          const planned = planSystemUse(link, 255 - 33 - identifierLength - (identifierLength % 2 === 0 ? 1 : 0));
          const offsetBytes = planned.continuationBytes > 2048 ? 0 : Math.min(offset, 2048 - planned.continuationBytes);
          const back = await renderAndRead(link, 'A'.repeat(identifierLength), {
            continuationLba: 12,
            continuationOffsetBytes: offsetBytes,
            linkedDirectoryLba: null,
          });
          expect(back.attributes.name).toBe(name);
          expect(back.attributes.symlinkTarget).toBe(target);
          expect(back.recordBytes).toBeLessThanOrEqual(255);
        },
      ),
      { numRuns: 150 },
    );
  });
});
