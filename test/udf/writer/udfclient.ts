// udfclient (NetBSD's UDF implementation, as packaged in udfclient) driven by a script on stdin. It must
// be told the sector size of an image file (-b 2048): without it, it looks for the anchor at 512-byte
// sectors and lists nothing at all, on genisoimage -udf's images as on ours.
import { spawnSync } from 'node:child_process';

/** Runs a udfclient script; udfclient reports failures on either stream and still exits 0, so both are returned. */
export function runUdfclient(path: string, script: string): string {
  const result = spawnSync('udfclient', ['-b', '2048', path], { input: `${script}\nquit\n`, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return `${result.stdout}${result.stderr}`;
}

/** The volume-set directory udfclient shows at its root ("<volume set id>:<volume>:<logical volume>:<file set>"); the tree is inside it. */
export function udfclientVolume(path: string): string | undefined {
  return runUdfclient(path, 'ls')
    .split('\n')
    .find((line) => line.startsWith('d'))
    ?.trim()
    .split(/\s+/)
    .slice(4)
    .join(' ');
}
