import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** One process of the cluster (a server, a worker, the sandbox, nginx), as a machine would run it. */
export interface ClusterChild {
  readonly name: string;
  readonly process: ChildProcess;
  /** The last lines it printed (stdout and stderr), for error messages. */
  tail(): string;
  /** True until it exits. */
  running(): boolean;
  /** Resolves with its exit code or signal once it has exited. */
  exited(): Promise<string>;
  /** Asks it to stop (SIGTERM by default); SIGKILL after `graceMs` if it has not exited. */
  stop(graceMs: number, signal?: NodeJS.Signals): Promise<void>;
  /** `kill -9`: the machine loses power; nothing of it runs a line more. */
  kill(): Promise<void>;
}

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** Every line it prints, prefixed by nothing (the caller knows the name). */
  onLine?: (name: string, line: string) => void;
}

const TAIL_LINES = 60;

/**
 * Starts a child with its output read line by line (so a chatty child never blocks on a full
 * pipe), kept as a short tail and handed to `onLine`. Children stay in the launcher's process
 * group: a Ctrl-C in the terminal reaches every one of them even if the launcher hangs.
 */
export function startChild(spec: ChildSpec): ClusterChild {
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const remember = (line: string) => {
    lines.push(line);
    if (lines.length > TAIL_LINES) lines.shift();
    spec.onLine?.(spec.name, line);
  };
  for (const stream of [child.stdout!, child.stderr!])
    createInterface({ input: stream }).on('line', remember);
  const exit = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? String(code)));
    // A command that cannot be started (ENOENT) never exits; it errors.
    child.once('error', (error) => {
      remember(String(error));
      resolve(`error: ${error.message}`);
    });
  });
  let done = false;
  void exit.then(() => (done = true));

  const stop = async (graceMs: number, signal: NodeJS.Signals = 'SIGTERM') => {
    if (done) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exit;
    clearTimeout(timer);
  };
  return {
    name: spec.name,
    process: child,
    tail: () => lines.join('\n'),
    running: () => !done,
    exited: () => exit,
    stop,
    kill: () => stop(0, 'SIGKILL'),
  };
}

/**
 * Polls `url` until it answers 2xx. Fails early, with the child's last lines, if the child exits
 * first, and after `timeoutMs` otherwise.
 */
export async function waitUntilAnswering(child: ClusterChild, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!child.running())
      throw new Error(
        `${child.name} exited (${await child.exited()}) before ${url} answered:\n${child.tail()}`,
      );
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${child.name}: ${url} did not answer within ${timeoutMs} ms:\n${child.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
