// Prints files:list's answer for the folder named by the first argument, as JSON ({ listing } or
// { error: { code, message } }), for test/files/list-folder-users.integration.test.ts, which runs it
// as an unprivileged user.
import { listFolder } from '../../../src-main/files/list-folder.ts';
import { CodedError } from '../../../src-main/jobs/errors.ts';

const path = process.argv[2] ?? '/';
try {
  process.stdout.write(`${JSON.stringify({ listing: await listFolder({ path, show: 'all' }, { privatePlaces: [] }) })}\n`);
} catch (error) {
  const failure = error instanceof CodedError ? { code: error.code, message: error.message } : { code: 'crash', message: String(error) };
  process.stdout.write(`${JSON.stringify({ error: failure })}\n`);
}
