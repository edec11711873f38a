import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { activateExtension } from '../support';
import { coordinateTests, meet, otherWindow, thisWindow } from './coordination';
import { globalStorageFolder, MODELS, report, sendCounted, settle } from './support';

describe('two windows at once', function () {
  // Barriers wait for the other window, which may still be starting.
  this.timeout(180_000);
  coordinateTests();

  it('run in two extension hosts that share one global storage folder', async () => {
    const api = await activateExtension();
    const theirPid = await meet<number>('pids', process.pid, 120_000);
    assert.notStrictEqual(theirPid, process.pid, 'each window has its own extension host process');
    const shared = path.join(globalStorageFolder(), 'shared');
    assert.ok(
      fs.existsSync(path.join(shared, 'windows')),
      `the extension keeps the state it shares with other windows in ${shared}`,
    );
    report(
      `window ${thisWindow()}: extension host pid ${process.pid}, window ${otherWindow()}: pid ${theirPid};` +
        ` activate() took ${api.diagnostics.activationMs.toFixed(1)} ms here`,
    );
  });

  it("share globalState through the browser profile: one window's write reaches the other", async () => {
    const api = await activateExtension();
    if (thisWindow() === 1) {
      // A cached answer lands in globalState; its text quotes the prompt.
      const marker = `profile-check-${Date.now()}`;
      await sendCounted(api, MODELS.free, marker, { cache: true });
      await api.diagnostics.flush();
      await meet('written', marker);
      await meet('seen');
    } else {
      const marker = await meet<string>('written');
      const seen = await settle(
        () => JSON.stringify(api.diagnostics.globalStateDump()).includes(marker),
        (found) => found,
        10_000,
      );
      await meet('seen');
      assert.ok(seen.ok, "window 1's globalState write reached this window");
      report(`window 1's globalState write reached window 2 within ${seen.ms} ms`);
    }
  });
});
