// The jobs running now, for the sidebar: a running job stays in sight on every screen, with its
// progress and the screen that shows it. The destructive and long ones this window started (a write,
// a restore, a backup, a new or edited image, an unpacking) are named by their own state; every other
// job the engine reports (a hashing pass, an extraction, a search, a VM trial, a download) by its kind.
import { text } from '../messages.ts';
import type { AppState } from './app-state.svelte.ts';
import { lastPathPart } from './authoring-paths.ts';
import type { Screen } from './navigation.svelte.ts';
import type { JobKind } from '../../shared/job.ts';

export interface RunningJob {
  readonly id: string;
  readonly label: string;
  /** 0-1, or null while unknown. */
  readonly fraction: number | null;
  readonly screen: Screen;
}

/** Kinds named by their own state below; the store's other running jobs are listed by kind. */
const namedKinds: ReadonlySet<JobKind> = new Set(['flash', 'format', 'backup', 'create', 'remaster', 'decode']);
/** The screen that shows each other kind's progress or outcome. */
const kindScreens: Readonly<Partial<Record<JobKind, Screen>>> = {
  hash: 'inspector',
  extract: 'inspector',
  search: 'inspector',
  try: 'inspector',
  download: 'start',
};
/** Kinds whose subject is an entry inside the open image, not the file the job reads: named after the image. */
const insideImageKinds: ReadonlySet<JobKind> = new Set(['extract', 'search']);

/** Read inside a reactive context (a component's markup), so the sidebar follows each job. */
export function runningJobs(app: Pick<AppState, 'flash' | 'restore' | 'backup' | 'create' | 'editCopy' | 'decode' | 'jobs' | 'image'>): RunningJob[] {
  const jobs: RunningJob[] = [];
  if (app.flash.running) {
    const name = app.flash.lastPlan?.assessment.fileName;
    jobs.push({ id: 'flash', label: name ? text.writingImage(name) : text.flashHeading, fraction: app.flash.overallFraction, screen: 'write' });
  }
  if (app.restore.running) {
    jobs.push({
      id: 'restore',
      label: text.restoringDrive(app.restore.lastPlan?.targets[0]?.device ?? ''),
      fraction: app.restore.overallFraction,
      screen: 'drives',
    });
  }
  if (app.backup.running) {
    jobs.push({ id: 'backup', label: text.activityBackup(app.backup.device ?? ''), fraction: app.backup.fraction, screen: 'drives' });
  }
  if (app.create.job.running) {
    jobs.push({ id: 'create', label: text.activityCreate(lastPathPart(app.create.outputPath)), fraction: app.create.job.fraction, screen: 'create' });
  }
  if (app.editCopy.job.running) {
    jobs.push({ id: 'remaster', label: text.activityCreate(lastPathPart(app.editCopy.outputPath)), fraction: app.editCopy.job.fraction, screen: 'inspector' });
  }
  if (app.decode.running) {
    jobs.push({ id: 'decode', label: text.activityDecode(lastPathPart(app.decode.imagePath ?? '')), fraction: app.decode.fraction, screen: 'inspector' });
  }
  for (const progress of app.jobs.running) {
    if (namedKinds.has(progress.kind)) continue;
    const subject = insideImageKinds.has(progress.kind) || !progress.subject ? (app.image.summary?.fileName ?? null) : lastPathPart(progress.subject);
    const label = text.activityKinds[progress.kind]?.(subject ?? text.activityUnnamed) ?? progress.kind;
    jobs.push({ id: progress.jobId, label, fraction: app.jobs.fractionOf(progress.jobId), screen: kindScreens[progress.kind] ?? 'start' });
  }
  return jobs;
}
