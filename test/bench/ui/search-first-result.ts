// Benchmark, in-process (issue 17: under 150 ms): the time from starting a search of the 50,000-file
// fixture (test/fixtures/ui-images.ts) to its first match handed over, for a name in the big folder.
// Median of 5 runs. Run: npx tsx test/bench/ui/search-first-result.ts
import { searchImage } from '../../../src-main/image/search-image.ts';
import { bigFileName, bigIsoPath } from '../../fixtures/ui-images.ts';

const runs = 5;
const targetMs = 150;
const image = bigIsoPath();
const times: number[] = [];
for (let run = 0; run < runs; run += 1) {
  const startedMs = performance.now();
  let firstMs: number | null = null;
  await searchImage(
    { path: image, pattern: bigFileName(0) },
    {
      onBatch: (batch) => {
        if (firstMs === null && batch.matches.length > 0) firstMs = performance.now() - startedMs;
      },
    },
  );
  if (firstMs === null) throw new Error(`no match for ${bigFileName(0)} in ${image}`);
  times.push(firstMs);
}
const medianMs = [...times].sort((a, b) => a - b)[Math.floor(runs / 2)] ?? Number.NaN;
console.log(
  `search -> first result: ${medianMs.toFixed(0)} ms median of ${runs} (${times.map((ms) => ms.toFixed(0)).join(', ')}); target < ${targetMs} ms: ${medianMs < targetMs ? 'met' : 'NOT met'}`,
);
