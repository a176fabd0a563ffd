// GUIDs as UEFI 2.10 appendix A stores them: the first three fields little-endian, the last eight
// bytes in order. Text form is the canonical upper-case 8-4-4-4-12.

export function formatGuid(bytes: Uint8Array): string {
  if (bytes.byteLength !== 16) throw new RangeError(`a GUID is 16 bytes, not ${bytes.byteLength}`);
  const hex = (indices: readonly number[]): string => indices.map((index) => (bytes[index] as number).toString(16).padStart(2, '0')).join('');
  return [hex([3, 2, 1, 0]), hex([5, 4]), hex([7, 6]), hex([8, 9]), hex([10, 11, 12, 13, 14, 15])].join('-').toUpperCase();
}

export function isZeroGuid(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}

/** Partition type GUIDs Isotope names (UEFI 2.10 table 5-7 and the common operating-system ones). */
export const knownPartitionTypes: Readonly<Record<string, string>> = {
  'C12A7328-F81F-11D2-BA4B-00A0C93EC93B': 'efi-system',
  'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7': 'basic-data',
  '21686148-6449-6E6F-744E-656564454649': 'bios-boot',
  '48465300-0000-11AA-AA11-00306543ECAC': 'hfs-plus',
  '0FC63DAF-8483-4772-8E79-3D69D8477DE4': 'linux',
};

export const efiSystemPartitionGuid = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
export const basicDataPartitionGuid = 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7';

/** The 16 bytes of a GUID in its canonical text form, stored as formatGuid reads them (the inverse of formatGuid). */
export function parseGuid(text: string): Uint8Array {
  const match = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/iu.exec(text);
  if (!match) throw new RangeError(`"${text}" is not a GUID in 8-4-4-4-12 form`);
  const bytesOf = (hex: string): number[] => (hex.match(/../gu) ?? []).map((pair) => Number.parseInt(pair, 16));
  const [, first, second, third, fourth, fifth] = match as unknown as [string, string, string, string, string, string];
  // UEFI 2.10 appendix A: the first three fields little-endian, the last eight bytes in order.
  return new Uint8Array([...bytesOf(first).reverse(), ...bytesOf(second).reverse(), ...bytesOf(third).reverse(), ...bytesOf(fourth), ...bytesOf(fifth)]);
}
