// The whole chain through the `isotope check` command and the real service, on sums files made by
// coreutils and signed by real gpg keys (test/fixtures/checksum-signed-sums.ts).
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { VerificationReport } from '../../shared/checksum.ts';
import { backslashImageName, imageName, signedSumsFixture, spacedImageName } from '../fixtures/checksum-signed-sums.ts';
import { coreutilsDigest } from './coreutils.ts';
import { runIsotope } from './run-cli.ts';

const fixture = signedSumsFixture();
let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'isotope-home-'));
  process.env.ISOTOPE_HOME = home;
  return () => rmSync(home, { recursive: true, force: true });
});

/** A private copy of a scenario folder, for tests that alter files. */
function copyScenario(dir: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'isotope-scenario-'));
  cpSync(dir, copy, { recursive: true });
  return copy;
}

async function importKey(path: string): Promise<void> {
  const run = await runIsotope(['keys', 'import', path, '--yes']);
  expect(run.exitCode, run.stderr).toBe(0);
}

async function check(args: readonly string[]): Promise<{ exitCode: number | null; report: VerificationReport; stdout: string }> {
  const run = await runIsotope(['check', ...args, '--json']);
  return { exitCode: run.exitCode, report: run.json<VerificationReport>(), stdout: run.stdout };
}

