// Child-process entry: runs `isotope ARGS` in this process over the real service and passes on what it
// prints and its exit code. Started by capped-run.ts under a heap cap, so a parser that grows without
// bound dies here instead of in the test runner.
import { isotope } from './in-process-cli.ts';

const run = await isotope(process.argv.slice(2));
process.stdout.write(run.stdout);
process.stderr.write(run.stderr);
process.exitCode = run.code ?? 1;
