// Prints one fresh enumeration as JSON ({ device: { id, refusals } }, refusals as the rules' codes),
// judged for writing the image named by the first argument, if any, for
// test/drives/drive-id-users.integration.test.ts, which runs it as an unprivileged user.
import { listDriveStatuses, sourceFactsOf } from '../../../src-main/drives/list-drives.ts';

const imagePath = process.argv[2];
const source = imagePath === undefined ? null : await sourceFactsOf(imagePath);
const statuses = await listDriveStatuses({ includeAll: true, source });
const drives = statuses.map((status) => [status.drive.device, { id: status.drive.id, refusals: status.refusals.map((issue) => issue.code) }]);
process.stdout.write(`${JSON.stringify(Object.fromEntries(drives))}\n`);
