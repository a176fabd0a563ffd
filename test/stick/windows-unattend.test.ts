// autounattend.xml for Rufus's Windows options, parsed by a real XML parser (Python's
// xml.etree.ElementTree, which rejects ill-formed XML) and checked against the element names of
// Microsoft's Unattended Windows Setup Reference: each option present exactly when chosen, for both
// amd64 and arm64, with every value escaped.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { noWindowsOptions, type WindowsSetupOptions } from '../../shared/stick.ts';
import { buildAutounattendXml, hostRegionalSettings, localAccountNameProblem } from '../../src-main/stick/windows-unattend.ts';

interface XmlNode {
  tag: string;
  attrib: Record<string, string>;
  text: string;
  children: XmlNode[];
}

const parseScript = `import json, sys, xml.etree.ElementTree as ET
def node(e):
    return {'tag': e.tag, 'attrib': dict(e.attrib), 'text': (e.text or '').strip(), 'children': [node(c) for c in e]}
print(json.dumps(node(ET.fromstring(sys.stdin.buffer.read()))))`;

function parseXml(xml: string): XmlNode {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', parseScript], { input: xml, encoding: 'utf8' })) as XmlNode;
}

const unattend = '{urn:schemas-microsoft-com:unattend}';
const wcm = '{http://schemas.microsoft.com/WMIConfig/2002/State}';

/** Unattended Windows Setup Reference: the settings each component we write may hold, by their path below it. */
const schemaPaths: Readonly<Record<string, readonly string[]>> = {
  'Microsoft-Windows-Setup': [
    'RunSynchronous',
    'RunSynchronous/RunSynchronousCommand',
    'RunSynchronous/RunSynchronousCommand/Order',
    'RunSynchronous/RunSynchronousCommand/Path',
  ],
  'Microsoft-Windows-Deployment': [
    'RunSynchronous',
    'RunSynchronous/RunSynchronousCommand',
    'RunSynchronous/RunSynchronousCommand/Order',
    'RunSynchronous/RunSynchronousCommand/Path',
  ],
  'Microsoft-Windows-International-Core': ['InputLocale', 'SystemLocale', 'UILanguage', 'UserLocale'],
  'Microsoft-Windows-Shell-Setup': [
    'OOBE',
    'OOBE/HideOnlineAccountScreens',
    'TimeZone',
    'UserAccounts',
    'UserAccounts/LocalAccounts',
    'UserAccounts/LocalAccounts/LocalAccount',
    ...['Name', 'DisplayName', 'Group', 'Password', 'Password/Value', 'Password/PlainText'].map((name) => `UserAccounts/LocalAccounts/LocalAccount/${name}`),
  ],
};
/** The configuration pass each component's settings above belong to. */
const passOf: Readonly<Record<string, string>> = {
  'Microsoft-Windows-Setup': 'windowsPE',
  'Microsoft-Windows-Deployment': 'specialize',
  'Microsoft-Windows-International-Core': 'oobeSystem',
  'Microsoft-Windows-Shell-Setup': 'oobeSystem',
};

function pathsBelow(node: XmlNode, prefix = ''): string[] {
  return node.children.flatMap((child) => {
    expect(child.tag.startsWith(unattend), `${child.tag} is in the unattend namespace`).toBe(true);
    const path = `${prefix}${child.tag.slice(unattend.length)}`;
    return [path, ...pathsBelow(child, `${path}/`)];
  });
}

/** Parses the answer file and checks every component against the schema; returns them with their pass. */
function components(xml: string): { pass: string; name: string; architecture: string; node: XmlNode }[] {
  const root = parseXml(xml);
  expect(root.tag).toBe(`${unattend}unattend`);
  return root.children.flatMap((settings) => {
    expect(settings.tag).toBe(`${unattend}settings`);
    return settings.children.map((node) => {
      const name = node.attrib.name ?? '';
      expect(node.tag).toBe(`${unattend}component`);
      expect(passOf[name]).toBe(settings.attrib.pass);
      expect(node.attrib).toMatchObject({ publicKeyToken: '31bf3856ad364e35', language: 'neutral', versionScope: 'nonSxS' });
      for (const path of pathsBelow(node)) expect(schemaPaths[name], `${name} holds ${path}`).toContain(path);
      return { pass: settings.attrib.pass ?? '', name, architecture: node.attrib.processorArchitecture ?? '', node };
    });
  });
}

