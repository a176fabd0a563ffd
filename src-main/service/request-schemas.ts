// Boundary validation: every call's argument is checked here before any engine sees it, whichever
// shell it came through (Electron IPC, the web shell's WebSocket). The table must list every call.
// valibot rather than zod: the same checks, at a sixth of the import cost on every CLI start.
import * as v from 'valibot';
import type { CallName, CallRequest } from '../../shared/contract.ts';
import { assessmentFindingCodes } from '../../shared/assessment.ts';
import { hashAlgorithms } from '../../shared/checksum.ts';
import { backupCompressions } from '../../shared/backup.ts';
import { writeModeRequests } from '../../shared/stick.ts';
import { extractConflictsMax, imageNamespaces } from '../../shared/image.ts';
import { historyJobKinds, historyOutcomes } from '../../shared/history.ts';
import { vmFirmwares, vmMedia } from '../../shared/vm.ts';
import { maxCheckedRecentPaths } from '../../shared/files.ts';
import { absolutePath, maxPathLength } from '../security/path-schemas.ts';

const noArguments = v.strictObject({});

/** A path inside an image ("/docs/a.txt"); resolved against the image root, never the host. */
const imageEntryPath = v.pipe(
  v.string(),
  v.maxLength(maxPathLength, `path is longer than ${maxPathLength} characters`),
  v.check((path) => !path.includes('\0'), 'path contains a NUL character'),
);
const extractConflictChoices = ['overwrite', 'skip', 'keep-both'] as const;
const imageNamespace = v.optional(v.picklist(['auto', ...imageNamespaces]));
const count = (minimum: number) => v.pipe(v.number(), v.integer(), v.minValue(minimum), v.maxValue(Number.MAX_SAFE_INTEGER));
const shortId = (maxLength: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(maxLength));
/** A save dialog's proposed file name only: the dialog opens in the home folder; the user picks the folder. */
const suggestedFileName = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(255),
  v.check((name) => !/[/\\\0]/.test(name), 'suggestedName is a file name, without / or \\ or NUL'),
);
/** Every job's id, `jobId`: an extraction's, a hashing pass's or a flash's. */
const jobId = shortId(200);

// Defined before the table: flashSchemas() runs while the table is built, and reads these.
const partitionTable = v.picklist(['mbr', 'gpt']);

/** The smallest .swm part a caller may ask for: 1 MiB (tests split a small install.wim); at most FAT32's 4 GiB - 1. */
const wimPartBytes = v.pipe(v.number(), v.integer(), v.minValue(1024 * 1024), v.maxValue(2 ** 32 - 1));

