// Renderer entry: connect to the engine (preload bridge or web shell), build the state, mount the app.
import { mount } from 'svelte';
import App from './App.svelte';
import { connectToEngine } from './api.ts';
import { ImageSession } from './state/image-session.svelte.ts';
import './styles/tokens.css';

const session = new ImageSession(connectToEngine());
void session.describe();

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target, props: { session } });
