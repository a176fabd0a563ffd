// The pre-flight assessment of an image before it is written raw to a drive: what the engine can tell
// from the file's own bytes (truncation, structural damage, no recognisable structure, compression)
// and the checksum verdict computed earlier in this engine run for this very file version.
// Every structure is read through the bounds-checked parsers; the work is a handful of sectors plus
// one walk of the directory tree (bounded by the readers' own limits), never the file's data.
import { basename } from 'node:path';
import {
  assessmentSeverities,
  type AssessmentChecksum,
  type AssessmentFinding,
  type AssessmentSecureBoot,
  type AssessmentFindingCode,
  type ImageAssessment,
  type ImageKind,
} from '../../shared/assessment.ts';
import type { BootReasonCode, BootVerdict, UsbBootability } from '../../shared/boot.ts';
import type { ImageCompression } from '../../shared/image.ts';
import type { PartitionTableChoice, StickBootPrediction, WriteModeChoice } from '../../shared/stick.ts';
import { readBootReport } from '../boot/boot-report.ts';
import { diskSectorBytes } from '../disk/master-boot-record.ts';
import { compressionMagicBytes, detectCompression } from '../compression/detect-compression.ts';
import { NeedsDecodingError } from '../compression/needs-decoding-error.ts';
import { openImageSource } from '../container/open-image-source.ts';
import { readPartitionMap } from '../disk/partition-map.ts';
import { requiredTargetBytes } from '../image/space-needed.ts';
import { containerDamage } from './container-checks.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import { NotAnImageError } from '../format/not-an-image-error.ts';
import type { FileTree } from '../format/file-tree.ts';
import { ByteRangeError, type ByteSource } from '../io/byte-source.ts';
import { createCachedSource } from '../io/cached-source.ts';
import { openFileSource } from '../io/file-source.ts';
import { readVolumeDescriptorHeader, readVolumeDescriptorSet, volumeDescriptorSetStartLba } from '../iso/volume-descriptors.ts';
import { chooseWriteMode } from '../stick/choose-write-mode.ts';
import { predictStickBoot } from '../stick/predict-stick-boot.ts';
import { openUdfTree } from '../udf/udf-tree.ts';
import { findAnchorPointer, readVolumeDescriptorSequence } from '../udf/volume-descriptors.ts';
import { checksumVerdicts as processChecksumVerdicts, type ChecksumVerdicts } from './checksum-verdicts.ts';
import { isRevocations, loadRevocationsOrReason, openIsoTreeOnce, secureBootOf } from './secure-boot-assessment.ts';

/** What the image file's own bytes say: the whole assessment but this run's checksum verdict. */
export type ImageJudgement = Omit<ImageAssessment, 'checksum' | 'blocking'>;

export interface AssessImageOptions {
  readonly signal?: AbortSignal;
  /** Where this engine run's checksum verdicts are kept; the process-wide store unless a test gives its own. */
  readonly checksumVerdicts?: ChecksumVerdicts;
  /**
   * Reads the image's structures: `judgeImageFile` in this thread unless the caller runs it in a parse
   * worker (src-main/isolation/), as the service does: the bytes are untrusted, the verdicts are not.
   */
  readonly judge?: (imagePath: string, signal: AbortSignal | undefined) => Promise<ImageJudgement>;
}

const isoSectorBytes = 2048;
/** MBR partitions of 0xFFFFFFFF sectors mean "to the end of a disk larger than 2 TiB": no size to check. */
const mbrOpenEndedSectorCount = 0xffffffff;
/** At most this many structures are named in a truncation message. */
const maxNamedExpectations = 3;

/** A structure's word on how long the image is: `what` ends at byte `endBytes`. */
interface Expectation {
  readonly what: string;
  readonly endBytes: number;
}

interface StructureJudgement {
  readonly kind: ImageKind;
  readonly findings: readonly AssessmentFinding[];
  readonly secureBoot?: AssessmentSecureBoot;
}

