// The socket side of the HTTP/1.1 reader against the fault server (test/net/https-fault-server.ts):
// a body received into a sink that hands out views of odd sizes and makes the reader wait on some
// writes arrives whole and in order over every path a socket takes (http and https straight, https
// through the CONNECT tunnel, chunked), also when the body is asked for only a while after the head
// (the TLS socket hands over the records it had decrypted after reading was stopped).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BodySink } from '../../src-main/net/body-sink.ts';
import { openFollowingRedirects, type HttpFetchOptions } from '../../src-main/net/http-connection.ts';
import { createSeededRandom } from '../helpers/seeded-random.ts';
import { startConnectProxy, type ConnectProxy } from './connect-proxy.ts';
import { startFaultServer, type FaultServer } from './https-fault-server.ts';
import { seededBytes } from './net-test-helpers.ts';

const source = seededBytes(3_000_000, 23);
let server: FaultServer;
let proxy: ConnectProxy;

beforeAll(async () => {
  server = await startFaultServer({ files: { 'image.iso': source } });
  proxy = await startConnectProxy();
});
afterAll(async () => {
  await proxy.close();
  await server.close();
});

/** A sink over one buffer: views of seeded sizes (1 byte to 96 KiB), every few writes a wait; it fails the test when space() is asked while a wait runs. */
class AwkwardSink implements BodySink {
  readonly bytes = Buffer.alloc(source.length + 1024 * 1024);
  filledBytes = 0;
  waits = 0;
  #waiting = false;
  readonly #random = createSeededRandom(5);

  space(): Uint8Array {
    if (this.#waiting) throw new Error('space() asked while a write was being waited for');
    const sizeBytes = this.#random() < 0.1 ? 1 : 1 + Math.floor(this.#random() * 96 * 1024);
    return this.bytes.subarray(this.filledBytes, this.filledBytes + sizeBytes);
  }

  wrote(byteCount: number): Promise<void> | undefined {
    this.filledBytes += byteCount;
    if (this.#random() < 0.7) return undefined;
    this.waits += 1;
    this.#waiting = true;
    return sleep(1).then(() => {
      this.#waiting = false;
    });
  }
}

async function receive(url: string, options: HttpFetchOptions, delayBeforeBodyMs = 0): Promise<{ sink: AwkwardSink; receivedBytes: number }> {
  const { head, body } = await openFollowingRedirects(url, {}, { extraCaPem: server.caPem, env: {}, ...options });
  try {
    expect(head.statusCode).toBe(200);
    if (delayBeforeBodyMs > 0) await sleep(delayBeforeBodyMs);
    const sink = new AwkwardSink();
    const receivedBytes = await body.readInto(sink);
    return { sink, receivedBytes };
  } finally {
    body.close();
  }
}

describe('reading a body into a sink', () => {
  it.each([
    ['http, straight', () => `${server.httpOrigin}/file/image.iso`, false],
    ['https, straight', () => `${server.origin}/file/image.iso`, false],
    ['http, chunked (no length)', () => `${server.httpOrigin}/nolength/file/image.iso`, false],
    ['https through the CONNECT tunnel', () => `${server.origin}/file/image.iso`, true],
    ['http through the proxy', () => `${server.httpOrigin}/file/image.iso`, true],
  ])('%s: every byte, in order, through views of odd sizes and waits', async (_path, url, viaProxy) => {
    const env = viaProxy ? { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url } : {};
    const { sink, receivedBytes } = await receive(url(), { env });
    expect(receivedBytes).toBe(source.length);
    expect(sink.filledBytes).toBe(source.length);
    expect(sink.bytes.subarray(0, source.length).equals(source)).toBe(true);
    expect(sink.waits).toBeGreaterThan(10);
  });

  it('keeps the bytes a TLS socket hands over after the head when the body is asked for 100 ms later', async () => {
    const { sink, receivedBytes } = await receive(`${server.origin}/file/image.iso`, {}, 100);
    expect(receivedBytes).toBe(source.length);
    expect(sink.bytes.subarray(0, source.length).equals(source)).toBe(true);
  });

  it('ends a body with the rejection of a write', async () => {
    const { body } = await openFollowingRedirects(`${server.httpOrigin}/file/image.iso`, {}, { env: {} });
    const failing: BodySink = { space: () => Buffer.alloc(4096), wrote: () => Promise.reject(new Error('the disk is full')) };
    await expect(body.readInto(failing)).rejects.toThrow('the disk is full');
    body.close();
  });
});
