/**
 * The file operations the file-backed shared store is built from: atomic replacement (temp file +
 * rename), exclusive creation, reads that tell "missing" from "unreadable", and moving a corrupt
 * file aside without ever moving a good one. Plain Node, no `vscode`.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp, type Stats } from 'node:fs';
import * as path from 'node:path';

/** Identifies one version of a file: a rename, a rewrite or a resize changes it. */
export type FileSignature = string;

export function signatureOf(stats: Stats): FileSignature {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

/** Unique within this machine: for temp and aside names. */
export function uniqueSuffix(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** Temp files start with a dot, so a directory listing of records can tell them apart at once. */
export function isTempName(name: string): boolean {
  return name.startsWith('.');
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * On Windows a rename or read fails with EPERM/EBUSY/EACCES while another process (a reader, a
 * virus scanner, the indexer) has the file open; it succeeds a moment later. Elsewhere those codes
 * are real permission errors and fail at once.
 */
const TRANSIENT_WINDOWS_CODES = new Set(['EPERM', 'EBUSY', 'EACCES']);
const RETRY_DELAYS_MS = [5, 10, 20, 40, 80, 160, 320];

export async function retryingOnWindows<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const transient = process.platform === 'win32' && TRANSIENT_WINDOWS_CODES.has(errorCode(error) ?? '');
      if (!transient || attempt >= RETRY_DELAYS_MS.length) throw error;
      await delay(RETRY_DELAYS_MS[attempt]);
    }
  }
}

/**
 * Replaces `file` with `text` atomically: writes a temp file beside it, flushes it to disk and
 * renames it over `file`, so a reader sees the old content or the new, whole. `beforeRename` gets
 * the new file's signature before it becomes visible (so a watcher can recognise it as our own).
 */
export async function writeFileAtomically(
  file: string,
  text: string,
  beforeRename?: (signature: FileSignature) => void,
): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${uniqueSuffix()}.tmp`);
  const handle = await fsp.open(temp, 'wx');
  let signature: FileSignature;
  try {
    await handle.writeFile(text, 'utf8');
    await handle.datasync();
    signature = signatureOf(await handle.stat());
  } catch (error) {
    await handle.close();
    await fsp.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  beforeRename?.(signature);
  try {
    await retryingOnWindows(() => fsp.rename(temp, file));
  } catch (error) {
    await fsp.rm(temp, { force: true });
    throw error;
  }
}

/**
 * Creates `file` with `text` only if it does not exist yet (`open(…, 'wx')`): of several processes
 * racing, exactly one gets `created`. Returns the created file's signature, or undefined when the
 * file already existed.
 */
export async function createExclusively(file: string, text: string): Promise<FileSignature | undefined> {
  let handle;
  try {
    handle = await fsp.open(file, 'wx');
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return undefined;
    throw error;
  }
  try {
    await handle.writeFile(text, 'utf8');
    return signatureOf(await handle.stat());
  } finally {
    await handle.close();
  }
}

export type FileRead =
  | { readonly kind: 'ok'; readonly text: string; readonly stats: Stats }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable'; readonly reason: string };

/** Reads a file whole; "missing" is a normal answer (another process just removed it). */
export async function readFileText(file: string): Promise<FileRead> {
  try {
    return await retryingOnWindows(async () => {
      const handle = await fsp.open(file, 'r');
      try {
        const stats = await handle.stat();
        if (!stats.isFile()) return { kind: 'unreadable' as const, reason: 'it is not a regular file' };
        return { kind: 'ok' as const, text: await handle.readFile('utf8'), stats };
      } finally {
        await handle.close();
      }
    });
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'EISDIR') return { kind: 'unreadable', reason: 'it is a directory' };
    return { kind: 'unreadable', reason: code ?? String(error) };
  }
}

/**
 * Moves a corrupt file out of the way as `<file>.corrupt-<time>` (kept for inspection, never
 * deleted) — but only the corrupt version: if its writer replaced it between our read and the move,
 * the good version is put back. Returns the aside path, or undefined when nothing was moved.
 */
export async function moveCorruptAside(
  file: string,
  corruptText: string,
  now: number,
): Promise<string | undefined> {
  const aside = `${file}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, '-')}-${uniqueSuffix()}`;
  try {
    await retryingOnWindows(() => fsp.rename(file, aside));
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  const moved = await readFileText(aside);
  if (moved.kind !== 'ok' || moved.text === corruptText) return aside;
  // We moved a version written after our read: give it back unless a newer one is there already
  // (link never overwrites). Records are whole, so a newer file supersedes the one we moved.
  try {
    await fsp.link(aside, file);
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') {
      await fsp.rename(aside, file).catch(() => undefined);
      return undefined;
    }
  }
  await fsp.rm(aside, { force: true });
  return undefined;
}

/** Names in `directory` (none when it does not exist). */
export async function listNames(directory: string): Promise<string[]> {
  try {
    return await fsp.readdir(directory);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