/** A compressed image's judgement: its decoded content's when it could be read, with its size and the space it needs. */
type CompressedJudgement = StructureJudgement & Pick<ImageAssessment, 'decodedSizeBytes' | 'requiredTargetBytes'>;

export async function assessImage(imagePath: string, options: AssessImageOptions = {}): Promise<ImageAssessment> {
  const checksum = await (options.checksumVerdicts ?? processChecksumVerdicts).verdictOf(imagePath);
  options.signal?.throwIfAborted();
  const judgement = await (options.judge ?? judgeImageFile)(imagePath, options.signal);
  const findings = [...judgement.findings, ...checksumFindings(checksum)];
  return { ...judgement, checksum, findings, blocking: findings.some((finding) => finding.severity === 'blocking') };
}

/** Reads the image file's structures: plain data out, no engine state in, so a parse worker can run it. */
export async function judgeImageFile(imagePath: string, signal?: AbortSignal): Promise<ImageJudgement> {
  const file = await openFileSource(imagePath);
  const source = createCachedSource(file);
  try {
    signal?.throwIfAborted();
    const compression = file.sizeBytes >= compressionMagicBytes ? detectCompression(await source.read(0, compressionMagicBytes)) : null;
    const about = { path: imagePath, fileName: basename(imagePath), sizeBytes: file.sizeBytes };
    // A compressed image is written raw (its decoded bytes): no write mode or copy-files stick to judge.
    if (compression !== null) return { ...about, compression, ...(await judgeCompressed(imagePath, file, compression, signal)) };
    const structure = await judgeStructure(source, signal);
    const stick = await judgeStick(source);
    return { ...about, ...structure, ...(stick ?? {}), ...(await spaceNeeded(source)) };
  } finally {
    await source.close();
  }
}

/**
 * What `auto` would write, and what a copy-files stick would do with either partition table; null
 * (unknown) when the structures they read are damaged: judgeStructure already named the damage.
 */
async function judgeStick(source: ByteSource): Promise<{ writeMode: WriteModeChoice; copyModeBoot: Record<PartitionTableChoice, StickBootPrediction> } | null> {
  try {
    const writeMode = await chooseWriteMode(source, 'auto');
    const copy: WriteModeChoice = { mode: 'copy', reason: 'chosen-by-user' };
    const copyModeBoot = { mbr: await predictStickBoot(source, copy, { table: 'mbr' }), gpt: await predictStickBoot(source, copy, { table: 'gpt' }) };
    return { writeMode, copyModeBoot };
  } catch (error) {
    if (error instanceof CorruptImageError || error instanceof ByteRangeError || error instanceof NotAnImageError) return null;
    throw error;
  }
}

function finding(code: AssessmentFindingCode, message: string, sizes: { presentBytes?: number; expectedBytes?: number } = {}): AssessmentFinding {
  return { code, severity: assessmentSeverities[code], message, ...sizes };
}

/** Runs one read of a structure; a damaged structure is recorded as damage and answers null. */
type Attempt = <T>(what: string, read: () => Promise<T>) => Promise<T | null>;

