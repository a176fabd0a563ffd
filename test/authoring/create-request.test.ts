// createAuthoringOptions on a real folder: a reproducible create's tree is the walk's own, with owners
// 0 and `mkisofs -r` modes given as the walk reads them (issue 15: a second, normalised copy of the
// tree held every node twice until the write ended, about 35 MB of heap for 50,000 files).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuthoringOptions } from '../../src-main/authoring/create-request.ts';
import { findAuthoringNode } from '../../src-main/format/authoring-tree.ts';

const scratch = mkdtempSync(join(tmpdir(), 'isotope-create-request-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('createAuthoringOptions', () => {
  it("gives a reproducible tree owners 0 and mkisofs -r modes on the walk's own nodes, not on a second copy", async () => {
    mkdirSync(join(scratch, 'tools'));
    writeFileSync(join(scratch, 'tools', 'run.sh'), 'echo hi\n');
    chmodSync(join(scratch, 'tools', 'run.sh'), 0o4750);
    writeFileSync(join(scratch, 'secret.txt'), 'x');
    chmodSync(join(scratch, 'secret.txt'), 0o600);

    const { root } = await createAuthoringOptions({ sources: [scratch], outputPath: join(tmpdir(), 'unused.iso'), options: { reproducible: true } });

    const script = findAuthoringNode(root, 'tools/run.sh');
    const secret = findAuthoringNode(root, 'secret.txt');
    expect(script).toMatchObject({ mode: 0o100555, uid: 0, gid: 0, origin: join(scratch, 'tools', 'run.sh') });
    expect(secret).toMatchObject({ mode: 0o100444, uid: 0, gid: 0 });
    // A walked node makes its path when asked (a getter shared by all nodes); a copy holds its own.
    for (const node of [root, script, secret]) expect(Object.getOwnPropertyDescriptor(node, 'origin')).toBeUndefined();
  });
});
