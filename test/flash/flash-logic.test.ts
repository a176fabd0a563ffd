// Pure pieces of the flash engine: progress throttling and ETA, the mismatch range, outcomes, the
// helper's job validation and its fixed command line. (The xz index reader: test/compression/.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlashProgress, TargetResult } from '../../shared/flash.ts';
import { helperCommand } from '../../src-main/elevation/elevation.ts';
import { differingRange } from '../../src-main/flash/differing-range.ts';
import { overallOutcome } from '../../src-main/flash/flash-job.ts';
import { digestBlockBytes } from '../../src-main/flash/hasher.ts';

import { parseFlashWork } from '../../src-main/flash/flash-work.ts';
import { TargetRateMeter } from '../../src-main/flash/target-rate-meter.ts';

/** Verify-only's range: first..last differing byte within the 64 KiB block of the first. */
const firstMismatch = (expected: Uint8Array, actual: Uint8Array, baseOffsetBytes: number) =>
  differingRange(expected, actual, baseOffsetBytes, { withinBlockBytes: digestBlockBytes });

describe('TargetRateMeter', () => {
  it('emits at most one update per 125 ms, but phase changes at once', () => {
    let nowMs = 0;
    const events: FlashProgress[] = [];
    const meter = new TargetRateMeter(
      'job',
      ['/dev/a'],
      (progress) => events.push(progress),
      () => nowMs,
    );
    meter.setPhase(['/dev/a'], 'writing', 1000);
    for (let step = 1; step <= 100; step += 1) {
      nowMs = step * 10; // 100 updates over one second
      meter.update('/dev/a', step * 10);
    }
    const updates = events.length - 1;
    expect(updates).toBeGreaterThanOrEqual(7);
    expect(updates).toBeLessThanOrEqual(9);
    meter.setPhase(['/dev/a'], 'flushing', null);
    expect(events.at(-1)!.targets[0]!.phase).toBe('flushing');
  });

  it('computes bytes/s over the recent window and the ETA from it', () => {
    let nowMs = 0;
    const events: FlashProgress[] = [];
    const meter = new TargetRateMeter(
      'job',
      ['/dev/a'],
      (progress) => events.push(progress),
      () => nowMs,
    );
    meter.setPhase(['/dev/a'], 'writing', 10_000_000);
    nowMs = 1000;
    meter.update('/dev/a', 2_000_000);
    expect(events.at(-1)!.targets[0]).toMatchObject({ bytesPerSecond: 2_000_000, etaMs: 4000, bytesDone: 2_000_000 });
  });

  it('averages writing (with its flush) and verifying each over its own time, not the whole job', () => {
    let nowMs = 0;
    const meter = new TargetRateMeter(
      'job',
      ['/dev/a', '/dev/b'],
      () => undefined,
      () => nowMs,
    );
    nowMs = 500; // preparing and unmounting count for neither phase
    meter.setPhase(['/dev/a', '/dev/b'], 'writing', 4_000_000);
    nowMs = 1500;
    meter.update('/dev/a', 4_000_000);
    meter.setPhase(['/dev/a', '/dev/b'], 'flushing', null);
    nowMs = 2500; // 4 MB in 2 s of writing and flushing
    meter.setPhase(['/dev/a'], 'verifying', 4_000_000);
    nowMs = 3000;
    meter.update('/dev/a', 4_000_000); // read back in 0.5 s
    meter.setPhase(['/dev/a'], 'done', 4_000_000);
    nowMs = 9000; // the summary is built later: time after the end counts for nothing
    expect(meter.averages('/dev/a', 4_000_000)).toEqual({ writeBytesPerSecond: 2_000_000, verifyBytesPerSecond: 8_000_000 });
    // A target that never reached verifying has no verify speed (a failed one's open phase counts up to now).
    expect(meter.averages('/dev/b', 1_000_000)).toEqual({ writeBytesPerSecond: Math.round(1_000_000 / 8.5) });
  });
});

describe('differingRange (a flash verifying a raw image compares whole chunks)', () => {
  it('is null for equal bytes and spans the first to the last differing byte of the chunk', () => {
    const expected = new Uint8Array(300_000);
    const actual = expected.slice();
    expect(differingRange(expected, actual, 0)).toBeNull();
    actual[70_000] = 1;
    actual[250_000] = 1; // another 64 KiB block: still part of the range
    expect(differingRange(expected, actual, 8 * 1024 * 1024)).toEqual({ offsetBytes: 8 * 1024 * 1024 + 70_000, lengthBytes: 180_001 });
    actual.fill(0);
    actual[0] = 7;
    expect(differingRange(expected, actual, 0)).toEqual({ offsetBytes: 0, lengthBytes: 1 });
  });
});