/** Reads every structure that says how long the image is or how it is laid out, collecting damage on the way. */
async function judgeStructure(source: ByteSource, signal: AbortSignal | undefined): Promise<StructureJudgement> {
  const damage = new Map<string, AssessmentFinding>();
  // One damaged structure must not hide the others: each read records its own damage and goes on.
  const attempt: Attempt = async <T>(what: string, read: () => Promise<T>): Promise<T | null> => {
    signal?.throwIfAborted();
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof CorruptImageError) && !(error instanceof ByteRangeError)) throw error;
      const message = `${what}: ${error.message}`;
      damage.set(message, finding('damaged', message));
      return null;
    }
  };

  const structures = await readStructures(source, attempt);
  const { hasIsoDescriptor, iso, isoTree, udf, boot, mbr, gpt, apm } = structures;
  const expectations = expectationsOf(structures);

  // Damage inside the file systems (directory records, UDF file entries) and file data past the end.
  // A file already cut short is judged by its headers: walking a tree that runs past the end would
  // only repeat that, entry by entry.
  const isCutShort = expectations.some((expectation) => expectation.endBytes > source.sizeBytes);
  if (!isCutShort && iso && isoTree) {
    await attempt('ISO 9660 directory tree', async () => {
      if (isoTree.damage) throw isoTree.damage;
      return collectDataEnds(isoTree.tree, expectations, signal);
    });
  }
  // Virtual and sparable partitions are not read by Isotope yet: that is a gap of ours, not damage.
  const udfIsReadable = udf?.partitionMaps.every((map) => map.kind === 'physical' || map.kind === 'metadata') === true;
  if (!isCutShort && udfIsReadable) {
    await attempt('UDF file tree', async () => collectDataEnds(await openUdfTree(source), expectations, signal));
  }

  const findings: AssessmentFinding[] = [];
  const truncation = judgeTruncation(source.sizeBytes, expectations);
  if (truncation) findings.push(truncation);
  findings.push(...damage.values());
  const usbBoot = boot ? usbBootFinding(boot.verdict) : null;
  if (usbBoot) findings.push(usbBoot);

  const hasPartitions = (mbr?.partitions.length ?? 0) > 0 || gpt !== null || apm !== null;
  const recognised = hasIsoDescriptor || udf !== null || hasPartitions || damage.size > 0 || (await hasOtherKnownStructure(source));
  if (!recognised) {
    findings.push(
      finding(
        'not-an-image',
        `${source.sizeBytes}-byte file: no ISO 9660 volume descriptor at sector 16, no UDF anchor, no MBR, GPT or Apple partition map, no boot sector signature, no ext2/3/4 superblock`,
      ),
    );
  }
  let kind: ImageKind = 'unknown';
  if (hasIsoDescriptor) kind = mbr || gpt || apm ? 'hybrid-iso' : 'iso9660';
  else if (udf) kind = 'udf';
  else if (recognised) kind = 'disk-image';
  const secureBoot = secureBootOf(boot, structures.bootDamage, structures.revocations);
  return { kind, findings, ...(secureBoot ? { secureBoot } : {}) };
}

/** Reads the ISO 9660 descriptors, the UDF volume and the boot records, each through `attempt`. */
async function readStructures(source: ByteSource, attempt: Attempt) {
  const hasIsoDescriptor = await attempt('ISO 9660 volume descriptor', () => hasVolumeDescriptorAt16(source));
  const iso = hasIsoDescriptor ? await attempt('ISO 9660 volume descriptor set', () => readVolumeDescriptorSet(source)) : null;
  const udf = await attempt('UDF volume', async () => {
    const anchor = await findAnchorPointer(source);
    if (!anchor) return null;
    const sequence = await readVolumeDescriptorSequence(source, anchor.anchor, anchor.blockBytes);
    return { blockBytes: anchor.blockBytes, partitions: sequence.partitions, partitionMaps: sequence.logicalVolume.partitionMaps };
  });
  // Opened once: the Secure Boot check reads the loaders in its EFI/BOOT, judgeStructure the extents of its files.
  const isoTree = iso ? await openIsoTreeOnce(source) : null;
  // A tree that could not be opened is passed on as damage: its EFI/BOOT is then unread, not empty.
  const tree = isoTree?.tree ? { tree: isoTree.tree } : isoTree?.damage ? { treeDamage: isoTree.damage.message } : {};
  const revocations = await loadRevocationsOrReason();
  let bootDamage: string | null = null;
  // The boot report reads the MBR, GPT and Apple partition map once, for the sizes, the USB verdict and
  // the EFI loaders the Secure Boot check judges (issue 18).
  const boot = await attempt('boot records and partition maps', async () => {
    try {
      return await readBootReport(source, isRevocations(revocations) ? { revocations, ...tree } : {});
    } catch (error) {
      if (error instanceof NotAnImageError) return null; // no partition map and no ISO: judged below
      bootDamage = (error as Error).message;
      throw error;
    }
  });
  return { hasIsoDescriptor, iso, isoTree, udf, boot, bootDamage, revocations, mbr: boot?.mbr ?? null, gpt: boot?.gpt ?? null, apm: boot?.apm ?? null };
}

