/**
 * The shared store's files and their format: where each lives, how it is parsed, and what happens
 * to one that cannot be used — a corrupt file is moved aside (`*.corrupt-<time>`, kept), a foreign
 * one (another format version, a stray name) is left alone; either is skipped with one warning and
 * never costs the valid files anything.
 */
import { createHash } from 'node:crypto';
import { promises as fsp, type Stats } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../core/types';
import {
  isTempName,
  listNames,
  moveCorruptAside,
  readFileText,
  signatureOf,
  writeFileAtomically,
  type FileSignature,
} from './fileSharedStoreFiles';

/** The version of every file this store writes; files of another version are foreign. */
export const SHARED_FORMAT = 1;
const WINDOW_FILE = /^([A-Za-z0-9][A-Za-z0-9._-]{0,127})\.json$/;

/** One window's file, parsed. */
export interface WindowFile {
  readonly id: string;
  readonly path: string;
  readonly pid: number;
  readonly hostname: string;
  readonly writtenAt: number;
  readonly record: unknown;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: 'corrupt' | 'foreign'; reason: string };

export class SharedFiles {
  readonly windowsDir: string;
  readonly claimsDir: string;
  readonly basePath: string;
  /** Files already warned about (path + signature): one warning per file version. */
  private readonly warned = new Set<string>();

