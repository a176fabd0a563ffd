// The whole verification chain for one image: find (or take) the sums files and signatures, hash the
// image once with every algorithm they need, compare, check the signatures, and sum it all up in one
// verdict. Green ("verified") only for a good signature by a keyring key over a matching entry.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { PublicKey } from 'openpgp';
import type {
  DigestComparison,
  HashAlgorithm,
  HashDigests,
  SignatureCheck,
  SumsFileCheck,
  SumsFormat,
  VerificationReport,
  VerificationVerdict,
} from '../../shared/checksum.ts';
import { hashImage, type HashImageOptions } from './hash-image.ts';
import { loadKeyring } from './keyring.ts';
import { readKeyFile } from './openpgp-keys.ts';
import { parsePastedDigest, type PastedDigest } from './pasted-digest.ts';
import { checkSignature } from './signature.ts';
import { detachedSignatureSuffixes, findDetachedSignatures, findSumsFiles, type FoundSumsFile } from './sums-discovery.ts';
import { findEntriesFor, maxSumsFileBytes, parseSumsFile, SumsFileError, type SumsEntry } from './sums-file.ts';
import { CodedError } from '../jobs/errors.ts';

/** Never `cached`: every comparison is made with digests read from the file in this run. */
export interface VerifyImageOptions extends Omit<HashImageOptions, 'algorithms' | 'cached'> {
  /** Digests to compute in the same pass besides those the comparisons need. */
  readonly algorithms?: readonly HashAlgorithm[];
  readonly expected?: string;
  readonly sumsPath?: string;
  readonly signaturePath?: string;
  readonly keyringPaths?: readonly string[];
  readonly nowMs?: number;
}

/** The request cannot be carried out as given (e.g. a signature without a sums file to go with it). */
export class VerifyUsageError extends CodedError {
  constructor(message: string) {
    super('invalid-request', message);
    this.name = 'VerifyUsageError';
  }
}

interface LoadedSums {
  readonly found: FoundSumsFile;
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly entries: readonly SumsEntry[];
  readonly allEntryCount: number;
  readonly ignoredLineCount: number;
  readonly clearSigned: boolean;
}

export async function verifyImage(path: string, options: VerifyImageOptions): Promise<VerificationReport> {
  const fileName = basename(path);
  const imageStats = await stat(path);
  if (!imageStats.isFile() && !imageStats.isBlockDevice()) throw new VerifyUsageError(`${path} is not a file or a drive`);
  const pasted: PastedDigest | null = options.expected !== undefined ? parsePastedDigest(options.expected) : null;

  const candidates = await chooseSumsFiles(path, options, pasted !== null);
  const userChoseSums = options.sumsPath !== undefined || options.signaturePath !== undefined;
  const loaded: LoadedSums[] = [];
  const skipped: string[] = [];
  for (const found of candidates) {
    let sums: LoadedSums;
    try {
      sums = await loadSums(found, fileName);
    } catch (error) {
      // A file the user named must be readable; one merely found beside the image is skipped, and said so.
      if (userChoseSums || !(error instanceof Error)) throw error;
      skipped.push(`skipped ${found.sumsPath}: ${error.message}`);
      continue;
    }
    // Found automatically and not naming this image: someone else's sums file, not worth reporting.
    if (sums.entries.length > 0 || userChoseSums) loaded.push(sums);
  }

  const algorithms = new Set<HashAlgorithm>([...(options.algorithms ?? []), ...loaded.flatMap((sums) => sums.entries.map((entry) => entry.algorithm))]);
  if (pasted) algorithms.add(pasted.algorithm);
  const hashed: { sizeBytes: number; digests: HashDigests } =
    algorithms.size > 0 ? await readDigests(path, { ...options, algorithms: [...algorithms] }) : { sizeBytes: imageStats.size, digests: {} };
  const actual = (algorithm: HashAlgorithm): string => hashed.digests[algorithm] ?? '';

  const pastedComparison: DigestComparison | null = pasted
    ? {
        source: { kind: 'pasted' },
        algorithm: pasted.algorithm,
        expected: pasted.digest,
        actual: actual(pasted.algorithm),
        matches: actual(pasted.algorithm) === pasted.digest,
      }
    : null;

  let keyring: PublicKey[] | null = null;
  const loadKeys = async (): Promise<PublicKey[]> => {
    if (keyring) return keyring;
    const own = options.dataDir !== null ? await loadKeyring(options.dataDir) : [];
    const extra: PublicKey[] = [];
    for (const keyringPath of options.keyringPaths ?? []) extra.push(...(await readKeyFile(keyringPath)));
    keyring = [...own, ...extra];
    return keyring;
  };

  const sumsFiles: SumsFileCheck[] = [];
  for (const sums of loaded) {
    const comparisons = sums.entries.map((entry) => compareEntry(entry, sums, actual(entry.algorithm)));
    const signature = sums.entries.length > 0 ? await checkSumsSignature(sums, await loadKeys(), options.nowMs) : notChecked(sums);
    sumsFiles.push({
      sumsPath: sums.found.sumsPath,
      format: majorityFormat(sums.entries),
      entryCount: sums.allEntryCount,
      ignoredLineCount: sums.ignoredLineCount,
      comparisons,
      signature,
    });
  }

  const judged = judge(pastedComparison, sumsFiles, fileName);
  const verdict = judged.verdict;
  const reasons = verdict === 'verified' ? judged.reasons : [...judged.reasons, ...skipped];
  return {
    path,
    fileName,
    sizeBytes: hashed.sizeBytes,
    verdict,
    trusted: verdict === 'verified',
    digests: hashed.digests,
    pasted: pastedComparison,
    sumsFiles,
    reasons,
  };
}

