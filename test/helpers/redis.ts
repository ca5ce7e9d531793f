/**
 * Starts a real redis-server on a free loopback port for a test.
 *
 * If redis-server is missing, installs it with apt-get (CI images run as root);
 * where that is impossible the caller gets `undefined` plus a loud message, and
 * should skip its Redis tests (`describe.skipIf(!redisAvailable())`).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Kills the server (SIGKILL: it simulates a crash). */
  stop(): Promise<void>;
  /** Starts it again on the same port (a fresh, empty instance). */
  restart(): Promise<void>;
}

let binary: string | null | undefined;

function which(cmd: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** The redis-server binary, installing it once if needed; null (with a loud warning) when impossible. */
export function redisServerBinary(): string | null {
  if (binary !== undefined) return binary;
  binary = which('redis-server');
  if (!binary && process.getuid?.() === 0 && which('apt-get')) {
    try {
      // flock keeps concurrent test workers from fighting over dpkg's lock.
      const install = 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server';
      execFileSync('sh', ['-c', `if command -v flock >/dev/null; then flock /tmp/warden-apt.lock sh -c '${install}'; else ${install}; fi`], {
        stdio: 'ignore',
        timeout: 300_000,
      });
    } catch {
      /* reported below */
    }
    binary = which('redis-server');
  }
  if (!binary) {
    process.stderr.write(
      '\n*** redis-server is not installed and could not be installed (need root + apt-get). ***\n' +
        '*** Redis-backed limit tests are SKIPPED. Install it: apt-get install -y redis-server ***\n\n',
    );
  }
  return binary;
}

/** True when a redis-server can be started here. */
export function redisAvailable(): boolean {
  return redisServerBinary() !== null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function launch(bin: string, port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.resume();
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${out}`)));
    child.once('error', reject);
  });
}

/** Starts a fresh redis-server; throws when none is available (check `redisAvailable()` first). */
export async function startRedis(): Promise<RedisServer> {
  const bin = redisServerBinary();
  if (!bin) throw new Error('redis-server is not available');
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    child = await launch(bin, port).catch(() => undefined);
  }
  if (!child) throw new Error('could not start redis-server on a free port');
  let current: ChildProcess | undefined = child;
  const stop = async () => {
    const c = current;
    current = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    async restart() {
      await stop();
      current = await launch(bin, port);
    },
  };
}
