// Runs once before the suites (Vitest and Playwright both call it): builds the cached fixtures, so
// parallel test files never race to build the same image, and gives the run its own temporary
// folder (TMPDIR, inherited by the test workers and the processes they start), removed afterwards,
// so no test leaves scratch files behind in /tmp whatever it forgets to clean up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signedSumsFixture } from '../fixtures/checksum-signed-sums.ts';
import { buildBootFixtures } from '../fixtures/boot-images.ts';
import { buildContainerFixtures } from '../fixtures/container-images.ts';
import { buildDiskFixtures } from '../fixtures/disk-images.ts';
import { buildExtFixtures } from '../fixtures/ext-images.ts';
import { buildFatFixtures } from '../fixtures/fat-images.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { buildFlashFixtures } from '../fixtures/flash-images.ts';
import { buildIsoImageFixtures } from '../fixtures/iso-images.ts';
import { buildQemuBootFixtures } from '../fixtures/qemu-boot-images.ts';
import { buildUiFixtures } from '../fixtures/ui-images.ts';
import { buildUdfFixtures } from '../fixtures/udf-images.ts';
import { testTls } from '../net/test-tls.ts';
import { previewIsoPath } from '../fixtures/preview-images.ts';

export default function setUpTestRun(): () => void {
  // Short (Unix socket paths are limited to 108 bytes) and outside the repository.
  const runTmp = mkdtempSync(join(tmpdir(), 'isotope-run-'));
  process.env.TMPDIR = runTmp;
  // Under `sudo npm test` the engine would act as the invoking user (QEMU runs as that user: vm/qemu-user.ts)
  // inside this root-only folder; the tests that need a sudo user stub SUDO_UID/SUDO_GID themselves.
  delete process.env.SUDO_UID;
  delete process.env.SUDO_GID;

  helloIsoPath();
  buildFlashFixtures();
  buildIsoImageFixtures();
  buildBootFixtures();
  buildContainerFixtures();
  signedSumsFixture();
  buildUiFixtures();
  buildUdfFixtures();
  buildFatFixtures();
  buildExtFixtures();
  buildQemuBootFixtures();
  buildDiskFixtures();
  testTls(); // the download tests' CA: made once here, so parallel workers never make two
  previewIsoPath();

  return () => rmSync(runTmp, { recursive: true, force: true });
}
