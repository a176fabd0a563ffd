// Drives as the engine reports them: one normalised model whatever enumerated it (drivelist, lsblk),
// plus the verdict of the safety rules. Sizes in bytes; device numbers as "major:minor".

export interface Drive {
  /** Stable for as long as the same device stays attached: kernel name + device number + size + serial. */
  readonly id: string;
  /** The block device path, e.g. /dev/sdb. */
  readonly device: string;
  /** The path to open for raw I/O (on Linux the same as `device`). */
  readonly raw: string;
  /** "major:minor" of the whole-disk device, or null when unknown. */
  readonly deviceNumber: string | null;
  /** Vendor and model, for people ("SanDisk Cruzer Blade"). */
  readonly description: string;
  /** The model as the OS reports it, or null when it does not (loop devices, some card readers). */
  readonly model: string | null;
  /** The serial number as the OS reports it, or null: a different stick in the same slot differs here. */
  readonly serial: string | null;
  /** The World Wide Name (a unique id many SATA/NVMe/SCSI disks carry), or null. */
  readonly wwn: string | null;
  readonly sizeBytes: number;
  readonly logicalBlockSizeBytes: number;
  readonly physicalBlockSizeBytes: number;
  readonly isRemovable: boolean;
  readonly isUsb: boolean;
  readonly isReadOnly: boolean;
  /** The operating system lives here (a mountpoint like / or /boot, or drivelist says so). */
  readonly isSystem: boolean;
  /** Loop, RAM, zram and other devices without hardware behind them. */
  readonly isVirtual: boolean;
  /** Where this drive or one of its partitions is mounted. */
  readonly mountpoints: readonly string[];
  /** Device numbers ("major:minor") of the drive's partitions. */
  readonly partitionDeviceNumbers: readonly string[];
  /** The drive's partitions and holders (crypt, LVM) below them, for saying what a write erases. */
  readonly partitions: readonly DrivePartition[];
}

export interface DrivePartition {
  readonly device: string;
  readonly sizeBytes: number;
  /** File system label, or null. */
  readonly label: string | null;
  /** File system type ("vfat", "ext4", "crypto_LUKS"), or null when none is recognised. */
  readonly filesystem: string | null;
  readonly mountpoints: readonly string[];
}

/** Why a drive cannot be a target (refusal) or needs a second thought (warning). */
export const driveIssueCodes = [
  'system-drive', // refusal: the operating system is on it
  'source-drive', // refusal: it holds the image being written (or is the image, for a loop device)
  'too-small', // refusal: the image does not fit
  'smaller-than-image', // warning: smaller than the disk image, but it holds every partition (only they are written)
  'read-only', // refusal: the device is write-protected
  'large-drive', // warning: bigger than 128 GB, probably not a USB stick
  'not-removable', // warning: a fixed disk
  'virtual-drive', // warning: loop/RAM device, only listed with "show all drives"
  'mounted', // warning: partitions are mounted; flashing unmounts them first
  'hidden-drive', // refusal: virtual or fixed, and the user did not ask for all drives
] as const;

export type DriveIssueCode = (typeof driveIssueCodes)[number];

export interface DriveIssue {
  readonly code: DriveIssueCode;
  readonly severity: 'refusal' | 'warning';
  /** Developer-facing reason with the numbers ("image is 4294967296 bytes, drive 2147483648"). */
  readonly reason: string;
  /** For `smaller-than-image` and `too-small` of a disk image: the image's size and where its partitions end. */
  readonly partitionFit?: { readonly imageSizeBytes: number; readonly requiredTargetBytes: number };
}

/**
 * Whether a raw write of a disk image fits a drive smaller than the image (flash/partition-fit.ts):
 * only the bytes up to the end of its last partition (and GPT backup) are written, which is safe only
 * when every byte past that point is zero, as read from the image in this run.
 */
export interface PartitionFit {
  readonly imageSizeBytes: number;
  /** Where the last partition, or the GPT backup the image holds, ends; null when it could not be read. */
  readonly requiredTargetBytes: number | null;
  /** Null: a drive of at least requiredTargetBytes holds the image; else why no smaller drive can (with the numbers). */
  readonly refusal: string | null;
}

/** A drive with the rules' verdict. `eligible` is true when there are no refusals. */
export interface DriveStatus {
  readonly drive: Drive;
  readonly eligible: boolean;
  readonly refusals: readonly DriveIssue[];
  readonly warnings: readonly DriveIssue[];
}

/** What a `drives:changed` event carries: the whole new list and what changed against the last one. */
export interface DrivesChange {
  readonly drives: readonly Drive[];
  readonly attached: readonly string[];
  readonly detached: readonly string[];
  readonly changed: readonly string[];
}

/** Drives above this size get the `large-drive` warning (decimal, as sticks are labelled). */
export const largeDriveThresholdBytes = 128 * 1000 * 1000 * 1000;