/** The digests read from the file in this run (a verdict never comes from the hash cache). */
async function readDigests(path: string, options: HashImageOptions): Promise<{ sizeBytes: number; digests: HashDigests }> {
  const { sizeBytes, digests } = await hashImage(path, { ...options, cached: false });
  if (digests === null) throw new Error(`hashImage answered ${path} from the cache for a verdict`);
  return { sizeBytes, digests };
}

async function chooseSumsFiles(path: string, options: VerifyImageOptions, hasPasted: boolean): Promise<FoundSumsFile[]> {
  let sumsPath = options.sumsPath;
  if (sumsPath === undefined && options.signaturePath !== undefined) {
    // A detached signature alone names its sums file: SHA256SUMS.gpg signs SHA256SUMS.
    const suffix = detachedSignatureSuffixes.find((candidate) => options.signaturePath?.endsWith(candidate));
    if (!suffix) throw new VerifyUsageError(`cannot tell which sums file ${options.signaturePath} signs: give the sums file too`);
    sumsPath = options.signaturePath.slice(0, -suffix.length);
  }
  if (sumsPath !== undefined) {
    const signaturePaths = options.signaturePath !== undefined ? [options.signaturePath] : await findDetachedSignatures(sumsPath);
    return [{ sumsPath, signaturePaths }];
  }
  // A pasted value is what the user wants compared; sums files are searched only when there is none.
  return hasPasted ? [] : findSumsFiles(path);
}

async function loadSums(found: FoundSumsFile, imageFileName: string): Promise<LoadedSums> {
  const stats = await stat(found.sumsPath);
  if (!stats.isFile()) throw new SumsFileError(`${found.sumsPath} is not a regular file`);
  if (stats.size > maxSumsFileBytes) throw new SumsFileError(`${found.sumsPath} has ${stats.size} bytes, more than the ${maxSumsFileBytes}-byte limit`);
  const bytes = await readFile(found.sumsPath);
  const text = new TextDecoder('utf-8').decode(bytes);
  const parsed = parseSumsFile(text, { sumsFileName: basename(found.sumsPath) });
  return {
    found,
    text,
    bytes,
    entries: findEntriesFor(parsed.entries, imageFileName),
    allEntryCount: parsed.entries.length,
    ignoredLineCount: parsed.ignoredLineCount,
    clearSigned: parsed.clearSigned,
  };
}

function compareEntry(entry: SumsEntry, sums: LoadedSums, actual: string): DigestComparison {
  return {
    source: { kind: 'sums-file', sumsPath: sums.found.sumsPath, lineNumber: entry.lineNumber, entryName: entry.fileName, format: entry.format },
    algorithm: entry.algorithm,
    expected: entry.digest,
    actual,
    matches: actual === entry.digest,
  };
}

