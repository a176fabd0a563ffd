// The pre-flight assessment as `isotope flash` prints it: the same findings, in the same order and
// with the same severities as the Write screen and its confirm dialog, in terminal words with the
// engine's numbers. Also the summary line saying what a verified write of a blocked image proves.
import type {
  AssessmentChecksum,
  AssessmentFinding,
  AssessmentFindingCode,
  AssessmentSeverity,
  ImageAssessment,
  ImageKind,
} from '../../../shared/assessment.ts';
import { formatBytes, formatBytesOfTotal } from '../../../shared/units.ts';

const kindWords: Readonly<Record<ImageKind, string>> = {
  iso9660: 'ISO 9660 image',
  udf: 'UDF image',
  'hybrid-iso': 'hybrid ISO (ISO 9660 with a partition table)',
  'disk-image': 'disk image',
  compressed: 'compressed image: its content is judged once it is unpacked',
  unknown: 'no recognisable structure',
};

const checksumWords: Readonly<Record<AssessmentChecksum['state'], string>> = {
  verified: 'verified: matches a checksum signed by a key you trust',
  'matches-unsigned': 'matches, but nothing signed the checksum',
  'matches-unknown-signer': 'matches a checksum signed by a key not in your keyring',
  'matches-expired-key': 'matches, but the signing key has expired',
  'matches-revoked-key': 'matches, but the signing key was revoked',
  mismatch: 'DOES NOT MATCH the published checksum',
  'bad-signature': 'the checksums file has a bad signature',
  'not-checked': 'not checked in this session (isotope check IMAGE)',
};

const severityWords: Readonly<Record<AssessmentSeverity, string>> = { blocking: 'BLOCKS THE WRITE', warning: 'warning', info: 'note' };

/** The finding's headline: what it means for the write, before the engine's detail. */
export function findingHeadline(finding: AssessmentFinding): string {
  const headlines: Readonly<Record<AssessmentFindingCode, string>> = {
    truncated: `the image file is incomplete (${sizesOf(finding)})`,
    damaged: 'the image is damaged',
    'checksum-mismatch': 'the image does not match its published checksum',
    'checksum-unknown-signer': 'its checksum is signed by a key not in your keyring',
    'checksum-bad-signature': 'the signature over its checksum cannot be trusted',
    'checksum-unsigned': 'its checksum matches, but nothing signed it',
    'checksum-not-checked': 'its checksum was not checked in this session',
    'not-an-image': 'this file is not a disk image',
    'usb-boot-no': 'written to a USB stick, a computer will not start from it',
    'usb-boot-depends': 'whether a computer starts from it on a USB stick depends on the firmware',
    'usb-boot-unknown': 'Isotope cannot judge whether a device starts from it',
    'needs-decoding': 'its content cannot be judged until it is unpacked (isotope info unpacks it)',
  };
  return headlines[finding.code];
}

export function describeAssessment(assessment: ImageAssessment): string {
  const lines = [
    `Image: ${assessment.fileName} (${formatBytes(assessment.sizeBytes)}, ${assessment.sizeBytes} bytes) - ${kindWords[assessment.kind]}`,
    `  checksum: ${checksumWords[assessment.checksum.state]}`,
  ];
  if (assessment.compression !== undefined && assessment.decodedSizeBytes !== undefined) {
    lines.splice(1, 0, `  ${assessment.compression}: ${formatBytes(assessment.decodedSizeBytes)} (${assessment.decodedSizeBytes} bytes) unpacked`);
  }
  if (assessment.requiredTargetBytes !== undefined) {
    const required = assessment.requiredTargetBytes;
    lines.push(
      `  space on the drive: may need only ${formatBytes(required)} (${required} bytes) if the rest of the image is empty (checked when a drive is picked)`,
    );
  }
  for (const finding of assessment.findings) {
    if (finding.code === 'checksum-not-checked') continue; // the checksum line says it
    lines.push(`  ${severityWords[finding.severity]}: ${findingHeadline(finding)}`, `      ${finding.message}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * What a verified write of an acknowledged image proves: "the drive matches the image file, which is
 * itself incomplete (95.4 of 210 MiB)". Null when nothing blocking was acknowledged.
 */
export function describeVerifiedAgainst(acknowledged: readonly AssessmentFinding[]): string | null {
  const clauses = acknowledged.map((finding) => {
    switch (finding.code) {
      case 'truncated':
        return `is itself incomplete (${sizesOf(finding)})`;
      case 'damaged':
        return 'is itself damaged';
      case 'checksum-mismatch':
        return 'does not match its published checksum';
      case 'not-an-image':
        return 'is not a recognised disk image';
      default:
        return null;
    }
  });
  const named = clauses.filter((clause): clause is string => clause !== null);
  return named.length === 0 ? null : `the drive matches the image file, which ${named.join(' and ')}`;
}

function sizesOf(finding: AssessmentFinding): string {
  return finding.presentBytes === undefined || finding.expectedBytes === undefined
    ? 'size unknown'
    : formatBytesOfTotal(finding.presentBytes, finding.expectedBytes);
}
