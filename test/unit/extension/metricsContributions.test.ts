import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SIDEBAR_VIEW_ID, VIEW_CONTAINER_ID } from '../../../src/extension/contributions';
import { SURFACES } from '../../../src/shared/protocol';

const root = path.resolve(__dirname, '../../../..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('the metrics views in package.json', () => {
  it('contributes the LLM Manager activity-bar container with an icon that exists', () => {
    const containers: Array<{ id: string; title: string; icon: string }> =
      manifest.contributes.viewsContainers.activitybar;
    const container = containers.find((c) => c.id === VIEW_CONTAINER_ID);
    assert.ok(container, `a container ${VIEW_CONTAINER_ID}`);
    assert.equal(container.title, 'LLM Manager');
    assert.ok(fs.existsSync(path.join(root, container.icon)), container.icon);
  });

  it('contributes the sidebar as a webview view in that container (activated on view, nothing eager)', () => {
    const views: Array<{ id: string; type?: string }> = manifest.contributes.views[VIEW_CONTAINER_ID];
    assert.deepEqual(
      views.map((v) => [v.id, v.type]),
      [[SIDEBAR_VIEW_ID, 'webview']],
    );
    assert.ok(!manifest.activationEvents.includes('*'));
  });

  it('bundles a webview script for every surface, and type-checks the webview code', () => {
    const build = fs.readFileSync(path.join(root, 'esbuild.js'), 'utf8');
    for (const surface of SURFACES)
      assert.match(build, new RegExp(`${surface}: 'src/webview/${surface}\\.ts'`));
    assert.ok(fs.existsSync(path.join(root, 'media/metrics.css')));
    assert.match(manifest.scripts['compile-tests'], /tsc -p src\/webview/);
    assert.match(manifest.scripts.typecheck, /tsc -p src\/webview/);
  });
});
