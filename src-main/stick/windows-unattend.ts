// Rufus's Windows options as an answer file: Windows Setup reads autounattend.xml from the root of
// removable media ("Windows Setup Automation Overview": implicit answer file search, step 5). Each
// option adds its settings only when chosen. Element names and passes are those of Microsoft's
// "Unattended Windows Setup Reference" (components Microsoft-Windows-Setup, -Deployment,
// -International-Core and -Shell-Setup); every component is written for amd64 and arm64 installers.
import type { WindowsRegionalSettings, WindowsSetupOptions } from '../../shared/stick.ts';
import { CodedError } from '../jobs/errors.ts';
import { windowsTimeZoneByIana } from './windows-time-zones.ts';

/** The root folder file name Setup looks for on removable media. */
export const autounattendFileName = 'autounattend.xml';

const architectures = ['amd64', 'arm64'] as const;

/** True when any Windows option is chosen (and so an answer file is written). */
export function hasWindowsOptions(options: WindowsSetupOptions): boolean {
  return options.skipHardwareChecks || options.localAccountName !== null || options.regional !== null;
}

// "Local Accounts" (Windows security reference): a user name has at most 20 characters, none of
// " / \ [ ] : ; | = , + * ? < > @ nor control characters, and is not only periods and spaces.
const maxAccountNameChars = 20;
const forbiddenAccountNameCharacters = /["/\\[\]:;|=,+*?<>@\p{Cc}]/u;

/** Why Windows would refuse `name` as a local account name; null when it is acceptable. */
export function localAccountNameProblem(name: string): string | null {
  if (name.length === 0) return 'the local account name is empty';
  if ([...name].length > maxAccountNameChars)
    return `the local account name "${name}" has ${[...name].length} characters, Windows allows ${maxAccountNameChars}`;
  const forbidden = forbiddenAccountNameCharacters.exec(name);
  if (forbidden) return `the local account name "${name}" holds ${JSON.stringify(forbidden[0])}, which Windows forbids in user names`;
  if (/^[. ]+$/.test(name)) return `the local account name "${name}" is only periods and spaces`;
  return null;
}

/** XML 1.0 2.4: the characters text and attribute values must escape. */
function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

type Element = string; // one XML element, already serialised

function element(name: string, content: string | readonly Element[], attributes = ''): Element {
  const inner = typeof content === 'string' ? escapeXml(content) : content.join('');
  return `<${name}${attributes}>${inner}</${name}>`;
}

const addAction = ' wcm:action="add"';

function runSynchronous(commandElement: string, paths: readonly string[]): Element {
  return element(
    'RunSynchronous',
    paths.map((path, index) => element(commandElement, [element('Order', String(index + 1)), element('Path', path)], addAction)),
  );
}

function component(name: string, architecture: string, content: readonly Element[]): Element {
  const attributes =
    ` name="${name}" processorArchitecture="${architecture}" publicKeyToken="31bf3856ad364e35" language="neutral" versionScope="nonSxS"` +
    ' xmlns:wcm="http://schemas.microsoft.com/WMIConfig/2002/State" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
  return element('component', content, attributes);
}

// The LabConfig values Windows 11 Setup reads before its hardware checks (as Rufus writes them).
const labConfigChecks = ['BypassTPMCheck', 'BypassSecureBootCheck', 'BypassRAMCheck'];

function windowsPePass(options: WindowsSetupOptions, architecture: string): Element[] {
  if (!options.skipHardwareChecks) return [];
  const commands = labConfigChecks.map((value) => `reg add HKLM\\SYSTEM\\Setup\\LabConfig /v ${value} /t REG_DWORD /d 1 /f`);
  return [component('Microsoft-Windows-Setup', architecture, [runSynchronous('RunSynchronousCommand', commands)])];
}

function specializePass(options: WindowsSetupOptions, architecture: string): Element[] {
  if (options.localAccountName === null) return [];
  // BypassNRO lets OOBE finish without a network (and so without a Microsoft account).
  const command = 'reg add HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\OOBE /v BypassNRO /t REG_DWORD /d 1 /f';
  return [component('Microsoft-Windows-Deployment', architecture, [runSynchronous('RunSynchronousCommand', [command])])];
}

function internationalCore(regional: WindowsRegionalSettings, architecture: string): Element {
  const { locale } = regional;
  return component('Microsoft-Windows-International-Core', architecture, [
    element('InputLocale', locale),
    element('SystemLocale', locale),
    element('UILanguage', locale),
    element('UserLocale', locale),
  ]);
}

function shellSetup(options: WindowsSetupOptions, architecture: string): Element | null {
  const content: Element[] = [];
  if (options.localAccountName !== null) {
    content.push(element('OOBE', [element('HideOnlineAccountScreens', 'true')]));
    const password = element('Password', [element('Value', ''), element('PlainText', 'true')]);
    const name = options.localAccountName;
    const account = element('LocalAccount', [element('Name', name), element('DisplayName', name), element('Group', 'Administrators'), password], addAction);
    content.push(element('UserAccounts', [element('LocalAccounts', [account])]));
  }
  const timeZone = options.regional?.windowsTimeZone ?? null;
  if (timeZone !== null) content.push(element('TimeZone', timeZone));
  return content.length > 0 ? component('Microsoft-Windows-Shell-Setup', architecture, content) : null;
}

function oobeSystemPass(options: WindowsSetupOptions, architecture: string): Element[] {
  const components: Element[] = [];
  if (options.regional !== null) components.push(internationalCore(options.regional, architecture));
  const shell = shellSetup(options, architecture);
  if (shell !== null) components.push(shell);
  return components;
}

const passes = [
  { name: 'windowsPE', build: windowsPePass },
  { name: 'specialize', build: specializePass },
  { name: 'oobeSystem', build: oobeSystemPass },
] as const;

/**
 * The answer file for the chosen options, UTF-8; null when none is chosen (no file is written).
 * A local account name Windows would refuse is an `invalid-request` naming it.
 */
export function buildAutounattendXml(options: WindowsSetupOptions): string | null {
  if (!hasWindowsOptions(options)) return null;
  if (options.localAccountName !== null) {
    const problem = localAccountNameProblem(options.localAccountName);
    if (problem) throw new CodedError('invalid-request', problem);
  }
  const settings: Element[] = [];
  for (const pass of passes) {
    const components = architectures.flatMap((architecture) => pass.build(options, architecture));
    if (components.length > 0) settings.push(element('settings', components, ` pass="${pass.name}"`));
  }
  const root = element('unattend', settings, ' xmlns="urn:schemas-microsoft-com:unattend"');
  return `<?xml version="1.0" encoding="utf-8"?>\n${root}\n`;
}

// BCP 47 with a region, as Windows names locales: "en-GB", "sr-Latn-RS".
const windowsLocalePattern = /^[a-z]{2,3}(-[A-Z][a-z]{3})?-[A-Z]{2}$/;

/**
 * This computer's regional settings as Windows Setup names them, from the ICU locale and IANA time
 * zone; null when the locale has no region (Setup would not know which). The time zone is null when
 * the table has no Windows id for it.
 */
export function hostRegionalSettings(
  host: { locale: string; timeZone: string } = {
    locale: Intl.DateTimeFormat().resolvedOptions().locale,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  },
): WindowsRegionalSettings | null {
  const locale = new Intl.Locale(host.locale);
  const tag = [locale.language, locale.script, locale.region].filter((part) => part !== undefined).join('-');
  if (!windowsLocalePattern.test(tag)) return null;
  return { locale: tag, windowsTimeZone: windowsTimeZoneByIana[host.timeZone] ?? null };
}
