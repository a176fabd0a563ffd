// Benchmark: list every entry of the UDF tree of an image holding 50,000 files (a genisoimage -udf
// bridge, built once into test/.cache/bench/udf-list/), and compare with `7zz l -tudf` and pycdlib's
// UDF walk on the same image in the same run. Each tool runs as a process (start-up included);
// Isotope also runs in-process. Ratios < 1 mean Isotope is faster.
// Run: npm run build && npx tsx test/bench/udf-list/run.ts
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchFileCount, runListingBench } from '../listing-bench.ts';

await runListingBench({
  name: 'udf-list',
  imageFileName: `files-${benchFileCount}-udf.iso`,
  namespace: 'udf',
  makeImage: (tree, outputPath) => execFileSync('genisoimage', ['-udf', '-quiet', '-o', outputPath, tree], { stdio: 'inherit' }),
  title: (imagePath) => `Listing the UDF tree of ${imagePath}`,
  references: (imagePath, benchDir) => {
    const pycdlibScript = join(benchDir, 'pycdlib-udf-list.py');
    writeFileSync(
      pycdlibScript,
      `import sys, pycdlib\niso = pycdlib.PyCdlib()\niso.open(sys.argv[1])\nfor path, dirs, files in iso.walk(udf_path='/'):\n    for name in dirs + files:\n        print(path.rstrip('/') + '/' + name)\niso.close()\n`,
    );
    return {
      '7zz l -tudf': ['7zz', ['l', '-tudf', imagePath]],
      'pycdlib udf walk': ['/usr/bin/python3', [pycdlibScript, imagePath]],
    };
  },
});