type Structures = Awaited<ReturnType<typeof readStructures>>;

/** Where each volume, partition and header says the image ends. */
function expectationsOf(structures: Structures): Expectation[] {
  const { iso, udf, mbr, gpt, apm } = structures;
  const expectations: Expectation[] = [];
  if (iso) {
    const { volumeSpaceSizeBlocks, logicalBlockSizeBytes } = iso.primary;
    // ECMA-119 8.4.8 / 8.4.12: the volume is volume-space-size logical blocks long.
    expectations.push({
      what: `the ISO 9660 volume (${volumeSpaceSizeBlocks} blocks of ${logicalBlockSizeBytes} bytes)`,
      endBytes: volumeSpaceSizeBlocks * logicalBlockSizeBytes,
    });
  }
  for (const partition of udf?.partitions ?? []) {
    // ECMA-167 3/10.5.9-10: the partition starts at a sector and spans a number of blocks.
    expectations.push({
      what: `UDF partition ${partition.partitionNumber} (sectors ${partition.startSector}-${partition.startSector + partition.lengthBlocks - 1})`,
      endBytes: (partition.startSector + partition.lengthBlocks) * (udf?.blockBytes ?? isoSectorBytes),
    });
  }
  for (const partition of mbr?.partitions ?? []) {
    if (partition.sectorCount === mbrOpenEndedSectorCount) continue;
    expectations.push({
      what: `MBR partition ${partition.index} (sectors ${partition.startLba}-${partition.startLba + partition.sectorCount - 1})`,
      endBytes: (partition.startLba + partition.sectorCount) * diskSectorBytes,
    });
  }
  if (gpt) {
    for (const partition of gpt.partitions) {
      expectations.push({
        what: `GPT partition ${partition.index} (LBA ${partition.firstLba}-${partition.lastLba})`,
        endBytes: (partition.lastLba + 1) * diskSectorBytes,
      });
    }
    // UEFI 2.10 5.3.2: the backup header (AlternateLBA) is the disk's last LBA; an image holds it at its end.
    expectations.push({ what: `the GPT backup header (LBA ${gpt.backupHeaderLba})`, endBytes: (gpt.backupHeaderLba + 1) * diskSectorBytes });
  }
  for (const partition of apm?.partitions ?? []) {
    expectations.push({
      what: `Apple partition ${partition.index} (blocks ${partition.startBlock}-${partition.startBlock + partition.blockCount - 1})`,
      endBytes: (partition.startBlock + partition.blockCount) * (apm?.blockSizeBytes ?? diskSectorBytes),
    });
  }
  return expectations;
}

/** Which boot reasons explain each USB answer (the verdict's own words, with its numbers). */
const usbReasonCodes: Readonly<Record<Exclude<UsbBootability, 'yes'>, readonly BootReasonCode[]>> = {
  no: ['non-hybrid-iso', 'usb-bios-no-boot-code', 'usb-uefi-no-esp'],
  'depends-on-firmware': ['usb-uefi-el-torito-only'],
  // A board's evidence (Raspberry Pi firmware, a U-Boot loader) says why a PC rule cannot judge it.
  unknown: ['disk-image-unknown', 'raspberry-pi', 'u-boot', 'u-boot-unrecognised'],
};
const usbFindingCodes: Readonly<Record<Exclude<UsbBootability, 'yes'>, AssessmentFindingCode>> = {
  no: 'usb-boot-no',
  'depends-on-firmware': 'usb-boot-depends',
  unknown: 'usb-boot-unknown',
};