async function checkSumsSignature(sums: LoadedSums, keyring: readonly PublicKey[], nowMs: number | undefined): Promise<SignatureCheck> {
  if (sums.clearSigned) {
    const verification = await checkSignature({ kind: 'clear-signed', armoredText: sums.text, signaturePath: sums.found.sumsPath }, keyring, nowMs);
    const { signedText, ...check } = verification;
    // Defence in depth: the entries we compared must be exactly the ones openpgp.js verified.
    if (check.status !== 'bad' && signedText !== null && !sameEntries(parseSumsFile(signedText).entries, parseSumsFile(sums.text).entries)) {
      return { ...check, status: 'bad', reason: 'the entries outside the signed text differ from the signed ones' };
    }
    return check;
  }
  const [signaturePath] = sums.found.signaturePaths;
  if (signaturePath === undefined) return notChecked(sums);
  const signatureStats = await stat(signaturePath);
  if (!signatureStats.isFile() || signatureStats.size > maxSumsFileBytes) {
    return {
      status: 'bad',
      signaturePath,
      kind: 'detached',
      signer: null,
      createdMs: null,
      reason: `${signaturePath} is not a signature file of sensible size`,
    };
  }
  const { signedText: _ignored, ...check } = await checkSignature(
    { kind: 'detached', signedBytes: sums.bytes, signatureBytes: await readFile(signaturePath), signaturePath },
    keyring,
    nowMs,
  );
  return check;
}

function notChecked(_sums: LoadedSums): SignatureCheck {
  return { status: 'not-signed', signaturePath: null, kind: null, signer: null, createdMs: null, reason: 'no signature found for this sums file' };
}

function sameEntries(a: readonly SumsEntry[], b: readonly SumsEntry[]): boolean {
  const key = (entry: SumsEntry): string => `${entry.algorithm}:${entry.digest}:${entry.fileName}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

function majorityFormat(entries: readonly SumsEntry[]): SumsFormat | null {
  if (entries.length === 0) return null;
  const bsd = entries.filter((entry) => entry.format === 'bsd').length;
  return bsd * 2 >= entries.length ? 'bsd' : 'gnu';
}

/**
 * Any negative evidence fails (a mismatch anywhere, a bad signature over a file we compared with);
 * otherwise the strongest positive evidence decides.
 */
function judge(pasted: DigestComparison | null, sumsFiles: readonly SumsFileCheck[], fileName: string): { verdict: VerificationVerdict; reasons: string[] } {
  const reasons: string[] = [];
  const comparisons = [...(pasted ? [pasted] : []), ...sumsFiles.flatMap((sums) => sums.comparisons)];
  for (const sums of sumsFiles) {
    if (sums.comparisons.length === 0) reasons.push(`${sums.sumsPath} has no entry for ${fileName}`);
  }
  if (comparisons.length === 0) {
    if (sumsFiles.length === 0) reasons.push(`no pasted value and no sums file next to ${fileName} lists it`);
    return { verdict: 'nothing-to-compare', reasons };
  }
  for (const comparison of comparisons.filter((candidate) => !candidate.matches)) {
    const where = comparison.source.kind === 'pasted' ? 'the pasted value' : `${comparison.source.sumsPath} line ${comparison.source.lineNumber}`;
    reasons.push(`${comparison.algorithm} of ${fileName} is ${comparison.actual}, ${where} says ${comparison.expected}`);
  }
  const compared = sumsFiles.filter((sums) => sums.comparisons.length > 0);
  for (const sums of compared) {
    if (sums.signature.status !== 'good' && sums.signature.reason) reasons.push(`${sums.sumsPath}: ${sums.signature.reason}`);
  }
  if (comparisons.some((comparison) => !comparison.matches)) return { verdict: 'mismatch', reasons };
  const statuses = new Set(compared.map((sums) => sums.signature.status));
  if (statuses.has('bad')) return { verdict: 'bad-signature', reasons };
  if (statuses.has('good')) return { verdict: 'verified', reasons: [] };
  if (statuses.has('revoked-key')) return { verdict: 'matches-revoked-key', reasons };
  if (statuses.has('expired-key')) return { verdict: 'matches-expired-key', reasons };
  if (statuses.has('unknown-key')) return { verdict: 'matches-unknown-signer', reasons };
  if (pasted) reasons.push('the pasted value is not signed: it is only as trustworthy as the page it came from');
  return { verdict: 'matches-unsigned', reasons };
}
