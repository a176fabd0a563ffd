// The Create screen: a new ISO image from folders and files (issue 15). The form (sources, names and
// namespaces, boot, output) becomes one IsoCreateRequest; the engine plans it for the preview, then
// writes exactly that request as one job (iso-write-job.svelte.ts).
import type { IsoBootOptions, IsoCreateOptions, IsoCreateRequest, IsoLevel } from '../../shared/authoring.ts';
import type { AppError } from '../../shared/errors.ts';
import type { EngineClient } from '../api.ts';
import { suggestedImageName, trimmedPath } from './authoring-paths.ts';
import { createIsoCreatePort } from './engine-ports.ts';
import { IsoWriteJob } from './iso-write-job.svelte.ts';
import type { JobStore } from './jobs.svelte.ts';

/** What the form holds, as plain data: the request is built from it alone (createRequestOf). */
export interface CreateForm {
  readonly sources: readonly string[];
  readonly outputPath: string;
  readonly overwrite: boolean;
  readonly label: string;
  readonly publisher: string;
  readonly level: IsoLevel;
  readonly rockRidge: boolean;
  readonly joliet: boolean;
  readonly jolietLong: boolean;
  readonly udf: boolean;
  readonly reproducible: boolean;
  /** One glob per line; blank lines ignored. */
  readonly excludesText: string;
  readonly detectBoot: boolean;
  /** Paths in the new image's tree; empty: none named (detection may find one). */
  readonly biosImagePath: string;
  readonly efiImagePath: string;
  /** Make the EFI image from the tree's /EFI/BOOT (the EFI path is then ignored). */
  readonly generateEfiImage: boolean;
  /** A file on this computer whose first 432 bytes are isohybrid MBR boot code; empty: none. */
  readonly hybridMbrPath: string;
  readonly gpt: boolean;
}

/** The engine's request for the form: empty fields left out, so the engine's defaults apply. */
export function createRequestOf(form: CreateForm): IsoCreateRequest {
  const excludes = form.excludesText
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const options: IsoCreateOptions = {
    ...nonEmpty('label', form.label),
    ...nonEmpty('publisher', form.publisher),
    level: form.level,
    rockRidge: form.rockRidge,
    joliet: form.joliet,
    // Long Joliet names mean nothing without Joliet.
    jolietLong: form.joliet && form.jolietLong,
    udf: form.udf,
    reproducible: form.reproducible,
    ...(excludes.length > 0 ? { excludes } : {}),
    boot: bootOptionsOf(form),
  };
  return { sources: [...form.sources], outputPath: form.outputPath.trim(), options, ...(form.overwrite ? { overwrite: true } : {}) };
}

function bootOptionsOf(form: CreateForm): IsoBootOptions {
  const efiImagePath = form.generateEfiImage ? 'generate' : form.efiImagePath.trim();
  return {
    ...nonEmpty('biosImagePath', form.biosImagePath),
    ...nonEmpty('efiImagePath', efiImagePath),
    ...nonEmpty('hybridMbrPath', form.hybridMbrPath),
    gpt: form.gpt,
    detect: form.detectBoot,
  };
}

function nonEmpty<Key extends string>(key: Key, value: string): { [K in Key]?: string } {
  const trimmed = value.trim();
  return (trimmed === '' ? {} : { [key]: trimmed }) as { [K in Key]?: string };
}

export class CreateImage implements CreateForm {
  sources = $state.raw<readonly string[]>([]);
  outputPath = $state('');
  overwrite = $state(false);
  label = $state('');
  publisher = $state('');
  level = $state<IsoLevel>(3);
  rockRidge = $state(true);
  joliet = $state(true);
  jolietLong = $state(false);
  udf = $state(false);
  reproducible = $state(false);
  excludesText = $state('');
  detectBoot = $state(true);
  biosImagePath = $state('');
  efiImagePath = $state('');
  generateEfiImage = $state(false);
  hybridMbrPath = $state('');
  gpt = $state(false);
  /** A native dialog's failure (pick sources, pick output); the job's own errors are in `job.error`. */
  dialogError = $state.raw<AppError | null>(null);
  readonly job: IsoWriteJob<IsoCreateRequest>;
  readonly #client: EngineClient;

  constructor(client: EngineClient, jobs: JobStore) {
    this.#client = client;
    this.job = new IsoWriteJob(createIsoCreatePort(client), jobs);
  }

  get request(): IsoCreateRequest {
    return createRequestOf(this);
  }

  /** The engine plans and writes only a request with sources and an output path (it checks the output's place too). */
  get isComplete(): boolean {
    return this.sources.length > 0 && this.outputPath.trim() !== '';
  }

  /** Any change to the form: a plan or result shown no longer describes it. */
  edited(): void {
    this.job.forget();
  }

  /** Sets one field the form's controls edit (the sources have their own calls). */
  change<Key extends Exclude<keyof CreateForm, 'sources'>>(key: Key, value: CreateImage[Key]): void {
    (this as CreateImage)[key] = value;
    this.edited();
  }

  /**
   * Adds a typed or picked path once (trailing slashes dropped); the output is suggested from the
   * first. False when it is not an absolute path (the engine takes no other).
   */
  addSource(path: string, homeFolder: string): boolean {
    const trimmed = trimmedPath(path);
    if (!trimmed.startsWith('/')) return false;
    if (this.sources.includes(trimmed)) return true;
    this.sources = [...this.sources, trimmed];
    if (this.outputPath === '' && homeFolder !== '') this.outputPath = `${homeFolder}/${suggestedImageName(this.sources[0])}`;
    this.edited();
    return true;
  }

  removeSource(path: string): void {
    this.sources = this.sources.filter((source) => source !== path);
    this.edited();
  }

  /** Electron's native dialog for folders or files (the web shell answers `unsupported`). */
  async pickSources(kind: 'folder' | 'files', homeFolder: string): Promise<void> {
    this.dialogError = null;
    const picked = await this.#client.call('iso:pick-sources', { kind });
    if (!picked.ok) this.dialogError = picked.error;
    else for (const path of picked.value.paths) this.addSource(path, homeFolder);
  }

  /** Electron's native save dialog; the folder chosen becomes an allowed destination. */
  async pickOutput(): Promise<void> {
    this.dialogError = null;
    const picked = await this.#client.call('iso:pick-output', { suggestedName: suggestedImageName(this.sources[0]) });
    if (!picked.ok) this.dialogError = picked.error;
    else if (picked.value.path !== null) {
      this.outputPath = picked.value.path;
      this.edited();
    }
  }

  async preview(): Promise<void> {
    if (this.isComplete) await this.job.preview(this.request);
  }

  async start(): Promise<void> {
    if (this.isComplete) await this.job.start(this.request);
  }
}
