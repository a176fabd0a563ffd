// Parses the JSON of `lsblk --json --bytes --paths --output <lsblkColumns>` and of
// `losetup --json --list --output <losetupColumns>` (util-linux). Pure: the caller runs the tools.
// Accepts both the typed JSON of util-linux >= 2.37 (numbers, booleans, `mountpoints` arrays) and
// the all-strings JSON of older versions (`"ro": "0"`, a single `mountpoint`), a written leniency.
// Identity and description columns (SERIAL, WWN, FSTYPE, LABEL) may be absent (recordings made with
// fewer columns, lsblk builds without udev): absent reads as "the OS does not say", never as a match.

export const lsblkColumns = 'NAME,KNAME,MAJ:MIN,TYPE,SIZE,RO,RM,HOTPLUG,TRAN,VENDOR,MODEL,SERIAL,WWN,LOG-SEC,PHY-SEC,MOUNTPOINTS,PKNAME,FSTYPE,LABEL';
export const losetupColumns = 'NAME,MAJ:MIN,BACK-FILE,BACK-INO,BACK-MAJ:MIN,RO';

/** One node of lsblk's tree: a disk, or a partition/holder below it. */
export interface LsblkDevice {
  readonly path: string;
  /** "major:minor". */
  readonly deviceNumber: string;
  /** disk, part, loop, rom, crypt, lvm, ... */
  readonly type: string;
  readonly sizeBytes: number;
  readonly isReadOnly: boolean;
  readonly isRemovable: boolean;
  readonly isHotplug: boolean;
  /** usb, sata, nvme, mmc, ... or null. */
  readonly transport: string | null;
  readonly vendor: string | null;
  readonly model: string | null;
  readonly serial: string | null;
  /** World Wide Name ("0x5002538e40a1b2c3"), or null. */
  readonly wwn: string | null;
  /** File system type on this node ("vfat", "ext4"), or null. */
  readonly filesystem: string | null;
  /** File system label, or null. */
  readonly label: string | null;
  readonly logicalBlockSizeBytes: number;
  readonly physicalBlockSizeBytes: number;
  /** Mountpoints of this node only (children carry their own); `[SWAP]` for active swap. */
  readonly mountpoints: readonly string[];
  readonly children: readonly LsblkDevice[];
}

export interface LoopBacking {
  readonly path: string;
  /** "major:minor" of the loop device. */
  readonly deviceNumber: string;
  readonly backingFile: string | null;
  /** "major:minor" of the file system holding the backing file. */
  readonly backingDeviceNumber: string | null;
  readonly backingInode: number | null;
  readonly isReadOnly: boolean;
}

export class LsblkFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LsblkFormatError';
  }
}

/** No real machine has this many block devices; a longer list is refused rather than walked. */
const maxDevices = 4096;
/** Partitions below holders below disks: three levels is typical, 8 is generous. */
const maxDepth = 8;

export function parseLsblkJson(text: string): LsblkDevice[] {
  const root = parseObject(text, 'lsblk');
  const list = root['blockdevices'];
  if (!Array.isArray(list)) throw new LsblkFormatError('lsblk JSON has no "blockdevices" array');
  const budget = { remaining: maxDevices };
  return list.map((entry, index) => parseNode(entry, `blockdevices[${index}]`, 0, budget));
}

export function parseLosetupJson(text: string): LoopBacking[] {
  // losetup prints nothing at all (not even {}) when there are no loop devices.
  if (text.trim() === '') return [];
  const root = parseObject(text, 'losetup');
  const list = root['loopdevices'];
  if (!Array.isArray(list)) throw new LsblkFormatError('losetup JSON has no "loopdevices" array');
  if (list.length > maxDevices) throw new LsblkFormatError(`losetup lists ${list.length} loop devices (limit ${maxDevices})`);
  return list.map((entry, index) => {
    const where = `loopdevices[${index}]`;
    const record = asRecord(entry, where);
    return {
      path: requireString(record, 'name', where),
      deviceNumber: requireDeviceNumber(record, 'maj:min', where),
      backingFile: optionalString(record, 'back-file'),
      backingDeviceNumber: optionalDeviceNumber(record, 'back-maj:min', where),
      backingInode: optionalNumber(record, 'back-ino', where),
      isReadOnly: toBoolean(record['ro'], `${where}.ro`),
    };
  });
}