function find(node: XmlNode, path: string): XmlNode[] {
  const [first, ...rest] = path.split('/');
  const matches = node.children.filter((child) => child.tag === `${unattend}${first}`);
  return rest.length === 0 ? matches : matches.flatMap((child) => find(child, rest.join('/')));
}

const texts = (node: XmlNode, path: string): string[] => find(node, path).map((found) => found.text);

describe('autounattend.xml', () => {
  it('is not written when no Windows option is chosen', () => {
    expect(buildAutounattendXml(noWindowsOptions)).toBeNull();
  });

  it('skips the TPM, Secure Boot and RAM checks in the windowsPE pass, for amd64 and arm64, and nothing else', () => {
    const found = components(buildAutounattendXml({ ...noWindowsOptions, skipHardwareChecks: true }) ?? '');
    expect(found.map(({ pass, name, architecture }) => `${pass} ${name} ${architecture}`)).toEqual([
      'windowsPE Microsoft-Windows-Setup amd64',
      'windowsPE Microsoft-Windows-Setup arm64',
    ]);
    for (const { node } of found) {
      const commands = find(node, 'RunSynchronous/RunSynchronousCommand');
      expect(commands.map((command) => command.attrib[`${wcm}action`])).toEqual(['add', 'add', 'add']);
      expect(commands.map((command) => texts(command, 'Order')[0])).toEqual(['1', '2', '3']);
      expect(commands.map((command) => texts(command, 'Path')[0])).toEqual(
        ['BypassTPMCheck', 'BypassSecureBootCheck', 'BypassRAMCheck'].map((value) => `reg add HKLM\\SYSTEM\\Setup\\LabConfig /v ${value} /t REG_DWORD /d 1 /f`),
      );
    }
  });

  it('creates a local administrator without a password, hides the online-account screens and sets BypassNRO', () => {
    const found = components(buildAutounattendXml({ ...noWindowsOptions, localAccountName: 'Ada' }) ?? '');
    expect(found.map(({ pass, name, architecture }) => `${pass} ${name} ${architecture}`)).toEqual([
      'specialize Microsoft-Windows-Deployment amd64',
      'specialize Microsoft-Windows-Deployment arm64',
      'oobeSystem Microsoft-Windows-Shell-Setup amd64',
      'oobeSystem Microsoft-Windows-Shell-Setup arm64',
    ]);
    expect(texts(found[0]!.node, 'RunSynchronous/RunSynchronousCommand/Path')).toEqual([
      'reg add HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\OOBE /v BypassNRO /t REG_DWORD /d 1 /f',
    ]);
    const shell = found[2]!.node;
    expect(texts(shell, 'OOBE/HideOnlineAccountScreens')).toEqual(['true']);
    const account = find(shell, 'UserAccounts/LocalAccounts/LocalAccount')[0]!;
    expect(account.attrib[`${wcm}action`]).toBe('add');
    expect([texts(account, 'Name'), texts(account, 'Group'), texts(account, 'Password/Value'), texts(account, 'Password/PlainText')]).toEqual([
      ['Ada'],
      ['Administrators'],
      [''],
      ['true'],
    ]);
    expect(find(shell, 'TimeZone')).toEqual([]);
  });

  it('takes the regional settings given: International-Core locales and the Shell-Setup time zone', () => {
    const options: WindowsSetupOptions = { ...noWindowsOptions, regional: { locale: 'en-GB', windowsTimeZone: 'GMT Standard Time' } };
    const found = components(buildAutounattendXml(options) ?? '');
    expect(found.map(({ pass, name, architecture }) => `${pass} ${name} ${architecture}`)).toEqual([
      'oobeSystem Microsoft-Windows-International-Core amd64',
      'oobeSystem Microsoft-Windows-Shell-Setup amd64',
      'oobeSystem Microsoft-Windows-International-Core arm64',
      'oobeSystem Microsoft-Windows-Shell-Setup arm64',
    ]);
    const international = found[0]!.node;
    expect(['InputLocale', 'SystemLocale', 'UILanguage', 'UserLocale'].map((name) => texts(international, name)[0])).toEqual([
      'en-GB',
      'en-GB',
      'en-GB',
      'en-GB',
    ]);
    expect(texts(found[1]!.node, 'TimeZone')).toEqual(['GMT Standard Time']);
    expect(find(found[1]!.node, 'UserAccounts')).toEqual([]);
  });

  it('leaves the time zone to Setup when the host zone has no Windows id', () => {
    const found = components(buildAutounattendXml({ ...noWindowsOptions, regional: { locale: 'de-DE', windowsTimeZone: null } }) ?? '');
    expect(found.map(({ name }) => name)).toEqual(['Microsoft-Windows-International-Core', 'Microsoft-Windows-International-Core']);
  });

  it('escapes markup in every value, so the file stays well-formed and says what was given', () => {
    const found = components(
      buildAutounattendXml({ ...noWindowsOptions, localAccountName: "Tom & 'Jo'", regional: { locale: 'en-US', windowsTimeZone: '<Zone & "x">' } }) ?? '',
    );
    const shell = found.find(({ name }) => name === 'Microsoft-Windows-Shell-Setup')!.node;
    expect(texts(shell, 'UserAccounts/LocalAccounts/LocalAccount/Name')).toEqual(["Tom & 'Jo'"]);
    expect(texts(shell, 'TimeZone')).toEqual(['<Zone & "x">']);
  });

  it('refuses account names Windows refuses, naming the problem', () => {
    expect(localAccountNameProblem('a'.repeat(20))).toBeNull();
    expect(localAccountNameProblem('Zoë')).toBeNull();
    expect(localAccountNameProblem('a'.repeat(21))).toMatch(/has 21 characters, Windows allows 20/);
    for (const bad of ['a/b', 'a\\b', 'a@b', 'a:b', 'a*b', 'a<b', 'a"b', 'a\tb']) expect(localAccountNameProblem(bad)).toMatch(/Windows forbids/);
    expect(localAccountNameProblem('. .')).toMatch(/only periods and spaces/);
    expect(localAccountNameProblem('')).toMatch(/empty/);
    expect(() => buildAutounattendXml({ ...noWindowsOptions, localAccountName: 'user@home' })).toThrow(
      expect.objectContaining({ code: 'invalid-request', message: expect.stringContaining('"@"') }),
    );
  });
});