/** Copy-mode options as a caller asks for them; the account name's Windows rules are checked by the engine (stick/). */
export const copyModeRequestSchema = v.strictObject({
  table: v.exactOptional(partitionTable),
  wimPartBytes: v.exactOptional(wimPartBytes),
  windows: v.exactOptional(
    v.strictObject({
      skipHardwareChecks: v.boolean(),
      localAccountName: v.nullable(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
      regionalFromHost: v.boolean(),
    }),
  ),
});

const extractRequest = v.strictObject({
  path: absolutePath,
  entries: v.optional(v.pipe(v.array(imageEntryPath), v.maxLength(100_000))),
  destination: absolutePath,
  namespace: imageNamespace,
  allowSharedExtents: v.optional(v.boolean()),
  onConflict: v.optional(v.picklist(['fail', ...extractConflictChoices])),
  conflictChoices: v.optional(
    v.pipe(
      v.record(imageEntryPath, v.picklist(extractConflictChoices)),
      v.check((choices) => Object.keys(choices).length <= extractConflictsMax, `at most ${extractConflictsMax} conflictChoices`),
    ),
  ),
});

export const requestSchemas = {
  'app:describe': noArguments,
  'image:pick': v.strictObject({
    purpose: v.exactOptional(v.picklist(['image', 'any-file', 'folder', 'key-file'])),
    title: v.exactOptional(v.pipe(v.string(), v.maxLength(200))),
  }),
  'image:open': v.strictObject({ path: absolutePath }),
  'image:list': v.strictObject({
    path: absolutePath,
    directory: imageEntryPath,
    namespace: imageNamespace,
    recursive: v.optional(v.boolean()),
    offset: v.optional(count(0)),
    // Any positive count: the engine gives at most imageListPageMaxEntries whatever is asked.
    maxEntries: v.optional(count(1)),
  }),
  'image:preview': v.strictObject({ path: absolutePath, file: imageEntryPath, namespace: imageNamespace }),
  'image:stat': v.strictObject({ path: absolutePath, file: imageEntryPath, namespace: imageNamespace }),
  'image:extract': extractRequest,
  'image:decode': v.strictObject({ path: absolutePath }),
  'cache:list': noArguments,
  'cache:clear': v.strictObject({ cachePaths: v.exactOptional(v.pipe(v.array(absolutePath), v.maxLength(10_000))) }),
  'image:boot': v.strictObject({ path: absolutePath }),
  'image:assess': v.strictObject({ path: absolutePath }),
  ...checksumSchemas(),
  ...flashSchemas(),
  'drives:backup': v.strictObject({
    driveId: shortId(512),
    outputPath: absolutePath,
    compression: v.picklist(backupCompressions),
    overwrite: v.exactOptional(v.boolean()),
  }),
  'backup:pick-output': v.strictObject({
    suggestedName: suggestedFileName,
  }),
  ...authoringSchemas(),
  'job:cancel': v.strictObject({ jobId }),
  'files:places': noArguments,
  'files:list': v.strictObject({ path: absolutePath, show: v.picklist(['images', 'all', 'folders', 'keys']) }),
  'files:show-in-folder': v.strictObject({ path: absolutePath }),
  'image:search': v.strictObject({
    path: absolutePath,
    namespace: imageNamespace,
    pattern: v.pipe(v.string(), v.minLength(1), v.maxLength(1024)),
    maxMatches: v.optional(v.pipe(count(1), v.maxValue(10_000))),
  }),
  'image:extract-conflicts': extractRequest,
  ...laterIssueSchemas(),
  ...queueSchemas(),
  // A name as about.licences lists it: the handler finds it in that list (a path is never taken).
  'app:licence-text': v.strictObject({ name: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) }),
  'files:check-recent': v.strictObject({ paths: v.pipe(v.array(absolutePath), v.maxLength(maxCheckedRecentPaths)) }),
} satisfies { readonly [K in CallName]: v.GenericSchema<unknown, CallRequest<K>> };

