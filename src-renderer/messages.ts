// Every user-facing word, keyed by error or reason code, so the UI is consistent and ready for
// translation. Engine messages (with their numbers) are shown as detail, never as the headline.
import type {
  AssessmentChecksum,
  AssessmentFinding,
  AssessmentFindingCode,
  AssessmentSecureBoot,
  AssessmentSeverity,
  ImageKind,
} from '../shared/assessment.ts';
import type {
  BootReasonCode,
  BootWarningCode,
  RaspberryPiGeneration,
  SecureBootArchitectureVerdict,
  SecureBootLoaderVerdict,
  UBootFamily,
} from '../shared/boot.ts';
import type { EngineBuild } from '../shared/app.ts';
import type { SignatureStatus, VerificationVerdict } from '../shared/checksum.ts';
import type { DriveIssueCode } from '../shared/drive.ts';
import type { ErrorCode } from '../shared/errors.ts';
import type { FlashErrorCode, FlashPhase, TargetOutcome } from '../shared/flash.ts';
import { formatBytes, formatBytesOfTotal } from '../shared/units.ts';
import type { BackupCompression } from '../shared/backup.ts';
import type { HistoryJobKind, HistoryOutcome } from '../shared/history.ts';
import type { NewFileSystem, WriteModeChoice, WriteModeReason, WriteModeRequest } from '../shared/stick.ts';
import type {
  CompressedAccess,
  FileAttribute,
  FilesystemKind,
  ImageCompression,
  ImageContainerKind,
  ImageEntryType,
  ImageFormat,
  ImageNamespace,
  NotBrowsableKind,
} from '../shared/image.ts';
import type { IsoLayoutSummary, IsoLevel, IsoPlannedBootEntry, RemasterEdit } from '../shared/authoring.ts';
import type { TypedPathProblem } from './state/drop-path.ts';

export const errorMessages: Readonly<Record<ErrorCode, string>> = {
  'invalid-request': 'That request was not valid.',
  'unknown-call': 'The engine does not know that request. Is the app up to date?',
  forbidden: 'The engine refused this window. Reopen Isotope from its own link.',
  'confirmation-required':
    'Nothing was written or changed: the confirmation was missing, used already, expired, or the drive or file changed since. Check and confirm again.',
  'not-found': 'There is no file at that path.',
  'not-an-image': 'That file is not a disk image Isotope can read (no ISO 9660, MBR, GPT or Apple partition map).',
  'not-a-file': 'That path is a folder or a special file, not an image file.',
  'permission-denied': 'Isotope is not allowed to read that file. Check its permissions.',
  'eject-failed': 'The drive could not be ejected. Close any files or windows open on it, then try again.',
  unsupported: 'This is not available here.',
  'http-status': 'The server answered with an error instead of the file. Check the address, or try again later.',
  'too-many-redirects': 'The server sent the download round too many redirects. Check the address.',
  'insecure-redirect': 'A secure (https) address redirected to an insecure (http) one. Isotope does not follow such a redirect.',
  'unsupported-url': 'Only http:// and https:// addresses can be downloaded.',
  network: 'The server could not be reached: check the connection, the address and any proxy settings.',
  tls: 'The secure connection could not be trusted (the server’s certificate was refused). Nothing was downloaded from it.',
  'length-mismatch': 'The connection ended before the whole file arrived. Try again: the download resumes where it stopped.',
  'http-framing': 'The server sent a malformed answer, so the download stopped. Try again, or another mirror.',
  'bad-content-range': 'The server sent another part of the file than the one asked for, so the download was not resumed from it.',
  'changed-on-server': 'The file changed on the server since the download started. Start the download again.',
  stalled: 'The server stopped sending. Try again later, or from another mirror.',
  'too-large': 'A file that should be small (a checksum list, a signature or a mirror list) was far too large, so it was not read.',
  'all-mirrors-failed': 'No mirror could deliver the file. The details name each mirror’s error.',
  'bad-metalink': 'The Metalink (the list of mirrors) is damaged or is not a Metalink, so it was not used.',
  'corrupt-image': 'The image is damaged: it could not be read.',
  'file-too-large':
    'A file of 4 GiB or more does not fit: a FAT32 stick cannot hold it (only a Windows install.wim can be split; write the image raw instead), nor can a new image below ISO 9660 level 3 (choose level 3).',
  'target-too-small': 'The drive is too small for what would be written to it.',
  'volume-too-large': 'FAT32 volumes larger than 2 TiB are not supported. Choose exFAT or a smaller drive.',
  'too-complex': 'The image is too complex to read safely: reading it needed more memory or time than Isotope allows. It may be damaged or built to attack.',
  'no-space': 'The destination folder has no room for these files. Free some space or choose another folder.',
  'destination-not-allowed':
    'Isotope writes files (extracted, backed up or new images) only into your home folder, or a folder you chose. Choose a folder there.',
  'destination-exists': 'A file with that name is already in the destination folder. Choose to overwrite it, skip it or keep both.',
  'destination-changed':
    'A folder in the destination was replaced while extracting (by a link to somewhere else), so Isotope stopped rather than remove or replace anything outside it.',
  'shared-extents':
    'Many of these files share the same data (hard links): extracting writes a full copy of each, more than the whole image holds. Nothing was written. Extract anyway only if you expected this.',
  'file-exists': 'A file with that name already exists. Nothing was written. Choose another name, or replace it.',
  'output-on-source':
    'The output would be written onto what it is made of: a backup onto the drive being backed up, or a new image into one of its own folders or over one of its own files. Nothing was written. Choose another place.',
  'read-failed': 'The drive could not be read to the end. It may have been removed or be failing. No backup file was kept.',
  'source-changed': 'A file changed or disappeared while the new image was being made, so no image was kept. Close the program changing it and try again.',
  'source-not-allowed':
    'Isotope puts into an image only files from your home folder, or files and folders you chose. Key and password folders (such as .ssh and .gnupg) and Isotope’s own data are never included.',
  'bad-source-name': 'A file has a name the new image cannot hold. Rename it or leave it out.',
  'needs-decoding': 'This compressed image must be unpacked once before its files can be shown.',
  'needs-elevation': 'Reading this drive needs administrator rights, which only the in-app view asks for. Choose it, or try the image file instead.',
  'target-busy': 'The drive was in use: close the files and windows open on it, then try again.',
  'target-removed': 'The drive was unplugged or went away while writing.',
  'write-failed': 'Writing to the drive failed. The drive may be faulty.',
  'short-write': 'The drive stopped accepting data. It may be faulty or full.',
  'verification-mismatch': 'What was read back differs from the image: the drive may be faulty or counterfeit.',
  'source-unreadable': 'The image could not be read.',
  'corrupt-archive': 'The compressed image is damaged.',
  refused: 'Isotope refused this drive for safety.',
  cancelled: 'Cancelled.',
  internal: 'Something went wrong inside Isotope. The engine log has the details.',
};

/** Boot reasons in words a non-expert understands. */
export const bootReasonMessages: Readonly<Record<BootReasonCode, string>> = {
  'usb-bios-mbr-boot-code': 'Older PCs (BIOS) can start it from a USB stick: the image carries the start-up code they run.',
  'usb-bios-no-boot-code': 'Older PCs (BIOS) cannot start it from a USB stick: the image has no start-up code for them.',
  'usb-uefi-esp': 'Modern PCs (UEFI) can start it from a USB stick: it has an EFI system partition with a boot loader.',
  'usb-uefi-no-esp': 'Modern PCs (UEFI) cannot start it from a USB stick: no partition holds an EFI boot loader.',
  'usb-uefi-el-torito-only':
    'From a USB stick, whether modern PCs (UEFI) start it depends on the firmware: its only EFI boot loader is in the DVD/CD boot catalog, which many PCs (those with EDK2-based firmware) read from a USB stick and others ignore.',
  'disk-image-unknown':
    'This is a disk image (for example for a Raspberry Pi or another board), not a PC installer. Whether a device starts from it depends on that device: Isotope cannot judge it.',
  'optical-bios-entry': 'Burnt to a DVD or CD, older PCs (BIOS) can start it.',
  'optical-bios-none': 'Burnt to a DVD or CD, older PCs (BIOS) cannot start it.',
  'optical-uefi-entry': 'Burnt to a DVD or CD, modern PCs (UEFI) can start it.',
  'optical-uefi-none': 'Burnt to a DVD or CD, modern PCs (UEFI) cannot start it.',
  'non-hybrid-iso': 'This image boots from a DVD or CD only. Written as-is to a USB stick, it will not start.',
  'apm-present': 'It has an Apple partition map, so older Macs can start it.',
  'partition-past-end': 'A partition ends past the end of the file: the download may be incomplete.',
  'bios-grub-core': 'Older PCs (BIOS) start GRUB from it: the start-up code and the GRUB core it loads are both there.',
  'bios-grub-core-missing': 'Its start-up code is GRUB’s, but the GRUB core it loads is not where it looks: older PCs (BIOS) would stop with a GRUB error.',
  'bios-active-partition': 'Its start-up code starts the partition marked active, and that partition has start-up code of its own.',
  'bios-no-active-partition':
    'Its start-up code starts the partition marked active, but no partition is marked active (or that partition has no start-up code): older PCs (BIOS) may stop there.',
  'bios-chain-past-end':
    'Its start-up code loads the next step from past the end of the file (the download may be incomplete): whether older PCs (BIOS) start it is unknown.',
  'raspberry-pi':
    'Its first partition holds a Raspberry Pi’s start-up files: “Boards and start-up code” says which Pi models they serve, and any file missing.',
  'u-boot': 'It carries U-Boot where a board’s chip looks for it: it starts on the board it was built for.',
  'u-boot-damaged':
    'It carries U-Boot where a board’s chip looks for it, but its check sum does not match its bytes: the chip refuses a damaged loader, so the board will not start from it.',
  'u-boot-unrecognised': 'It carries U-Boot, but not where any chip Isotope knows looks for it: which board starts it is unknown.',
};

/** Anomalies the boot report found and stepped over, in words. */
export const bootWarningMessages: Readonly<Record<BootWarningCode, string>> = {
  'gpt-entry-anomaly':
    'A GPT partition entry is not a real partition (it ends before it starts, as in the empty entries xorriso writes). It was skipped; the rest of the report stands.',
  'fat-partition-damaged':
    'A FAT partition is damaged, so whether it holds a board’s start-up files (a Raspberry Pi’s, or a TI board’s MLO) is unknown. The rest of the report stands.',
};

