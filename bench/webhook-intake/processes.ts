/**
 * The bench's child processes (the HMAC-only server, Shopsight's api and worker, migrations): started with
 * their output captured, awaited with a deadline, and stopped with a bounded grace period. Every child
 * started here is tracked so that `stopAllChildren` leaves nothing running, whatever went wrong.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Lines of output kept per child, shown when it fails. */
const OUTPUT_TAIL_LINES = 40;
/** How long a child may take to exit after SIGTERM before it gets SIGKILL, in milliseconds. */
const STOP_GRACE_MS = 10_000;

export type Child = {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  exited: Promise<number | null>;
  /** The last lines the child wrote, stdout and stderr interleaved. */
  outputTail(): string;
  /**
   * Resolves with the first stdout line matching `pattern` (lines already seen count).
   * Rejects after `timeoutMs` milliseconds or when the child exits first.
   */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
};

const running = new Set<Child>();

/** Starts `node <args>` in `cwd` with exactly `env`. */
export function startChild(name: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Child {
  const proc = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const stdoutLines: string[] = [];
  const lineListeners = new Set<(line: string) => void>();

  const keep = (line: string) => {
    tail.push(line);
    if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
  };
  const splitLines = (onLine: (line: string) => void) => {
    let partial = '';
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    };
  };
  proc.stdout.on(
    'data',
    splitLines((line) => {
      keep(line);
      stdoutLines.push(line);
      for (const listener of lineListeners) listener(line);
    }),
  );
  proc.stderr.on(
    'data',
    splitLines((line) => keep(`[stderr] ${line}`)),
  );

  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => resolve(code));
    // A spawn failure emits 'error' and never 'exit'.
    proc.once('error', (error) => {
      keep(`[spawn error] ${error.message}`);
      resolve(null);
    });
  });

  const child: Child = {
    name,
    process: proc,
    exited,
    outputTail: () => tail.join('\n'),
    waitForLine(pattern, timeoutMs) {
      const seen = stdoutLines.map((line) => line.match(pattern)).find((match) => match !== null);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const finish = (error: Error | undefined, match?: RegExpMatchArray) => {
          clearTimeout(timer);
          lineListeners.delete(onLine);
          if (match) resolve(match);
          else reject(error);
        };
        const onLine = (line: string) => {
          const match = line.match(pattern);
          if (match) finish(undefined, match);
        };
        const timer = setTimeout(
          () => finish(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        lineListeners.add(onLine);
        void exited.then((code) =>
          finish(new Error(`${name} exited (code ${code}) before printing ${pattern}`)),
        );
      });
    },
  };
  running.add(child);
  void exited.then(() => running.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL if the child is still alive after the grace period. Resolves once it has exited. */
export async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS);
  });
  const outcome = await Promise.race([child.exited, gaveUp]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    child.process.kill('SIGKILL');
    await child.exited;
  }
}

/** Stops every child this module started that is still running. */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child)));
}

/**
 * Runs `node <args>` to completion.
 *
 * @throws Error with the child's output when it exits non-zero or runs longer than `timeoutMs` milliseconds.
 */
export async function runChild(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  timeoutMs: number,
): Promise<void> {
  const child = startChild(name, args, env, cwd);
  let timer: NodeJS.Timeout | undefined;
  const tooLong = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([child.exited, tooLong]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    await stopChild(child);
    throw new Error(`${name} did not finish within ${timeoutMs} ms. Output:\n${child.outputTail()}`);
  }
  if (outcome !== 0) throw new Error(`${name} exited with code ${outcome}. Output:\n${child.outputTail()}`);
}
