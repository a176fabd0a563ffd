// Benchmark: list every entry of an ISO holding 50,000 files (Rock Ridge + Joliet, built by xorriso
// once into test/.cache/bench/iso-list/), and compare with xorriso -find, isoinfo -R -l, 7z l and
// pycdlib on the same image in the same run. Each tool runs as a process (start-up included, as a
// user would run it); Isotope also runs in-process. Ratios < 1 mean Isotope is faster.
// Run: npm run build && npx tsx test/bench/iso-list/run.ts
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchFileCount, runListingBench } from '../listing-bench.ts';

await runListingBench({
  name: 'iso-list',
  imageFileName: `files-${benchFileCount}.iso`,
  namespace: 'rockridge',
  makeImage: (tree, outputPath) =>
    execFileSync('xorriso', ['-as', 'mkisofs', '-R', '-J', '-joliet-long', '-quiet', '-o', outputPath, tree], { stdio: 'inherit' }),
  title: (imagePath) => `Listing ${imagePath}`,
  references: (imagePath, benchDir) => {
    const pycdlibScript = join(benchDir, 'pycdlib-list.py');
    writeFileSync(
      pycdlibScript,
      `import sys, pycdlib\niso = pycdlib.PyCdlib()\niso.open(sys.argv[1])\nfor path, dirs, files in iso.walk(rr_path='/'):\n    for name in dirs + files:\n        print(path.rstrip('/') + '/' + name)\niso.close()\n`,
    );
    return {
      'xorriso -find': ['xorriso', ['-indev', imagePath, '-find', '/']],
      'isoinfo -R -l': ['isoinfo', ['-R', '-l', '-i', imagePath]],
      '7zz l': ['7zz', ['l', imagePath]],
      'pycdlib walk': ['/usr/bin/python3', [pycdlibScript, imagePath]],
    };
  },
});
