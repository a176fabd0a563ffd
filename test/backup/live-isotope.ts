// Child-process entry: `isotope ARGS` over the real service from the sources, printing as it goes (the
// progress lines a parent waits for before pressing Ctrl-C), with Ctrl-C handled as the CLI handles it.
import { runCli } from '../../src-main/cli/cli.ts';
import { testService } from '../helpers/in-process-cli.ts';

const code = await runCli(process.argv.slice(2), {
  version: '0.0.0-test',
  createService: testService,
  startWeb: () => Promise.reject(new Error('the web shell is not started by this entry')),
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
});
process.exitCode = code ?? 1;
