// Slow checks: a 1 GiB file (sparse, with data islands) against the four coreutils tools, and the
// built engine (`npm run build`, which npm test runs first) starting its hashing workers from dist/.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashFile } from '../../src-main/checksum/hash-pass.ts';
import { backslashImageName, deterministicBytes, signedSumsFixture } from '../fixtures/checksum-signed-sums.ts';
import { assertBuilt, runIsotope } from '../helpers/built-cli.ts';
import { coreutilsDigests } from './coreutils.ts';

const dir = mkdtempSync(join(tmpdir(), 'isotope-large-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const allFour = ['md5', 'sha1', 'sha256', 'sha512'] as const;

describe('large files and the bundled engine', () => {
  it('hashes a 1 GiB file in one pass exactly as md5sum, sha1sum, sha256sum and sha512sum do', { timeout: 240_000 }, async () => {
    const path = join(dir, 'one-gib.img');
    const sizeBytes = 1024 * 1024 * 1024;
    const fd = openSync(path, 'w');
    try {
      // Sparse: holes read as zeros; islands of data at the start, unaligned in the middle, and the end.
      for (const offsetBytes of [0, 300 * 1024 * 1024 + 17, sizeBytes - 1024 * 1024]) {
        writeSync(fd, deterministicBytes(1024 * 1024, offsetBytes), 0, 1024 * 1024, offsetBytes);
      }
    } finally {
      closeSync(fd);
    }
    const result = await hashFile(path, { algorithms: allFour });
    expect(result.sizeBytes).toBe(sizeBytes);
    expect(result.digests).toEqual(coreutilsDigests(path, allFour));
  });

  it('starts its workers from the bundle: `isotope hash` and `isotope check` of the built CLI', { timeout: 120_000 }, () => {
    assertBuilt();
    const image = join(dir, 'bundled.img');
    writeFileSync(image, deterministicBytes(9 * 1024 * 1024 + 1, 9)); // more than one chunk: workers
    const env = { ...process.env, ISOTOPE_HOME: join(dir, 'home') };
    const hashed = runIsotope(['hash', image, '--json'], { env });
    expect(hashed.stderr).toBe('');
    expect(JSON.parse(hashed.stdout)).toEqual(coreutilsDigests(image, allFour));

    const fixture = signedSumsFixture();
    const checked = runIsotope(['check', join(fixture.rsaDetached, backslashImageName), '--keyring', fixture.keys.rsa.armoredPath, '--json'], { env });
    expect(JSON.parse(checked.stdout)).toMatchObject({ verdict: 'verified', trusted: true });
  });
});
