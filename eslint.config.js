// Lint, including the layer rules from DESIGN.md: a wrong import fails `npm test`.
//   shared/            imports nothing but shared/
//   src-main/ engines  never import Electron, the service, or a shell
//   src-main/service   never imports a shell or Electron (nor does isolation/, at its level)
//   src-main/**        only src-main/electron/ imports `electron`
//   src-renderer/      imports only shared/, its own files and browser packages (no Node, no engine)
//   the readers        stand in levels (readerLevels): a reader folder imports only the reader folders
//                      of lower levels, never one of its own level, image/ or anything above; so no
//                      folder cycle can run through them, and writers can import readers, never the reverse
//   src-main/, shared/ no function over 80 lines (blank lines and comments aside), no file over 400
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

const engineFolders = ['jobs', 'io', 'format', 'iso', 'udf', 'disk', 'boot', 'drives', 'flash', 'elevation', 'checksum', 'image', 'container', 'security'];
const shellFolders = ['electron', 'web', 'cli', 'helper'];

/**
 * The readers, lowest first. jobs/ is what every long job shares (CancelledError, the progress meter)
 * and imports nothing; io/ reads bytes; format/ holds what every parser shares (the corrupt-image
 * error, field readers, the file-tree interface and its helpers, the work budget); the parsers of one
 * level never import each other; image/ puts them together for the service.
 */
const readerLevels = [['jobs', 'io'], ['format'], ['iso', 'udf', 'disk', 'container'], ['boot'], ['image']];

/** The longest engine or contract function (blank lines and comments aside) and file, in lines. */
const maxFunctionLines = 80;
const maxFileLines = 400;

const noElectron = { name: 'electron', message: 'Only src-main/electron/ may import Electron.' };

/** Patterns matching a relative import of one of `folders` from a sibling folder of src-main/. */
const intoFolders = (folders, message) => ({
  regex: `^(\\.\\./)+(${folders.join('|')})(/|$)`,
  message,
});

/** The restrictions every engine folder has; `extra` adds a folder's own. */
const engineRestrictions = (extra = []) => [
  'error',
  {
    paths: [noElectron],
    patterns: [
      { group: ['electron/*'], message: noElectron.message },
      intoFolders(['service', ...shellFolders], 'Engines sit below the service and the shells: they never import them.'),
      { regex: '^(\\.\\./)+main(\\.ts)?$', message: 'Only the composition root imports everything; nothing imports it.' },
      { regex: 'src-renderer', message: 'The engine never imports the renderer.' },
      ...extra,
    ],
  },
];

/** Every folder of src-main/ (read from disk, so a folder added later is covered too). */
const mainFolders = readdirSync(new URL('./src-main/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** One config per reader folder: every src-main/ folder but the reader folders below it is out of reach. */
const readerZones = readerLevels.flatMap((level, index) => {
  const below = readerLevels.slice(0, index).flat();
  return level.map((folder) => {
    const forbidden = [...new Set([...mainFolders, ...readerLevels.flat()])].filter((other) => other !== folder && !below.includes(other));
    const reach = below.length > 0 ? below.join('/, ') + '/' : 'no other folder';
    return {
      files: [`src-main/${folder}/**`],
      rules: {
        'no-restricted-imports': engineRestrictions([
          intoFolders(forbidden, `${folder}/ is a reader: it imports only ${reach} (readerLevels in eslint.config.js), so no folder cycle can form and writers import readers, never the reverse.`),
        ]),
      },
    };
  });
});

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'release/', 'node_modules/', 'test-results/', 'playwright-report/', 'test/.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig } },
  },
  {
    files: ['shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!\\./)', message: 'shared/ is the plain-data contract: it imports only other files in shared/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/**'],
    ignores: ['src-main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [{ group: ['electron/*'], message: noElectron.message }, { regex: 'src-renderer', message: 'The engine never imports the renderer.' }],
        },
      ],
    },
  },
  {
    files: engineFolders.map((folder) => `src-main/${folder}/**`),
    rules: { 'no-restricted-imports': engineRestrictions() },
  },
  // After the engine rule: for a reader folder, its zone replaces it (and includes it).
  ...readerZones,
  {
    // isolation/ runs the service's image calls in parse workers: it sits at the service's level.
    files: ['src-main/service/**', 'src-main/isolation/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            { group: ['electron/*'], message: noElectron.message },
            intoFolders(shellFolders, 'The service implements the contract for every shell; it never imports one.'),
            { regex: 'src-renderer', message: 'The engine never imports the renderer.' },
          ],
        },
      ],
    },
  },
  {
    // A function reads in one sitting, a file holds one subject (issue 13): a longer one is split into
    // named steps. Blank lines and comments do not count against a function.
    files: ['src-main/**', 'shared/**'],
    rules: {
      'max-lines-per-function': ['error', { max: maxFunctionLines, skipBlankLines: true, skipComments: true }],
      'max-lines': ['error', { max: maxFileLines }],
    },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            { regex: '^node:', message: 'The renderer runs in a browser: no Node modules. Ask the engine through api.ts.' },
            { regex: '^(fs|path|os|child_process|crypto|net|http|https|stream|worker_threads|url|util)(/|$)', message: 'The renderer runs in a browser: no Node modules.' },
            { regex: 'src-main', message: 'The renderer reaches the engine only through the contract (api.ts), never by import.' },
            { group: ['electron/*'], message: noElectron.message },
          ],
        },
      ],
    },
  },
);