/** The boot verdict's USB answer as a finding; none when a computer starts from it. */
function usbBootFinding(verdict: BootVerdict): AssessmentFinding | null {
  if (verdict.usb === 'yes') return null;
  const codes = usbReasonCodes[verdict.usb];
  // A non-hybrid ISO's reason already says why BIOS and UEFI find nothing: name it alone.
  const reasons = verdict.reasons.filter((reason) => codes.includes(reason.code));
  const named = reasons.some((reason) => reason.code === 'non-hybrid-iso') ? reasons.filter((reason) => reason.code === 'non-hybrid-iso') : reasons;
  return finding(usbFindingCodes[verdict.usb], named.map((reason) => reason.message).join('; ') || `the boot verdict for a USB stick is ${verdict.usb}`);
}

/** Walks every entry of `tree` and adds an expectation for each recorded extent that ends past the file. */
async function collectDataEnds(tree: FileTree | null, expectations: Expectation[], signal: AbortSignal | undefined): Promise<void> {
  if (!tree) return;
  const fileSystem = tree.namespace === 'udf' ? 'UDF' : 'ISO 9660';
  for await (const batch of tree.walkBatches()) {
    signal?.throwIfAborted();
    for (const entry of batch) {
      for (const extent of entry.extents) {
        const endBytes = extent.offsetBytes + extent.sizeBytes;
        if (!extent.unrecorded && endBytes > tree.source.sizeBytes) expectations.push({ what: `the data of ${fileSystem} file ${entry.path}`, endBytes });
      }
    }
  }
}

/** The furthest structure end past the file's end, naming every structure that reaches past it. */
function judgeTruncation(fileSizeBytes: number, expectations: readonly Expectation[]): AssessmentFinding | null {
  const beyond = expectations.filter((expectation) => expectation.endBytes > fileSizeBytes).sort((a, b) => b.endBytes - a.endBytes);
  const [furthest] = beyond;
  if (!furthest) return null;
  const named = beyond.slice(0, maxNamedExpectations).map((expectation) => `${expectation.what} ends at byte ${expectation.endBytes}`);
  const more = beyond.length > maxNamedExpectations ? ` and ${beyond.length - maxNamedExpectations} more` : '';
  return finding('truncated', `file is ${fileSizeBytes} bytes, but ${named.join('; ')}${more}`, {
    presentBytes: fileSizeBytes,
    expectedBytes: furthest.endBytes,
  });
}

async function hasVolumeDescriptorAt16(source: ByteSource): Promise<boolean> {
  const offsetBytes = volumeDescriptorSetStartLba * isoSectorBytes;
  if (source.sizeBytes < offsetBytes + isoSectorBytes) return false;
  return readVolumeDescriptorHeader(await source.read(offsetBytes, isoSectorBytes)) !== null;
}

/**
 * Structures Isotope does not parse but that make a file a plausible raw image: a boot sector
 * signature (a FAT "superfloppy" or a DOS boot sector; UEFI 2.10 table 5-1: 0x55 0xAA at byte 510)
 * and an ext2/3/4 superblock (magic 0xEF53 at byte 56 of the superblock at byte 1024).
 */
async function hasOtherKnownStructure(source: ByteSource): Promise<boolean> {
  if (source.sizeBytes >= diskSectorBytes) {
    const sector = await source.read(0, diskSectorBytes);
    if (sector[510] === 0x55 && sector[511] === 0xaa) return true;
  }
  if (source.sizeBytes >= 2048) {
    const superblock = await source.read(1024, 1024);
    if (superblock[56] === 0x53 && superblock[57] === 0xef) return true;
  }
  return false;
}

/**
 * A compressed image: its container's end records, then its decoded bytes judged exactly as a raw
 * image's when they can be read (at random, or from the decoded cache file). When they cannot, the
 * content is unknown until it is unpacked, and a finding says so, never a verdict about it.
 */
