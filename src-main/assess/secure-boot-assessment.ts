// Issue 18: the Secure Boot pre-check as the pre-flight assessment carries it, beside the boot verdict.
// The loaders are read by the assessment's one boot report (boot/secure-boot-check.ts) over this run's
// bytes; when they cannot be read the answer is "unknown" with the reason, never "no".
import type { AssessmentSecureBoot } from '../../shared/assessment.ts';
import type { BootReport } from '../../shared/boot.ts';
import type { IsoImage } from '../iso/iso-tree.ts';
import { openIsoImage } from '../iso/iso-tree.ts';
import { ByteRangeError, type ByteSource } from '../io/byte-source.ts';
import { CorruptImageError } from '../format/corrupt-image-error.ts';
import { loadRevocations, type Revocations } from '../pe/revocations.ts';

/** The revocation data, or the reason it could not be loaded (a damaged data swap): the check is then unknown. */
export async function loadRevocationsOrReason(): Promise<Revocations | AssessmentSecureBoot> {
  try {
    return await loadRevocations();
  } catch (error) {
    return { state: 'unknown', reason: 'no-revocation-data', message: `the Secure Boot revocation data could not be loaded: ${(error as Error).message}` };
  }
}

export function isRevocations(data: Revocations | AssessmentSecureBoot): data is Revocations {
  return 'dbxSha256ByArchitecture' in data;
}

/** An ISO's file tree opened once (for the loaders in its EFI/BOOT and the extents of its files), or the damage that stopped it. */
export interface OpenedIsoTree {
  readonly tree: IsoImage | null;
  readonly damage: CorruptImageError | ByteRangeError | null;
}

export async function openIsoTreeOnce(source: ByteSource): Promise<OpenedIsoTree> {
  try {
    return { tree: await openIsoImage(source), damage: null };
  } catch (error) {
    if (error instanceof CorruptImageError || error instanceof ByteRangeError) return { tree: null, damage: error };
    throw error;
  }
}

/**
 * The assessment's Secure Boot answer from its boot report: judged when the report read the loaders;
 * unknown when the data or the boot records could not be read; absent when the file has no boot records.
 */
export function secureBootOf(
  boot: BootReport | null,
  bootDamage: string | null,
  revocations: Revocations | AssessmentSecureBoot,
): AssessmentSecureBoot | undefined {
  if (!isRevocations(revocations)) return revocations;
  if (bootDamage !== null) {
    return { state: 'unknown', reason: 'damaged', message: `the boot records could not be read, so no EFI loader was: ${bootDamage}` };
  }
  const report = boot?.secureBoot;
  if (!report) return undefined;
  // No architecture judged while a place holding loaders could not be read: "could not look", not
  // "nothing there" (the Write screen would otherwise say Secure Boot does not apply).
  const unread = report.loaders.filter((loader) => loader.verdict === 'unreadable');
  if (report.byArchitecture.length === 0 && unread.length > 0) {
    const where = unread.map((loader) => `${loader.path}: ${loader.error ?? 'unreadable'}`).join('; ');
    return { state: 'unknown', reason: 'damaged', message: `${unread.length} place(s) an EFI loader would be read from could not be read: ${where}` };
  }
  return { state: 'judged', report };
}
