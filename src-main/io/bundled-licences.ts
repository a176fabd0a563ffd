// The licences of what Isotope ships, for Settings › About (issue 17): the engine's runtime libraries,
// each read from its own installed package.json (so the list names what is really there, at the
// version installed), and the vendored Secure Boot data (resources/secureboot/README.md gives the
// source and licence file of each). A library whose package.json cannot be read is listed as unknown.
// Each item's full licence text is read on demand from the file installed with it, found by the
// item's name in this list: a caller names an item, never a path.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { maxLicenceTextBytes, type BundledLicence, type LicenceText } from '../../shared/app.ts';
import { openFileSource } from './file-source.ts';
import { secureBootDataFolder } from './vendored-data.ts';

/** The app's root: two folders up from src-main/io/ in the source tree, and from dist/main/ beside the bundle. */
const appRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A vendored data item, with its licence file in secureBootDataFolder(). */
interface BundledData extends BundledLicence {
  readonly licenceFileName: string;
}

/** The vendored data files and their licences, as resources/secureboot/README.md records them. */
const bundledData: readonly BundledData[] = [
  {
    name: 'Microsoft secureboot_objects (DBX revocation list)',
    version: '06fe58a',
    licence: 'BSD-2-Clause-Patent',
    kind: 'data',
    licenceFileName: 'LICENSE.secureboot_objects.txt',
  },
  { name: 'shim SBAT revocation levels', version: '72fd4b70', licence: 'BSD-2-Clause (shim COPYRIGHT)', kind: 'data', licenceFileName: 'COPYRIGHT.shim.txt' },
];

/** A package's licence file as npm packs it: LICENSE, LICENCE or COPYING, bare or with a suffix (LICENSE.md, LICENSE-MIT). */
const licenceFilePattern = /^(licen[cs]e|copying)([.-].*)?$/i;

/** A package.json as an object; null when it is missing or not a JSON object (a library installed without one is listed as unknown). */
async function readJson(path: string): Promise<Record<string, unknown> | null> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Read once per process, at the first ask: the installed packages do not change while it runs. */
let reading: Promise<readonly BundledLicence[]> | null = null;

/** The licences of the runtime libraries and the vendored data (every `app:describe` answers this one list). */
export function bundledLicences(): Promise<readonly BundledLicence[]> {
  reading ??= readBundledLicences();
  return reading;
}

async function readBundledLicences(): Promise<readonly BundledLicence[]> {
  const own = await readJson(`${appRoot}package.json`);
  const dependencies = typeof own?.dependencies === 'object' && own.dependencies !== null ? Object.keys(own.dependencies) : [];
  const libraries = await Promise.all(
    dependencies.map(async (name): Promise<BundledLicence> => {
      const manifest = await readJson(`${packageFolder(name)}/package.json`);
      const text = (value: unknown): string => (typeof value === 'string' && value !== '' ? value : 'unknown');
      return { name, version: text(manifest?.version), licence: text(manifest?.license), kind: 'library' };
    }),
  );
  return [...libraries, ...bundledData.map(({ licenceFileName: _file, ...item }) => item)];
}

function packageFolder(name: string): string {
  return `${appRoot}node_modules/${name}`;
}

/**
 * The full licence text of the shipped item called `name` (`app:licence-text`): a data item's licence
 * file, or a library's LICENSE/LICENCE/COPYING as installed. Null for a name not in the list;
 * `fileName` null when the item ships no licence file. At most maxLicenceTextBytes are read.
 */
export async function bundledLicenceText(name: string): Promise<LicenceText | null> {
  const item = (await bundledLicences()).find((candidate) => candidate.name === name);
  if (item === undefined) return null;
  const data = bundledData.find((candidate) => candidate.name === name);
  const found =
    data === undefined
      ? await packageLicenceText(packageFolder(name))
      : await readCapped(`${secureBootDataFolder()}${data.licenceFileName}`, data.licenceFileName);
  return { name, ...(found ?? { fileName: null, text: '', truncated: false }) };
}

/**
 * The licence file of the package installed in `folder` (the first by name when it has several:
 * LICENSE before LICENSE-MIT), its first maxBytes as text; null when it ships none.
 */
export async function packageLicenceText(folder: string, maxBytes = maxLicenceTextBytes): Promise<Omit<LicenceText, 'name'> | null> {
  const names = await readdir(folder).catch(() => []);
  const fileName = names.filter((candidate) => licenceFilePattern.test(candidate)).sort()[0];
  return fileName === undefined ? null : readCapped(`${folder}/${fileName}`, fileName, maxBytes);
}

/** The first `maxBytes` of the file as UTF-8, and whether there was more (its size at opening says); null when openFileSource refuses it (missing, a folder). */
async function readCapped(path: string, fileName: string, maxBytes = maxLicenceTextBytes): Promise<Omit<LicenceText, 'name'> | null> {
  const file = await openFileSource(path).catch(() => null);
  if (file === null) return null;
  try {
    // A cut inside a character leaves one U+FFFD at the end rather than failing.
    const text = new TextDecoder().decode(await file.read(0, Math.min(file.sizeBytes, maxBytes)));
    return { fileName, text, truncated: file.sizeBytes > maxBytes };
  } finally {
    await file.close();
  }
}