export const driveIssueMessages: Readonly<Record<DriveIssueCode, string>> = {
  'system-drive': 'Your computer runs from this drive.',
  'source-drive': 'The image itself is stored on this drive.',
  'too-small': 'The image is larger than this drive.',
  'smaller-than-image': 'This drive is smaller than the image, but it holds every partition: only they are written.',
  'read-only': 'This drive is write-protected. Check the lock switch on the stick or card.',
  'large-drive': 'This drive is large for a USB stick: make sure it is the one you mean.',
  'not-removable': 'This is a fixed disk inside the computer, not a removable drive.',
  'virtual-drive': 'This is a virtual device (loop or RAM disk), not a physical drive.',
  mounted: 'Its file systems are in use: Isotope unmounts them before writing.',
  'hidden-drive': 'Shown only with “Show all drives”.',
};

export const flashErrorMessages: Readonly<Record<FlashErrorCode, string>> = {
  'permission-denied': 'The system did not allow writing to this drive.',
  'target-busy': 'The drive is in use: close the files and windows open on it, then try again.',
  'target-removed': 'The drive was unplugged or went away while writing.',
  'write-failed': 'Writing to the drive failed. The drive may be faulty.',
  'no-space': 'The drive ended before the image did: it is too small.',
  'short-write': 'The drive stopped accepting data. It may be faulty or full.',
  'read-failed': 'Reading the drive back to verify it failed.',
  'verification-mismatch': 'What was read back differs from the image: the drive may be faulty or counterfeit.',
  'source-unreadable': 'The image could not be read.',
  'corrupt-archive': 'The compressed image is damaged.',
  refused: 'Isotope refused this drive for safety.',
  cancelled: 'Cancelled.',
  internal: 'Something went wrong inside Isotope. The engine log has the details.',
};

export const flashPhaseNames: Readonly<Record<FlashPhase, string>> = {
  preparing: 'Preparing',
  unmounting: 'Unmounting',
  writing: 'Writing',
  flushing: 'Flushing',
  verifying: 'Verifying',
  done: 'Done',
};