  constructor(
    readonly directory: string,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {
    this.windowsDir = path.join(directory, 'windows');
    this.claimsDir = path.join(directory, 'claims');
    this.basePath = path.join(directory, 'base.json');
  }

  windowPath(windowId: string): string {
    return path.join(this.windowsDir, `${windowId}.json`);
  }

  /** Every usable window file by id; unusable ones are skipped (and warned about once). */
  async readWindows(): Promise<Map<string, WindowFile>> {
    const names = (await listNames(this.windowsDir)).filter(
      (name) => name.endsWith('.json') && !isTempName(name),
    );
    const files = await Promise.all(names.map((name) => this.readWindow(name)));
    return new Map(
      files.filter((file): file is WindowFile => file !== undefined).map((file) => [file.id, file]),
    );
  }

  private async readWindow(name: string): Promise<WindowFile | undefined> {
    const file = path.join(this.windowsDir, name);
    const id = WINDOW_FILE.exec(name)?.[1];
    const read = await readFileText(file);
    if (read.kind === 'missing') return undefined;
    if (read.kind === 'unreadable') return this.skip(file, `unreadable (${read.reason})`, undefined);
    if (!id) return this.skip(file, 'not named after a window id', read.stats);
    const parsed = parseWindowFile(read.text, id);
    if (parsed.ok) return { ...parsed.value, path: file };
    if (parsed.problem === 'foreign') return this.skip(file, parsed.reason, read.stats);
    await this.setAside(file, read.text, parsed.reason);
    return undefined;
  }

  /**
   * The compacted base, or undefined when there is none or it cannot be used. Only a caller holding
   * the lock may move a corrupt base aside (the base changes only under the lock).
   */
  async readBase(holdingLock: boolean): Promise<unknown> {
    const read = await readFileText(this.basePath);
    if (read.kind === 'missing') return undefined;
    if (read.kind === 'unreadable') return this.skip(this.basePath, `unreadable (${read.reason})`, undefined);
    const parsed = parseBaseFile(read.text);
    if (parsed.ok) return parsed.value;
    if (parsed.problem === 'foreign' || !holdingLock)
      return this.skip(this.basePath, parsed.reason, read.stats);
    await this.setAside(this.basePath, read.text, parsed.reason);
    return undefined;
  }

  async writeBase(
    base: unknown,
    writtenBy: string,
    beforeRename: (file: string, signature: FileSignature) => void,
  ): Promise<void> {
    const text = JSON.stringify({
      format: SHARED_FORMAT,
      writtenBy,
      writtenAt: this.now(),
      base: base ?? null,
    });
    await writeFileAtomically(this.basePath, text, (signature) => beforeRename(this.basePath, signature));
  }

  /** The signature of every file another window's change would touch, by path. */
  async signatures(): Promise<Map<string, FileSignature>> {
    const paths = [this.basePath];
    for (const folder of [this.windowsDir, this.claimsDir]) {
      for (const name of await listNames(folder)) {
        if (name.endsWith('.json') && !isTempName(name)) paths.push(path.join(folder, name));
      }
    }
    const found = new Map<string, FileSignature>();
    await Promise.all(
      paths.map(async (file) => {
        const stats = await fsp.stat(file).catch(() => undefined);
        if (stats) found.set(file, signatureOf(stats));
      }),
    );
    return found;
  }

  /** Removes what crashed writers left behind (temp files, lock directories) older than `ageMs`. */
  async removeLeftovers(ageMs: number): Promise<void> {
    const candidates: string[] = [];
    for (const folder of [this.directory, this.windowsDir, this.claimsDir]) {
      for (const name of await listNames(folder)) {
        const leftoverLock =
          folder === this.directory && /^lock(\.break)?\.(.+\.tmp|released-.+|stale-.+)$/.test(name);
        if ((isTempName(name) && name.endsWith('.tmp')) || leftoverLock)
          candidates.push(path.join(folder, name));
      }
    }
    for (const file of candidates) {
      const stats = await fsp.stat(file).catch(() => undefined);
      if (stats && Date.now() - stats.mtimeMs > ageMs) await fsp.rm(file, { recursive: true, force: true });
    }
  }

  private async setAside(file: string, text: string, reason: string): Promise<void> {
    const aside = await moveCorruptAside(file, text, this.now()).catch(() => undefined);
    if (aside) {
      this.logger.warn(
        `Ignored the shared-state file ${file}: ${reason}. It was moved aside to ${path.basename(aside)}; the other windows' records are unaffected.`,
      );
    }
  }

  private skip(file: string, reason: string, stats: Stats | undefined): undefined {
    const key = `${file}\n${stats ? signatureOf(stats) : reason}`;
    if (!this.warned.has(key)) {
      this.warned.add(key);
      this.logger.warn(
        `Ignored the shared-state file ${file}: ${reason}. The other windows' records are unaffected.`,
      );
    }
    return undefined;
  }
}

function parseJsonObject(text: string): Parsed<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {
      ok: false,
      problem: 'corrupt',
      reason: text.length === 0 ? 'it is empty' : 'it is not JSON (cut short?)',
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: 'corrupt', reason: 'it is not a JSON object' };
  }
  const format = (value as { format?: unknown }).format;
  if (format !== SHARED_FORMAT) {
    return typeof format === 'number'
      ? {
          ok: false,
          problem: 'foreign',
          reason: `it has format ${format} (this version reads ${SHARED_FORMAT})`,
        }
      : { ok: false, problem: 'corrupt', reason: 'it has no format version' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

function parseWindowFile(text: string, id: string): Parsed<Omit<WindowFile, 'path'>> {
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return parsed;
  const { windowId, pid, hostname, writtenAt } = parsed.value;
  if (windowId !== id)
    return { ok: false, problem: 'corrupt', reason: `it names another window (${String(windowId)})` };
  if (
    !Number.isInteger(pid) ||
    typeof hostname !== 'string' ||
    typeof writtenAt !== 'number' ||
    !('record' in parsed.value)
  ) {
    return { ok: false, problem: 'corrupt', reason: 'it lacks its pid, hostname, time or record' };
  }
  return { ok: true, value: { id, pid: pid as number, hostname, writtenAt, record: parsed.value.record } };
}

function parseBaseFile(text: string): Parsed<unknown> {
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return parsed;
  if (!('base' in parsed.value)) return { ok: false, problem: 'corrupt', reason: 'it has no base' };
  return { ok: true, value: parsed.value.base ?? undefined };
}

/** A claim as stored. `expiresAt` null: held until released. */
export interface StoredClaim {
  readonly owner: string;
  readonly pid: number;
  readonly hostname: string;
  readonly expiresAt: number | null;
}

export type ClaimState =
  | { readonly kind: 'missing' }
  /** Being created right now, or left empty/corrupt by a creator that crashed: judged by age. */
  | { readonly kind: 'unwritten'; readonly ageMs: number; readonly signature: FileSignature }
  | {
      readonly kind: 'held';
      readonly claim: StoredClaim;
      readonly signature: FileSignature;
      /** Since the claim was taken (or last extended). */
      readonly ageMs: number;
    };

/** A file name for any claim name: its safe characters (readable) plus a hash (unique, case-proof). */
export function claimFileName(name: string): string {
  const readable = name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 16);
  return `${readable}-${hash}.json`;
}

export async function readClaim(file: string): Promise<ClaimState> {
  const read = await readFileText(file);
  if (read.kind === 'missing') return { kind: 'missing' };
  if (read.kind === 'unreadable') throw new Error(`${file} is ${read.reason}`);
  const signature = signatureOf(read.stats);
  const parsed = parseJsonObject(read.text);
  const claim = parsed.ok ? (parsed.value as Partial<StoredClaim>) : undefined;
  if (
    !claim ||
    typeof claim.owner !== 'string' ||
    !Number.isInteger(claim.pid) ||
    typeof claim.hostname !== 'string' ||
    !(claim.expiresAt === null || typeof claim.expiresAt === 'number')
  ) {
    return { kind: 'unwritten', ageMs: Date.now() - read.stats.mtimeMs, signature };
  }
  return { kind: 'held', claim: claim as StoredClaim, signature, ageMs: Date.now() - read.stats.mtimeMs };
}
