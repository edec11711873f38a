import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { FileSharedStore } from '../../../src/extension/fileSharedStore';
import {
  killLeftoverProcesses,
  recordingLogger,
  StoreProcess,
  startProcesses,
  tempDirectory,
  waitFor,
} from './fileSharedStore.processes';

describe('FileSharedStore: claims', function () {
  // Real processes start in a few hundred milliseconds each on a busy machine.
  this.timeout(60_000);
  let directory: string;
  const stores: FileSharedStore[] = [];
  let now = 1_000_000;
  const open = (windowId?: string) => {
    const store = new FileSharedStore(directory, {
      logger: recordingLogger(),
      windowId,
      pollMs: 0,
      watch: false,
      now: () => now,
    });
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    directory = tempDirectory();
    now = 1_000_000;
  });
  afterEach(() => {
    killLeftoverProcesses();
    for (const store of stores.splice(0)) store.dispose();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('gives each of 200 claims to exactly one of 8 processes racing for all of them', async () => {
    const names = Array.from({ length: 200 }, (_, index) => `race/${index}: probe`);
    const racers = await startProcesses(directory, 8);
    const startAt = Date.now() + 200;
    const won = await Promise.all(
      racers.map((racer) =>
        racer.request<string[]>({ op: 'claimMany', names: shuffled(names), ttlMs: 60_000, startAt }),
      ),
    );
    await Promise.all(racers.map((racer) => racer.exit()));
    const winners = new Map<string, number>();
    for (const list of won) for (const name of list) winners.set(name, (winners.get(name) ?? 0) + 1);
    console.log(`      wins per process: ${won.map((list) => list.length).join(', ')}`);
    assert.deepStrictEqual(
      names.filter((name) => winners.get(name) !== 1),
      [],
      'every claim has exactly one winner',
    );
  });

  it('hands an expired claim over to exactly one of 8 processes, and a live one to none', async () => {
    const previous = open('previous-owner');
    const expiredNames = Array.from({ length: 16 }, (_, index) => `expired-${index}`);
    for (const name of expiredNames) assert.ok(await previous.claim(name, 1));
    // Held by this (live) process until long after the test.
    assert.ok(await previous.claim('still-held', 10 * 60_000 + Date.now() - now));
    now = Date.now(); // the workers' clock: the 1 ms claims expired long ago
    const racers = await startProcesses(directory, 8);
    const names = [...expiredNames, 'still-held'];
    const startAt = Date.now() + 200;
    const won = await Promise.all(
      racers.map((racer) => racer.request<string[]>({ op: 'claimMany', names, ttlMs: 60_000, startAt })),
    );
    await Promise.all(racers.map((racer) => racer.exit()));
    const counts = new Map(names.map((name) => [name, won.filter((list) => list.includes(name)).length]));
    assert.deepStrictEqual(
      expiredNames.filter((name) => counts.get(name) !== 1),
      [],
      'each expired claim was taken over exactly once',
    );
    assert.strictEqual(counts.get('still-held'), 0);
  });

  it('counts a claim this window holds, and lets others have it once released', async () => {
    const mine = open('mine');
    const theirs = open('theirs');
    assert.strictEqual(await mine.claim('alert:2026-11-23', 60_000), true);
    assert.strictEqual(await mine.claim('alert:2026-11-23', 60_000), true, 'held already');
    assert.strictEqual(await theirs.claim('alert:2026-11-23', 60_000), false);
    await theirs.release('alert:2026-11-23');
    assert.strictEqual(
      await theirs.claim('alert:2026-11-23', 60_000),
      false,
      "another window's release changes nothing",
    );
    await mine.release('alert:2026-11-23');
    assert.strictEqual(await theirs.claim('alert:2026-11-23', 60_000), true);
    now += 60_001;
    assert.strictEqual(await mine.claim('alert:2026-11-23', 60_000), true, 'expired: taken over');
    assert.strictEqual(await theirs.claim('alert:2026-11-23', 60_000), false);
  });

  it('extends a claim its window claims again', async () => {
    const mine = open('mine');
    assert.ok(await mine.claim('probe', 1_000));
    now += 900;
    assert.ok(await mine.claim('probe', 1_000));
    now += 900;
    assert.strictEqual(
      await open('theirs').claim('probe', 1_000),
      false,
      'extended to 1 s after the second claim',
    );
  });

  it("frees a claim with a time to live as soon as its window's process is gone", async () => {
    const child = await StoreProcess.start(directory);
    assert.ok(await child.request<boolean>({ op: 'claim', name: 'probe:model-a', ttlMs: 60_000 }));
    const store = open();
    now = Date.now();
    assert.strictEqual(await store.claim('probe:model-a', 60_000), false, 'held by a running window');
    await child.exit();
    assert.strictEqual(await store.claim('probe:model-a', 60_000), true);
  });

  it('keeps a claim held until released after its window is gone: the decision outlives the window', async () => {
    const child = await StoreProcess.start(directory);
    assert.ok(await child.request<boolean>({ op: 'claim', name: 'alert:day:2026-11-23', ttlMs: 0 }));
    await child.exit();
    assert.strictEqual(await open().claim('alert:day:2026-11-23', 0), false);
  });

  it('treats a claim file left empty by a crashed creator as held for 5 s, then takes it over', async () => {
    const store = open();
    assert.ok(await store.claim('x', 1_000));
    const file = path.join(directory, 'claims', fs.readdirSync(path.join(directory, 'claims'))[0]);
    fs.writeFileSync(file, '');
    assert.strictEqual(await open().claim('x', 1_000), false);
    const old = new Date(Date.now() - 6_000);
    fs.utimesSync(file, old, old);
    assert.strictEqual(await open().claim('x', 1_000), true);
  });

  it('gives claims with unsafe names distinct, safe file names', async () => {
    const store = open();
    for (const name of ['a/b', 'a_b', 'A/B', '..', 'con', 'x'.repeat(300)])
      assert.ok(await store.claim(name, 0), name);
    const files = fs.readdirSync(path.join(directory, 'claims'));
    assert.strictEqual(files.length, 6);
    for (const file of files) assert.match(file, /^[A-Za-z0-9._-]{1,80}-[0-9a-f]{16}\.json$/);
  });
});

describe('FileSharedStore: change events', function () {
  // Real processes start in a few hundred milliseconds each on a busy machine.
  this.timeout(60_000);
  let directory: string;

  beforeEach(() => {
    directory = tempDirectory();
  });
  afterEach(() => {
    killLeftoverProcesses();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  for (const mode of [
    { watch: true, pollMs: 1_000, label: 'fs.watch' },
    { watch: false, pollMs: 200, label: 'polling alone' },
  ]) {
    it(`fires for another process's writes and claims, never for its own (${mode.label})`, async () => {
      const store = new FileSharedStore(directory, { logger: recordingLogger(), ...mode });
      let events = 0;
      store.onDidChange(() => events++);
      try {
        const other = await StoreProcess.start(directory);
        await store.checkForChanges();
        events = 0;

        await store.writeOwn({ count: 1 });
        await store.writeOwn({ count: 2 });
        assert.ok(await store.claim('mine', 0));
        await store.release('mine');
        await store.compact(() => ({ folded: [] }));
        assert.strictEqual(await store.checkForChanges(), false, 'own writes are no change');
        assert.strictEqual(events, 0);

        for (const change of [
          { op: 'write', record: { count: 3 } } as const,
          { op: 'claim', name: 'theirs', ttlMs: 0 } as const,
        ]) {
          const before = events;
          const started = Date.now();
          await other.request(change);
          await waitFor(
            () => events > before,
            `the event for the other process's ${change.op}`,
            mode.pollMs + 1_000,
          );
          console.log(
            `      ${mode.label}: another process's ${change.op} seen after ${Date.now() - started} ms`,
          );
        }
        await other.exit();
      } finally {
        store.dispose();
      }
    });
  }
});

/** Each racer goes through the names in its own order, so they collide all over the list. */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
