// The Secure Boot pre-check (issue 18): every EFI loader in EFI/BOOT of the FAT volumes the boot report
// reached (El Torito EFI images, ESPs) - the removable-media loaders BOOT*.EFI (UEFI 2.10 3.5.1.1) and
// what a shim beside them chains to (grub*.efi, mm*.efi) - is read in this run and judged against the
// vendored DBX and SBAT level: revoked, unsigned, or whose CA firmware must hold to start it.
import type { SecureBootArchitectureVerdict, SecureBootLoader, SecureBootLoaderVerdict, SecureBootReport, SecureBootSigner } from '../../shared/boot.ts';
import { openFatTree } from '../fat/fat-tree.ts';
import { entryContentSource } from '../format/entry-source.ts';
import type { FileTree } from '../format/file-tree.ts';
import type { WorkBudget } from '../format/work-budget.ts';
import { ByteRangeError, type ByteSource } from '../io/byte-source.ts';
import { CorruptImageError } from '../io/corrupt-image-error.ts';
import { authenticodeSha256, readSignatures } from '../pe/authenticode.ts';
import { readPeImage } from '../pe/pe-image.ts';
import type { Revocations } from '../pe/revocations.ts';
import { readSbat, type SbatEntry } from '../pe/sbat.ts';

/** Real loaders are a few MiB (a GRUB with every module ~10 MiB); a larger "loader" is not read. */
export const MAX_LOADER_BYTES = 64 * 1024 * 1024;
/** shim's second stage and MokManager (shim README: grubx64.efi, mmx64.efi) besides the removable-media names. */
const LOADER_NAME_PATTERN = /^(boot|grub|mm)[a-z0-9_-]*\.efi$/i;
/** Microsoft's CAs that UEFI db holds (Microsoft, "Windows Secure Boot certificate expiration and CA updates"). */
const MICROSOFT_2023_CAS = new Set(['Microsoft UEFI CA 2023', 'Windows UEFI CA 2023']);
const MICROSOFT_2011_CAS = new Set(['Microsoft Corporation UEFI CA 2011', 'Microsoft Windows Production PCA 2011']);

/** The image's own file tree (an ISO's), or why it could not be opened. */
export interface OwnTree {
  readonly tree?: FileTree;
  readonly treeDamage?: string;
}

/** A FAT volume the boot report found loaders on, and how to name it ("El Torito image at sector 34"). */
export interface EfiVolumePlace {
  readonly label: string;
  readonly offsetBytes: number;
}

function sbatRevocations(sbat: readonly SbatEntry[] | null, level: ReadonlyMap<string, number>): string[] {
  const revoked: string[] = [];
  for (const entry of sbat ?? []) {
    const minimum = level.get(entry.component);
    if (minimum !== undefined && entry.generation < minimum) revoked.push(`${entry.component},${entry.generation} < ${minimum}`);
  }
  return revoked;
}

function signerVerdict(signers: readonly SecureBootSigner[]): SecureBootLoaderVerdict {
  if (signers.length === 0) return 'unsigned';
  const names = signers.flatMap((signer) => [signer.subjectCommonName, signer.issuerCommonName]);
  if (names.some((name) => MICROSOFT_2023_CAS.has(name))) return 'microsoft';
  if (names.some((name) => MICROSOFT_2011_CAS.has(name))) return 'microsoft-2011-only';
  return 'other-signer';
}

/** Reads and judges one loader; a corrupt PE or signature makes it 'unreadable' with the reader's words, never a crash. */
export async function checkLoader(source: ByteSource, path: string, revocations: Revocations): Promise<SecureBootLoader> {
  try {
    const image = await readPeImage(source);
    const sha256 = await authenticodeSha256(source, image);
    const sbat = await readSbat(source, image);
    const signers: SecureBootSigner[] = [];
    // pkijs (~800 KB of CommonJS) loads only when a signature is checked, not with every module that
    // imports the boot verdict (a flash from a URL spent ~0.1 s of its main thread loading it unused).
    const { verifyAuthenticodeSignature } = await import('./secure-boot-signers.ts');
    for (const der of await readSignatures(source, image)) {
      const verified = await verifyAuthenticodeSignature(der, sha256, source.name);
      if (verified !== null) signers.push(...verified.chain);
    }
    const dbxRevoked = revocations.dbxSha256ByArchitecture.get(image.architecture)?.has(sha256) ?? false;
    const sbatRevoked = sbatRevocations(sbat, revocations.sbatLevel);
    const verdict = dbxRevoked || sbatRevoked.length > 0 ? 'revoked' : signerVerdict(signers);
    return { path, architecture: image.architecture, authenticodeSha256: sha256, dbxRevoked, sbat, sbatRevoked, signers, verdict };
  } catch (error) {
    if (!(error instanceof CorruptImageError)) throw error;
    return unreadable(path, error.message);
  }
}