/** `vm:*`, `download:*`, `downloads:*` and `history:*` (issues 18 and 19). */
function laterIssueSchemas() {
  const httpUrl = v.pipe(
    v.string(),
    v.maxLength(8192),
    v.check((url) => /^https?:\/\//i.test(url) && URL.canParse(url), 'an http:// or https:// URL'),
    // A password in a URL would land in messages and the history (net/ refuses it too).
    v.check((url) => !URL.canParse(url) || (new URL(url).username === '' && new URL(url).password === ''), 'a URL without a user name or password'),
  );
  const epochMs = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(8.64e15));
  const historyQuery = v.strictObject({
    kinds: v.exactOptional(v.pipe(v.array(v.picklist(historyJobKinds)), v.maxLength(historyJobKinds.length))),
    outcomes: v.exactOptional(v.pipe(v.array(v.picklist(historyOutcomes)), v.maxLength(historyOutcomes.length))),
    text: v.exactOptional(v.pipe(v.string(), v.maxLength(256))),
    sinceMs: v.exactOptional(epochMs),
    untilMs: v.exactOptional(epochMs),
    limit: v.exactOptional(v.pipe(count(1), v.maxValue(1000))),
  });
  return {
    'vm:host': noArguments,
    'vm:try': v.strictObject({
      source: v.variant('kind', [
        v.strictObject({ kind: v.literal('image'), path: absolutePath }),
        v.strictObject({ kind: v.literal('drive'), driveId: shortId(512) }),
      ]),
      firmware: v.picklist(vmFirmwares),
      medium: v.picklist(vmMedia),
      view: v.picklist(['window', 'in-app']),
      seconds: v.exactOptional(v.pipe(count(1), v.maxValue(3600))),
    }),
    'download:start': v.strictObject({
      url: httpUrl,
      mirrors: v.exactOptional(v.pipe(v.array(httpUrl), v.maxLength(32))),
      outputPath: v.exactOptional(absolutePath),
      overwrite: v.exactOptional(v.boolean()),
      expectedSha256: v.exactOptional(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lower-case hex'))),
    }),
    'downloads:list': noArguments,
    'downloads:clear': v.strictObject({ paths: v.exactOptional(v.pipe(v.array(absolutePath), v.maxLength(10_000))) }),
    'history:list': historyQuery,
    'history:export': v.variant('format', [
      v.strictObject({ format: v.picklist(['csv', 'json']), query: historyQuery }),
      v.strictObject({ format: v.literal('html'), recordId: shortId(200) }),
    ]),
  } as const;
}

/** `iso:*`: sources and outputs absolute paths, image paths like the Contents tab's, lists bounded. */
function authoringSchemas() {
  const label = v.exactOptional(v.pipe(v.string(), v.maxLength(128)));
  const epochSeconds = v.exactOptional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(253402300799)));
  const createRequest = v.strictObject({
    sources: v.pipe(v.array(absolutePath), v.minLength(1), v.maxLength(1024)),
    outputPath: absolutePath,
    overwrite: v.exactOptional(v.boolean()),
    sha256: v.exactOptional(v.boolean()),
    options: v.strictObject({
      label,
      publisher: label,
      preparer: label,
      application: label,
      level: v.exactOptional(v.picklist([1, 2, 3] as const)),
      rockRidge: v.exactOptional(v.boolean()),
      joliet: v.exactOptional(v.boolean()),
      jolietLong: v.exactOptional(v.boolean()),
      udf: v.exactOptional(v.boolean()),
      reproducible: v.exactOptional(v.boolean()),
      sourceDateEpochSeconds: epochSeconds,
      excludes: v.exactOptional(v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(1024))), v.maxLength(1024))),
      boot: v.exactOptional(
        v.strictObject({
          biosImagePath: v.exactOptional(v.nullable(imageEntryPath)),
          efiImagePath: v.exactOptional(v.nullable(imageEntryPath)),
          hybridMbrPath: v.exactOptional(v.nullable(absolutePath)),
          gpt: v.exactOptional(v.boolean()),
          detect: v.exactOptional(v.boolean()),
        }),
      ),
    }),
  });
  const edit = v.variant('kind', [
    v.strictObject({ kind: v.literal('add'), sourcePath: absolutePath, imagePath: imageEntryPath }),
    v.strictObject({ kind: v.literal('remove'), imagePath: imageEntryPath }),
    v.strictObject({ kind: v.literal('rename'), imagePath: imageEntryPath, newImagePath: imageEntryPath }),
  ]);
  const remasterRequest = v.strictObject({
    imagePath: absolutePath,
    outputPath: absolutePath,
    edits: v.pipe(v.array(edit), v.maxLength(10_000)),
    label,
    reproducible: v.exactOptional(v.boolean()),
    sourceDateEpochSeconds: epochSeconds,
    overwrite: v.exactOptional(v.boolean()),
    sha256: v.exactOptional(v.boolean()),
  });
  return {
    'iso:plan-create': createRequest,
    'iso:create': createRequest,
    'iso:plan-remaster': remasterRequest,
    'iso:remaster': remasterRequest,
    'iso:pick-output': v.strictObject({
      suggestedName: suggestedFileName,
    }),
    'iso:pick-sources': v.strictObject({ kind: v.picklist(['folder', 'files']) }),
  } as const;
}

/** `checksum:*` and `keys:*`: paths absolute, algorithms from the known list, job ids short. */
function checksumSchemas() {
  const pastedDigest = shortId(1024);
  const algorithms = v.exactOptional(v.pipe(v.array(v.picklist(hashAlgorithms)), v.minLength(1), v.maxLength(hashAlgorithms.length)));
  return {
    'checksum:hash': v.strictObject({
      path: absolutePath,
      algorithms,
      cached: v.exactOptional(v.boolean()),
    }),
    'checksum:compare': v.strictObject({ path: absolutePath, expected: pastedDigest }),
    'checksum:verify': v.strictObject({
      path: absolutePath,
      expected: v.exactOptional(pastedDigest),
      sumsPath: v.exactOptional(absolutePath),
      signaturePath: v.exactOptional(absolutePath),
      keyringPaths: v.exactOptional(v.pipe(v.array(absolutePath), v.maxLength(64))),
      algorithms,
    }),
    'keys:list': noArguments,
    'keys:import': v.strictObject({ path: absolutePath, confirmationId: v.exactOptional(shortId(200)) }),
    'keys:remove': v.strictObject({ fingerprint: shortId(200), confirmationId: v.exactOptional(shortId(200)) }),
  } as const;
}

