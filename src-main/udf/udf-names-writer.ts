// UDF file identifiers for a new image (ECMA-167 4/14.4.4, OSTA UDF 2.1.1 and 4.2.2.1): any Unicode
// name but NUL and '/', recorded as CS0 in at most 255 bytes (8-bit form: 254 characters of Latin-1;
// 16-bit form: 127 UTF-16 units). Longer names are cut the way UDF 4.2.2.1 translates names an
// operating system cannot hold: the start of the name, '#' and the CRC of the whole name in hex, then
// its extension, so two long names with the same start stay apart and the result is deterministic.
import { crc16 } from './udf-fields.ts';
import { encodeDCharacters, fitDCharacters } from './udf-fields-writer.ts';

/** ECMA-167 4/14.4.4: the identifier length is one byte. */
export const maxIdentifierBytes = 255;

/** UDF 4.2.2.1.4: an extension of up to 5 characters is kept after the cut. */
const maxExtensionCharacters = 5;

/** CRC-16 (ECMA-167 1/7.2.6, as UDF 4.2.2.1.3) of a name's UTF-16 units, big-endian, as 4 hex digits. */
function nameCrcHex(name: string): string {
  const units = new Uint8Array(name.length * 2);
  for (let index = 0; index < name.length; index += 1) {
    units[2 * index] = name.charCodeAt(index) >>> 8;
    units[2 * index + 1] = name.charCodeAt(index) & 0xff;
  }
  return crc16(units, 0, units.byteLength).toString(16).toUpperCase().padStart(4, '0');
}

/** `name` when its CS0 form fits an identifier, else its start + '#' + CRC (+ `suffix`) + its extension. */
export function fitUdfName(name: string, suffix = ''): string {
  if (suffix === '' && encodeDCharacters(name).byteLength <= maxIdentifierBytes) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && [...name.slice(dot)].length <= maxExtensionCharacters + 1 ? name.slice(dot) : '';
  const tail = `#${nameCrcHex(name)}${suffix}${extension}`;
  const cutStem = fitDCharacters(name.slice(0, name.length - extension.length), maxIdentifierBytes, tail);
  return cutStem + tail;
}

/**
 * The identifiers of one directory's children, in the order given: each name as it is where it fits,
 * the others cut (fitUdfName) and, should a cut name meet another child's, numbered until unique.
 * UDF compares identifiers exactly (case matters), as POSIX does.
 */
export function udfNamesForDirectory(names: readonly string[]): string[] {
  const taken = new Set<string>();
  const fitting = names.map((name) => (encodeDCharacters(name).byteLength <= maxIdentifierBytes ? name : null));
  for (const name of fitting) if (name !== null) taken.add(name);
  // Names cut to the same start and CRC (crafted ones can share both) go on numbering where the last
  // one stopped, so a directory of such names costs linear work, not a retry per earlier name.
  const nextNumber = new Map<string, number>();
  return names.map((name, index) => {
    const kept = fitting[index];
    if (kept !== null && kept !== undefined) return kept;
    const cut = fitUdfName(name);
    let candidate = cut;
    for (let number = nextNumber.get(cut) ?? 1; taken.has(candidate); number += 1) {
      candidate = fitUdfName(name, `-${number}`);
      nextNumber.set(cut, number + 1);
    }
    taken.add(candidate);
    return candidate;
  });
}
