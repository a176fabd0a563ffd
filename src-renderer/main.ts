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
configureFilePicker(client, app.image.describe());

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target, props: { app } });
