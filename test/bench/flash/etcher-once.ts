// One etcher-sdk write + verify of IMAGE to the block device TARGET in its own process (for its peak
// RSS), timed by its own progress events. etcher-sdk is installed in test/bench/flash/ for this
// benchmark only (run.ts passes that folder's package.json to resolve it from).
// Bundled like isotope-once.ts (etcher-sdk itself stays a package) and run by plain node.
// Usage: node etcher-once.mjs IMAGE TARGET SIZE_BYTES
import { createRequire } from 'node:module';

interface EtcherProgress {
  readonly type: string;
}
interface EtcherSdk {
  sourceDestination: {
    File: new (options: { path: string }) => unknown;
    BlockDevice: new (options: { drive: Record<string, unknown>; unmountOnSuccess: boolean; write: boolean; direct: boolean }) => unknown;
  };
  multiWrite: {
    pipeSourceToDestinations(options: {
      source: unknown;
      destinations: unknown[];
      onFail: (destination: unknown, error: Error) => void;
      onProgress: (progress: EtcherProgress) => void;
      verify: boolean;
      numBuffers: number;
    }): Promise<{ failures: Map<unknown, Error>; bytesWritten: number }>;
  };
}

const [image, target, size, benchManifest] = process.argv.slice(2) as [string, string, string, string];
const sdk = createRequire(benchManifest)('etcher-sdk') as EtcherSdk;
const drive = {
  device: target,
  raw: target,
  devicePath: null,
  description: 'loop',
  size: Number(size),
  mountpoints: [],
  isSystem: false,
  isReadOnly: false,
  isRemovable: true,
  isVirtual: false,
  blockSize: 512,
  logicalBlockSize: 512,
  busType: 'UNKNOWN',
  enumerator: 'bench',
  error: null,
};
const destination = new sdk.sourceDestination.BlockDevice({ drive, unmountOnSuccess: false, write: true, direct: true });
const startedMs = performance.now();
const phaseStartMs = new Map<string, number>();
const failures: string[] = [];
const result = await sdk.multiWrite.pipeSourceToDestinations({
  source: new sdk.sourceDestination.File({ path: image }),
  destinations: [destination],
  onFail: (_destination, error) => failures.push(error.message),
  onProgress: (progress) => {
    if (!phaseStartMs.has(progress.type)) phaseStartMs.set(progress.type, performance.now());
  },
  verify: true,
  numBuffers: 16,
});
const doneMs = performance.now();
process.stdout.write(
  `${JSON.stringify({
    outcome: failures.length === 0 && result.failures.size === 0 ? 'succeeded' : `failed: ${failures.join('; ')}`,
    writeMs: (phaseStartMs.get('verifying') ?? doneMs) - startedMs,
    verifyMs: phaseStartMs.has('verifying') ? doneMs - phaseStartMs.get('verifying')! : 0,
    totalMs: doneMs - startedMs,
  })}\n`,
);