function unreadable(path: string, error: string): SecureBootLoader {
  return { path, architecture: 'unknown', authenticodeSha256: '', dbxRevoked: false, sbat: null, sbatRevoked: [], signers: [], verdict: 'unreadable', error };
}

/** The loaders in a tree's EFI/BOOT (ISO 9660 names are upper case, Rock Ridge and Joliet keep the case written); every byte hashed is paid from the image's budget. */
async function checkTree(source: ByteSource, tree: FileTree, label: string, revocations: Revocations, budget: WorkBudget): Promise<SecureBootLoader[]> {
  const directory = (await tree.lookup('/EFI/BOOT')) ?? (await tree.lookup('/efi/boot'));
  if (directory === null || directory.type !== 'directory') return [];
  const files = (await tree.listDirectory(directory)).filter((entry) => entry.type === 'file' && LOADER_NAME_PATTERN.test(entry.name));
  const loaders: SecureBootLoader[] = [];
  for (const file of files) {
    const path = `${label}: ${file.path}`;
    if (file.sizeBytes > MAX_LOADER_BYTES || file.zisofs !== undefined) {
      const why =
        file.zisofs !== undefined ? 'is zisofs-compressed' : `is ${file.sizeBytes} bytes, more than the ${MAX_LOADER_BYTES}-byte limit for an EFI loader`;
      loaders.push(unreadable(path, `${file.path} ${why}`));
      continue;
    }
    budget.spend(file.sizeBytes, `the EFI loader ${path}`);
    loaders.push(await checkLoader(entryContentSource(source, file), path, revocations));
  }
  return loaders;
}

/** Worst first: what a user must act on comes before what works. */
const severity: readonly SecureBootArchitectureVerdict[] = ['refused', 'unsigned', 'unreadable', 'other-signer', 'microsoft-2011-only', 'microsoft'];

/** Per architecture: refused when any loader is revoked (shim refuses a revoked GRUB too), else the worst BOOT*.EFI. */
export function judgeArchitectures(loaders: readonly SecureBootLoader[]): SecureBootReport['byArchitecture'] {
  const architectures = [...new Set(loaders.map((loader) => loader.architecture))].filter((architecture) => architecture !== 'unknown');
  return architectures.map((architecture) => {
    const own = loaders.filter((loader) => loader.architecture === architecture);
    if (own.some((loader) => loader.verdict === 'revoked')) return { architecture, verdict: 'refused' };
    const removable = own.filter((loader) => /^boot/i.test(loader.path.slice(loader.path.lastIndexOf('/') + 1)));
    const judged = (removable.length > 0 ? removable : own).map((loader) => loader.verdict as SecureBootArchitectureVerdict);
    return { architecture, verdict: severity.find((verdict) => judged.includes(verdict)) ?? 'unsigned' };
  });
}

/**
 * The Secure Boot report of the loaders on `volumes` (each offset once) and in the image's own tree
 * (an ISO's EFI/BOOT, which a stick written file by file boots from). A corrupt volume, or an own tree
 * that could not be opened, adds one unreadable entry: "could not look", never "nothing there".
 */
export async function readSecureBoot(
  source: ByteSource,
  volumes: readonly EfiVolumePlace[],
  { tree, treeDamage }: OwnTree,
  revocations: Revocations,
  budget: WorkBudget,
): Promise<SecureBootReport> {
  const loaders: SecureBootLoader[] = [];
  if (treeDamage !== undefined) loaders.push(unreadable('ISO tree: /EFI/BOOT', treeDamage));
  try {
    if (tree) loaders.push(...(await checkTree(source, tree, 'ISO tree', revocations, budget)));
  } catch (error) {
    // A damaged directory on the way to EFI/BOOT leaves those loaders unread, not the rest of the report.
    if (!(error instanceof CorruptImageError) && !(error instanceof ByteRangeError)) throw error;
    loaders.push(unreadable('ISO tree: /EFI/BOOT', error.message));
  }
  const seenOffsets = new Set<number>();
  for (const place of volumes) {
    if (seenOffsets.has(place.offsetBytes)) continue;
    seenOffsets.add(place.offsetBytes);
    try {
      const volume = await openFatTree(source, { offsetBytes: place.offsetBytes, budget });
      loaders.push(...(await checkTree(source, volume, place.label, revocations, budget)));
    } catch (error) {
      if (!(error instanceof CorruptImageError) && !(error instanceof ByteRangeError)) throw error;
      loaders.push(unreadable(`${place.label}: /EFI/BOOT`, error.message));
    }
  }
  const dataDate = revocations.dbxDate < revocations.sbatLevelDate ? revocations.dbxDate : revocations.sbatLevelDate;
  const dataWarnings = revocations.warnings.length > 0 ? { dataWarnings: revocations.warnings } : {};
  return { loaders, byArchitecture: judgeArchitectures(loaders), dataDate, ...dataWarnings };
}
