// Builds the cached fixtures once before the suites run (Vitest and Playwright both call this), so
// parallel test files never race to build the same image.
import { helloIsoPath } from '../fixtures/first-slice.ts';

export default function buildFixtures(): void {
  helloIsoPath();
}
