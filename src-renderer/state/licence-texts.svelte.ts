// Settings › About: the full licence text of one shipped library or data item at a time, asked of the
// engine when the user opens it (app:licence-text, by the item's name as about.licences lists it).
import type { LicenceText } from '../../shared/app.ts';
import type { EngineClient } from '../api.ts';

export class LicenceTexts {
  /** The item whose text is shown (or being read); null when none is open. */
  openName = $state<string | null>(null);
  /** Its text once read; null while reading or after a failure. */
  text = $state.raw<LicenceText | null>(null);
  /** Why the text could not be read (the engine's message); null otherwise. */
  error = $state<string | null>(null);
  readonly #client: EngineClient;

  constructor(client: EngineClient) {
    this.#client = client;
  }

  /** Opens `name`'s text (closing another), or closes it when it is the one open. */
  async toggle(name: string): Promise<void> {
    this.text = null;
    this.error = null;
    if (this.openName === name) {
      this.openName = null;
      return;
    }
    this.openName = name;
    const answer = await this.#client.call('app:licence-text', { name });
    // Another item opened (or this one closed) while the engine read it: its answer is not wanted.
    if (this.openName !== name) return;
    if (answer.ok) this.text = answer.value;
    else this.error = answer.error.message;
  }
}
