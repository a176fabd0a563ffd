// Runs a command as an unprivileged user (nobody) inside a private mount namespace whose
// /usr/bin/pkexec is a fake: it logs its arguments and hands the command to a root daemon
// (test/flash/tools/fake-polkit.py) that runs it as root with PKEXEC_UID set to the caller, as polkit
// does. The elevation path end to end, without touching the system (test/flash/elevation.integration.test.ts,
// test/vm/try-drive-elevated.integration.test.ts).
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../fixtures/fixture-cache.ts';
import { withoutProxy } from './no-proxy.ts';

const fakePolkit = fileURLToPath(new URL('../flash/tools/fake-polkit.py', import.meta.url));
/** The unprivileged user the engine runs as. */
export const nobody = 65534;

export interface FakePkexecRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** What pkexec was asked, one argument a line. */
  readonly pkexecLog: string;
}

/** What a run's own files add to its command line and environment (prepareRun). */
export interface RunFolderAdditions {
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

export interface FakePkexecOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** Writes what the command reads into the fresh run folder (a spec, a canary) before it starts; what it returns is added. */
  readonly prepareRun?: (run: string) => RunFolderAdditions;
}

/** Runs `command` (argv) as nobody with the fake pkexec, in a fresh run folder under `dir`, with HOME and TMPDIR of nobody's own. */
export function runAsNobodyWithFakePkexec(dir: string, command: readonly string[], options: FakePkexecOptions = {}): FakePkexecRun {
  const run = mkdtempSync(join(dir, 'run-'));
  chmodSync(run, 0o755);
  const additions = options.prepareRun?.(run) ?? {};
  const log = join(run, 'pkexec.log');
  writeFileSync(log, '', { mode: 0o666 });
  chmodSync(log, 0o666);
  const home = join(run, 'home'); // HOME and TMPDIR of the engine (tsx keeps its cache there)
  mkdirSync(home);
  chownSync(home, nobody, nobody);
  const socket = join(run, 'polkit.socket');
  const fakePkexec = [
    '#!/bin/sh',
    `printf '%s\\n' "$@" >> '${log}'`,
    '[ "$1" = --disable-internal-agent ] && shift',
    `exec /usr/bin/python3 '${fakePolkit}' run '${socket}' "$@"`,
  ].join('\n');
  const script = [
    'set -e',
    'mkdir -p "$1/upper" "$1/work"',
    'mount -t overlay overlay -o "lowerdir=/usr/bin,upperdir=$1/upper,workdir=$1/work" /usr/bin',
    'printf "%s\\n" "$2" > /usr/bin/pkexec',
    'chmod 755 /usr/bin/pkexec',
    '/usr/bin/python3 "$3" serve "$4" & polkit=$!',
    'while [ ! -S "$4" ]; do sleep 0.05; done',
    'shift 4',
    'set +e',
    `setpriv --reuid=${nobody} --regid=${nobody} --clear-groups -- "$@"`,
    'status=$?',
    'kill "$polkit"',
    'exit "$status"',
  ].join('\n');
  const result = spawnSync(
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', join(run, 'overlay'), fakePkexec, fakePolkit, socket, ...command, ...(additions.args ?? [])],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 120_000,
      env: { ...withoutProxy(), ...options.env, ...additions.env, HOME: home, TMPDIR: home },
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, pkexecLog: readFileSync(log, 'utf8') };
}
