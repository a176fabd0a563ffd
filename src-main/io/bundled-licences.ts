// The licences of what Isotope ships, for Settings › About (issue 17): the engine's runtime libraries,
// each read from its own installed package.json (so the list names what is really there, at the
// version installed), and the vendored Secure Boot data (resources/secureboot/README.md gives the
// source and licence file of each). A library whose package.json cannot be read is listed as unknown.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BundledLicence } from '../../shared/app.ts';

/** The app's root: two folders up from src-main/io/ in the source tree, and from dist/main/ beside the bundle. */
const appRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The vendored data files and their licences, as resources/secureboot/README.md records them. */
const bundledData: readonly BundledLicence[] = [
  { name: 'Microsoft secureboot_objects (DBX revocation list)', version: '06fe58a', licence: 'BSD-2-Clause-Patent', kind: 'data' },
  { name: 'shim SBAT revocation levels', version: '72fd4b70', licence: 'BSD-2-Clause (shim COPYRIGHT)', kind: 'data' },
];

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
      const manifest = await readJson(`${appRoot}node_modules/${name}/package.json`);
      const text = (value: unknown): string => (typeof value === 'string' && value !== '' ? value : 'unknown');
      return { name, version: text(manifest?.version), licence: text(manifest?.license), kind: 'library' };
    }),
  );
  return [...libraries, ...bundledData];
}
