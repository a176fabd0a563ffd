import { describe, expect, it } from 'vitest';
import { callNames, eventNames, ipcChannelPrefix } from '../../shared/contract.ts';
import type { TargetProgress } from '../../shared/flash.ts';
import { createBridge } from '../../src-main/electron/bridge-factory.ts';
import { appEntryUrl, isNavigationAllowed, isPermissionGranted, isTrustedSender, secureWebPreferences } from '../../src-main/electron/guards.ts';
import { handleIpcCall } from '../../src-main/electron/ipc.ts';
import { taskbarProgress } from '../../src-main/electron/taskbar-progress.ts';
import { contentSecurityPolicy } from '../../src-main/security/content-security-policy.ts';
import { createService } from '../../src-main/service/service.ts';

const service = createService({ shell: 'electron', version: '1', log: () => undefined });
const topFrame = (url: string) => ({ url, parent: null });

describe('Electron window guards', () => {
  it('trusts only our own top-level document', () => {
    expect(isTrustedSender(topFrame(appEntryUrl))).toBe(true);
    expect(isTrustedSender(topFrame('app://isotope/some/other/page.html'))).toBe(true);
  });

  it.each([
    ['a sub-frame of our page', { url: appEntryUrl, parent: {} }],
    ['another app:// host', topFrame('app://evil/index.html')],
    ['a web page', topFrame('https://example.com/')],
    ['a file:// page', topFrame('file:///tmp/index.html')],
    ['a look-alike host', topFrame('app://isotope.evil/index.html')],
    ['a userinfo trick', topFrame('https://app:isotope@evil.example/')],
    ['a garbage URL', topFrame('not a url')],
    ['a destroyed frame', null],
  ])('refuses %s', (_case, frame) => {
    expect(isTrustedSender(frame)).toBe(false);
  });

  it('refuses IPC calls from untrusted frames before the argument is even looked at', async () => {
    const result = await handleIpcCall(service, { senderFrame: topFrame('https://example.com/') }, 'app:describe', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('validates the argument of IPC calls from our own frame', async () => {
    const source = { senderFrame: topFrame(appEntryUrl) };
    expect(await handleIpcCall(service, source, 'image:open', { path: 'relative.iso' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await handleIpcCall(service, source, 'app:describe', {})).toMatchObject({ ok: true, value: { shell: 'electron' } });
  });

  it('denies every navigation and every permission but notifications for our own page', () => {
    for (const url of [appEntryUrl, 'https://example.com/', 'file:///etc/passwd', 'app://isotope/other.html']) {
      expect(isNavigationAllowed(url)).toBe(false);
    }
    for (const permission of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'fileSystem', 'unknown']) {
      expect(isPermissionGranted(permission, appEntryUrl)).toBe(false);
    }
    expect(isPermissionGranted('notifications', appEntryUrl)).toBe(true);
    expect(isPermissionGranted('notifications', 'app://isotope')).toBe(true);
    for (const foreign of ['https://example.com/', 'app://evil/index.html', 'file:///tmp/x.html', '']) {
      expect(isPermissionGranted('notifications', foreign)).toBe(false);
    }
  });

  it('keeps the renderer isolated and sandboxed without Node', () => {
    expect(secureWebPreferences('/app/preload.cjs')).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('serves a CSP that allows no inline code, no eval and no foreign network', () => {
    const policy = contentSecurityPolicy();
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(contentSecurityPolicy({ webSocketOrigins: ['ws://127.0.0.1:5000'] })).toContain('connect-src ws://127.0.0.1:5000');
  });
});

describe('preload bridge', () => {
  const invoked: Array<[string, unknown]> = [];
  const subscriptions: string[] = [];
  const bridge = createBridge({
    invoke: async (channel, request) => {
      invoked.push([channel, request]);
      return { ok: true, value: null };
    },
    on: (channel, listener) => {
      subscriptions.push(channel);
      listener({ payload: 'only' });
      return () => subscriptions.splice(subscriptions.indexOf(channel), 1);
    },
    pathForFile: () => '/dropped.iso',
  });

  it('exposes exactly the contract: one method per call, one subscription per event, and pathForFile', () => {
    expect(Object.keys(bridge).sort()).toEqual(['calls', 'events', 'pathForFile']);
    expect(Object.keys(bridge.calls).sort()).toEqual([...callNames].sort());
    expect(Object.keys(bridge.events).sort()).toEqual([...eventNames].sort());
    expect(Object.isFrozen(bridge) && Object.isFrozen(bridge.calls) && Object.isFrozen(bridge.events)).toBe(true);
  });

  it('sends each call on its own prefixed channel', async () => {
    await bridge.calls['image:open']({ path: '/x.iso' });
    expect(invoked).toContainEqual([`${ipcChannelPrefix}image:open`, { path: '/x.iso' }]);
  });

  it('gives listeners the payload only and returns an unsubscribe function', () => {
    const received: unknown[] = [];
    const unsubscribe = bridge.events['image:opened']((payload) => received.push(payload));
    expect(received).toEqual([{ payload: 'only' }]);
    expect(subscriptions).toContain(`${ipcChannelPrefix}image:opened`);
    unsubscribe();
    expect(subscriptions).not.toContain(`${ipcChannelPrefix}image:opened`);
  });
});

describe('taskbar progress of a flash', () => {
  const target = (phase: TargetProgress['phase'], bytesDone: number, bytesTotal: number | null, failed = false): TargetProgress => ({
    target: '/dev/loop9',
    phase,
    bytesDone,
    bytesTotal,
    bytesPerSecond: 0,
    etaMs: null,
    failed,
  });

  it('shows the current phase averaged over the targets still going', () => {
    expect(taskbarProgress({ jobId: 'j', targets: [target('writing', 25, 100), target('writing', 75, 100)] })).toBe(0.5);
    expect(taskbarProgress({ jobId: 'j', targets: [target('verifying', 10, 100), target('writing', 0, 100, true)] })).toBe(0.1);
    expect(taskbarProgress({ jobId: 'j', targets: [target('flushing', 0, null)] })).toBe(1);
  });

  it('is indeterminate while a size is unknown, and absent without a job or with every target failed', () => {
    expect(taskbarProgress({ jobId: 'j', targets: [target('writing', 5, null)] })).toBe('indeterminate');
    expect(taskbarProgress(null)).toBeNull();
    expect(taskbarProgress({ jobId: 'j', targets: [target('writing', 5, 10, true)] })).toBeNull();
  });
});
