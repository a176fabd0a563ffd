// The Rock Ridge reader joins NM names and SL components cut into pieces as bytes, then decodes them:
// xorriso cuts a long UTF-8 name between the bytes of one character, and decoding each piece on its
// own read 'é' as two U+FFFD (the authoring differential harness found it on xorriso's images).
import { describe, expect, it } from 'vitest';
import { RockRidgeReader } from '../../../src-main/iso/rock-ridge.ts';
import { visitSystemUseArea } from '../../../src-main/iso/system-use.ts';
import { concat, rr } from '../iso-builder.ts';

const encoder = new TextEncoder();

function read(...entries: Uint8Array[]): RockRidgeReader {
  const area = concat(...entries);
  const reader = new RockRidgeReader();
  visitSystemUseArea(area, 0, area.byteLength, { offsetBytes: 0 }, reader);
  return reader;
}

describe('RockRidgeReader: pieces cut inside a UTF-8 character', () => {
  it('reads an NM name cut between the two bytes of "é" whole', () => {
    const bytes = encoder.encode('café-crème.txt');
    const cut = 4; // 'caf' + the first byte of 'é'
    const reader = read(rr.nm(bytes.subarray(0, cut), 0x01), rr.nm(bytes.subarray(cut)));
    expect(reader.name).toBe('café-crème.txt');
  });

  it('reads an NM name cut into three pieces, one of them a lone continuation byte', () => {
    const bytes = encoder.encode('日本語');
    const reader = read(rr.nm(bytes.subarray(0, 2), 0x01), rr.nm(bytes.subarray(2, 3), 0x01), rr.nm(bytes.subarray(3)));
    expect(reader.name).toBe('日本語');
  });

  it('keeps what a last NM still marked CONTINUE holds (leniency)', () => {
    expect(read(rr.nm('abc', 0x01)).name).toBe('abc');
  });

  it('reads an SL component cut inside a character, across two SL entries, whole', () => {
    const component = encoder.encode('ünïcödé');
    // Component records of raw bytes, built by hand: rr.sl takes whole strings.
    const piece = (flags: number, bytes: Uint8Array) => concat(Uint8Array.of(flags, bytes.byteLength), bytes);
    const slWith = (flags: number, ...records: Uint8Array[]) => {
      const body = concat(Uint8Array.of(flags), ...records);
      return concat(Uint8Array.of(0x53, 0x4c, 4 + body.byteLength, 1), body);
    };
    const reader = read(
      slWith(0x01, piece(0, encoder.encode('dir')), piece(0x01, component.subarray(0, 1))),
      slWith(0, piece(0x01, component.subarray(1, 6)), piece(0, component.subarray(6))),
    );
    expect(reader.symlinkTarget).toBe('dir/ünïcödé');
  });

  it('still joins CURRENT and PARENT components and an absolute ROOT as before', () => {
    expect(read(rr.sl([{ flags: 0x08 }, { text: 'usr' }, { flags: 0x04 }, { flags: 0x02 }, { text: 'bin' }])).symlinkTarget).toBe('/usr/.././bin');
    expect(read(rr.sl([{ flags: 0x08 }])).symlinkTarget).toBe('/');
  });
});
