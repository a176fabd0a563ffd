// The web shell has no interface of its own: the page is all there is, so the engine asks for every
// target's name to be typed and checks it itself. Through the real web shell on a loopback port, with
// a real WebSocket client holding the token (what a compromised page, or any holder of the token, can
// do), against a real loop device.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { DriveStatus } from '../../shared/drive.ts';
import type { FlashPlan, FlashResult } from '../../shared/flash.ts';
import type { JobFinished } from '../../shared/job.ts';
import type { Result } from '../../shared/result.ts';
import { tokenProtocol, webShellProtocol } from '../../shared/web-shell-protocol.ts';
import { createService } from '../../src-main/service/service.ts';
import { startWebShell, type WebShell } from '../../src-main/web/web-shell.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { LoopDevices, cmpIdentical, isRoot, rootSkipReason } from '../flash/loop-devices.ts';

describe.skipIf(!isRoot)(`flash through the web shell (${rootSkipReason})`, () => {
  const loops = new LoopDevices();
  let dir = '';
  let shell: WebShell;
  let socket: WebSocket;
  let device = '';
  let nextId = 1;

  beforeAll(async () => {
    dir = mkdtempSync('/dev/shm/isotope-web-confirm-');
    process.env.ISOTOPE_HOME = join(dir, 'home');
    mkdirSync(join(dir, 'renderer'));
    writeFileSync(join(dir, 'renderer/index.html'), '<!doctype html><title>Isotope</title>');
    const backing = join(dir, 'target.img');
    writeFileSync(backing, '');
    truncateSync(backing, 8 * 1024 * 1024);
    device = loops.attach(backing);
    shell = await startWebShell({
      service: createService({ shell: 'web', version: '1', log: () => undefined }),
      rendererDir: join(dir, 'renderer'),
      port: 0,
      log: () => undefined,
    });
    socket = await new Promise<WebSocket>((resolve, reject) => {
      const client = new WebSocket(`ws://127.0.0.1:${shell.port}/rpc`, [webShellProtocol, tokenProtocol(shell.token)], {
        headers: { Origin: `http://127.0.0.1:${shell.port}` },
      });
      client.once('open', () => resolve(client));
      client.once('error', reject);
    });
  });
  afterAll(async () => {
    socket.close();
    await shell.close();
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  function call<T>(method: string, request: unknown): Promise<Result<T>> {
    const id = nextId++;
    return new Promise((resolve) => {
      const onMessage = (data: WebSocket.RawData): void => {
        const message = JSON.parse(data.toString()) as { kind: string; id?: number; result?: Result<T> };
        if (message.kind === 'result' && message.id === id) {
          socket.off('message', onMessage);
          resolve(message.result!);
        }
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ kind: 'call', id, method, request }));
    });
  }

  function finishedEvent(): Promise<FlashResult> {
    return new Promise((resolve) => {
      const onMessage = (data: WebSocket.RawData): void => {
        const message = JSON.parse(data.toString()) as { kind: string; name?: string; payload?: JobFinished };
        if (message.kind === 'event' && message.name === 'job:finished' && message.payload?.kind === 'flash' && message.payload.result.ok) {
          socket.off('message', onMessage);
          resolve(message.payload.result.value);
        }
      };
      socket.on('message', onMessage);
    });
  }

  async function prepare(): Promise<{ plan: FlashPlan; driveId: string }> {
    const image = helloIsoPath();
    const listed = await call<{ drives: DriveStatus[] }>('drives:list', { includeAll: true, imagePath: image });
    const driveId = (listed.ok ? listed.value.drives : []).find((status) => status.drive.device === device)?.drive.id ?? '';
    const prepared = await call<FlashPlan>('flash:prepare', { imagePath: image, driveIds: [driveId], includeAll: true });
    if (!prepared.ok) throw new Error(prepared.error.message);
    return { plan: prepared.value, driveId };
  }

  it('asks for the typed name of every target, refuses a start without it, and writes with it', async () => {
    execFileSync('dd', ['if=/dev/zero', `of=${device}`, 'bs=1M', 'count=1', 'conv=fsync'], { stdio: 'ignore' });
    const first = await prepare();
    expect(first.plan.targets.map((target) => target.nameToType)).toEqual([device.split('/').pop()]);
    const refused = await call('flash:start', { confirmationId: first.plan.confirmationId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'confirmation-required' } });
    expect(cmpIdentical(helloIsoPath(), device, statSync(helloIsoPath()).size)).toBe(false);

    const second = await prepare();
    const finished = finishedEvent();
    const started = await call('flash:start', { confirmationId: second.plan.confirmationId, typedNames: { [second.driveId]: device.split('/').pop() } });
    expect(started.ok).toBe(true);
    expect(await finished).toMatchObject({ outcome: 'succeeded', targets: [{ outcome: 'verified' }] });
    expect(cmpIdentical(helloIsoPath(), device, statSync(helloIsoPath()).size)).toBe(true);
  });

  it("refuses a keyring import without the engine's confirmation: the first call imports nothing", async () => {
    const answer = await call<{ state: string }>('keys:import', { path: join(dir, 'renderer/index.html'), confirmationId: 'ab'.repeat(16) });
    expect(answer).toMatchObject({ ok: false, error: { code: 'confirmation-required' } });
    expect(await call('keys:list', {})).toEqual({ ok: true, value: { keys: [] } });
  });
});