describe('differingRange within a 64 KiB block (verify-only)', () => {
  it('is null for equal bytes and names first..last differing byte of the first bad 64 KiB block', () => {
    const expected = new Uint8Array(200_000);
    const actual = expected.slice();
    expect(firstMismatch(expected, actual, 0)).toBeNull();
    actual[70_000] = 1;
    actual[70_100] = 1;
    actual[140_000] = 1; // a later block: not part of the first range
    expect(firstMismatch(expected, actual, 4 * 1024 * 1024)).toEqual({ offsetBytes: 4 * 1024 * 1024 + 70_000, lengthBytes: 101 });
  });

  it('agrees with a byte-by-byte scan on random inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(299), fc.integer({ min: 1, max: 255 }), (bytes, index, delta) => {
        const actual = bytes.slice();
        const at = index % bytes.length;
        actual[at] = (actual[at]! + delta) & 0xff;
        expect(firstMismatch(bytes, actual, 0)).toEqual({ offsetBytes: at, lengthBytes: 1 });
      }),
    );
  });
});

describe('overallOutcome', () => {
  const target = (outcome: TargetResult['outcome']): TargetResult => ({ target: 't', outcome, bytesWritten: 0, error: null, mismatch: null, refusals: [] });
  it('is succeeded only when every target succeeded, partial for some, failed for none', () => {
    expect(overallOutcome([target('verified'), target('written')], false)).toBe('succeeded');
    expect(overallOutcome([target('verified'), target('failed')], false)).toBe('partial');
    expect(overallOutcome([target('failed')], false)).toBe('failed');
    expect(overallOutcome([], false)).toBe('failed');
    expect(overallOutcome([target('verified')], true)).toBe('cancelled');
  });
});

describe('the elevated helper boundary', () => {
  it('accepts a well-formed job and refuses anything else', () => {
    const job = {
      kind: 'flash',
      imagePath: '/images/a.iso',
      targets: [{ driveId: '/dev/sdb#8:16#1' }, { path: '/dev/sdc' }],
      verify: true,
      includeAll: false,
      eject: true,
    };
    expect(parseFlashWork(job)).toEqual(job);
    expect(parseFlashWork({ ...job, imagePath: 'relative.iso' })).toBeNull();
    expect(parseFlashWork({ ...job, targets: [] })).toBeNull();
    expect(parseFlashWork({ ...job, targets: [{ path: 'dev/sdb' }] })).toBeNull();
    expect(parseFlashWork({ ...job, verify: 'yes' })).toBeNull();
    expect(parseFlashWork({ kind: 'format', imagePath: '/a' })).toBeNull();
    expect(parseFlashWork({ kind: 'verify', imagePath: '/a.iso', target: { path: '/dev/sdb' } })).toEqual({
      kind: 'verify',
      imagePath: '/a.iso',
      target: { path: '/dev/sdb' },
    });
  });

  it("refuses what the contract's schemas would: unlisted fields, a target naming both a drive and a path, NUL, 17 targets", () => {
    const job = { kind: 'flash', imagePath: '/images/a.iso', targets: [{ path: '/dev/sdc' }], verify: true, includeAll: false, eject: false };
    expect(parseFlashWork({ ...job, unsafe: true })).toBeNull();
    expect(parseFlashWork({ ...job, targets: [{ driveId: '/dev/sdb#8:16#1', path: '/root/.ssh/authorized_keys' }] })).toBeNull();
    expect(parseFlashWork({ ...job, imagePath: '/images/a\0.iso' })).toBeNull();
    expect(parseFlashWork({ ...job, targets: Array.from({ length: 17 }, () => ({ path: '/dev/sdc' })) })).toBeNull();
    expect(parseFlashWork({ kind: 'verify', imagePath: '/a.iso', target: { path: '/dev/sdb' }, includeAll: true })).toBeNull();
  });

  it('builds a fixed command line: interpreter, entry, flash-helper and a hex token - nothing else', () => {
    const token = 'ab'.repeat(16);
    expect(helperCommand('/usr/bin/node', '/opt/Isotope/dist/main/main.js', token)).toBe(
      `'/usr/bin/node' '/opt/Isotope/dist/main/main.js' flash-helper ${token}`,
    );
    for (const hostile of ['/opt/$(reboot)/node', "/opt/it's/node", '/opt/a`id`/node', '/opt/a\nb/node', '/opt/a"b/node', '/opt/a;b/node']) {
      expect(() => helperCommand(hostile, '/x.js', token)).toThrow(/shell metacharacters/);
    }
    expect(() => helperCommand('/usr/bin/node', '/x.js', 'not-a-token')).toThrow();
    expect(helperCommand('/opt/Isotope/isotope', '/opt/Isotope/resources/app/dist/main/main.js', token, { electron: true })).toBe(
      `ELECTRON_RUN_AS_NODE=1 '/opt/Isotope/isotope' '/opt/Isotope/resources/app/dist/main/main.js' flash-helper ${token}`,
    );
  });
});