/** `drives:*` and `flash:*`: paths absolute, ids short; the engine re-checks every target anyway. */
function flashSchemas() {
  const id = shortId(512);
  const typedNames = v.exactOptional(
    v.pipe(
      v.record(id, v.pipe(v.string(), v.maxLength(256))),
      v.check((names) => Object.keys(names).length <= 16, 'more than 16 typed names'),
    ),
  );
  return {
    'drives:list': v.strictObject({
      includeAll: v.exactOptional(v.boolean()),
      imagePath: v.exactOptional(absolutePath),
      mode: v.exactOptional(v.picklist(writeModeRequests)),
    }),
    'drives:eject': v.strictObject({ driveId: id }),
    'drives:format-prepare': v.strictObject({
      driveId: id,
      fileSystem: v.exactOptional(v.picklist(['fat32', 'exfat'])),
      label: v.exactOptional(v.pipe(v.string(), v.maxLength(64))),
      table: v.exactOptional(partitionTable),
      includeAll: v.exactOptional(v.boolean()),
    }),
    'drives:format-start': v.strictObject({ confirmationId: shortId(200), typedNames }),
    // No `targetPaths`: regular-file and device-path targets are the CLI's, below the contract.
    'flash:prepare': v.strictObject({
      imagePath: absolutePath,
      driveIds: v.pipe(v.array(id), v.minLength(1, 'names no drive'), v.maxLength(16)),
      verify: v.exactOptional(v.boolean()),
      eject: v.exactOptional(v.boolean()),
      includeAll: v.exactOptional(v.boolean()),
      mode: v.exactOptional(v.picklist(writeModeRequests)),
      copy: v.exactOptional(copyModeRequestSchema),
    }),
    'flash:start': v.strictObject({
      confirmationId: shortId(200),
      typedNames,
      acknowledgedFindings: v.exactOptional(v.pipe(v.array(v.picklist(assessmentFindingCodes)), v.maxLength(assessmentFindingCodes.length))),
    }),
    'flash:verify': v.strictObject({ imagePath: absolutePath, driveId: id }),
  } as const;
}

/** `queue:*` and `duplicator:*` (issue 19): at most 16 pairs, the confirmation's fields as flash:start's. */
function queueSchemas() {
  const id = shortId(512);
  const typedNames = v.exactOptional(
    v.pipe(
      v.record(id, v.pipe(v.string(), v.maxLength(256))),
      v.check((names) => Object.keys(names).length <= 16, 'more than 16 typed names'),
    ),
  );
  const acknowledgedFindings = v.exactOptional(v.pipe(v.array(v.picklist(assessmentFindingCodes)), v.maxLength(assessmentFindingCodes.length)));
  return {
    'queue:prepare': v.strictObject({
      pairs: v.pipe(v.array(v.strictObject({ imagePath: absolutePath, driveId: id })), v.minLength(1, 'names no pair'), v.maxLength(16)),
      order: v.picklist(['parallel', 'sequential']),
      verify: v.exactOptional(v.boolean()),
      eject: v.exactOptional(v.boolean()),
      includeAll: v.exactOptional(v.boolean()),
    }),
    'queue:start': v.strictObject({ confirmationId: shortId(200), typedNames, acknowledgedFindings }),
    'duplicator:prepare': v.strictObject({
      imagePath: absolutePath,
      verify: v.exactOptional(v.boolean()),
      eject: v.exactOptional(v.boolean()),
      includeAll: v.exactOptional(v.boolean()),
    }),
    'duplicator:start': v.strictObject({
      confirmationId: shortId(200),
      typedPhrase: v.exactOptional(v.pipe(v.string(), v.maxLength(1024))),
      acknowledgedFindings,
    }),
    'duplicator:stop': v.strictObject({ duplicatorId: shortId(200) }),
  } as const;
}

/** Checks one call's argument: the value to hand to the handler, or the reasons it was refused. */
export function validateRequest(method: CallName, request: unknown): { ok: true; value: unknown } | { ok: false; reasons: string[] } {
  const parsed = v.safeParse(requestSchemas[method] as v.GenericSchema, request);
  if (parsed.success) return { ok: true, value: parsed.output };
  return {
    ok: false,
    reasons: parsed.issues.map((issue) => `${v.getDotPath(issue) ?? '(argument)'}: ${issue.message}`),
  };
}