export const targetOutcomeNames: Readonly<Record<TargetOutcome, string>> = {
  verified: 'Written and verified',
  written: 'Written (not verified)',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** How much of a cut image is there: "95.4 of 210 MiB". */
function presentOfExpected(finding: AssessmentFinding): string {
  return finding.presentBytes === undefined || finding.expectedBytes === undefined
    ? 'size unknown'
    : formatBytesOfTotal(finding.presentBytes, finding.expectedBytes);
}

/** The pre-flight assessment's findings, as the Write screen and the confirm dialog say them. */
export const assessmentFindingMessages: Readonly<Record<AssessmentFindingCode, (finding: AssessmentFinding) => string>> = {
  truncated: (finding) => `The image file is incomplete (${presentOfExpected(finding)}): the download or copy stopped before the end.`,
  damaged: () => 'The image is damaged: part of its structure cannot be read.',
  'checksum-mismatch': () => 'The image does not match its published checksum: it is damaged or not the file you think. Download it again.',
  'checksum-unknown-signer': () => 'Its checksum is signed by a key you have not imported: check the fingerprint with the publisher.',
  'checksum-bad-signature': () => 'The signature over its checksum cannot be trusted (bad, expired or revoked).',
  'checksum-unsigned': () => 'Its checksum matches, but nothing proves who published it.',
  'checksum-not-checked': () => 'Its checksum was not checked in this session (Inspect → Checksums).',
  'not-an-image': () => 'This file is not a disk image: Isotope found no known structure in it (it may be text or random data).',
  'usb-boot-no': () => 'Written to a USB stick, a computer will not start from it.',
  'usb-boot-depends': () => 'Whether a computer starts from it on a USB stick depends on the computer’s firmware.',
  'usb-boot-unknown': () => 'Isotope cannot judge whether a device starts from it (a disk image for a board, for example).',
  'needs-decoding': () =>
    'This compressed image cannot be read in place: Isotope can judge what it holds only once it is unpacked (Inspect → “Unpack to show its files”).',
};

/** A blocking finding as the problem "Write anyway" accepts, and what a verified write then proves. */
export const blockingFindingPhrases: Readonly<
  Partial<Record<AssessmentFindingCode, (finding: AssessmentFinding) => { readonly problem: string; readonly verifiedAgainst: string }>>
> = {
  truncated: (finding) => ({
    problem: `the image file is incomplete (${presentOfExpected(finding)})`,
    verifiedAgainst: `is itself incomplete (${presentOfExpected(finding)})`,
  }),
  damaged: () => ({ problem: 'the image is damaged', verifiedAgainst: 'is itself damaged' }),
  'checksum-mismatch': () => ({ problem: 'it does not match its published checksum', verifiedAgainst: 'does not match its published checksum' }),
  'not-an-image': () => ({ problem: 'it is not a disk image', verifiedAgainst: 'is not a recognised disk image' }),
};

export const assessmentSeverityNames: Readonly<Record<AssessmentSeverity, string>> = { blocking: 'Blocks the write', warning: 'Warning', info: 'Note' };

export const imageKindNames: Readonly<Record<ImageKind, string>> = {
  iso9660: 'ISO 9660 image',
  udf: 'UDF image',
  'hybrid-iso': 'Hybrid ISO (with a partition table)',
  'disk-image': 'Disk image',
  // Only when the content could not be read: a readable one is named by what it holds (a disk image, an ISO).
  compressed: 'Compressed image, content not judged: it must be unpacked first, or its compressed data is damaged (see the notes)',
  unknown: 'Unrecognised file',
};

export const assessmentChecksumMessages: Readonly<
  Record<AssessmentChecksum['state'], { readonly text: string; readonly tone: 'ok' | 'warn' | 'bad' | 'neutral' }>
> = {
  verified: { text: 'Verified: matches a checksum signed by a key you trust', tone: 'ok' },
  'matches-unsigned': { text: 'Matches, but unsigned', tone: 'warn' },
  'matches-unknown-signer': { text: 'Matches, signer unknown', tone: 'warn' },
  'matches-expired-key': { text: 'Matches, key expired', tone: 'warn' },
  'matches-revoked-key': { text: 'Matches, key revoked', tone: 'bad' },
  mismatch: { text: 'Does not match', tone: 'bad' },
  'bad-signature': { text: 'Bad signature', tone: 'bad' },
  'not-checked': { text: 'Not checked in this session', tone: 'neutral' },
};

export const verdictMessages: Readonly<Record<VerificationVerdict, { readonly title: string; readonly body: string; readonly tone: 'ok' | 'warn' | 'bad' }>> = {
  verified: { title: 'Verified', body: 'The image matches a checksum signed by a key you trust.', tone: 'ok' },
  'matches-unsigned': { title: 'Matches, but unsigned', body: 'The checksum matches, but nothing proves who published it.', tone: 'warn' },
  'matches-unknown-signer': {
    title: 'Matches, signer unknown',
    body: 'The checksum matches and is signed, but by a key you have not imported. Check the fingerprint against the publisher’s website, then import the key.',
    tone: 'warn',
  },
  'matches-expired-key': { title: 'Matches, key expired', body: 'The checksum matches, but the signing key has expired.', tone: 'warn' },
  'matches-revoked-key': { title: 'Matches, key revoked', body: 'The checksum matches, but the signing key was revoked: do not trust it.', tone: 'bad' },
  mismatch: {
    title: 'Does not match',
    body: 'The image differs from the published checksum: it is damaged or not the file you think. Download it again.',
    tone: 'bad',
  },
  'bad-signature': { title: 'Bad signature', body: 'The checksums file was altered after it was signed: do not trust it.', tone: 'bad' },
  'nothing-to-compare': {
    title: 'Nothing to compare with',
    body: 'No checksums file next to the image lists it. Paste the checksum from the download page below, or name a checksums file.',
    tone: 'warn',
  },
};

export const signatureMessages: Readonly<Record<SignatureStatus, string>> = {
  good: 'Good signature by a key you trust',
  'unknown-key': 'Signed by a key that is not in your keyring',
  bad: 'Bad signature: the file was altered or the signature is broken',
  'expired-key': 'Signed by an expired key',
  'revoked-key': 'Signed by a revoked key',
  'not-signed': 'Not signed',
};

export const entryTypeNames: Readonly<Record<ImageEntryType, string>> = {
  file: 'File',
  directory: 'Folder',
  symlink: 'Link',
  other: 'Special file',
};

/** Why the engine writes an image the way it does, as the second half of "… will be …, because …". */
export const writeModeReasonMessages: Readonly<Record<WriteModeReason, string>> = {
  'hybrid-iso': 'it carries a partition table of its own (a hybrid ISO), so its bytes start from a USB stick as they are',
  'disk-image': 'it is a disk image with partitions of its own',
  'not-a-file-system-image': 'it holds no ISO 9660 or UDF files that could be copied',
  'no-efi-loader': 'it has no EFI boot loader: copying its files onto a new stick would not make it start either',
  'el-torito-efi-not-hybrid': 'written as it is, this disc image starts from a USB stick only on some computers (it depends on the firmware)',
  'windows-installer': 'this Windows installer cannot start from a raw copy',
  'chosen-by-user': 'you chose it',
};

/** The mode the engine chose, and why, in one sentence. */
export function writeModeSentence(choice: WriteModeChoice): string {
  const what = choice.mode === 'copy' ? 'Files will be copied onto a new FAT32 stick' : 'The image will be written as it is, byte for byte';
  return `${what}, because ${writeModeReasonMessages[choice.reason]}.`;
}

export const writeModeRequestNames: Readonly<Record<WriteModeRequest, string>> = {
  auto: 'Automatic (recommended)',
  raw: 'Write the image as it is',
  copy: 'Copy its files onto a new FAT32 stick',
};

export const fileSystemNames: Readonly<Record<NewFileSystem, string>> = { fat32: 'FAT32', exfat: 'exFAT' };

/** The Drives screen's file system choice; `auto` lets the engine choose by the drive's size. */
export const fileSystemChoiceNames: Readonly<Record<NewFileSystem | 'auto', string>> = {
  auto: 'Automatic: FAT32 up to 32 GiB, exFAT above',
  fat32: 'FAT32: every computer, camera and TV reads it; files up to 4 GiB',
  exfat: 'exFAT: files over 4 GiB; recent computers',
};

export const backupCompressionNames: Readonly<Record<BackupCompression, string>> = {
  none: '.img: not compressed (fastest; as large as the drive)',
  gzip: '.gz: gzip (read everywhere)',
  xz: '.xz: the smallest, the slowest',
  zstd: '.zst: Zstandard (small and fast)',
};

export const filesystemNames: Readonly<Record<FilesystemKind, string>> = {
  fat12: 'FAT12',
  fat16: 'FAT16',
  fat32: 'FAT32',
  exfat: 'exFAT',
  ext2: 'ext2',
  ext3: 'ext3',
  ext4: 'ext4',
  iso9660: 'ISO 9660',
  udf: 'UDF',
  ntfs: 'NTFS',
  btrfs: 'Btrfs',
  f2fs: 'F2FS',
  xfs: 'XFS',
  swap: 'Linux swap',
  luks: 'LUKS (encrypted)',
  squashfs: 'SquashFS',
  hfsplus: 'HFS+',
  apfs: 'APFS',
  lvm: 'LVM physical volume',
  zfs: 'ZFS',
};

/**
 * Why a partition's folder cannot be opened, by the engine's kind of reason (its own English reason
 * is the detail): "not browsable: NTFS (signature only)", "... its FAT32 file system is damaged", "...
 * its ext4 file system uses a feature Isotope cannot read" (intact: an unsupported feature is no damage).
 */
export function notBrowsableWords(filesystem: FilesystemKind | null, kind: NotBrowsableKind | undefined): string {
  if (filesystem === null) return 'not browsable: no file system Isotope recognises';
  const name = filesystemNames[filesystem];
  if (kind === 'damaged') return `not browsable: its ${name} file system is damaged`;
  if (kind === 'unsupported') return `not browsable: its ${name} file system uses a feature Isotope cannot read`;
  if (kind === 'signature-only') return `not browsable: ${name} (signature only)`;
  return `not browsable: ${name}`;
}

/** The short form, for the partition table: "signature only", "damaged" or "unsupported feature". */
export function notBrowsableTag(kind: NotBrowsableKind | undefined): string {
  return kind === undefined ? 'not browsable' : notBrowsableTags[kind];
}

const notBrowsableTags: Readonly<Record<NotBrowsableKind, string>> = {
  'signature-only': 'signature only',
  damaged: 'damaged',
  unsupported: 'unsupported feature',
};

export const compressionNames: Readonly<Record<ImageCompression, string>> = { gzip: 'gzip', xz: 'xz', bzip2: 'bzip2', zstd: 'zstd', zip: 'zip' };

export const compressedAccessNames: Readonly<Record<CompressedAccess, string>> = {
  'random-access': 'read in place, nothing is unpacked',
  'decoded-cache': 'read from its unpacked copy (Settings › Decoded images)',
  'needs-decoding': 'must be unpacked once before its files can be shown',
};

/** FAT's attribute letters, as `attrib` and `mdir` show them, and their names. */
export const attributeLetters: Readonly<Record<FileAttribute, string>> = { 'read-only': 'R', hidden: 'H', system: 'S', archive: 'A' };
export const attributeNames: Readonly<Record<FileAttribute, string>> = { 'read-only': 'read-only', hidden: 'hidden', system: 'system', archive: 'archive' };

export const text = {
  appName: 'Isotope',
  tagline: 'Flash, verify and explore disk images.',
  navLabel: 'Screens',
  navStart: 'Start',
  navInspector: 'Inspect',
  navWrite: 'Write to drive',
  navDrives: 'Drives',
  navCreate: 'Create',
  navSettings: 'Settings',
  noImageOpen: 'Open an image first',

  openHeading: 'Open an image',
  dropHint: 'Choose an image, drop it on this window, or type its path (~/… and file:// work too).',
  acceptedFormats: 'ISO images, raw disk images (.img), and compressed images (.gz, .xz, .bz2, .zst, .zip) where the engine supports them.',
  pathLabel: 'Image path',
  pathPlaceholder: '/home/you/Downloads/debian-12.iso',
  openButton: 'Open',
  browseButton: 'Browse…',
  opening: 'Opening…',
  dropNoPath: 'Your browser does not tell Isotope where a dropped file is. Choose it here instead.',
  dropHere: 'Drop to open',
  recentHeading: 'Recent images',
  recentEmpty: 'Images you open appear here.',
  recentForget: 'Remove from recent',
  // Start screen, file dialog and path box (issue 17).
  startHeading: 'What would you like to do?',
  startOpen: 'Open an image',
  startOpenHint: 'Look inside an ISO or disk image, check its checksums and see how it starts.',
  startWrite: 'Write an image to a stick',
  startWriteHint: 'Choose an image, then the USB stick or memory card to write it to.',
  startMake: 'Make an image or restore a stick',
  startMakeHint: 'Build an ISO from folders, back a stick up, or make a used stick an ordinary one again.',
  startMakeImage: 'Make an image',
  startRestoreStick: 'Restore or back up a stick',
  pickImageTitle: 'Open an image',
  pickKeyTitle: 'Choose a key file to import',
  keyChoose: 'Choose a key file…',
  pickerPathLabel: 'Folder',
  pickerGo: 'Go',
  pickerUp: 'Up',
  pickerPlaces: 'Places',
  placeHome: 'Home',
  placeDownloads: 'Downloads',
  pickerEntriesLabel: (folder: string) => `Contents of ${folder}`,
  pickerLinkSuffix: ' (link)',
  pickerFolderKind: 'Folder',
  pickerLoading: 'Loading…',
  pickerEmpty: 'Nothing to show in this folder.',
  pickerHidden: (count: number) => (count === 1 ? '1 other item is not shown. ' : `${count} other items are not shown. `),
  pickerTruncated: (count: number) => `Only the first ${count} entries are listed. `,
  pickerKeysHint: 'Type a name’s first letters to jump to it; Enter opens, Backspace goes up.',
  pickerFilterLabel: 'Show',
  pickerFilterImages: 'Image files',
  pickerFilterKeys: 'Key files',
  pickerFilterAll: 'All files',
  pickerOpen: 'Open',
  pickerChooseFolder: 'Choose this folder',
  typedPathProblems: {
    empty: 'Type the path of a file, or choose it.',
    nul: 'That path holds a character no file name can have.',
    'other-home': 'Only your own home folder can be written as ~. Type the full path instead.',
    'bad-file-url': 'That file:// address is not well formed. Type the path instead.',
    'remote-file-url': 'That file:// address names another computer. Isotope opens files on this one only.',
  } as Readonly<Record<TypedPathProblem, string>>,
  /** Start screen words for an image:open failure where the general words would not help. */
  openErrorHeadlines: {
    'invalid-request': 'That is not a full path to a file. Start it with / or ~/, or choose the file.',
    'not-a-file': 'That is a folder, not a file. Choose the image inside it.',
  } as Readonly<Partial<Record<ErrorCode, string>>>,

  summaryHeading: 'Image',
  fileLabel: 'File',
  sizeLabel: 'Size',
  labelLabel: 'Volume label',
  formatLabel: 'Format',
  formatNames: {
    iso9660: 'ISO 9660 image',
    udf: 'UDF image',
    disk: 'Disk image',
    unknown: 'No partition table or file system Isotope can read',
  } satisfies Readonly<Record<ImageFormat, string>>,
  formatNeedsDecoding: 'Compressed image, not unpacked yet',
  compressedAs: (kind: string, compressed: string, decoded: string | null) => `Compressed (${kind}): ${compressed} → ${decoded ?? 'size known once unpacked'}`,
  zipEntry: (name: string) => `entry ${name}`,
  targetSpaceLabel: 'Space needed on a drive',
  targetSpace: (required: string, image: string, smaller: boolean) =>
    smaller
      ? `needs a drive of ${image}, or may need only ${required} if the rest of the image is empty (checked when a drive is picked)`
      : `needs a drive of at least ${image}`,
  partitionTableLabel: 'Partition table',
  diskTableNames: { mbr: 'MBR', gpt: 'GPT', none: 'none: the image is one file system' } as Readonly<Record<'mbr' | 'gpt' | 'none', string>>,
  partitionsCaption: (table: string, count: number) => `${table} · ${count === 1 ? '1 partition' : `${count} partitions`}`,
  partitionColumns: {
    number: '#',
    name: 'Name',
    type: 'Type',
    filesystem: 'File system',
    label: 'Label',
    uuid: 'UUID',
    size: 'Size',
    used: 'Used',
  },
  partitionActive: 'active',
  partitionLogical: 'logical',
  partitionNoFilesystem: 'none recognised',
  usedOf: (used: string, size: string) => `${used} of ${size}`,
  diskWarningsLabel: 'Anomalies in the partition table',
  containerLabel: 'Stored as',
  containerNames: { iso: 'plain image', 'bin-cue': 'BIN/CUE disc image', nrg: 'Nero disc image' } as Readonly<Record<ImageContainerKind, string>>,
  trackCount: (count: number) => (count === 1 ? '1 track' : `${count} tracks`),
  noLabel: '(none)',
  volumeSizeLabel: 'Volume size',
  structuresLabel: 'Structures',
  udfLabel: 'UDF',
  udfDescription: (revision: string, volume: string) => `revision ${revision}, volume ${volume || '(no name)'}`,
  windowsInstallerLabel: 'Windows installer',
  windowsInstallerDescription: (path: string, size: string) => `yes: ${path} (${size})`,
  largestFileLabel: 'Largest file',
  tooLargeForFat32: '(4 GiB or more: too large for a FAT32 stick)',
  bytes: 'bytes',

  tabsLabel: 'Image inspector',
  tabContents: 'Contents',
  tabBoot: 'Boot',
  tabChecksums: 'Checksums',
  notIsoContents:
    'Isotope found no partition table or file system it can read in this image, so its files cannot be listed. Its checksums and boot report still apply.',

  treeLabel: 'Files in the image',
  columnName: 'Name',
  columnSize: 'Size',
  columnDate: 'Modified',
  columnMode: 'Permissions',
  columnOwner: 'Owner',
  columnAttributes: 'Attributes',
  ownerColumn: (uid: number, gid: number | undefined) => (gid === undefined ? `${uid}` : `${uid}:${gid}`),
  partitionBadge: (number: number, type: string | null, filesystem: string | null, size: string | null) =>
    [`partition ${number}`, type, filesystem, size].filter((part) => part !== null).join(' · '),
  sortAscending: 'ascending',
  sortDescending: 'descending',
  loadingFolder: 'Loading…',
  emptyImage: 'This image holds no files.',
  selectForExtraction: 'Select for extraction',
  namespaceLabel: 'Names from',
  namespaceAuto: 'Best available',
  namespaceNames: {
    iso9660: 'ISO 9660',
    joliet: 'Joliet',
    rockridge: 'Rock Ridge',
    udf: 'UDF',
    partitions: 'Partitions',
    fat: 'FAT',
    exfat: 'exFAT',
    ext: 'ext2/3/4',
  } satisfies Readonly<Record<ImageNamespace, string>>,
  treeHelp: 'Arrow keys move, Right/Left open and close folders, Space selects, Enter previews.',

  detailsHeading: 'Details',
  detailsNone: 'Choose a file to see its details and a preview.',
  detailPath: 'Path',
  detailType: 'Type',
  detailSize: 'Size',
  detailModified: 'Modified',
  detailMode: 'Permissions',
  detailTarget: 'Link target',
  detailOwner: 'Owner',
  ownerIds: (uid: number, gid: number | null) => `uid ${uid}${gid === null ? '' : `, gid ${gid}`}`,
  detailExtents: 'Stored at',
  // Whole 2048-byte sectors read as a sector number; data embedded in a UDF File Entry does not start on one.
  extentAt: (offsetBytes: number, size: string, sparse: boolean) =>
    sparse
      ? `${size}, not recorded (zeros)`
      : `${offsetBytes % 2048 === 0 ? `sector ${(offsetBytes / 2048).toLocaleString('en')}` : `byte ${offsetBytes.toLocaleString('en')}`}, ${size}`,
  detailCompressed: 'Stored compressed (zisofs)',
  detailAttributes: 'Attributes',
  detailPartition: 'Partition',
  detailPartitionPlace: (number: number, offset: string, size: string) => `${number}, at byte ${offset}, ${size}`,
  detailFilesystem: 'File system',
  detailNotBrowsable: 'Why it cannot be opened',

  decodeHeading: 'This image is compressed',
  decodeExplain: (kind: string, compressed: string, decoded: string | null) =>
    `It is a ${kind} file of ${compressed}, which cannot be read in place. To show its files, Isotope unpacks it once into a copy${
      decoded === null ? '' : ` of ${decoded}`
    } in its data folder (after checking there is room); the files, previews, boot report and checksums then read that copy. Remove it any time in Settings › Decoded images.`,
  decodeWriteNote: 'Writing it to a drive does not need this: the write unpacks it as it goes.',
  decodeButton: 'Unpack to show its files',
  decoding: (name: string) => `Unpacking ${name}`,
  decodeCancel: 'Cancel unpacking',
  decodeCancelled: 'Unpacking was cancelled. Nothing was kept.',
  decodeNoSpace: (folder: string, needed: string | null, available: string) =>
    `${
      needed === null ? `The disk holding ${folder} filled up while unpacking` : `Unpacking needs at least ${needed} in ${folder}, where ${available} are free`
    } (Isotope leaves some space for the system). Free some space there, or remove other unpacked images in Settings, then try again.`,
  previewHeading: 'Preview',
  previewLoading: 'Reading…',
  previewText: 'Text',
  previewHex: 'Hex',
  previewShows: (shownBytes: number, sizeBytes: number) =>
    shownBytes < sizeBytes
      ? `First ${shownBytes.toLocaleString('en')} of ${sizeBytes.toLocaleString('en')} bytes`
      : `All ${sizeBytes.toLocaleString('en')} bytes`,

  extractHeading: 'Extract',
  extractDestination: 'Destination folder',
  extractDestinationPlaceholder: '/home/you/extracted',
  extractSelected: (count: number) => `Extract ${count} selected`,
  extractAll: 'Extract everything',
  extractCancel: 'Cancel',
  extractClear: 'Clear selection',
  extracting: 'Extracting',
  extractDone: (files: number, folders: number, bytes: string) => `Extracted ${files} files and ${folders} folders (${bytes}).`,
  extractSkipped: (count: number) => `${count} entries were skipped:`,
  extractNeedsDestination: 'Type the folder to extract into.',

  bootHeading: 'How this image boots',
  bootLoading: 'Reading the boot structures…',
  badgeUsb: 'USB stick',
  badgeUsbBios: 'USB · BIOS',
  badgeUsbUefi: 'USB · UEFI',
  badgeOpticalBios: 'DVD/CD · BIOS',
  badgeOpticalUefi: 'DVD/CD · UEFI',
  badgeRaspberryPi: 'Raspberry Pi',
  badgeUBoot: 'U-Boot board',
  badgeStates: { yes: 'boots', no: 'does not boot', depends: 'depends on the PC', unknown: 'cannot tell' },
  warningsHeading: 'Anomalies found',
  archNames: { x64: 'x64', ia32: 'ia32', aa64: 'arm64' },
  reasonsHeading: 'Why',
  elToritoHeading: 'El Torito boot catalog',
  elToritoNone: 'No El Torito boot catalog: this image does not boot from a DVD or CD.',
  elToritoCatalog: (lba: number, id: string) => `Catalog at sector ${lba}${id ? `, made by “${id}”` : ''}`,
  elToritoPlatform: 'Platform',
  elToritoEmulation: 'Emulation',
  elToritoImage: 'Boot image',
  elToritoBootable: 'Bootable',
  elToritoLoaders: 'EFI loaders',
  platformNames: { x86: 'PC (BIOS)', ppc: 'PowerPC', mac: 'Mac', efi: 'UEFI' } as Readonly<Record<string, string>>,
  emulationNames: {
    none: 'none',
    'floppy-1.2': '1.2 MB floppy',
    'floppy-1.44': '1.44 MB floppy',
    'floppy-2.88': '2.88 MB floppy',
    'hard-disk': 'hard disk',
  } as Readonly<Record<string, string>>,
  yes: 'yes',
  no: 'no',
  layoutHeading: 'Partition layout',
  layoutNone: 'No partition table (MBR, GPT or Apple).',
  layoutScale: (size: string) => `Drawn to scale over the whole image (${size}).`,
  layoutIso: 'ISO 9660 file system',
  espLabel: 'EFI system partition',
  mbrHeading: 'MBR',
  gptHeading: 'GPT',
  apmHeading: 'Apple partition map',
  apmLane: 'APM',
  isoLane: 'ISO',
  espShort: 'ESP',
  partitionIndex: '#',
  partitionType: 'Type',
  partitionStart: 'Start',
  partitionSize: 'Size',
  partitionName: 'Name',
  mbrBootCode: {
    none: 'no boot code',
    isohybrid: 'isohybrid boot code',
    grub2: 'GRUB 2 boot code',
    syslinux: 'SYSLINUX boot code',
    'syslinux-gpt': 'SYSLINUX GPT boot code',
    windows: 'Windows/DOS boot code',
    unknown: 'boot code of an unknown kind',
  } as Readonly<Record<string, string>>,
  boardsHeading: 'Boards and start-up code',
  boardsNone: 'No Raspberry Pi firmware or U-Boot loader was found.',
  biosGrubCore: (sector: number, inPartition: boolean, found: boolean | null) =>
    found === null
      ? `GRUB’s start-up code loads its core from sector ${sector}, which lies past the end of the file: the download may be incomplete, so whether it starts is unknown.`
      : found
        ? `GRUB’s start-up code loads its core from sector ${sector} (${inPartition ? 'the BIOS boot partition' : 'the space after the partition table'}), and the core is there.`
        : `GRUB’s start-up code loads its core from sector ${sector}, but the core is not there.`,
  biosActivePartition: (partition: number | null, hasBootSector: boolean | null) =>
    partition === null
      ? 'The start-up code starts the partition marked active, and none is.'
      : hasBootSector === null
        ? `The start-up code starts partition ${partition}, marked active, which lies past the end of the file: the download may be incomplete.`
        : `The start-up code starts partition ${partition}, marked active${hasBootSector ? ', which has start-up code of its own' : ', which has no start-up code'}.`,
  raspberryPiFound: (partition: number) => `A Raspberry Pi starts from partition ${partition}. Its files serve:`,
  raspberryPiNoGeneration: 'It has a Pi’s config.txt and kernel, but no start-up firmware for any Pi.',
  piGenerationNames: {
    bcm2835: 'Raspberry Pi 1, Zero and Compute Module 1',
    bcm2836: 'Raspberry Pi 2',
    bcm2837: 'Raspberry Pi 3, Zero 2 W and Compute Module 3',
    bcm2711: 'Raspberry Pi 4, 400 and Compute Module 4',
    bcm2712: 'Raspberry Pi 5, 500 and Compute Module 5',
  } as Readonly<Record<RaspberryPiGeneration, string>>,
  piGenerationFiles: (files: readonly string[]) => `from ${files.join(', ')}`,
  piGenerationMissing: (files: readonly string[]) => `missing ${files.join(', ')}`,
  piBoards: (boards: readonly string[]) => `Device trees for: ${boards.map(piBoardName).join(', ')}.`,
  uBootFamilies: {
    allwinner: 'an Allwinner board',
    rockchip: 'a Rockchip board',
    'nxp-imx': 'an NXP i.MX board',
    'ti-omap': 'a Texas Instruments board (BeagleBone, OMAP)',
    amlogic: 'an Amlogic board',
    unknown: 'a board Isotope cannot name',
  } as Readonly<Record<UBootFamily, string>>,
  uBootFound: (family: string, board: string | null, offset: string) =>
    `U-Boot for ${family}${board ? ` (${board})` : ''} at ${offset}: it starts on the board it was built for.`,
  uBootUnplaced: (offset: string) => `U-Boot is in the image (at ${offset}), but not where any chip Isotope knows looks for it.`,
  bootPartitionsHeading: 'Partitions',
  bootPartitionActive: 'Active',
  loadersHeading: 'EFI boot loaders found',
  loadersNone: 'No EFI boot loader was found.',
  loaderVia: (via: string, index: number) => `${via.toUpperCase()} partition ${index}`,
  loaderElTorito: (entryNumber: number) => `El Torito entry ${entryNumber}`,
  beyondImage: 'ends past the end of the image',
  secureBootHeading: 'Secure Boot',
  secureBootArchitecture: {
    refused: 'Secure Boot: will be refused (a loader is revoked)',
    'microsoft-2011-only': 'Secure Boot: trusted by PCs with the 2011 CA only',
    microsoft: 'Secure Boot: OK',
    unsigned: 'unsigned: disable Secure Boot to boot',
    'other-signer': 'Secure Boot: only on PCs where its signing key is enrolled',
    unreadable: 'Secure Boot: cannot tell (a boot loader could not be read)',
  } satisfies Readonly<Record<SecureBootArchitectureVerdict, string>>,
  secureBootLoader: {
    revoked: 'revoked: PCs with Secure Boot on refuse it',
    unsigned: 'unsigned: boots only with Secure Boot off',
    'microsoft-2011-only': 'signed by Microsoft’s 2011 CA only (new PCs carry only the 2023 CAs)',
    microsoft: 'signed by Microsoft’s 2023 CA',
    'other-signer': 'signed by a key PCs trust only when it is enrolled (or through shim)',
    unreadable: 'could not be read',
  } satisfies Readonly<Record<SecureBootLoaderVerdict, string>>,
  secureBootDbxRevoked: 'Its hash is in Microsoft’s revocation list (DBX).',
  secureBootSbatRevoked: (entries: string) => `Revoked by SBAT: ${entries}.`,
  secureBootSigner: (subject: string, issuer: string, from: string, until: string) => `Signed by ${subject} (issued by ${issuer}), valid ${from} to ${until}`,
  secureBootDataAge: (date: string, days: number) => `Revocation data of ${date} (${days} days old). Newer revocations are not known to this check.`,
  /** The Write screen's line (issue 18): why an architecture will be refused, as "DBX / SBAT: grub,4 < 5". */
  secureBootRefused: (reasons: string) => `Secure Boot: will be refused (revoked by ${reasons})`,
  /** Only when every place was read (an unreadable one is "unknown", secure-boot-assessment.ts). */
  secureBootNoLoader:
    'Secure Boot: does not apply (the places Isotope reads EFI boot loaders from hold none: the El Torito EFI image, an EFI partition, /EFI/BOOT)',
  secureBootUnknown: {
    'needs-decoding': 'Secure Boot: unknown until the image is unpacked (its boot loaders cannot be read before)',
    damaged: 'Secure Boot: unknown (the boot records are damaged, so the boot loaders could not be read)',
    'no-revocation-data': 'Secure Boot: unknown (the revocation data could not be read)',
  } satisfies Readonly<Record<Extract<AssessmentSecureBoot, { state: 'unknown' }>['reason'], string>>,
  secureBootDataOf: (date: string) => `Judged by revocation data of ${date}.`,

  checksumsHeading: 'Checksums',
  hashStart: 'Compute checksums',
  hashAgain: 'Check again',
  hashCancel: 'Cancel',
  hashing: 'Computing checksums',
  hashRate: (rate: string, eta: string | null) => (eta ? `${rate}/s, ${eta} left` : `${rate}/s`),
  hashRemembered: (date: string) => `Remembered from ${date}, when this file was last read. Reading it again now: these are not checked yet.`,
  hashRememberedDiffers: (date: string) =>
    `These differ from the checksums remembered from ${date}: the file has changed since, even if its date says otherwise.`,
  digestsHeading: 'Digests',
  copy: 'Copy',
  copied: 'Copied',
  copyLabel: (algorithm: string) => `Copy the ${algorithm} digest`,
  algorithmNames: { md5: 'MD5', sha1: 'SHA-1', sha256: 'SHA-256', sha512: 'SHA-512', blake2b: 'BLAKE2b' } as Readonly<Record<string, string>>,
  pasteLabel: 'Compare with a checksum from the download page',
  pastePlaceholder: 'Paste a SHA-256, SHA-512, SHA-1 or MD5 checksum',
  pasteMatch: (algorithm: string) => `Match: the ${algorithm} checksum is identical.`,
  pasteMatchContent: (algorithm: string) => `Match: the ${algorithm} checksum of the image inside this compressed file is identical.`,
  pasteMismatch: (algorithm: string) => `No match: the ${algorithm} checksum differs. The image is damaged or not the one published.`,
  pasteUnrecognised: 'That is not a checksum: expected 32, 40, 64 or 128 hexadecimal digits.',
  pastePending: 'It will be compared as soon as the checksums are computed.',
  sumsHeading: 'Checksum files and signatures',
  sumsNone: 'No checksums file (SHA256SUMS, *.sha256…) next to the image lists it.',
  sumsEntries: (count: number, ignored: number) => `${count} entries${ignored ? `, ${ignored} unreadable lines` : ''}`,
  sumsNotListed: 'This file does not list the image.',
  sumsLine: (line: number, name: string) => `line ${line}: ${name}`,
  /** Which bytes a checksum of a compressed image was compared with (publishers give one or the other). */
  sumsSubject: {
    file: 'compared with the compressed file as downloaded',
    content: 'compared with the image inside the compressed file',
  } as const,
  /** A compressed image's content digests read from its unpacked copy (image:decode), not decoded in this pass, as `isotope hash` says. */
  contentFromUnpackedCopy: 'the image inside was read from its unpacked copy (Settings › Decoded images)',
  signer: 'Signer',
  fingerprint: 'Fingerprint',
  signedOn: 'Signed',
  otherSumsLabel: 'Another checksums file (optional)',
  otherSignatureLabel: 'Its signature (optional)',
  checkWithFiles: 'Check with these files',
  reasonsDetail: 'Details',

  keysHeading: 'Trusted keys',
  keysEmpty: 'No keys yet. Import the publisher’s signing key (for Debian: the CD signing key) to verify signatures.',
  keyImportLabel: 'Key file to import',
  keyImportPlaceholder: '/home/you/Downloads/debian-signing-key.asc',
  keyImport: 'Import',
  keyRemove: 'Remove',
  keyRemoveLabel: (name: string) => `Remove the key of ${name}`,
  keyImported: (fingerprints: string) => `Imported ${fingerprints}.`,
  keyConfirmImportHeading: (count: number) => (count === 1 ? 'Trust this key?' : `Trust these ${count} keys?`),
  keyConfirmImportWhy:
    'Checksums signed by it will count as verified. Compare the fingerprint with the one the project publishes on its website before you trust it.',
  keyConfirmImport: 'Trust and import',
  keyConfirmRemoveHeading: 'Stop trusting this key?',
  keyConfirmRemoveWhy: 'Checksums signed by it will no longer count as verified.',
  keyConfirmRemove: 'Remove',
  keyCreated: 'Created',
  keyExpires: 'Expires',
  keyNeverExpires: 'never',
  keyRevoked: 'revoked',
  unnamedKey: '(no user ID)',

  writeHeading: 'Write to drive',
  writeNeedsImage: 'Open an image first: the drive list checks each drive against it.',
  drivesHeading: 'Drives',
  drivesLoading: 'Looking for drives…',
  drivesNone: 'No drives found. Plug in a USB stick or memory card.',
  drivesNoneEligible: 'No usable drive. Plug in a USB stick, or use “Show all drives”.',
  showAllDrives: 'Show all drives',
  showAllDrivesHint: 'Also lists fixed disks and virtual devices. Be careful: writing destroys everything on the drive.',
  refresh: 'Refresh',
  driveBusUsb: 'USB',
  driveRemovable: 'Removable',
  driveFixed: 'Fixed',
  driveVirtual: 'Virtual',
  driveReadOnly: 'Read-only',
  driveMounted: (points: string) => `Mounted at ${points}`,
  driveSelectLabel: (name: string) => `Write to ${name}`,
  imageTooLarge: (image: string, drive: string) => `The image (${image}) is larger than this drive (${drive}).`,
  /** A drive smaller than a disk image that holds every partition: "smaller than the image by X; holds every partition (they end at Y)". */
  holdsEveryPartition: (shortBy: string, partitionsEnd: string) =>
    `Smaller than the image by ${shortBy}, but it holds every partition (they end at ${partitionsEnd}): only they are written and verified.`,
  /** A drive too small even for a disk image's partitions. */
  partitionsTooLarge: (drive: string, partitionsEnd: string) => `Too small: the image's partitions end at ${partitionsEnd}; this drive holds ${drive}.`,
  driveNoMedium: 'This drive reports a size of 0: is a medium inserted?',
  drivesNoneEligibleAll: 'No usable drive. Plug in a USB stick or memory card.',
  targetsChosen: (count: number) => (count === 1 ? '1 drive chosen' : `${count} drives chosen`),
  writeButton: (count: number) => (count <= 1 ? 'Write' : `Write to ${count} drives`),
  eraseWarning: 'Everything on the chosen drives will be erased.',
  confirmIntro: 'This will erase everything on:',
  confirmTypeLabel: (name: string) => `Type “${name}” to confirm`,
  confirmWhy: 'Typing its name makes sure it is the drive you mean: a drive that is large, fixed or virtual, or any drive when Isotope runs in a browser.',
  confirmButton: 'Erase and write',
  confirmWriteAnyway: 'Write anyway',
  confirmImageHeading: 'Image',
  confirmTargetsHeading: 'Drives',
  confirmAllErased: 'All of this will be erased.',
  confirmNoPartitions: 'No partitions',
  confirmPartition: (device: string, size: string) => `${device} · ${size}`,
  confirmPartitionLabel: (label: string) => `“${label}”`,
  confirmMountedAt: (points: string) => `mounted at ${points}`,
  confirmBlockedHeading: 'Isotope advises against writing this image',
  confirmWriteAnywayLabel: (problem: string) => `Write anyway, although ${problem}`,
  assessmentHeading: 'The image',
  assessmentLoading: 'Checking the image…',
  assessmentChecksum: 'Checksum',
  /** A compressed image's decoded size, beside its file size. */
  assessmentUnpacksTo: (size: string) => `unpacks to ${size}`,
  /** The space a raw write may need when the partitions and volumes end before the image does (the drive's check decides). */
  assessmentSpaceNeeded: (size: string) => `May need a drive of only ${size} if the rest of the image is empty (checked when a drive is picked).`,
  assessmentDetail: 'Details',
  flashCancelAsk: 'Stop writing? The drive is left partly written and unusable until it is written again or restored.',
  flashCancelConfirm: 'Stop writing',
  flashCancelKeep: 'Keep writing',
  verifiedAgainst: (clauses: readonly string[]) => `The drive matches the image file, which ${clauses.join(' and ')}.`,
  cancelledUnusable: 'The drive is now unusable until it is written again or restored.',
  cancel: 'Cancel',
  verifyAfterWrite: 'Verify after writing',
  ejectAfterSuccess: 'Eject after success',

  writeModeHeading: 'How it goes onto the stick',
  writeModeLoading: 'Isotope is looking at how this image starts…',
  writeModeUnknown: 'Isotope cannot tell how this image is best written (it is compressed or damaged): it will be written as it is.',
  writeModeLegend: 'Write mode',
  writeModeAdvanced: 'Advanced',
  partitionTableLegend: 'Partition table of the new stick',
  partitionTableNames: {
    mbr: 'MBR (recommended: older PCs with BIOS and modern ones with UEFI)',
    gpt: 'GPT (modern PCs with UEFI only)',
  } as Readonly<Record<'mbr' | 'gpt', string>>,
  windowsOptionsLegend: 'Windows Setup options',
  windowsOptionsHint: 'Written into an answer file (autounattend.xml) on the stick. Each is off unless you choose it.',
  windowsSkipChecks: 'Skip the TPM, Secure Boot and memory checks of Windows 11',
  windowsLocalAccount: 'Skip the Microsoft account: create a local account instead',
  windowsLocalAccountName: 'Local account name',
  windowsRegional: 'Use this computer’s language, keyboard and time zone',
  accountNameProblems: {
    empty: 'Type the account’s name.',
    'too-long': 'Windows allows at most 20 characters in an account name.',
    'forbidden-character': 'Windows does not allow any of " / \\ [ ] : ; | = , + * ? < > @ in an account name.',
  } as Readonly<Record<'empty' | 'too-long' | 'forbidden-character', string>>,
  stickPredictionHeading: 'The stick, written this way',
  stickUefiOnly: 'UEFI only: older PCs (BIOS) will not start from this stick.',
  confirmModeHeading: 'How',
  /** A raw write to a drive smaller than the disk image: only its partitions are written. */
  confirmPartitionsOnly: (written: string, image: string) =>
    `Only the first ${written} of the image’s ${image} are written and verified: every partition; the rest of the image is empty (all zeros).`,
  confirmCopySummary: (label: string, files: number, table: string) =>
    `A new ${table} partition table and a FAT32 volume “${label}” holding ${files === 1 ? '1 file' : `${files} files`}.`,
  confirmWindowsOptions: (options: readonly string[]) => `Windows Setup: ${options.join('; ')}.`,
  confirmWindowsAccount: (name: string) => `local account “${name}”`,
  writingImage: (name: string) => `Writing ${name}`,
  flashHeading: 'Writing',
  flashOverall: 'Overall',
  flashCancel: 'Cancel writing',
  flashSpeed: (rate: string) => `${rate}/s`,
  flashEta: (eta: string) => `${eta} left`,
  flashFailed: 'Failed',
  summaryResultHeading: 'Result',
  outcomeNames: { succeeded: 'Done', failed: 'Failed', partial: 'Some drives failed', cancelled: 'Cancelled' } as Readonly<Record<string, string>>,
  resultDrive: 'Drive',
  resultWritten: 'Written',
  resultVerified: 'Verified',
  resultDigest: 'Image SHA-256',
  resultTime: 'Time',
  resultAt: (offset: string) => `at byte ${offset}`,
  flashAgain: 'Flash again',
  eject: 'Eject',
  ejectDrive: (device: string) => `Eject ${device}`,
  flashDone: 'Write finished',
  // Write flow, keyboard and layout, round two (issue 17).
  writeImageNamed: (name: string) => `Image: ${name}`,
  confirmWriteHeading: (name: string) => `Erase and write ${name}`,
  drivesRefusedHeading: (count: number) => (count === 1 ? 'Cannot be written (1 drive)' : `Cannot be written (${count} drives)`),
  showAllDrivesPinned: 'Always show all drives',
  showAllDrivesSessionHint: 'Otherwise “Show all drives” on the Write and Drives screens lasts until Isotope is closed.',
  resultWriteSpeed: 'Write speed',
  resultVerifySpeed: 'Verify speed',
  safeToRemove: 'Safe to remove',
  ejectNotUsb: 'Not ejected: Isotope ejects USB drives only. Unmount or power it off in your system before you unplug it.',
  ejectFailed:
    'Could not eject it (the system refused, often because a window or program is using it). Close what uses it and press Eject again, or eject it in your system before you unplug it.',
  ejectBeforeUnplug: 'Eject it before you unplug it.',
  skipToContent: 'Skip to content',
  activityKinds: {
    hash: (name: string) => `Checking ${name}`,
    extract: (name: string) => `Extracting from ${name}`,
    search: (name: string) => `Searching ${name}`,
    try: (name: string) => `Trying ${name} in a VM`,
    download: (name: string) => `Downloading ${name}`,
  } as Readonly<Record<string, (name: string) => string>>,
  activityUnnamed: 'this image',
  autoHash: 'Compute checksums when the Checksums tab opens',
  settingsChecksums: 'Checksums',

  drivesScreenHeading: 'Drives',
  drivesScreenIntro: 'Make a stick written with an image a normal empty stick again, or back a drive up into an image file.',
  driveRestoreButton: 'Restore to a normal stick',
  driveBackupButton: 'Back up to an image',
  restoreHeading: (device: string) => `Restore ${device} to a normal stick`,
  restoreFileSystemLegend: 'File system',
  restoreLabel: 'Name of the stick (volume label)',
  restoreLabelHint: 'FAT32 keeps up to 11 letters and digits, in capitals; exFAT up to 11 characters.',
  restoreButton: 'Restore…',
  restoreConfirmHeading: 'Confirm restoring',
  restoreWhat: (table: string, fileSystem: string, label: string) =>
    `Isotope writes a new ${table} partition table and one ${fileSystem} partition named “${label}” filling the drive.`,
  restoreConfirmButton: 'Erase and restore',
  restoringDrive: (device: string) => `Restoring ${device}`,
  restoreDone: (fileSystem: string, label: string) => `Restored: one ${fileSystem} partition named “${label}”.`,
  backupHeading: (device: string) => `Back up ${device} to an image`,
  backupHint: 'Reading leaves the drive as it is. A SHA-256 file is written beside the image, to check it later.',
  backupOutput: 'Image file',
  backupChoose: 'Choose…',
  backupCompressionLegend: 'Compression',
  backupOverwrite: 'Replace the file that is there',
  backupButton: 'Back up',
  backingUp: (device: string) => `Backing up ${device}`,
  backupCancel: 'Cancel backup',
  backupDone: 'Backup finished',
  backupResultFile: 'Image file',
  backupResultRead: 'Read from the drive',
  backupResultWritten: 'File size',
  backupResultDigest: 'SHA-256 of the drive’s bytes',
  backupResultSidecar: 'Checksum file',
  closePanel: 'Close',
  activityLabel: 'Running jobs',
  activityBackup: (device: string) => `Backing up ${device}`,
  activityDecode: (name: string) => `Unpacking ${name}`,

  createHeading: 'Create an image',
  createIntro: 'Make an ISO image from folders and files. Linux, Windows and macOS open it, and it can boot a PC.',
  createSourcesHeading: 'What goes in',
  createSourcesHint: 'A folder’s contents become the top level of the image; a file is placed at the top level.',
  createSourcePath: 'Folder or file to add',
  createSourcePlaceholder: '/home/you/my-files',
  createAddSource: 'Add',
  createPickFolder: 'Add a folder…',
  createPickFiles: 'Add files…',
  createSourcesEmpty: 'Nothing added yet.',
  createRemoveSource: (path: string) => `Remove ${path}`,
  needsAbsolutePath: 'Type the full path, starting with /.',
  createNameLegend: 'Name',
  createLabel: 'Volume label',
  createLabelPlaceholder: 'The first folder’s name',
  createPublisher: 'Publisher (optional)',
  createNamesLegend: 'File names',
  createRockRidge: 'Rock Ridge: Linux and macOS names, permissions and links',
  createJoliet: 'Joliet: long names on Windows (up to 64 characters)',
  createJolietLong: 'Allow Joliet names of up to 103 characters (beyond the standard)',
  createUdf: 'Also UDF: Windows then reads files of 4 GiB and more',
  createLevelLegend: 'ISO 9660 level',
  createLevelNames: {
    1: 'Level 1: 8.3 names, for the oldest systems',
    2: 'Level 2: names of up to 31 characters',
    3: 'Level 3: as level 2, and files of 4 GiB and more (recommended)',
  } as Readonly<Record<IsoLevel, string>>,
  createReproducible: 'Reproducible: the same files always give the same image, byte for byte (fixed times, owners and ids)',
  createExcludes: 'Leave out (one pattern per line, as in .gitignore)',
  createExcludesPlaceholder: '*.tmp',
  createBootLegend: 'Boot',
  createDetectBoot: 'Look for boot files in what goes in (ISOLINUX, GRUB, EFI/BOOT)',
  createBiosImage: 'BIOS boot image, its path in the new image (optional)',
  createBiosPlaceholder: '/isolinux/isolinux.bin',
  createEfiImage: 'EFI boot image, its path in the new image (optional)',
  createEfiPlaceholder: '/boot/grub/efi.img',
  createGenerateEfi: 'Make the EFI boot image from the /EFI/BOOT folder',
  createHybridMbr: 'MBR boot code for a USB stick, a file on this computer (optional)',
  createHybridMbrPlaceholder: '/usr/lib/ISOLINUX/isohdpfx.bin',
  createGpt: 'Add a GPT, so UEFI PCs start it from a USB stick',
  createOutputLegend: 'New image file',
  createOutput: 'Save the image as',
  createOutputHint: 'In your home folder, or a folder you choose. Never inside what goes in.',
  createChooseOutput: 'Choose…',
  replaceExisting: 'Replace the file that is there',
  createPreview: 'Preview layout',
  createButton: 'Create image',
  createCancel: 'Cancel',
  activityCreate: (name: string) => `Making ${name}`,

  planHeading: 'Layout of the new image',
  planPlanning: 'Planning the layout…',
  planSize: 'Size',
  planSizeValue: (size: string, sectors: number) => `${size} (${sectors.toLocaleString('en')} sectors of 2048 bytes)`,
  planContents: 'Contents',
  planCounts: (files: number, folders: number, bytes: string) =>
    `${files.toLocaleString('en')} ${files === 1 ? 'file' : 'files'}, ${folders.toLocaleString('en')} ${folders === 1 ? 'folder' : 'folders'}, ${bytes} of file data`,
  planLabel: 'Volume label',
  planNames: 'Names',
  planNamespaces: (summary: IsoLayoutSummary) =>
    [
      `ISO 9660 level ${summary.level}`,
      ...(summary.namespaces.rockRidge ? ['Rock Ridge'] : []),
      ...(summary.namespaces.joliet ? ['Joliet'] : []),
      ...(summary.namespaces.udf ? ['UDF'] : []),
    ].join(' · '),
  planBoot: 'Boot',
  planBootNone: 'No boot entry: the image will not start a computer.',
  planBootEntry: (entry: IsoPlannedBootEntry) =>
    `${{ bios: 'PC (BIOS)', efi: 'UEFI', other: 'Other platform' }[entry.platform]}, ${
      { none: 'no emulation', floppy: 'floppy emulation', 'hard-disk': 'hard disk emulation' }[entry.emulation]
    }: ${entry.image}${entry.bootInfoTable ? ' (with a boot info table)' : ''}`,
  planHybrid: 'As a USB stick',
  planHybridValue: (hybrid: IsoLayoutSummary['boot']['hybrid']) => {
    const tables = [...(hybrid.mbr ? ['MBR'] : []), ...(hybrid.gpt ? ['GPT'] : []), ...(hybrid.apm ? ['Apple partition map'] : [])];
    return tables.length === 0 ? 'no partition table: it starts from a DVD or CD only' : `a hybrid image with ${tables.join(', ')}`;
  },
  planDetected: 'Boot files found',
  planRenamed: (count: number) => `Names changed to fit (${count})`,
  planRenamedNamespaces: { iso9660: 'ISO 9660', joliet: 'Joliet', 'rr-moved': 'moved, too deep' } as Readonly<
    Record<'iso9660' | 'joliet' | 'rr-moved', string>
  >,
  planWarnings: 'Warnings',
  planRegions: (count: number, omitted: number) =>
    `Where everything goes (${count.toLocaleString('en')} regions${omitted > 0 ? `, ${omitted.toLocaleString('en')} more not listed` : ''})`,
  planRegionName: 'What',
  planRegionStart: 'First sector',
  planRegionSectors: 'Sectors',
  isoWritePhaseNames: { scanning: 'Reading what goes in', 'writing-image': 'Writing the image' } as Readonly<Record<string, string>>,
  writtenHeading: 'Image written',
  writtenFile: 'File',
  writtenSize: 'Size',
  writtenDigest: 'SHA-256',
  writtenTime: 'Time',
  openWritten: 'Open it',

  editCopyButton: 'Edit a copy',
  editCopyHeading: 'Edit a copy',
  editCopyHint: 'Your changes go into a new image file: this one stays as it is. How it boots is kept.',
  editAddSource: 'File or folder on this computer',
  editAddFolder: 'Into this folder of the copy',
  editAddButton: 'Add',
  editPickFiles: 'Choose files…',
  editPickFolder: 'Choose a folder…',
  editRemoveSelected: (count: number) => `Remove ${count} selected`,
  editRenameLabel: 'New name of the selected entry',
  editRenameButton: 'Rename',
  editRenameNeedsOne: 'Tick one entry in the tree to rename it; tick entries to remove them.',
  editRenameUnusable: 'Type a new name (or a full path starting with /) that differs from the old one.',
  editPendingHeading: (count: number) => `Changes (${count})`,
  editPendingEmpty: 'No changes yet.',
  editUndo: 'Undo',
  editUndoLabel: (description: string) => `Undo: ${description}`,
  editSaveAs: 'Save as…',
  editOutput: 'Save the copy as',
  editSave: 'Save the copy',
  editLabel: 'Volume label of the copy (optional)',
  editLabelPlaceholder: 'The original’s',
  editReproducible: 'Reproducible: the same original and changes always give the same copy, byte for byte',
  editStop: 'Stop editing',
  editCancelSave: 'Cancel',

  settingsHeading: 'Settings',
  settingsWriting: 'Writing',
  settingsDrives: 'Drives',
  settingsAppearance: 'Appearance',
  settingsDecoded: 'Decoded images',
  decodedHint:
    'Compressed images that cannot be read in place are unpacked once into these files, in Isotope’s data folder. Removing one costs nothing but unpacking it again when the image is next opened.',
  decodedLoading: 'Looking for unpacked images…',
  decodedNone: 'No unpacked images.',
  decodedTotal: (count: number, size: string) => `${count === 1 ? '1 unpacked image takes' : `${count} unpacked images take`} ${size} on disk.`,
  decodedColumns: { image: 'Image', diskSize: 'Size on disk', decodedSize: 'Unpacked size', lastUsed: 'Last used', remove: 'Remove' },
  decodedRemove: 'Remove',
  decodedRemoveLabel: (name: string) => `Remove the unpacked copy of ${name}`,
  decodedClearAll: 'Clear all',
  decodedRemoved: (size: string) => `Removed ${size}.`,
  decodedKept: 'Not removed:',
  // Open from URL (Start) and Settings › Downloads (issue 19).
  openFromUrlHeading: 'Open from URL',
  urlLabel: 'Address of the image',
  urlHint:
    'Isotope downloads it into its download cache (Settings › Downloads), resumes a cut download where it stopped, and checks it against the SHA256SUMS and signatures published next to it.',
  urlSha256Label: 'SHA-256 from the download page (optional)',
  urlProblems: { empty: 'Type the address of an image.', 'not-http': 'Only http:// and https:// addresses can be downloaded.' },
  urlSha256Problem: 'A SHA-256 is 64 hexadecimal digits.',
  downloadStart: 'Download',
  downloadCancel: 'Cancel download',
  downloadProgressLabel: (url: string) => `Downloading ${url}`,
  downloadDone: (name: string, size: string) => `Downloaded ${name} (${size}).`,
  downloadResumed: (size: string) => `${size} were kept from an earlier try and read again.`,
  downloadSha256: 'SHA-256 as downloaded',
  downloadPastedMatches: 'It matches the SHA-256 you pasted.',
  downloadPastedDiffers: 'It does NOT match the SHA-256 you pasted.',
  downloadNoSums: 'No SHA256SUMS or other sums file next to the address lists it.',
  downloadSumsUnreadable: 'Whether a sums file next to the address lists it is unknown: the server did not answer for every one.',
  settingsDownloads: 'Downloads',
  downloadsHint:
    'Images downloaded from an address are kept here, in Isotope’s data folder, up to the limit: the least recently used are removed first to make room. A cut download is kept so it can resume.',
  downloadsLoading: 'Looking for downloads…',
  downloadsNone: 'No downloads.',
  downloadsTotal: (count: number, size: string, limit: string) =>
    `${count === 1 ? '1 download takes' : `${count} downloads take`} ${size} on disk (limit ${limit}).`,
  downloadsColumns: { file: 'File', size: 'Size', state: 'State', lastUsed: 'Last used', remove: 'Remove' },
  downloadsComplete: 'Complete',
  downloadsPartial: 'Incomplete, resumes',
  downloadsRemoveLabel: (name: string) => `Remove the download ${name}`,
  downloadsRemoved: (size: string) => `Removed ${size}.`,
  downloadsKept: 'Not removed:',
  themeLabel: 'Theme',
  themeNames: { system: 'Follow the system', light: 'Light', dark: 'Dark' },
  privacy: 'Isotope makes no network calls but the downloads you start, and collects no telemetry.',

  unknownDate: '—',
  cancelledNotice: 'Cancelled.',
} as const;

/** One pending change of "Edit a copy", in words. */
export function describeEdit(edit: RemasterEdit): string {
  if (edit.kind === 'add') return `Add ${edit.sourcePath} as ${edit.imagePath}`;
  if (edit.kind === 'remove') return `Remove ${edit.imagePath}`;
  return `Rename ${edit.imagePath} to ${edit.newImagePath}`;
}

/** A short human duration: "45 s", "3 min 20 s", "1 h 5 min". */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A running transfer's pace as far as it is known: "12.0 MiB/s", "3 min 20 s left" (no speed before one is measured, no time left before it can be told). */
export function transferPaceParts(bytesPerSecond: number, etaMs: number | null): string[] {
  const parts: string[] = [];
  if (bytesPerSecond > 0) parts.push(text.flashSpeed(formatBytes(bytesPerSecond)));
  if (etaMs !== null) parts.push(text.flashEta(formatDuration(etaMs)));
  return parts;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(ms: number | null | undefined): string {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? text.unknownDate : dateFormat.format(ms);
}

/** POSIX mode as `ls -l` shows it: drwxr-xr-x (the tree's column). */
export function formatPermissions(mode: number): string {
  const kinds: Readonly<Record<number, string>> = { 0o040000: 'd', 0o120000: 'l', 0o100000: '-', 0o020000: 'c', 0o060000: 'b', 0o010000: 'p', 0o140000: 's' };
  const kind = kinds[mode & 0o170000] ?? '?';
  const bits = ['r', 'w', 'x'];
  let permissions = '';
  for (let shift = 8; shift >= 0; shift -= 1) permissions += mode & (1 << shift) ? bits[(8 - shift) % 3] : '-';
  return `${kind}${permissions}`;
}

/** POSIX mode with its octal value: drwxr-xr-x (0755) (the details pane). */
export function formatMode(mode: number): string {
  return `${formatPermissions(mode)} (${(mode & 0o7777).toString(8).padStart(4, '0')})`;
}

/** A device tree's board part as the board's name: "4-b" → "4 B", "zero-2-w" → "Zero 2 W", "cm4" → "CM4", "b-plus" → "B+". */
function piBoardName(board: string): string {
  const words = board.split('-').map((word) => (word === 'plus' ? '+' : /^cm/.test(word) ? word.toUpperCase() : word.charAt(0).toUpperCase() + word.slice(1)));
  return `Pi ${words.join(' ').replace(' +', '+')}`;
}

/** The Contents tab, round two (issue 17): search, breadcrumb, previews, extraction conflicts. */
export const contentsText = {
  searchLabel: 'Search the image',
  searchPlaceholder: 'Name, or a pattern like *.cfg or boot/**/*.efi',
  searchButton: 'Search',
  searchClear: 'Close search',
  searching: 'Searching…',
  searchResultsLabel: 'Files found',
  searchFound: (count: number, entries: number) =>
    `${count.toLocaleString('en')} ${count === 1 ? 'match' : 'matches'} among ${entries.toLocaleString('en')} entries`,
  searchTruncated: (count: number) => `Stopped at the first ${count.toLocaleString('en')} matches: make the pattern narrower to see the rest.`,
  searchNone: 'Nothing in the image matches.',
  searchShowInTree: 'Show in the tree',
  searchSelectAll: 'Select all found',
  breadcrumbLabel: 'Current folder',
  breadcrumbRoot: 'Image',
  emptyFolder: '(empty)',
  previewPicture: (type: string) => `Picture (${type})`,
  previewPictureAlt: (name: string) => `Picture preview of ${name}`,
  previewTextEncoding: (encoding: string) => `Text (${encoding.toUpperCase()})`,
  chooseDestination: 'Choose…',
  chooseDestinationTitle: 'Extract to',
  showInFolder: 'Extracted into',
  showInFolderButton: 'Show in folder',
  showInFolderUnavailable: 'A browser cannot open your file manager: copy the path instead.',
  copyPath: 'Copy path',
  copiedPath: 'Copied',
  conflictHeading: 'A file is already there',
  conflictBody: (destinationPath: string, kind: 'file' | 'directory' | 'other') =>
    `${kind === 'directory' ? 'A folder' : kind === 'other' ? 'A link or special file' : 'A file'} named ${destinationPath} already exists.`,
  conflictCount: (index: number, count: number) => `Conflict ${index} of ${count}`,
  conflictOverwrite: 'Overwrite',
  conflictSkip: 'Skip',
  conflictKeepBoth: 'Keep both',
  conflictSameForAll: 'Do the same for all',
  conflictTruncated: (listed: number) =>
    `More than ${listed.toLocaleString('en')} files are already there, too many to ask about one by one: your choice applies to all of them.`,
  conflictCancel: 'Cancel extraction',
  settingsExtraction: 'Extraction',
  defaultDestinationLabel: 'Default folder to extract into',
  defaultDestinationHint: 'The Contents tab starts with this folder; leave it empty to type one each time.',
} as const;

/** The Boot tab's "Try in a VM" panel (issue 18). */
export const vmTrialText = {
  heading: 'Try in a virtual machine',
  driveHeading: (device: string) => `Try ${device} in a virtual machine`,
  driveButton: 'Try in a VM',
  explain:
    'Start it in QEMU to see it boot, before a stick is written or on a stick already written. Nothing is written to it: the virtual machine’s changes go to a temporary overlay that is thrown away.',
  checking: 'Looking for QEMU…',
  missing: 'QEMU is not installed on this computer. To try images in a virtual machine, install it:',
  firmwareLegend: 'Firmware',
  firmwareNames: { bios: 'BIOS (SeaBIOS)', uefi: 'UEFI (OVMF)' } as const,
  uefiMissing: 'UEFI needs OVMF, which is not installed (Debian/Ubuntu: the ovmf package; Fedora and Arch: edk2-ovmf).',
  mediumLegend: 'Boot it as',
  mediumNames: { usb: 'a USB stick', cd: 'a CD or DVD' } as const,
  viewLegend: 'Show it',
  viewNames: { window: 'in QEMU’s own window', 'in-app': 'here, in this page' } as const,
  noDisplay: 'This engine has no display, so the virtual machine is shown here.',
  accelerator: (kvm: boolean, memoryMiB: number) =>
    `${kvm ? 'Hardware virtualisation (KVM)' : 'Emulated processor (slower, no KVM)'}, ${memoryMiB} MiB of memory.`,
  start: 'Start',
  stop: 'Stop',
  stopping: 'Stopping…',
  running: (elapsed: string) => `Running for ${elapsed}`,
  runningWindow: 'Running in QEMU’s window. Close the window or press Stop to end it.',
  screenLabel: 'The virtual machine’s screen',
  screenWaiting: 'Waiting for the first picture of the screen…',
  serialHeading: 'Serial console',
  serialEmpty: 'Nothing on the serial console yet.',
  firmwareHeading: 'Firmware’s own log',
  endedBy: { stopped: 'Stopped', 'time-up': 'Ran the time asked', 'guest-stopped': 'The virtual machine turned itself off' } as const,
  ended: (how: string, ran: string) => `${how} after ${ran}.`,
} as const;

/** The History screen (issue 19): every job recorded, its filters, exports and one job's report. */
export const historyText = {
  nav: 'History',
  heading: 'History',
  intro: 'Every write, verify, format, backup and download this computer ran, newest first. Kept by the engine even when it is stopped mid-job.',
  filtersLabel: 'Filter the history',
  kindLabel: 'Kind',
  outcomeLabel: 'Outcome',
  anyKind: 'Any kind',
  anyOutcome: 'Any outcome',
  searchLabel: 'Image or drive',
  searchPlaceholder: 'Name, model, serial or device',
  exportCsv: 'Export CSV',
  exportJson: 'Export JSON',
  loading: 'Reading the history…',
  empty: 'No jobs yet: writes, verifies, formats, backups and downloads appear here.',
  noMatch: 'No job matches these filters.',
  unreadLines: (count: number, firstOffsetBytes: number) =>
    `${count.toLocaleString('en')} ${count === 1 ? 'line' : 'lines'} of the history file could not be read (damaged or edited; the first at byte ${firstOffsetBytes.toLocaleString('en')}); a job recorded only there is missing from this list.`,
  shown: (shown: number, total: number) =>
    shown === total
      ? `${total.toLocaleString('en')} ${total === 1 ? 'job' : 'jobs'}`
      : `The newest ${shown.toLocaleString('en')} of ${total.toLocaleString('en')} jobs`,
  columnWhen: 'Started',
  columnWhat: 'What',
  columnWhere: 'Where',
  columnOutcome: 'Outcome',
  columnSpeeds: 'Speeds',
  report: 'Report',
  reportFor: (what: string) => `Report of ${what}`,
  reportHeading: 'Job report',
  back: 'Back to the history',
  saveHtml: 'Save as HTML',
  print: 'Print',
  noImage: 'no image',
  noTarget: 'no drive',
  writeSpeed: (speed: string) => `write ${speed}`,
  verifySpeed: (speed: string) => `verify ${speed}`,
  factKind: 'Kind',
  factOutcome: 'Outcome',
  factStarted: 'Started',
  factEnded: 'Ended',
  factImage: 'Image',
  factImageSize: 'Image size',
  factSha256: 'SHA-256 (computed in this job)',
  factMode: 'Mode',
  factWriteSpeed: 'Write speed',
  factVerifySpeed: 'Verify speed',
  factVerify: 'Verify',
  factError: 'Error',
  targetsHeading: 'Drives',
  targetDevice: 'Device',
  targetModel: 'Model',
  targetSerial: 'Serial',
  targetSize: 'Size',
  targetBusPath: 'Plugged in at',
  unknown: 'unknown',
  notEnded: 'not ended',
  notVerified: 'not verified',
  kinds: { flash: 'Write', verify: 'Verify', format: 'Format', backup: 'Backup', download: 'Download' } as Readonly<Record<HistoryJobKind, string>>,
  outcomes: {
    succeeded: 'Succeeded',
    partial: 'Partly failed',
    failed: 'Failed',
    cancelled: 'Cancelled',
    interrupted: 'Interrupted (Isotope stopped mid-job)',
    running: 'Running',
  } as Readonly<Record<HistoryOutcome, string>>,
  verify: { passed: 'Passed', failed: 'Failed' } as const,
} as const;

/** Settings › About (issue 17). */
export const aboutText = {
  heading: 'About',
  version: 'Version',
  engineBuild: 'Engine',
  build: 'Engine build',
  /** The commit `npm run build` embedded, the commit's own date, and whether the tree held more than that commit. */
  builtFrom: (build: EngineBuild) => `commit ${build.commit} of ${build.commitDate.slice(0, 10)}${build.localChanges ? ' + local changes' : ''}`,
  buildUnknown: 'unknown (not built from git)',
  licencesCaption: 'Libraries and data shipped with Isotope, and their licences',
  columns: { name: 'Name', version: 'Version', licence: 'Licence', text: 'Full text' },
  data: 'data',
  showText: 'Show',
  hideText: 'Hide',
  textLabel: (name: string) => `Licence text of ${name}`,
  reading: 'Reading the licence file…',
  noLicenceFile: 'No licence file shipped',
  fromFile: (fileName: string) => `From ${fileName}:`,
  truncated: (maxBytes: number) => `Only the first ${maxBytes.toLocaleString('en')} bytes are shown: the file is longer.`,
} as const;

/** The Queue screen and duplicator mode (issue 19). */
export const queueText = {
  nav: 'Queue',
  heading: 'Queue',
  intro: 'Write several drives under one confirmation: one image for all, or each drive its own. Each drive is its own job, so one failing stops no other.',
  defaultImage: 'Image for every drive',
  chooseImage: 'Choose…',
  ownImage: (device: string) => `Image for ${device} (empty: the image above)`,
  showAll: 'Show all drives (virtual and fixed too)',
  refreshDrives: 'Refresh drives',
  drivesCaption: 'Drives to write',
  noDrives: 'No drive is attached that could be written.',
  order: 'Order',
  parallel: 'All at once',
  sequential: 'One after another',
  prepare: 'Review the queue',
  planHeading: 'Erase and write these drives?',
  pairHeading: (device: string, imageName: string) => `${device} ← ${imageName}`,
  start: 'Erase and write all',
  cancel: 'Cancel',
  rowsCaption: 'The queue',
  columns: { drive: 'Drive', image: 'Image', state: 'State', result: 'Result' },
  states: { waiting: 'Waiting', running: 'Writing', ended: 'Ended' } as const,
  outcomes: { succeeded: 'Written and checked', partial: 'Partly failed', failed: 'Failed', cancelled: 'Cancelled', skipped: 'Skipped' } as const,
  duplicatorHeading: 'Duplicator mode',
  duplicatorIntro:
    'Writes the image above to every USB stick you insert from now on, that the safety rules allow and that is big enough. Drives attached now are left alone. A stick already written is written again only if you pull it out and insert it again.',
  duplicatorPrepare: 'Start duplicator mode…',
  duplicatorTypePhrase: (phrase: string) => `Type ${phrase} to write every new stick with it`,
  duplicatorStart: 'Start writing new sticks',
  duplicatorStop: 'Stop',
  duplicatorWatching: 'Watching for new sticks',
  duplicatorStopped: 'Stopped',
  duplicatorCount: (written: number, failed: number, running: number, skipped: number) =>
    `${written} written, ${failed} failed, ${running} writing, ${skipped} skipped`,
} as const;
