// The CLI's own confirmation of a destructive or trust-changing step: its user is at the terminal, so
// the question goes to stderr and the answer comes from stdin. Off a terminal, only --yes goes on.
import { createInterface } from 'node:readline/promises';
import type { CliContext } from './cli-context.ts';

export type TerminalAnswer = 'yes' | 'no' | 'not-a-terminal';

/** Asks `question` unless `assumeYes`; answers 'yes' only for a typed "yes". */
export async function confirmOnTerminal(context: CliContext, question: string, assumeYes: boolean): Promise<TerminalAnswer> {
  if (assumeYes) return 'yes';
  if (!process.stdin.isTTY) return 'not-a-terminal';
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`${question} Type "yes" to continue: `);
    return answer.trim().toLowerCase() === 'yes' ? 'yes' : 'no';
  } finally {
    prompt.close();
  }
}
