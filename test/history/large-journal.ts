// A large history journal for the memory test and the history bench (test/bench/history): ended
// flash jobs of one stick each, written as the engine writes them, ids and image names numbered.
import { closeSync, openSync, writeSync } from 'node:fs';

/** `jobCount` ended jobs of about 1.1 KB each (a started and an ended line), as a long-used duplicator's journal holds them. */
export function writeLargeJournal(path: string, jobCount: number): void {
  const fd = openSync(path, 'w');
  const owner = { pid: 1, startTicks: 0 };
  const target = (outcome: string) => ({
    device: '/dev/sdq',
    model: 'SanDisk Cruzer Blade USB 3.0 Flash Drive',
    serial: '4C530001230515117262',
    sizeBytes: 32_015_679_488,
    busPath: 'pci-0000:00:14.0-usb-0:2.4:1.0-scsi-0:0:0:0',
    outcome,
    error: null,
  });
  let batch: string[] = [];
  for (let index = 0; index < jobCount; index += 1) {
    const id = `0b7c1d2e-3f40-4a5b-8c6d-${index.toString().padStart(12, '0')}`;
    const image = { path: `/home/operator/Downloads/images/debian-12.8.0-amd64-netinst-${index}.iso`, url: null, sizeBytes: 661_651_456, sha256: null };
    batch.push(
      JSON.stringify({
        v: 1,
        event: 'started',
        owner,
        id,
        kind: 'flash',
        image,
        targets: [target('running')],
        mode: 'raw',
        startedMs: 1_700_000_000_000 + index,
      }),
    );
    batch.push(
      JSON.stringify({
        v: 1,
        event: 'ended',
        id,
        endedMs: 1_700_000_060_000 + index,
        outcome: 'succeeded',
        writeBytesPerSecond: 31_457_280,
        verifyBytesPerSecond: 94_371_840,
        verify: 'passed',
        error: null,
        targets: [{ ...target('succeeded'), writeBytesPerSecond: 31_457_280, verifyBytesPerSecond: 94_371_840 }],
        image: { sha256: 'e'.repeat(64) },
      }),
    );
    if (batch.length >= 2000) {
      writeSync(fd, `${batch.join('\n')}\n`);
      batch = [];
    }
  }
  writeSync(fd, batch.length > 0 ? `${batch.join('\n')}\n` : '');
  closeSync(fd);
}
