// The pre-flight assessment of an image: what the engine knows about it before anything is written,
// in one form for the Write screen, the confirm dialog and `isotope flash`. Every finding comes from
// bytes read in this run (or a checksum verdict computed earlier in this engine run, labelled so).
// Sizes in bytes, times in epoch ms.
import type { SecureBootReport } from './boot.ts';
import type { PartitionTableChoice, StickBootPrediction, WriteModeChoice } from './stick.ts';

export const assessmentFindingCodes = [
  'truncated', // blocking: the file is shorter than its volume, partition table or UDF extent says
  'damaged', // blocking: structural damage found while reading (the message names where)
  'checksum-mismatch', // blocking: a checksum check of this file version said "does not match"
  'checksum-unknown-signer', // warning: the digest matches a sums file signed by a key not in the keyring
  'checksum-bad-signature', // warning: the digest matches, but the sums file's signature is bad or its key expired or revoked
  'checksum-unsigned', // info: the digest matches, but nothing signed it
  'checksum-not-checked', // info: no checksum verdict is known for this file version
  'not-an-image', // blocking: no recognisable structure (text, random bytes)
  'usb-boot-no', // warning: written raw, a computer will not start from it (with the reason)
  'usb-boot-depends', // info: whether it starts depends on the firmware (the reason says why)
  'usb-boot-unknown', // info: Isotope cannot judge (a disk image for a board, an unknown layout)
  'needs-decoding', // info: a compressed image that cannot be read at random and has no decoded copy: its content is unjudged
] as const;
export type AssessmentFindingCode = (typeof assessmentFindingCodes)[number];

/** blocking: the write needs an explicit "Write anyway" (GUI) or `--force` (CLI) naming the problem. */
export type AssessmentSeverity = 'blocking' | 'warning' | 'info';

/** Each finding's severity, fixed by its code: the engine, the dialog and the CLI never disagree. */
export const assessmentSeverities: Readonly<Record<AssessmentFindingCode, AssessmentSeverity>> = {
  truncated: 'blocking',
  damaged: 'blocking',
  'checksum-mismatch': 'blocking',
  'checksum-unknown-signer': 'warning',
  'checksum-bad-signature': 'warning',
  'checksum-unsigned': 'info',
  'checksum-not-checked': 'info',
  'not-an-image': 'blocking',
  'usb-boot-no': 'warning',
  'usb-boot-depends': 'info',
  'usb-boot-unknown': 'info',
  'needs-decoding': 'info',
};

export interface AssessmentFinding {
  readonly code: AssessmentFindingCode;
  readonly severity: AssessmentSeverity;
  /** Developer words with the numbers ("file is 99614720 bytes, the volume says 220200960"). */
  readonly message: string;
  /** For `truncated`: how much of the image is there and how much should be. */
  readonly presentBytes?: number;
  readonly expectedBytes?: number;
}

/** What the engine recognised in the file (the outermost structure that explains it). */
export type ImageKind = 'iso9660' | 'udf' | 'hybrid-iso' | 'disk-image' | 'compressed' | 'unknown';

/**
 * Issue 18: the Secure Boot pre-check of the EFI loaders the assessment's boot report reached, read in
 * this run ('judged': the report, one verdict per architecture). 'unknown' when they could not be read,
 * with the reason: the content is still compressed, the boot records are damaged, or the revocation data
 * could not be loaded. Never a "no" for what was not read.
 */
export type AssessmentSecureBoot =
  | { readonly state: 'judged'; readonly report: SecureBootReport }
  | { readonly state: 'unknown'; readonly reason: 'needs-decoding' | 'damaged' | 'no-revocation-data'; readonly message: string };

/** The checksum state of this file version, when a check ran in this engine run. */
export interface AssessmentChecksum {
  readonly state:
    'verified' | 'matches-unsigned' | 'matches-unknown-signer' | 'matches-expired-key' | 'matches-revoked-key' | 'mismatch' | 'bad-signature' | 'not-checked';
  /** When that check read the bytes (epoch ms); null when not checked. */
  readonly checkedAtMs: number | null;
}

export interface ImageAssessment {
  readonly path: string;
  readonly fileName: string;
  readonly sizeBytes: number;
  readonly kind: ImageKind;
  readonly checksum: AssessmentChecksum;
  readonly findings: readonly AssessmentFinding[];
  /** True when any finding is blocking. */
  readonly blocking: boolean;
  /**
   * A compressed image: the format its magic bytes name. Its decoded bytes are judged as a raw image's
   * when they can be read (at random, or from the decoded cache file), and `kind` is then what they
   * hold; otherwise `kind` is `compressed` and a `needs-decoding` finding says the content is unjudged.
   */
  readonly compression?: 'gzip' | 'xz' | 'bzip2' | 'zstd' | 'zip';
  /** A compressed image's decoded size, when known (recorded by the format or by a decode in this run). */
  readonly decodedSizeBytes?: number;
  /**
   * The space a raw write needs on the target: where the last partition (or the GPT backup the image
   * holds) ends, when that is less than the image (disk/partition-map.ts). Whether a smaller drive
   * may take it is the drive's verdict (`smaller-than-image`), which also checks the bytes past it.
   */
  readonly requiredTargetBytes?: number;
  /**
   * How a write in `auto` mode would put it on a stick, and why (stick/chooseWriteMode), so the Write
   * screen can say it before any drive is chosen; absent for a compressed image (written raw). The
   * write's plan states the mode in force.
   */
  readonly writeMode?: WriteModeChoice;
  /**
   * What a copy-files stick of this image would do, for each partition table (stick/predictStickBoot):
   * the Write screen shows it beside the boot verdict while the files are to be copied. Absent with
   * `writeMode`.
   */
  readonly copyModeBoot?: Readonly<Record<PartitionTableChoice, StickBootPrediction>>;
  /** The Secure Boot verdict per architecture, beside the boot verdict; absent for a file that is not an image. */
  readonly secureBoot?: AssessmentSecureBoot;
}

/** The blocking findings the user has not acknowledged ("Write anyway" / `--force`): empty means the write may go ahead. */
export function unacknowledgedBlockingFindings(assessment: ImageAssessment, acknowledged: readonly AssessmentFindingCode[]): AssessmentFinding[] {
  return assessment.findings.filter((finding) => finding.severity === 'blocking' && !acknowledged.includes(finding.code));
}
