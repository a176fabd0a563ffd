// `isotope web` as a user runs it (the built CLI): what it says when it cannot listen.
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runIsotope } from '../helpers/built-cli.ts';

let occupier: Server;
let busyPort: number;

beforeAll(async () => {
  assertBuilt();
  occupier = createServer();
  await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', resolve));
  busyPort = (occupier.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => occupier.close(() => resolve())));

describe('isotope web', () => {
  it('on a port already in use prints one line saying so, no stack trace, and exits 2', () => {
    const run = runIsotope(['web', '--port', String(busyPort)]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`isotope: port ${busyPort} on 127.0.0.1 is already in use; choose another with --port, or --port 0 for a free one\n`);
  });
});