describe('hostRegionalSettings', () => {
  it('names the locale with its region and the Windows time zone of common IANA zones', () => {
    expect(hostRegionalSettings({ locale: 'en-GB', timeZone: 'Europe/London' })).toEqual({ locale: 'en-GB', windowsTimeZone: 'GMT Standard Time' });
    expect(hostRegionalSettings({ locale: 'de-DE-u-co-phonebk', timeZone: 'Europe/Berlin' })).toEqual({
      locale: 'de-DE',
      windowsTimeZone: 'W. Europe Standard Time',
    });
    expect(hostRegionalSettings({ locale: 'sr-Latn-RS', timeZone: 'Europe/Belgrade' })).toEqual({
      locale: 'sr-Latn-RS',
      windowsTimeZone: 'Central Europe Standard Time',
    });
    expect(hostRegionalSettings({ locale: 'en-US', timeZone: 'America/New_York' })?.windowsTimeZone).toBe('Eastern Standard Time');
  });

  it('says unknown (null) rather than guessing: a zone outside the table, a locale without a region', () => {
    expect(hostRegionalSettings({ locale: 'fr-FR', timeZone: 'Antarctica/Troll' })).toEqual({ locale: 'fr-FR', windowsTimeZone: null });
    expect(hostRegionalSettings({ locale: 'fr', timeZone: 'Europe/Paris' })).toBeNull();
  });

  it("reads this computer's settings without failing", () => {
    const settings = hostRegionalSettings();
    if (settings !== null) expect(settings.locale).toMatch(/^[a-z]{2,3}(-[A-Z][a-z]{3})?-[A-Z]{2}$/);
  });
});
