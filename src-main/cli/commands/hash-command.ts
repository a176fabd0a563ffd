// `isotope hash FILE [--algorithm md5,sha1,sha256,sha512] [--cached] [--json]`: digests in one read pass,
// printed in the BSD/--tag format (`SHA256 (name) = hex`, which `sha256sum -c` reads back) or as JSON.
// `--cached` is the only way to get digests the hash cache remembers instead of reading the file, and
// the output then says so (a `#` line, or JSON with a `remembered` key instead of the digests).
// A compressed image (.xz, .gz, .zst, .bz2, .zip) gets its content's digests too, after a `#` line
// saying where its bytes came from, named as the content (`SHA256 (foo.img) = ...` for foo.img.xz);
// in JSON under a `content` key.
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { defaultHashAlgorithms, hashAlgorithms, type ContentDigests, type HashAlgorithm, type HashDigests, type HashResult } from '../../../shared/checksum.ts';
import { ok } from '../../../shared/result.ts';
import { reportResult, type CliContext } from '../cli-context.ts';
import { followHashingJob } from './job-progress.ts';

const tagNames: Readonly<Record<HashAlgorithm, string>> = { md5: 'MD5', sha1: 'SHA1', sha256: 'SHA256', sha512: 'SHA512', blake2b: 'BLAKE2b' };

export function registerHashCommand(program: Command, context: CliContext): void {
  program
    .command('hash')
    .description('compute MD5, SHA-1, SHA-256 and SHA-512 (or the ones asked) of a file or drive in one pass')
    .argument('<file>', 'image file or drive')
    .addOption(
      new Option('--algorithm <list>', `comma-separated, from ${hashAlgorithms.join(', ')}`)
        .default([...defaultHashAlgorithms], defaultHashAlgorithms.join(','))
        .argParser(parseAlgorithms),
    )
    .option('--cached', 'print the digests remembered from an earlier run when this file version has them all, without reading it (said so in the output)')
    .option(
      '--json',
      'print one JSON document: { "md5": "...", ... } (a compressed image adds "content": { "digests": {...}, "decodedSizeBytes": N, "source", "contentName" }; with --cached and remembered digests: { "remembered": { "digests": {...}, "content"?: {...}, "computedAtMs": N } })',
    )
    .action(async (file: string, options: { algorithm: HashAlgorithm[]; cached?: boolean; json?: boolean }) => {
      const path = resolve(file);
      const service = context.createService();
      const request = { path, algorithms: options.algorithm, ...(options.cached ? { cached: true } : {}) };
      const result = await followHashingJob(service, context, 'hash', () => service.call('checksum:hash', request), { enabled: process.stderr.isTTY === true });
      // --json prints the digests alone, as the command's documented shape; remembered ones under their own key.
      const exitCode =
        result.ok && options.json
          ? reportResult(context, ok(jsonShape(result.value)), true, () => '')
          : reportResult(context, result, options.json === true, (value) => describeResult(value, file));
      context.setExitCode(exitCode);
    });
}

export function parseAlgorithms(value: string): HashAlgorithm[] {
  const names = value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const known = names.flatMap((name) => hashAlgorithms.filter((algorithm) => algorithm === name));
  const unknown = names.filter((name) => !hashAlgorithms.some((algorithm) => algorithm === name));
  if (names.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`choose from ${hashAlgorithms.join(', ')}${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}.`);
  }
  return [...new Set(known)];
}

function jsonShape(result: HashResult): HashDigests | { content: ContentDigests } | { remembered: NonNullable<HashResult['remembered']> } {
  if (result.digests !== null) return result.content ? { ...result.digests, content: result.content } : result.digests;
  if (result.remembered === null) throw new Error('a hash result with neither digests read nor remembered ones');
  return { remembered: result.remembered };
}

function describeResult(result: HashResult, displayName: string): string {
  if (result.digests !== null) return describeDigests(result.digests, displayName) + (result.content ? describeContent(result.content, displayName) : '');
  if (result.remembered === null) throw new Error('a hash result with neither digests read nor remembered ones');
  const when = new Date(result.remembered.computedAtMs).toISOString();
  const { content } = result.remembered;
  const contentLines = content ? `# the decoded content of ${displayName}:\n${describeDigests(content, `${displayName} (decoded)`)}` : '';
  return `${describeDigests(result.remembered.digests, displayName)}${contentLines}# remembered from ${when}, not re-read (run without --cached to read the file)\n`;
}

/** The content's digests under its own name (foo.img for foo.img.xz), after a line saying where its bytes came from. */
function describeContent(content: ContentDigests, displayName: string): string {
  const from = content.source === 'decoded-cache' ? 'read from its decoded cache file' : 'decoded in this pass';
  const header = `# the decoded content of ${displayName} (${content.decodedSizeBytes} bytes, ${from}):\n`;
  return header + describeDigests(content.digests, content.contentName ?? `${displayName} (decoded)`);
}

function describeDigests(digests: HashDigests, displayName: string): string {
  // coreutils' escaping: a name with a backslash, newline or CR is escaped and the line starts with "\".
  const escaped = displayName.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\r', '\\r');
  const prefix = escaped === displayName ? '' : '\\';
  const lines = hashAlgorithms
    .filter((algorithm) => digests[algorithm] !== undefined)
    .map((algorithm) => `${prefix}${tagNames[algorithm]} (${escaped}) = ${digests[algorithm]}`);
  return `${lines.join('\n')}\n`;
}
