// Builds the cached fixtures once before the suites run (Vitest and Playwright both call this), so
// parallel test files never race to build the same image.
import { signedSumsFixture } from '../fixtures/checksum-signed-sums.ts';
import { buildBootFixtures } from '../fixtures/boot-images.ts';
import { buildContainerFixtures } from '../fixtures/container-images.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { buildFlashFixtures } from '../fixtures/flash-images.ts';
import { buildIsoImageFixtures } from '../fixtures/iso-images.ts';
import { buildUiFixtures } from '../fixtures/ui-images.ts';
import { buildUdfFixtures } from '../fixtures/udf-images.ts';

export default function buildFixtures(): void {
  helloIsoPath();
  buildFlashFixtures();
  buildIsoImageFixtures();
  buildBootFixtures();
  buildContainerFixtures();
  signedSumsFixture();
  buildUiFixtures();
  buildUdfFixtures();
}
