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

/**
 * Partition type GUIDs Isotope names (UEFI 2.10 table 5-7, the Discoverable Partitions Specification
 * and the common operating-system ones): a display name for every one, and for the few the boot
 * checks test, the short key of GptPartition.typeName.
 */
const gptPartitionTypes: Readonly<Record<string, { readonly displayName: string; readonly key?: string }>> = {
  'C12A7328-F81F-11D2-BA4B-00A0C93EC93B': { displayName: 'EFI System', key: 'efi-system' },
  'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7': { displayName: 'Microsoft basic data', key: 'basic-data' },
  '21686148-6449-6E6F-744E-656564454649': { displayName: 'BIOS boot', key: 'bios-boot' },
  '48465300-0000-11AA-AA11-00306543ECAC': { displayName: 'Apple HFS/HFS+', key: 'hfs-plus' },
  '0FC63DAF-8483-4772-8E79-3D69D8477DE4': { displayName: 'Linux filesystem', key: 'linux' },
  'E3C9E316-0B5C-4DB8-817D-F92DF00215AE': { displayName: 'Microsoft reserved' },
  'DE94BBA4-06D1-4D40-A16A-BFD50179D6AC': { displayName: 'Windows recovery environment' },
  '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F': { displayName: 'Linux swap' },
  'E6D6D379-F507-44C2-A23C-238F2A3DF928': { displayName: 'Linux LVM' },
  'A19D880F-05FC-4D3B-A006-743F0F84911E': { displayName: 'Linux RAID' },
  '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709': { displayName: 'Linux root (x86-64)' },
  'B921B045-1DF0-41C3-AF44-4C6F280D3FAE': { displayName: 'Linux root (ARM64)' },
  '933AC7E1-2EB4-4F13-B844-0E14E2AEF915': { displayName: 'Linux home' },
  'BC13C2FF-59E6-4262-A352-B275FD6F7172': { displayName: 'Linux extended boot' },
  'CA7D7CCB-63ED-4C53-861C-1742536059CC': { displayName: 'Linux LUKS' },
  '7C3457EF-0000-11AA-AA11-00306543ECAC': { displayName: 'Apple APFS' },
  '516E7CBA-6ECF-11D6-8FF8-00022D09712B': { displayName: 'FreeBSD data' },
  '6A898CC3-1DD2-11B2-99A6-080020736631': { displayName: 'Solaris /usr and ZFS' },
  'FE3A2A5D-4F32-41A7-B725-ACCC3285A309': { displayName: 'ChromeOS kernel' },
};

/** The short keys of the types the boot checks test (GptPartition.typeName), by type GUID. */
export const knownPartitionTypes: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(gptPartitionTypes).flatMap(([guid, type]) => (type.key === undefined ? [] : [[guid, type.key]])),
);

/** A type GUID's display name ("EFI System", "Linux filesystem"); null when Isotope does not know it. */
export function gptPartitionTypeName(typeGuid: string): string | null {
  return gptPartitionTypes[typeGuid]?.displayName ?? null;
}

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
