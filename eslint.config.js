// Lint, including the layer rules from DESIGN.md: a wrong import fails `npm test`.
//   shared/            imports nothing but shared/
//   src-main/ folders  stand in levels (folderLevels): a folder imports only folders of lower levels,
//                      never one of its own level or above; so no folder cycle can form, readers never
//                      import writers, engines never import the service, nothing imports a shell
//   src-main/**        only src-main/electron/ imports `electron`; nothing imports main.ts
//   src-renderer/      imports only shared/, its own files and browser packages (no Node, no engine)
//   src-main/, shared/ no function over 80 lines (blank lines and comments aside), no file over 400
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

/**
 * Every folder of src-main/, in levels, lowest first. A folder imports only the folders of lower
 * levels, never one of its own level or above. jobs/ is what every long job shares and io/ reads
 * bytes; compression/ decodes compressed images (.xz, .gz, .zst, .bz2, .zip) for every reader and the
 * checksum pass; format/ holds what every parser shares; net/ downloads, hashing on checksum/'s
 * worker as the bytes arrive; the readers of one level (with their writers beside
 * them: fat/, disk/, wim/) never import each other; image/ puts the readers together; stick/ composes
 * a copy-files or formatted stick from them (and authoring/ a new or remastered ISO image), which flash/ writes and backup/ reads back to a file;
 * app-error/ maps what the engine throws to the contract's AppError for the parse workers
 * (isolation/) and the service; the service implements the contract for the shells (cli/,
 * electron/, web/); helper/ is the elevated flash helper's entry.
 */
const folderLevels = [
  ['jobs', 'io', 'drives'],
  ['compression'],
  ['format', 'security', 'checksum'],
  ['net'],
  ['iso', 'udf', 'disk', 'fat', 'ext', 'pe', 'wim', 'container', 'app-error', 'download', 'history', 'files'],
  ['boot'],
  ['image'],
  ['stick', 'authoring'],
  ['flash'],
  ['backup'],
  ['assess', 'elevation', 'vm', 'queue'],
  ['isolation', 'helper'],
  ['service'],
  ['cli', 'electron', 'web'],
];

/** The longest engine or contract function (blank lines and comments aside) and file, in lines. */
const maxFunctionLines = 80;
const maxFileLines = 400;

const noElectron = { name: 'electron', message: 'Only src-main/electron/ may import Electron.' };

/** Patterns matching a relative import of one of `folders` from a sibling folder of src-main/. */
const intoFolders = (folders, message) => ({
  regex: `^(\\.\\./)+(${folders.join('|')})(/|$)`,
  message,
});

/** Every folder of src-main/ (read from disk): one not placed in folderLevels fails lint until it is. */
const mainFolders = readdirSync(new URL('./src-main/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const unplaced = mainFolders.filter((folder) => !folderLevels.flat().includes(folder));
if (unplaced.length > 0) throw new Error(`eslint.config.js: place src-main/${unplaced.join('/, src-main/')}/ in folderLevels`);

/** One config per folder of src-main/: the folders of its own level and above are out of reach. */
const folderZones = folderLevels.flatMap((level, index) => {
  const below = folderLevels.slice(0, index).flat();
  const reach = below.length > 0 ? `only ${below.join('/, ')}/` : 'no other folder';
  return level.map((folder) => {
    const outOfReach = folderLevels.flat().filter((other) => other !== folder && !below.includes(other));
    const isElectronShell = folder === 'electron';
    return {
      files: [`src-main/${folder}/**`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            ...(isElectronShell ? {} : { paths: [noElectron] }),
            patterns: [
              ...(isElectronShell ? [] : [{ group: ['electron/*'], message: noElectron.message }]),
              { regex: '^(\\.\\./)+main(\\.ts)?$', message: 'Only the composition root imports everything; nothing imports it.' },
              { regex: 'src-renderer', message: 'The engine never imports the renderer.' },
              intoFolders(
                outOfReach,
                `${folder}/ stands at level ${index} of folderLevels in eslint.config.js: it imports ${reach}, and may never import a folder of its own level or above, so no folder cycle can form.`,
              ),
            ],
          },
        ],
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
          patterns: [{ regex: '^(?!\\./)', message: 'shared/ is the plain-data contract: it imports only other files in shared/.' }],
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
          patterns: [
            { group: ['electron/*'], message: noElectron.message },
            { regex: 'src-renderer', message: 'The engine never imports the renderer.' },
          ],
        },
      ],
    },
  },
  // After the rule for src-main/**: a folder's zone replaces it (and includes it).
  ...folderZones,
  {
    // A function reads in one sitting, a file holds one subject (issue 13): a longer one is split into
    // named steps. Blank lines and comments count against neither: the comments that say why and cite
    // the spec are wanted, and the formatter's line breaks are not the author's choice.
    files: ['src-main/**', 'shared/**'],
    rules: {
      'max-lines-per-function': ['error', { max: maxFunctionLines, skipBlankLines: true, skipComments: true }],
      'max-lines': ['error', { max: maxFileLines, skipBlankLines: true, skipComments: true }],
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
            {
              regex: '^(fs|path|os|child_process|crypto|net|http|https|stream|worker_threads|url|util)(/|$)',
              message: 'The renderer runs in a browser: no Node modules.',
            },
            { regex: 'src-main', message: 'The renderer reaches the engine only through the contract (api.ts), never by import.' },
            { group: ['electron/*'], message: noElectron.message },
          ],
        },
      ],
    },
  },
);
