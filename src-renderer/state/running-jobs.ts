// The destructive and long jobs running now (a write, a restore, a backup, a new or edited image, an unpacking), for the sidebar: a
// running job stays in sight on every screen, with its progress and the screen that shows it.
import { text } from '../messages.ts';
import type { AppState } from './app-state.svelte.ts';
import { lastPathPart } from './authoring-paths.ts';
import type { Screen } from './navigation.svelte.ts';

export interface RunningJob {
  readonly id: string;
  readonly label: string;
  /** 0-1, or null while unknown. */
  readonly fraction: number | null;
  readonly screen: Screen;
}

/** Read inside a reactive context (a component's markup), so the sidebar follows each job. */
export function runningJobs(app: Pick<AppState, 'flash' | 'restore' | 'backup' | 'create' | 'editCopy' | 'decode'>): RunningJob[] {
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
  return jobs;
}