describe('isotope check on signed sums files', () => {
  it.each([imageName, spacedImageName, backslashImageName])(
    'verifies %j against sha256sum output with a detached RSA signature by a keyring key (exit 0)',
    async (name) => {
      await importKey(fixture.keys.rsa.armoredPath);
      const { exitCode, report } = await check([join(fixture.rsaDetached, name)]);
      expect(report.verdict).toBe('verified');
      expect(report.trusted).toBe(true);
      expect(exitCode).toBe(0);
      const [sums] = report.sumsFiles;
      expect(sums?.sumsPath).toBe(join(fixture.rsaDetached, 'SHA256SUMS'));
      expect(sums?.comparisons).toEqual([
        expect.objectContaining({ matches: true, algorithm: 'sha256', actual: coreutilsDigest('sha256', join(fixture.rsaDetached, name)) }),
      ]);
      expect(sums?.comparisons[0]?.source).toMatchObject({
        kind: 'sums-file',
        entryName: name,
        lineNumber: [imageName, spacedImageName, backslashImageName].indexOf(name) + 1,
      });
      expect(sums?.signature).toMatchObject({
        status: 'good',
        kind: 'detached',
        signaturePath: join(fixture.rsaDetached, 'SHA256SUMS.gpg'),
        signer: { fingerprint: fixture.keys.rsa.fingerprint, userIds: [fixture.keys.rsa.userId] },
      });
    },
  );

  it('verifies a clear-signed sha512sum --tag CHECKSUM file (Ed25519, Fedora layout), key given with --keyring in binary form', async () => {
    const { exitCode, report } = await check([join(fixture.ed25519ClearSigned, imageName), '--keyring', fixture.keys.ed25519.binaryPath]);
    expect(report.verdict).toBe('verified');
    expect(exitCode).toBe(0);
    expect(report.sumsFiles[0]).toMatchObject({
      format: 'bsd',
      comparisons: [{ algorithm: 'sha512', matches: true, actual: coreutilsDigest('sha512', join(fixture.ed25519ClearSigned, imageName)) }],
      signature: { status: 'good', kind: 'clear-signed', signer: { fingerprint: fixture.keys.ed25519.fingerprint } },
    });
  });

  it('reports a mismatch (exit 1) when one byte of the image changed', async () => {
    await importKey(fixture.keys.rsa.armoredPath);
    const dir = copyScenario(fixture.rsaDetached);
    const image = join(dir, imageName);
    const bytes = readFileSync(image);
    bytes[1234] = (bytes[1234] ?? 0) ^ 0x01;
    writeFileSync(image, bytes);
    const { exitCode, report } = await check([image]);
    expect(report.verdict).toBe('mismatch');
    expect(report.trusted).toBe(false);
    expect(exitCode).toBe(1);
    expect(report.sumsFiles[0]?.comparisons[0]).toMatchObject({ matches: false, actual: coreutilsDigest('sha256', image) });
    expect(report.reasons.join('\n')).toContain('SHA256SUMS line 1');
  });

  it('reports a bad signature (exit 1) when the sums file was edited to match an altered image', async () => {
    await importKey(fixture.keys.rsa.armoredPath);
    const dir = copyScenario(fixture.rsaDetached);
    const image = join(dir, imageName);
    appendFileSync(image, 'malware');
    const sums = join(dir, 'SHA256SUMS');
    const lines = readFileSync(sums, 'utf8').split('\n');
    lines[0] = `${coreutilsDigest('sha256', image)}  ${imageName}`;
    writeFileSync(sums, lines.join('\n'));
    const { exitCode, report } = await check([image]);
    expect(report.sumsFiles[0]?.comparisons[0]?.matches).toBe(true);
    expect(report.verdict).toBe('bad-signature');
    expect(report.sumsFiles[0]?.signature.status).toBe('bad');
    expect(exitCode).toBe(1);
  });

  it('reports a bad signature when a clear-signed file was edited inside its signed text', async () => {
    await importKey(fixture.keys.ed25519.armoredPath);
    const dir = copyScenario(fixture.ed25519ClearSigned);
    const sums = join(dir, 'Isotope-41-x86_64-CHECKSUM');
    writeFileSync(sums, readFileSync(sums, 'utf8').replace('# Isotope 41', '# Isotope 42'));
    const { exitCode, report } = await check([join(dir, imageName)]);
    expect(report.verdict).toBe('bad-signature');
    expect(exitCode).toBe(1);
  });

  it('ignores a forged entry added outside the signed text of a clear-signed file', async () => {
    await importKey(fixture.keys.ed25519.armoredPath);
    const dir = copyScenario(fixture.ed25519ClearSigned);
    const sums = join(dir, 'Isotope-41-x86_64-CHECKSUM');
    appendFileSync(sums, `SHA256 (${imageName}) = ${'0'.repeat(64)}\n`);
    const { report } = await check([join(dir, imageName)]);
    expect(report.verdict).toBe('verified');
    expect(report.sumsFiles[0]?.comparisons.map((comparison) => comparison.algorithm)).toEqual(['sha512']);
    expect(report.sumsFiles[0]?.ignoredLineCount).toBe(1);
  });

  it('names the fingerprint of a signer not in the keyring and does not pass (exit 1)', async () => {
    await importKey(fixture.keys.rsa.armoredPath);
    const { exitCode, report } = await check([join(fixture.outsiderSigned, imageName)]);
    expect(report.verdict).toBe('matches-unknown-signer');
    expect(report.sumsFiles[0]?.signature).toMatchObject({
      status: 'unknown-key',
      kind: 'detached',
      signer: { fingerprint: fixture.keys.outsider.fingerprint },
    });
    expect(report.reasons.join('\n')).toContain(fixture.keys.outsider.fingerprint);
    expect(exitCode).toBe(1);
  });

  it('reports a signature by a key that has since expired as such (exit 1)', async () => {
    await importKey(fixture.keys.expired.armoredPath);
    const { exitCode, report } = await check([join(fixture.expiredKeySigned, imageName)]);
    expect(report.verdict).toBe('matches-expired-key');
    expect(report.sumsFiles[0]?.signature).toMatchObject({ status: 'expired-key', signer: { fingerprint: fixture.keys.expired.fingerprint } });
    expect(report.sumsFiles[0]?.signature.createdMs).toBe(Date.UTC(2020, 0, 2));
    expect(exitCode).toBe(1);
  });

  it('reports a signature by a key revoked since as such (exit 1)', async () => {
    await importKey(fixture.keys.revoked.armoredPath);
    const { exitCode, report } = await check([join(fixture.revokedKeySigned, imageName)]);
    expect(report.verdict).toBe('matches-revoked-key');
    expect(report.sumsFiles[0]?.signature).toMatchObject({ status: 'revoked-key', signer: { fingerprint: fixture.keys.revoked.fingerprint } });
    expect(exitCode).toBe(1);
  });

  it('skips a sums file found beside the image that is too large to be one, and uses the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isotope-skip-'));
    const image = join(dir, imageName);
    writeFileSync(image, 'content');
    writeFileSync(join(dir, 'SHA1SUMS'), '');
    truncateSync(join(dir, 'SHA1SUMS'), 17 * 1024 * 1024); // sparse: over the 16 MiB limit
    writeFileSync(join(dir, `${imageName}.sha256`), `${coreutilsDigest('sha256', image)}  ${imageName}\n`);
    const { exitCode, report } = await check([image]);
    expect(report.verdict).toBe('matches-unsigned');
    expect(exitCode).toBe(0);
    expect(report.reasons.join('\n')).toContain(`skipped ${join(dir, 'SHA1SUMS')}`);
  });

  it('takes a sums file and signature given by path, from another folder', async () => {
    const elsewhere = copyScenario(fixture.outsiderSigned);
    rmSync(join(elsewhere, 'SHA256SUMS'));
    rmSync(join(elsewhere, 'SHA256SUMS.asc'));
    const { exitCode, report } = await check([
      join(elsewhere, imageName),
      '--sums',
      join(fixture.outsiderSigned, 'SHA256SUMS'),
      '--signature',
      join(fixture.outsiderSigned, 'SHA256SUMS.asc'),
      '--keyring',
      fixture.keys.outsider.armoredPath,
    ]);
    expect(report.verdict).toBe('verified');
    expect(exitCode).toBe(0);
  });

  it('exits 3 when nothing next to the image lists it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isotope-lonely-'));
    writeFileSync(join(dir, imageName), 'alone');
    writeFileSync(join(dir, 'SHA256SUMS'), `${'1'.repeat(64)}  other.iso\n`);
    const { exitCode, report } = await check([join(dir, imageName)]);
    expect(report.verdict).toBe('nothing-to-compare');
    expect(exitCode).toBe(3);
  });

  it('compares with a pasted value: match exits 0 but is not "verified"; mismatch exits 1; garbage exits 2', async () => {
    const image = join(fixture.rsaDetached, imageName);
    const md5 = coreutilsDigest('md5', image);
    const good = await check([image, '--expect', md5.toUpperCase()]);
    expect(good.report).toMatchObject({ verdict: 'matches-unsigned', trusted: false, pasted: { algorithm: 'md5', matches: true } });
    expect(good.exitCode).toBe(0);
    const bad = await check([image, '--expect', '0'.repeat(40)]);
    expect(bad.report).toMatchObject({ verdict: 'mismatch', pasted: { algorithm: 'sha1', matches: false } });
    expect(bad.exitCode).toBe(1);
    const garbage = await runIsotope(['check', image, '--expect', 'not-a-digest']);
    expect(garbage.exitCode).toBe(2);
    expect(garbage.stderr).toContain('not hexadecimal');
  });

  it('prints a plain-words verdict without --json', async () => {
    const run = await runIsotope(['check', join(fixture.outsiderSigned, imageName)]);
    expect(run.stdout).toContain('UNKNOWN SIGNER');
    expect(run.stdout).toContain(fixture.keys.outsider.fingerprint);
  });
});
