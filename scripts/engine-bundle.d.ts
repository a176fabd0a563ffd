// The types of scripts/engine-bundle.js, for the TypeScript tests that bundle the engine as the build does.
import type { BuildOptions } from 'esbuild';

export declare const engineBundleOptions: Readonly<Pick<BuildOptions, 'bundle' | 'splitting' | 'format' | 'platform' | 'target' | 'packages'>>;