function parseNode(entry: unknown, where: string, depth: number, budget: { remaining: number }): LsblkDevice {
  if (depth > maxDepth) throw new LsblkFormatError(`${where}: devices nested deeper than ${maxDepth} levels`);
  budget.remaining -= 1;
  if (budget.remaining < 0) throw new LsblkFormatError(`lsblk lists more than ${maxDevices} devices`);
  const record = asRecord(entry, where);
  const path = optionalString(record, 'name') ?? optionalString(record, 'kname');
  if (path === null) throw new LsblkFormatError(`${where}: no "name"`);
  const children = record['children'];
  if (children !== undefined && !Array.isArray(children)) throw new LsblkFormatError(`${where}.children is not an array`);
  return {
    path,
    deviceNumber: requireDeviceNumber(record, 'maj:min', where),
    type: optionalString(record, 'type') ?? 'disk',
    sizeBytes: optionalNumber(record, 'size', where) ?? 0,
    isReadOnly: toBoolean(record['ro'], `${where}.ro`),
    isRemovable: toBoolean(record['rm'], `${where}.rm`),
    isHotplug: toBoolean(record['hotplug'], `${where}.hotplug`),
    transport: optionalString(record, 'tran'),
    vendor: optionalString(record, 'vendor'),
    model: optionalString(record, 'model'),
    serial: optionalString(record, 'serial'),
    wwn: optionalString(record, 'wwn'),
    filesystem: optionalString(record, 'fstype'),
    label: optionalString(record, 'label'),
    logicalBlockSizeBytes: optionalNumber(record, 'log-sec', where) ?? 512,
    physicalBlockSizeBytes: optionalNumber(record, 'phy-sec', where) ?? 512,
    mountpoints: parseMountpoints(record, where),
    children: (children ?? []).map((child, index) => parseNode(child, `${where}.children[${index}]`, depth + 1, budget)),
  };
}

function parseMountpoints(record: Record<string, unknown>, where: string): string[] {
  const many = record['mountpoints'];
  if (Array.isArray(many)) {
    // lsblk prints [null] for "not mounted".
    return many.filter((value): value is string => {
      if (value !== null && typeof value !== 'string') throw new LsblkFormatError(`${where}.mountpoints holds a ${typeof value}`);
      return typeof value === 'string' && value !== '';
    });
  }
  const one = optionalString(record, 'mountpoint');
  return one === null || one === '' ? [] : [one];
}

function parseObject(text: string, tool: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LsblkFormatError(`${tool} printed something that is not JSON: ${(error as Error).message}`);
  }
  return asRecord(value, tool);
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new LsblkFormatError(`${where} is not an object`);
  return value as Record<string, unknown>;
}

function optionalString(record: Record<string, unknown>, key: string): string | null {
  const value = record[key];
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function requireString(record: Record<string, unknown>, key: string, where: string): string {
  const value = optionalString(record, key);
  if (value === null) throw new LsblkFormatError(`${where}: no "${key}"`);
  return value;
}

function optionalNumber(record: Record<string, unknown>, key: string, where: string): number | null {
  const value = record[key];
  if (value === null || value === undefined || value === '') return null;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(number) || number < 0) throw new LsblkFormatError(`${where}.${key} is not a byte count: ${JSON.stringify(value)}`);
  return number;
}

function toBoolean(value: unknown, where: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (value === '1' || value === 1) return true;
  if (value === '0' || value === 0) return false;
  throw new LsblkFormatError(`${where} is not a flag: ${JSON.stringify(value)}`);
}

const deviceNumberPattern = /^\d{1,10}:\d{1,10}$/;

function optionalDeviceNumber(record: Record<string, unknown>, key: string, where: string): string | null {
  const value = optionalString(record, key);
  if (value === null) return null;
  if (!deviceNumberPattern.test(value)) throw new LsblkFormatError(`${where}.${key} is not major:minor: ${JSON.stringify(value)}`);
  return value;
}

function requireDeviceNumber(record: Record<string, unknown>, key: string, where: string): string {
  const value = optionalDeviceNumber(record, key, where);
  if (value === null) throw new LsblkFormatError(`${where}: no "${key}"`);
  return value;
}
