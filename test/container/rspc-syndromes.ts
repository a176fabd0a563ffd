// Checks the P and Q parity of a raw Mode 1 sector the way a decoder does: both syndromes of every
// RSPC codeword (ECMA-130 Annex A check matrices H_P, H_Q over GF(2^8), x^8 + x^4 + x^3 + x^2 + 1)
// must be zero. Deliberately computed from exponent tables, not with the fixture encoder's shortcut.

const exp = new Uint8Array(512);
const log = new Uint8Array(256);
{
  let value = 1;
  for (let power = 0; power < 255; power += 1) {
    exp[power] = value;
    log[value] = power;
    value <<= 1;
    if (value & 0x100) value ^= 0x11d;
  }
  for (let power = 255; power < 512; power += 1) exp[power] = exp[power - 255] as number;
}

function timesAlphaPower(value: number, power: number): number {
  return value === 0 ? 0 : (exp[(log[value] as number) + (power % 255)] as number);
}

/** Syndromes [sum c_k, sum c_k * alpha^(n-1-k)] of the codeword read at `positions` (in bytes 12..2351). */
function syndromes(region: Uint8Array, positions: readonly number[]): [number, number] {
  let s0 = 0;
  let s1 = 0;
  const n = positions.length;
  positions.forEach((position, k) => {
    const value = region[position] as number;
    s0 ^= value;
    s1 ^= timesAlphaPower(value, n - 1 - k);
  });
  return [s0, s1];
}

/** How many of the 86 P and 52 Q codewords of a 2352-byte sector have a non-zero syndrome. */
export function countBadRspcCodewords(sector: Uint8Array): { p: number; q: number } {
  const region = sector.subarray(12); // header onwards: 1170 16-bit words as two interleaved byte planes
  let p = 0;
  let q = 0;
  // P: column `major` of the 26 x 43 word matrix (per plane): bytes major + 86 k, k = 0..25 (24 data + 2 parity).
  for (let major = 0; major < 86; major += 1) {
    const positions = Array.from({ length: 26 }, (_, k) => major + 86 * k);
    if (syndromes(region, positions).some((value) => value !== 0)) p += 1;
  }
  // Q: diagonal `major`: 43 bytes stepping 88 (one row and one column) modulo 2236, then its 2 parity bytes.
  for (let major = 0; major < 52; major += 1) {
    const positions: number[] = [];
    let index = (major >> 1) * 86 + (major & 1);
    for (let k = 0; k < 43; k += 1) {
      positions.push(index);
      index = (index + 88) % 2236;
    }
    positions.push(2236 + major, 2236 + 52 + major);
    if (syndromes(region, positions).some((value) => value !== 0)) q += 1;
  }
  return { p, q };
}
