import * as assert from 'node:assert/strict';
import { Emitter } from '../../../src/core';
import { DashboardFeed } from '../../../src/extension/dashboardFeed';
import { buildViewState } from '../../../src/extension/dashboardModel';
import type { HostMessage, UpdateMessage, ViewState } from '../../../src/shared/protocol';
import { FakeClock, flushMicrotasks, MemoryLogger } from '../../support/fakeClock';
import { harness } from '../../support/scriptedProvider';

/** A feed over a real manager on a fake clock, and one webview's inbox. */
function setup() {
  const clock = new FakeClock();
  const { manager } = harness({ a: {}, b: {} }, {}, { clock });
  const changed = new Emitter<void>();
  let reads = 0;
  const read = async (): Promise<ViewState> => {
    reads++;
    return buildViewState({
      chain: manager.chainSteps(),
      models: manager.listModels().map((name) => manager.getModelInfo(name)!),
      metrics: manager.getMetrics(),
      recent: manager.getRecentRequests(),
      now: clock.now(),
      demo: false,
      missingKeys: new Set(),
      redact: (text) => text,
    });
  };
  const feed = new DashboardFeed({
    read,
    changes: [changed.event, manager.onDidChangeCircuit, manager.onDidChangeMetrics],
    clock,
    logger: new MemoryLogger(),
    minIntervalMs: 250,
    refreshMs: 15_000,
  });
  const inbox: HostMessage[] = [];
  const webview = { accepts: true };
  const connection = feed.connect((message) => {
    if (webview.accepts) inbox.push(message);
    return webview.accepts;
  });
  return { clock, manager, changed, feed, connection, inbox, webview, reads: () => reads };
}

const updates = (inbox: readonly HostMessage[]) =>
  inbox.filter((m): m is UpdateMessage => m.type === 'update');

describe('metrics feed', () => {
  it('answers "ready" with a snapshot of the surface\'s sections', async () => {
    const { connection, inbox, clock } = setup();
    await connection.ready('sidebar');
    assert.equal(inbox.length, 1);
    const [snapshot] = inbox;
    assert.equal(snapshot.type, 'snapshot');
    assert.equal(snapshot.now, clock.now());
    if (snapshot.type === 'snapshot')
      assert.deepEqual(Object.keys(snapshot.state), ['header', 'models', 'totals', 'budgets']);
  });

  it('then sends only what changed, when the manager says something did', async () => {
    const { connection, inbox, clock, manager } = setup();
    await connection.ready('dashboard');
    await clock.tickAsync(300);
    assert.equal(updates(inbox).length, 0, 'nothing changed, nothing sent');
    manager.isolateModel('a');
    await clock.tickAsync(300);
    const [update] = updates(inbox);
    assert.deepEqual(Object.keys(update.changes).sort(), ['header', 'models']);
    assert.equal(update.changes.models?.[0].circuit.state, 'isolated');
  });

  it('renders at most four times a second however many events arrive', async () => {
    const { connection, changed, clock, reads } = setup();
    await connection.ready('dashboard');
    const before = reads();
    for (let i = 0; i < 200; i++) {
      changed.fire();
      await clock.tickAsync(10);
    }
    await clock.tickAsync(300);
    const renders = reads() - before;
    assert.ok(renders >= 4 && renders <= 10, `${renders} renders over 2.3 s`);
  });

  it('sends nothing while the webview is hidden and catches up when it is shown again', async () => {
    const { connection, inbox, clock, manager, reads } = setup();
    await connection.ready('dashboard');
    await clock.tickAsync(300);
    connection.setVisible(false);
    const readsWhileHidden = reads();
    manager.isolateModel('a');
    manager.isolateModel('b');
    await clock.tickAsync(60_000);
    assert.equal(updates(inbox).length, 0);
    assert.equal(reads(), readsWhileHidden, 'no work for a hidden view, not even the periodic refresh');
    connection.setVisible(true);
    await clock.tickAsync(300);
    const [update] = updates(inbox);
    assert.deepEqual(
      update.changes.models?.map((m) => m.circuit.state),
      ['isolated', 'isolated'],
    );
  });

  it('gives a webview that reloaded (shown again after being dropped) a fresh snapshot', async () => {
    const { connection, inbox, clock, manager } = setup();
    await connection.ready('sidebar');
    manager.isolateModel('a');
    await clock.tickAsync(300);
    await connection.ready('sidebar');
    const snapshots = inbox.filter((m) => m.type === 'snapshot');
    assert.equal(snapshots.length, 2);
    const last = snapshots[1];
    if (last.type === 'snapshot') assert.equal(last.state.models[0].circuit.state, 'isolated');
  });

  it('stops updating a webview that did not receive a message, until it says ready again', async () => {
    const { connection, inbox, clock, manager, webview } = setup();
    await connection.ready('sidebar');
    webview.accepts = false;
    manager.isolateModel('a');
    await clock.tickAsync(300);
    webview.accepts = true;
    manager.isolateModel('b');
    await clock.tickAsync(300);
    assert.equal(updates(inbox).length, 0, 'no update built on a state the webview never got');
    await connection.ready('sidebar');
    assert.equal(inbox.at(-1)?.type, 'snapshot');
  });

  it('refreshes a visible webview now and then without events, so time-driven states show', async () => {
    const { connection, clock, reads } = setup();
    await connection.ready('sidebar');
    await clock.tickAsync(300);
    const before = reads();
    await clock.tickAsync(31_000);
    assert.equal(reads() - before, 2);
  });

  it('lets go of everything when disposed', async () => {
    const { feed, connection, inbox, clock, manager } = setup();
    await connection.ready('sidebar');
    feed.dispose();
    manager.isolateModel('a');
    await clock.tickAsync(60_000);
    await flushMicrotasks();
    assert.equal(inbox.length, 1);
    assert.equal(clock.pending, 0, 'no timers left behind');
  });
});
