import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImageSummary } from '../../shared/image.ts';
import { createService } from '../../src-main/service/service.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { isoinfoVolumeSizeBytes, xorrisoVolumeId } from '../helpers/iso-tools.ts';

const quiet = { log: () => undefined };
const webService = () => createService({ shell: 'web', version: '0.0.0-test', ...quiet });

describe('service boundary', () => {
  it('refuses a method the contract does not list', async () => {
    const result = await webService().invoke('fs:readFile', { path: '/etc/shadow' });
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
  });

  it.each([
    ['a relative path', { path: 'relative/image.iso' }, 'not absolute'],
    ['an empty path', { path: '' }, 'empty'],
    ['a NUL byte', { path: '/tmp/a\0b.iso' }, 'NUL'],
    ['a path longer than PATH_MAX', { path: `/${'a'.repeat(5000)}` }, 'longer than'],
    ['a number instead of a string', { path: 42 }, 'path'],
    ['extra keys', { path: '/tmp/x.iso', shell: 'rm -rf /' }, 'shell'],
    ['no argument at all', undefined, 'argument'],
  ])('rejects image:open with %s before touching the disk', async (_case, request, mentions) => {
    const result = await webService().invoke('image:open', request);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid-request');
      expect(result.error.message).toContain(mentions);
    }
  });

  it('summarises an ISO built by xorriso the way xorriso and isoinfo read it', async () => {
    const path = helloIsoPath();
    const result = await webService().invoke('image:open', { path });
    expect(result.ok).toBe(true);
    const summary = (result as { value: ImageSummary }).value;
    expect(summary.format).toBe('iso9660');
    expect(summary.volumeLabel).toBe(xorrisoVolumeId(path));
    expect(summary.volumeSizeBytes).toBe(isoinfoVolumeSizeBytes(path));
    expect(summary.sizeBytes).toBe(statSync(path).size);
    expect(summary.fileName).toBe('hello.iso');
  });

  it('says a file that is not an ISO is not one, without failing', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'isotope-service-'));
    const path = join(folder, 'notes.txt');
    writeFileSync(path, 'x'.repeat(40_000));
    const result = await webService().invoke('image:open', { path });
    expect(result).toMatchObject({ ok: true, value: { format: 'unknown', volumeLabel: null, sizeBytes: 40_000 } });
  });

  it('answers not-found for a missing file and not-a-file for a folder', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'isotope-service-'));
    expect(await webService().invoke('image:open', { path: join(folder, 'missing.iso') })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await webService().invoke('image:open', { path: folder })).toMatchObject({ ok: false, error: { code: 'not-a-file' } });
  });

  it('reports a damaged descriptor as corrupt-image naming the sector and offset', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'isotope-service-'));
    const path = join(folder, 'damaged.iso');
    const bytes = new Uint8Array(17 * 2048);
    const sector = bytes.subarray(16 * 2048);
    sector.set([1, 0x43, 0x44, 0x30, 0x30, 0x31, 1]); // type 1, "CD001", version 1
    const view = new DataView(sector.buffer, sector.byteOffset);
    view.setUint32(80, 17, true);
    view.setUint32(84, 18, false); // ECMA-119 7.3.3: the big-endian half disagrees
    view.setUint16(128, 2048, true);
    view.setUint16(130, 2048, false);
    writeFileSync(path, bytes);
    const result = await webService().invoke('image:open', { path });
    expect(result).toMatchObject({ ok: false, error: { code: 'corrupt-image' } });
    if (!result.ok) expect(result.error.message).toMatch(/sector 16\b.*offset 32848\b/);
  });

  it('tells every subscriber that an image was opened', async () => {
    const service = webService();
    const seen: string[] = [];
    service.events.subscribe((name, payload) => seen.push(`${name} ${(payload as ImageSummary).fileName}`));
    await service.invoke('image:open', { path: helloIsoPath() });
    expect(seen).toEqual(['image:opened hello.iso']);
  });

  it('answers an in-process call typed by the contract, and still validates what a typed caller passes', async () => {
    const service = webService();
    const opened = await service.call('image:open', { path: helloIsoPath() });
    // No cast: `call` answers Result<ImageSummary>, so its fields are read as they are typed.
    expect(opened.ok && opened.value.fileName).toBe('hello.iso');
    const relative = await service.call('image:open', { path: 'relative/hello.iso' });
    expect(relative).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('gives an `on` listener only the events of its name, typed, until it unsubscribes', async () => {
    const service = webService();
    const opened: string[] = [];
    const unsubscribe = service.on('image:opened', (summary) => opened.push(summary.fileName));
    const drivesChanged: unknown[] = [];
    service.on('drives:changed', (change) => drivesChanged.push(change));
    await service.call('image:open', { path: helloIsoPath() });
    unsubscribe();
    await service.call('image:open', { path: helloIsoPath() });
    expect(opened).toEqual(['hello.iso']);
    expect(drivesChanged).toEqual([]);
  });

  it('answers unsupported for a file dialog in a shell without one, and uses the dialog where there is one', async () => {
    expect(await webService().invoke('image:pick', {})).toMatchObject({ ok: false, error: { code: 'unsupported' } });
    const desktop = createService({ shell: 'electron', version: '1', pickOpenPath: async () => '/picked.iso', ...quiet });
    expect(await desktop.invoke('image:pick', {})).toEqual({ ok: true, value: { path: '/picked.iso' } });
    expect(await desktop.invoke('app:describe', {})).toMatchObject({ ok: true, value: { shell: 'electron', canPickFiles: true } });
  });

  it('ejects only a drive found in a fresh enumeration, by id', async () => {
    const service = webService();
    expect(await service.invoke('drives:eject', { driveId: 'sdz-8:999-1' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await service.invoke('drives:eject', { driveId: '' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await service.invoke('drives:eject', { device: '/dev/sda' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('hides the details of a bug behind the internal code and logs it', async () => {
    const logged: unknown[] = [];
    const service = createService({
      shell: 'electron',
      version: '1',
      pickOpenPath: () => Promise.reject(new TypeError('secret stack detail')),
      log: (_message, error) => logged.push(error),
    });
    const result = await service.invoke('image:pick', {});
    expect(result).toEqual({ ok: false, error: { code: 'internal', message: 'internal error (see the engine log)' } });
    expect(logged).toHaveLength(1);
  });
});
