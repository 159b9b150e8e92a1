// One process owns a state folder: a `lock` file holding its pid, created exclusively. A lock
// whose process is gone is taken over (a restart after SIGKILL).
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Folders locked by this very process: in a container every run may be pid 1, so our own pid in a lock is only ours if it is in here. */
const heldHere = new Set<string>();

export type Lock = { ok: true; release(): Promise<void> } | { ok: false; why: string };

/** Takes `<dir>/lock`, or says who holds it. Throws on filesystem errors (EACCES, EROFS...). */
export async function takeLock(dir: string): Promise<Lock> {
  const folder = resolve(dir);
  const file = join(folder, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      heldHere.add(folder);
      return { ok: true, release: () => releaseLock(folder, file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await lockHolder(file);
    if (holder !== undefined && isRunning(holder, folder)) return { ok: false, why: `locked by process ${holder}, which is still running` };
    await unlink(file).catch(ignoreMissing);
  }
  return { ok: false, why: 'another process took the lock at the same moment' };
}

async function lockHolder(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isRunning(pid: number, folder: string): boolean {
  if (pid === process.pid) return heldHere.has(folder);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function releaseLock(folder: string, file: string): Promise<void> {
  heldHere.delete(folder);
  await unlink(file).catch(ignoreMissing);
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