async function judgeCompressed(path: string, file: ByteSource, compression: ImageCompression, signal: AbortSignal | undefined): Promise<CompressedJudgement> {
  const container = (await containerDamage(path, file, compression)).map((message) => finding('damaged', message));
  // A damaged container cannot be decoded either: its damage is the finding.
  if (container.length > 0) return { kind: 'compressed', findings: container, secureBoot: unreadCompressed(container[0]!.message) };
  let decoded: ByteSource;
  try {
    decoded = createCachedSource(await openImageSource(path));
  } catch (error) {
    if (error instanceof NeedsDecodingError) return needsDecoding(error);
    if (!(error instanceof CorruptImageError) && !(error instanceof ByteRangeError)) throw error;
    return { kind: 'compressed', findings: [finding('damaged', error.message)], secureBoot: unreadCompressed(error.message) };
  }
  try {
    const structure = await judgeStructure(decoded, signal);
    return { ...structure, decodedSizeBytes: decoded.sizeBytes, ...(await spaceNeeded(decoded)) };
  } finally {
    await decoded.close();
  }
}

function needsDecoding(error: NeedsDecodingError): CompressedJudgement {
  const { kind, compressedSizeBytes, decodedSizeBytes } = error.compression;
  const decoded = decodedSizeBytes === null ? 'a size it does not record' : `${decodedSizeBytes} bytes`;
  const message = `this ${kind} file of ${compressedSizeBytes} bytes (${decoded} unpacked) cannot be read at random and has no unpacked copy yet: its content is judged once it is unpacked`;
  const secureBoot = { state: 'unknown', reason: 'needs-decoding', message } as const;
  return { kind: 'compressed', findings: [finding('needs-decoding', message)], secureBoot, ...(decodedSizeBytes === null ? {} : { decodedSizeBytes }) };
}

/** A compressed image whose container is damaged: its loaders cannot be read. */
function unreadCompressed(damage: string): AssessmentSecureBoot {
  return { state: 'unknown', reason: 'damaged', message: `the compressed image could not be decoded, so no EFI loader was read: ${damage}` };
}

/** The space a raw write needs, when the partitions (or GPT backup) end before the image does. */
async function spaceNeeded(source: ByteSource): Promise<{ requiredTargetBytes?: number }> {
  try {
    const map = await readPartitionMap(source);
    if (map.table === 'none') return {};
    // A hybrid's partitions may end inside its ISO 9660 volume: the drive must hold the volume too.
    const required = await requiredTargetBytes(source, map.requiredTargetBytes);
    return required < source.sizeBytes ? { requiredTargetBytes: required } : {};
  } catch (error) {
    // Damaged tables are judgeStructure's finding; here they only leave the space unknown.
    if (error instanceof CorruptImageError || error instanceof ByteRangeError) return {};
    throw error;
  }
}

/** The checksum verdict of this file version as a finding (a verified image needs no words). */
function checksumFindings(checksum: AssessmentChecksum): AssessmentFinding[] {
  const checked = checksum.checkedAtMs === null ? '' : ` (checked at ${new Date(checksum.checkedAtMs).toISOString()})`;
  switch (checksum.state) {
    case 'verified':
      return [];
    case 'mismatch':
      return [finding('checksum-mismatch', `the checksum check of this file said it does not match${checked}`)];
    case 'matches-unknown-signer':
      return [finding('checksum-unknown-signer', `the digest matches a sums file signed by a key not in the keyring${checked}`)];
    case 'bad-signature':
    case 'matches-expired-key':
    case 'matches-revoked-key':
      return [finding('checksum-bad-signature', `the sums file's signature cannot be trusted: the check said ${checksum.state}${checked}`)];
    case 'matches-unsigned':
      return [finding('checksum-unsigned', `the digest matches, but nothing signed it${checked}`)];
    case 'not-checked':
      return [finding('checksum-not-checked', 'no checksum of this file version was checked in this session')];
  }
}
