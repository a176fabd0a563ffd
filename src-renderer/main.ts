// Renderer entry: connect to the engine (preload bridge or web shell), build the state, mount the app.
import { mount } from 'svelte';
import App from './App.svelte';
import { connectToEngine } from './api.ts';
import { AppState } from './state/app-state.svelte.ts';
import { configureFilePicker } from './state/file-picker.svelte.ts';
import './styles/tokens.css';

function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: settings and recent images last for this session only
  }
}

const client = connectToEngine();
const app = new AppState(client, localStorageOrNull());
const description = app.image.describe();
configureFilePicker(client, description);
// Recent images whose file went away since (a download deleted, a stick unplugged) or is no longer an
// image leave the list: once per start, after the engine described itself, as the engine reads each one's first sectors.
void description.then(() => app.recent.dropStale());

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target, props: { app } });
