// `isotope check FILE [--expect HEX] [--sums FILE] [--signature FILE] [--keyring FILE]... [--json]`:
// the whole verification chain. Exit 0: the hash matches (and any signature involved is good by a
// keyring key); 1: mismatch, bad signature or untrusted signer; 2: usage; 3: nothing to compare with.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { DigestComparison, VerificationReport, VerificationVerdict } from '../../../shared/checksum.ts';
import { collect, reportResult, type CliContext } from '../cli-context.ts';
import { exitCodes } from '../exit-codes.ts';
import { followHashingJob } from './job-progress.ts';

/** The CLI's exit code for each verdict (the brief's table). */
export const verdictExitCodes: Readonly<Record<VerificationVerdict, number>> = {
  verified: exitCodes.ok,
  'matches-unsigned': exitCodes.ok,
  'matches-unknown-signer': exitCodes.failed,
  'matches-expired-key': exitCodes.failed,
  'matches-revoked-key': exitCodes.failed,
  mismatch: exitCodes.failed,
  'bad-signature': exitCodes.failed,
  'nothing-to-compare': 3, // the brief's code for "nothing to compare with" (shares its number with exitCodes.corrupt)
};

const verdictWords: Readonly<Record<VerificationVerdict, string>> = {
  verified: 'VERIFIED: the hash matches and the sums file is signed by a key in your keyring',
  'matches-unsigned': 'MATCHES, NOT SIGNED: the hash matches, but nothing proves who published the value',
  'matches-unknown-signer': 'MATCHES, UNKNOWN SIGNER: the sums file is signed by a key not in your keyring; check its fingerprint',
  'matches-expired-key': 'MATCHES, EXPIRED KEY: the signing key has expired',
  'matches-revoked-key': 'MATCHES, REVOKED KEY: the signing key has been revoked; do not trust this signature',
  mismatch: 'MISMATCH: the file is not the one the checksum describes (damaged or altered download)',
  'bad-signature': 'BAD SIGNATURE: the sums file was altered after it was signed',
  'nothing-to-compare': 'NOTHING TO COMPARE: no pasted value, and no sums file next to the file lists it',
};

export function registerCheckCommand(program: Command, context: CliContext): void {
  program
    .command('check')
    .description('verify a file against a checksum, sums files and their OpenPGP signatures')
    .argument('<file>', 'image file or drive')
    .option('--expect <hex>', 'a digest to compare with (algorithm inferred from its length)')
    .option('--sums <file>', 'a sums file (default: found next to the image)')
    .option('--signature <file>', 'a detached signature of the sums file (default: SUMS.gpg/.sig/.asc/.sign beside it)')
    .option('--keyring <file>', 'extra trusted public keys (repeatable)', collect, [])
    .option('--json', 'print one JSON document')
    .action(async (file: string, options: { expect?: string; sums?: string; signature?: string; keyring: string[]; json?: boolean }) => {
      const request = {
        path: resolve(file),
        ...(options.expect !== undefined ? { expected: options.expect } : {}),
        ...(options.sums !== undefined ? { sumsPath: resolve(options.sums) } : {}),
        ...(options.signature !== undefined ? { signaturePath: resolve(options.signature) } : {}),
        ...(options.keyring.length > 0 ? { keyringPaths: options.keyring.map((path) => resolve(path)) } : {}),
      };
      const service = context.createService();
      const result = await followHashingJob(service, context, 'verify', () => service.call('checksum:verify', request), {
        enabled: process.stderr.isTTY === true,
      });
      const code = reportResult(context, result, options.json === true, describeReport);
      context.setExitCode(result.ok ? verdictExitCodes[result.value.verdict] : code);
    });
}

function describeReport(report: VerificationReport): string {
  const lines = [`${report.fileName}: ${verdictWords[report.verdict]}`];
  const describeComparison = (comparison: DigestComparison): string => {
    const where = comparison.source.kind === 'pasted' ? 'pasted value' : `${comparison.source.sumsPath}:${comparison.source.lineNumber}`;
    // A compressed image: say whether the file's digest or its content's was compared ("the content of foo.img.xz matches foo.img").
    const named = comparison.source.kind === 'sums-file' ? ` ${comparison.source.entryName}` : '';
    const subject =
      comparison.subject === undefined
        ? ''
        : comparison.subject === 'content'
          ? ` of the content of ${report.fileName}${named ? ` as${named}` : ''}`
          : ` of ${report.fileName}`;
    return `  ${comparison.matches ? 'match   ' : 'MISMATCH'} ${comparison.algorithm}${subject} ${comparison.actual} (${where})`;
  };
  if (report.pasted) lines.push(describeComparison(report.pasted));
  for (const sums of report.sumsFiles) {
    lines.push(...sums.comparisons.map(describeComparison));
    const signer = sums.signature.signer;
    if (signer) {
      const who = signer.userIds.length > 0 ? `${signer.userIds[0]} ` : '';
      lines.push(`  signature ${sums.signature.status}: ${who}${signer.fingerprint}`);
    } else if (sums.comparisons.length > 0) {
      lines.push(`  signature ${sums.signature.status}`);
    }
  }
  if (report.verdict !== 'verified') lines.push(...report.reasons.map((reason) => `  - ${reason}`));
  return `${lines.join('\n')}\n`;
}
