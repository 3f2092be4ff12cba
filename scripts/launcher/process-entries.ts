/**
 * Where each Dreamloom process starts, and with which Node flags, for the two ways the launcher
 * runs: compiled (`npm start`: scripts/launcher/dist/start.js, every child plain `node dist/….js`) or from
 * the TypeScript sources (`npm run dev`: under tsx with the `source` export condition). The mode
 * follows how this very file was loaded, so the launcher never mixes the two.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type ProcessKind = 'launcher' | 'sandbox' | 'server' | 'worker' | 'bots' | 'bootstrap';

export type LaunchMode = 'compiled' | 'sources';

const SOURCE_ENTRIES: Record<ProcessKind, string> = {
  launcher: 'scripts/launcher/start.ts',
  sandbox: 'sandbox/src/main.ts',
  server: 'server/src/main.ts',
  worker: 'server/src/worker-main.ts',
  bots: 'bots/src/main.ts',
  bootstrap: 'scripts/launcher/bootstrap-database.ts',
};

const COMPILED_ENTRIES: Record<ProcessKind, string> = {
  launcher: 'scripts/launcher/dist/start.js',
  sandbox: 'sandbox/dist/main.js',
  server: 'server/dist/main.js',
  worker: 'server/dist/worker-main.js',
  bots: 'bots/dist/main.js',
  bootstrap: 'scripts/launcher/dist/bootstrap-database.js',
};

/**
 * tsx compiles on the fly (and keeps its compiler in memory); compiled JavaScript needs nothing.
 * tsx is named by its resolved location, so children find it whatever their working directory.
 */
const sourceNodeFlags = () => ['--conditions=source', '--import', import.meta.resolve('tsx')];

const here = path.dirname(fileURLToPath(import.meta.url));

/** `.ts` when tsx loaded this file (scripts/launcher/), `.js` when Node runs the build (…/dist/). */
export const launchMode: LaunchMode = import.meta.url.endsWith('.ts') ? 'sources' : 'compiled';

/** The repository root: scripts/launcher/ is two levels down, scripts/launcher/dist/ three. */
export const repositoryRoot = path.resolve(here, launchMode === 'sources' ? '../..' : '../../..');

/** The `node` arguments that start `kind` in `mode` (flags, then the absolute entry path). */
export function nodeArguments(kind: ProcessKind, mode: LaunchMode = launchMode): string[] {
  const entries = mode === 'sources' ? SOURCE_ENTRIES : COMPILED_ENTRIES;
  const flags = mode === 'sources' ? sourceNodeFlags() : [];
  return [...flags, path.join(repositoryRoot, entries[kind])];
}
