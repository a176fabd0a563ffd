// Runs one backup as the engine does (runBackup: read here, or elevate when the device cannot be
// opened), in a child started as an unprivileged user by backup-elevation.integration.test.ts. The OS
// prompt is played by the parent over the IPC channel: it receives the helper's fixed command line and
// runs it as root, as pkexec would, so the whole path - refusal here, helper, streamed bytes - is real.
import { runBackup } from '../../../src-main/elevation/backup-elevation.ts';
import type { BackupWork } from '../../../src-main/backup/backup-work.ts';

interface Spec {
  readonly work: BackupWork;
  readonly interpreterPath: string;
  readonly entryPath: string;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
const send = (message: unknown): void => void process.send?.(message);
// The helper exits after the bytes are read: its prompt ends after the backup does, and the child
// reports only then, so the engine's channel to the helper is closed before this process ends.
let promptEnded: Promise<void> = Promise.resolve();
const exec = (command: string, done: (error: Error | null) => void): void => {
  promptEnded = new Promise((resolve) =>
    process.once('message', (reply: { error: string | null }) => {
      done(reply.error === null ? null : new Error(reply.error));
      resolve();
    }),
  );
  send({ command });
};
const controls = { jobId: 'as-user', signal: new AbortController().signal, onProgress: () => undefined };
const outcome = await runBackup(spec.work, controls, { interpreterPath: spec.interpreterPath, entryPath: spec.entryPath, exec }).then(
  (result) => ({ result }),
  (error: unknown) => ({ error: { code: (error as { code?: string }).code ?? 'thrown', message: String(error) } }),
);
await promptEnded;
send({ outcome, uid: process.getuid?.() });
process.disconnect?.();
