import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FileSharedStore, PERMANENT_CLAIM_KEPT_MS } from '../../../src/extension/fileSharedStore';
import {
  killLeftoverProcesses,
  recordingLogger,
  StoreProcess,
  startProcesses,
  tempDirectory,
} from './fileSharedStore.processes';
import { bulkyRecord, sumFold, type SumBase } from './fileSharedStore.worker';

describe('FileSharedStore: records', function () {
  // Real processes start in a few hundred milliseconds each on a busy machine.
  this.timeout(60_000);
  let directory: string;
  const stores: FileSharedStore[] = [];
  const open = (options: Partial<ConstructorParameters<typeof FileSharedStore>[1]> = {}) => {
    const logger = recordingLogger();
    const store = new FileSharedStore(directory, { logger, pollMs: 0, watch: false, ...options });
    stores.push(store);
    return { store, logger };
  };

  beforeEach(() => {
    directory = tempDirectory();
  });
  afterEach(() => {
    killLeftoverProcesses();
    for (const store of stores.splice(0)) store.dispose();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('lays its files out in the documented folders', async () => {
    const { store } = open({ windowId: 'layout-window' });
    await store.writeOwn({ count: 1 });
    const file = JSON.parse(fs.readFileSync(path.join(directory, 'windows', 'layout-window.json'), 'utf8'));
    assert.deepStrictEqual(Object.keys(file).sort(), [
      'format',
      'hostname',
      'pid',
      'record',
      'windowId',
      'writtenAt',
    ]);
    assert.deepStrictEqual(file.record, { count: 1 });
    assert.strictEqual(file.pid, process.pid);
    assert.match(store.windowId, /^layout-window$/);
    assert.match(
      open().store.windowId,
      /^[A-Za-z0-9._-]+-\d+-[0-9a-f]{8}$/,
      'default id: hostname, pid, random bits',
    );
  });

  it('replaces a record atomically: a reader in another process sees each version whole', async () => {
    const writer = await StoreProcess.start(directory, 'bulky-writer');
    const { store: reader, logger } = open();
    const writing = writer.request({ op: 'writeBulky', versions: 300 });
    let done = false;
    void writing.then(() => (done = true));
    const seen = new Set<number>();
    let reads = 0;
    while (!done) {
      const record = (await reader.read()).windows.get('bulky-writer') as
        ReturnType<typeof bulkyRecord> | undefined;
      reads++;
      if (!record) continue;
      assert.deepStrictEqual(
        record,
        bulkyRecord(record.version, record.length),
        `version ${record.version} is whole`,
      );
      seen.add(record.version);
    }
    await writing;
    await writer.exit();
    console.log(`      ${reads} reads saw ${seen.size} distinct versions of 300 writes, every one whole`);
    assert.ok(seen.size >= 2, `the reads interleaved with the writes (saw ${seen.size} versions)`);
    assert.deepStrictEqual(logger.warnings, []);
    assert.deepStrictEqual(
      fs.readdirSync(path.join(directory, 'windows')),
      ['bulky-writer.json'],
      'no temp file is left behind',
    );
  });

  it('skips corrupt, foreign, truncated and unreadable files with one warning each and keeps the valid ones', async () => {
    const { store: good } = open({ windowId: 'good-one' });
    await good.writeOwn({ count: 1 });
    const other = open({ windowId: 'good-two' }).store;
    await other.writeOwn({ count: 2 });
    const windows = path.join(directory, 'windows');
    const valid = fs.readFileSync(path.join(windows, 'good-two.json'), 'utf8');
    const bad: Record<string, string> = {
      'truncated.json': valid.slice(0, valid.length / 2),
      'garbage.json': '\u0000\u0001 not json',
      'empty.json': '',
      'array.json': '[1, 2]',
      'impostor.json': valid, // claims to be good-two
      'no-record.json': JSON.stringify({
        format: 1,
        windowId: 'no-record',
        pid: 1,
        hostname: 'h',
        writtenAt: 1,
      }),
    };
    for (const [name, text] of Object.entries(bad)) fs.writeFileSync(path.join(windows, name), text);
    const foreign = JSON.stringify({
      format: 2,
      windowId: 'future',
      pid: 1,
      hostname: 'h',
      writtenAt: 1,
      record: {},
    });
    fs.writeFileSync(path.join(windows, 'future.json'), foreign);
    fs.mkdirSync(path.join(windows, 'folder.json'));
    fs.writeFileSync(path.join(windows, 'not a window id!.json'), valid);

    const { store: reader, logger } = open();
    const first = await reader.read();
    assert.deepStrictEqual([...first.windows].sort(), [
      ['good-one', { count: 1 }],
      ['good-two', { count: 2 }],
    ]);
    assert.strictEqual(logger.warnings.length, 9, logger.warnings.join('\n'));
    for (const name of [...Object.keys(bad), 'future.json', 'folder.json', 'not a window id!.json']) {
      assert.ok(
        logger.warnings.some((warning) => warning.includes(name)),
        `a warning names ${name}`,
      );
    }
    const second = await reader.read();
    assert.strictEqual(second.windows.size, 2);
    assert.strictEqual(logger.warnings.length, 9, 'no second warning for the same file');

    const left = fs.readdirSync(windows).sort();
    for (const [name, text] of Object.entries(bad)) {
      assert.ok(!left.includes(name), `${name} was moved out of the way`);
      const aside = left.find((file) => file.startsWith(`${name}.corrupt-`));
      assert.ok(aside, `${name} was kept as ${name}.corrupt-<time>`);
      assert.strictEqual(
        fs.readFileSync(path.join(windows, aside), 'utf8'),
        text,
        `${name} was kept unchanged`,
      );
    }
    assert.strictEqual(
      fs.readFileSync(path.join(windows, 'future.json'), 'utf8'),
      foreign,
      'a newer format is left alone',
    );
  });

  it('reads no base from a corrupt base file, and compaction moves it aside', async () => {
    fs.writeFileSync(path.join(directory, 'base.json'), '{"format":1,"base":{"total":');
    const { store, logger } = open();
    assert.strictEqual((await store.read()).base, undefined);
    assert.strictEqual(logger.warnings.length, 1);
    assert.ok(fs.existsSync(path.join(directory, 'base.json')), 'a reader without the lock moves nothing');
    await store.compact(sumFold);
    assert.ok(!fs.existsSync(path.join(directory, 'base.json')));
    assert.strictEqual(
      fs.readdirSync(directory).filter((name) => name.startsWith('base.json.corrupt-')).length,
      1,
    );
  });
});

describe('FileSharedStore: compaction', function () {
  // Real processes start in a few hundred milliseconds each on a busy machine.
  this.timeout(60_000);
  let directory: string;
  let store: FileSharedStore;

  beforeEach(() => {
    directory = tempDirectory();
    store = new FileSharedStore(directory, {
      logger: recordingLogger(),
      windowId: 'me',
      pollMs: 0,
      watch: false,
    });
  });
  afterEach(() => {
    killLeftoverProcesses();
    store.dispose();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  async function windowThatExits(count: number): Promise<string> {
    const child = await StoreProcess.start(directory);
    await child.request({ op: 'write', record: { count } });
    await child.exit();
    return child.windowId;
  }

  const totalOf = async () => {
    const { base, windows } = await store.read();
    return [...windows.values()].reduce<number>(
      (sum, record) => sum + (record as { count: number }).count,
      (base as SumBase | undefined)?.total ?? 0,
    );
  };

  it('folds only the records of windows whose process has exited', async () => {
    const gone = await windowThatExits(5);
    const alive = await StoreProcess.start(directory);
    await alive.request({ op: 'write', record: { count: 7 } });
    await store.writeOwn({ count: 1 });
    const folds: string[][] = [];
    await store.compact((base, goneRecords) => {
      folds.push([...goneRecords.keys()]);
      return sumFold(base, goneRecords);
    });
    assert.deepStrictEqual(folds, [[gone]]);
    const { base, windows } = await store.read();
    assert.deepStrictEqual(base, { total: 5, folded: [gone] });
    assert.deepStrictEqual([...windows.keys()].sort(), [alive.windowId, 'me'].sort());
    assert.ok(
      !fs.existsSync(path.join(directory, 'windows', `${gone}.json`)),
      'the folded record is removed',
    );
    assert.deepStrictEqual([...(await store.liveWindows())].sort(), [alive.windowId, 'me'].sort());
    assert.strictEqual(await totalOf(), 13);
    await store.compact(() => assert.fail('nothing is gone: fold is not called'));
    await alive.exit();
  });

  it('folds each gone window exactly once while four processes compact at the same time', async () => {
    let expected = 0;
    for (let round = 1; round <= 2; round++) {
      const gone = await Promise.all([1, 2, 3, 4, 5].map((count) => windowThatExits(count * round)));
      expected += 15 * round;
      const compactors = await startProcesses(directory, 4);
      await Promise.all(compactors.map((compactor) => compactor.request({ op: 'compact' })));
      await Promise.all(compactors.map((compactor) => compactor.exit()));
      const base = (await store.read()).base as SumBase;
      assert.strictEqual(base.total, expected, `round ${round}`);
      assert.strictEqual(new Set(base.folded).size, base.folded.length, 'no window folded twice');
      for (const id of gone) assert.ok(base.folded.includes(id));
    }
    // The compactors themselves wrote nothing and are gone; only the base is left.
    assert.deepStrictEqual(fs.readdirSync(path.join(directory, 'windows')), []);
    assert.strictEqual(await totalOf(), expected);
  });

  it('counts nothing twice after a crash between writing the base and removing the records', async () => {
    const gone = await windowThatExits(4);
    await store.writeOwn({ count: 1 });
    // What a compactor that died right after its base write leaves: the base lists the window as
    // folded, the window's file is still there, and so is the dead compactor's lock.
    const compactor = await StoreProcess.start(directory);
    await compactor.exit();
    const deadPid = compactor.pid;
    fs.writeFileSync(
      path.join(directory, 'base.json'),
      JSON.stringify({ format: 1, base: { total: 4, folded: [gone] } }),
    );
    fs.mkdirSync(path.join(directory, 'lock'));
    fs.writeFileSync(
      path.join(directory, 'lock', 'owner.json'),
      JSON.stringify({
        token: 'crashed',
        windowId: 'dead',
        pid: deadPid,
        hostname: os.hostname(),
        at: Date.now(),
      }),
    );
    assert.ok(fs.existsSync(path.join(directory, 'windows', `${gone}.json`)));
    assert.strictEqual(await totalOf(), 5, 'the leftover record is skipped');
    assert.deepStrictEqual([...(await store.liveWindows())], ['me']);
    await store.compact(() => assert.fail('the leftover is no new gone window'));
    assert.ok(!fs.existsSync(path.join(directory, 'windows', `${gone}.json`)), 'the leftover is removed');
    assert.ok(
      !fs.existsSync(path.join(directory, 'lock')),
      "the dead compactor's lock was broken and ours released",
    );
    assert.strictEqual(await totalOf(), 5);
  });

  it('breaks a lock held longer than 30 s by a process that still runs', async () => {
    fs.mkdirSync(path.join(directory, 'lock'));
    fs.writeFileSync(
      path.join(directory, 'lock', 'owner.json'),
      JSON.stringify({
        token: 'hung',
        windowId: 'x',
        pid: process.pid,
        hostname: os.hostname(),
        at: Date.now() - 31_000,
      }),
    );
    const gone = await windowThatExits(3);
    await store.compact(sumFold);
    assert.deepStrictEqual((await store.read()).base, { total: 3, folded: [gone] });
  });

  it('removes claims long expired, and those of windows that are gone once they no longer matter', async () => {
    let now = Date.now();
    const clocked = new FileSharedStore(directory, {
      logger: recordingLogger(),
      pollMs: 0,
      watch: false,
      now: () => now,
    });
    assert.ok(await clocked.claim('short', 1_000));
    assert.ok(await clocked.claim('forever', 0));
    const child = await StoreProcess.start(directory);
    assert.ok(await child.request<boolean>({ op: 'claim', name: 'orphan-probe', ttlMs: 10 * 60_000 }));
    assert.ok(await child.request<boolean>({ op: 'claim', name: 'orphan-alert', ttlMs: 0 }));
    await child.exit();
    now += 2 * 60_000;
    const claimsDir = path.join(directory, 'claims');
    const names = () =>
      fs
        .readdirSync(claimsDir)
        .map((name) => name.replace(/-[0-9a-f]{16}\.json$/, ''))
        .sort();
    await clocked.compact(sumFold);
    assert.deepStrictEqual(names(), ['forever', 'orphan-alert']);
    const longAgo = new Date(Date.now() - PERMANENT_CLAIM_KEPT_MS - 60_000);
    for (const file of fs.readdirSync(claimsDir)) fs.utimesSync(path.join(claimsDir, file), longAgo, longAgo);
    await clocked.compact(sumFold);
    assert.deepStrictEqual(names(), ['forever'], "only this window's own claim held until released is left");
    clocked.dispose();
  });
});
