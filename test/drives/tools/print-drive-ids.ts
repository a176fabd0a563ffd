// Prints the drive ids of one fresh enumeration as JSON ({ device: id }), for
// test/drives/drive-id-users.integration.test.ts, which runs it as an unprivileged user.
import { scanDrives } from '../../../src-main/drives/list-drives.ts';

const { drives } = await scanDrives();
process.stdout.write(`${JSON.stringify(Object.fromEntries(drives.map((drive) => [drive.device, drive.id])))}\n`);
