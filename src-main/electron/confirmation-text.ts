// What Electron's main process shows before the engine erases a drive or changes the keyring: the
// image, every target with its partitions, the keys with their fingerprints. Pure, so the words are
// tested without Electron. They live here, not in the renderer's messages.ts, because the point of this
// dialog is that the renderer has no part in it (a compromised renderer cannot word or click it).
import { basename } from 'node:path';
import type { KeySummary } from '../../shared/checksum.ts';
import type { FlashPartitionDescription, FlashTargetDescription } from '../../shared/flash.ts';
import { formatBytes } from '../../shared/units.ts';
import type { ShellConfirmation } from '../service/confirmations.ts';

export interface ConfirmationText {
  readonly title: string;
  /** The question, in one line. */
  readonly message: string;
  /** Everything the user must see to answer it. */
  readonly detail: string;
  /** The button that goes ahead; the other one is always "Cancel", and the default. */
  readonly confirmLabel: string;
}

export function confirmationText(request: ShellConfirmation): ConfirmationText {
  switch (request.kind) {
    case 'flash':
      return flashText(request.plan);
    case 'format':
      return {
        title: 'Erase and format',
        message: `Erase this drive and make it an empty ${request.plan.fileSystem === 'fat32' ? 'FAT32' : 'exFAT'} stick named ${request.plan.label}?`,
        detail: [...request.plan.targets.map(describeTarget), `New partition table: ${request.plan.table.toUpperCase()}.`].join('\n\n'),
        confirmLabel: 'Erase and format',
      };
    case 'keys-import':
      return {
        title: 'Trust signing keys',
        message: `Trust ${request.keys.length === 1 ? 'this key' : `these ${request.keys.length} keys`} from ${basename(request.path)}?`,
        detail: [
          ...request.keys.map(describeKey),
          'Checksums signed by it will count as verified. Compare the fingerprint with the one the project publishes before you trust it.',
        ].join('\n\n'),
        confirmLabel: 'Trust and import',
      };
    case 'keys-remove':
      return {
        title: 'Remove a signing key',
        message: 'Stop trusting this key?',
        detail: [describeKey(request.key), 'Checksums signed by it will no longer count as verified.'].join('\n\n'),
        confirmLabel: 'Remove',
      };
    case 'queue':
      return {
        title: 'Erase and write',
        message: `Erase ${request.plans.length === 1 ? 'this drive' : `these ${request.plans.length} drives`} and write each its image?`,
        detail: request.plans.map((plan) => flashText(plan).detail).join('\n\n'),
        confirmLabel: 'Erase and write',
      };
    case 'duplicator':
      return {
        title: 'Write every new stick',
        message: `Erase and write ${request.plan.assessment.fileName} to every stick inserted from now on?`,
        detail: [
          `Image: ${request.plan.imagePath} (${formatBytes(request.plan.imageSizeBytes)}), byte for byte.`,
          'Each stick inserted until you stop that the safety rules allow and that is big enough is erased and written. Drives attached now are left alone.',
          `Afterwards: ${request.plan.verify ? 'read back and compare' : 'no read-back check'}${request.plan.eject ? ', eject' : ''}.`,
        ].join('\n\n'),
        confirmLabel: 'Start',
      };
  }
}

function flashText(plan: Extract<ShellConfirmation, { kind: 'flash' }>['plan']): ConfirmationText {
  const { assessment, targets } = plan;
  const image = `Image: ${assessment.path} (${formatBytes(assessment.sizeBytes)})`;
  const findings = assessment.findings
    .filter((finding) => finding.severity !== 'info')
    .map((finding) => `  ${finding.severity === 'blocking' ? 'Problem' : 'Warning'}: ${finding.message}`);
  const options = `Afterwards: ${plan.verify ? 'read back and compare' : 'no read-back check'}${plan.eject ? ', eject' : ''}.`;
  // Copy mode makes a new stick of the image's files: the dialog says so, and that it starts on UEFI only.
  const how =
    plan.copy === null
      ? 'How: the image byte for byte.'
      : `How: its files copied onto a new FAT32 stick (${plan.copy.table.toUpperCase()} table); it will start on UEFI only, not on BIOS.`;
  return {
    title: 'Erase and write',
    message: `Erase ${targets.length === 1 ? 'this drive' : `these ${targets.length} drives`} and write ${assessment.fileName}?`,
    detail: [[image, ...findings].join('\n'), how, ...targets.map(describeTarget), options].join('\n\n'),
    confirmLabel: 'Erase and write',
  };
}

function describeTarget(target: FlashTargetDescription): string {
  const serial = target.serial === null ? 'no serial number reported' : `serial ${target.serial}`;
  const head = `${target.device}: ${target.description}, ${formatBytes(target.sizeBytes)}, ${serial}`;
  const partitions = target.partitions.length === 0 ? ['  No partitions.'] : target.partitions.map(describePartition);
  return [head, ...partitions, '  Everything on it will be erased.'].join('\n');
}

function describePartition(partition: FlashPartitionDescription): string {
  const words = [
    partition.label === null ? null : `"${partition.label}"`,
    partition.filesystem,
    formatBytes(partition.sizeBytes),
    partition.mountpoints.length === 0 ? null : `mounted at ${partition.mountpoints.join(', ')}`,
  ].filter((word): word is string => word !== null);
  return `  ${partition.device}: ${words.join(', ')}`;
}

function describeKey(key: KeySummary): string {
  const fingerprint = key.fingerprint.replace(/(.{4})/g, '$1 ').trim();
  return [fingerprint, ...(key.userIds.length === 0 ? ['(no user ID)'] : key.userIds)].join('\n');
}
