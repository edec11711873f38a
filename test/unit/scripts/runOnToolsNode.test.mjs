// Which Node scripts/runOnToolsNode.mjs picks, and how it reads its command line.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  EXTENSION_HOST_NODE_MAJOR,
  chooseNode,
  dependencyNodeRanges,
  resolveCommand,
} from '../../../scripts/runOnToolsNode.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const semver = createRequire(path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'package.json'))(
  'semver',
);
const satisfies = (version, range) => semver.satisfies(version, range);

describe('running on a new enough Node', () => {
  it('keeps the system Node when it is 22 or newer and meets every engines range', () => {
    const choice = chooseNode({
      systemVersion: '22.12.0',
      toolsVersion: '24.21.0',
      ranges: [{ name: 'openai', range: '>=22.0.0' }],
      satisfies,
    });
    assert.equal(choice.use, 'system');
  });

  it("takes the tools' Node 24 when the system Node is below the extension host's line", () => {
    const choice = chooseNode({ systemVersion: '20.20.2', toolsVersion: '24.21.0', ranges: [], satisfies });
    assert.deepEqual(choice, {
      use: 'tools',
      reason: `the system Node 20.20.2 is too old: the extension host runs Node ${EXTENSION_HOST_NODE_MAJOR}+`,
    });
  });

  it("takes the tools' Node when a dependency's engines rules the system Node out, and names it", () => {
    const choice = chooseNode({
      systemVersion: '22.1.0',
      toolsVersion: '24.21.0',
      ranges: [
        { name: 'mocha', range: '^20.19.0 || >=22.12.0' },
        { name: 'openai', range: '>=22.0.0' },
      ],
      satisfies,
    });
    assert.deepEqual(choice, {
      use: 'tools',
      reason: 'the system Node 22.1.0 is too old: mocha needs Node ^20.19.0 || >=22.12.0',
    });
  });

  it("fails, naming what to update, when even the tools' Node is not enough", () => {
    const choice = chooseNode({
      systemVersion: '20.20.2',
      toolsVersion: '24.21.0',
      ranges: [{ name: 'future-sdk', range: '>=26' }],
      satisfies,
    });
    assert.equal(choice.use, 'none');
    assert.match(choice.reason, /future-sdk needs Node >=26/);
    assert.match(choice.reason, /TOOL_VERSIONS\.node in scripts\/vscodeTools\.mjs/);
  });

  it("reads the engines of this project's installed dependencies", () => {
    const ranges = dependencyNodeRanges(REPO_ROOT);
    const mocha = JSON.parse(
      fs.readFileSync(path.join(REPO_ROOT, 'node_modules/mocha/package.json'), 'utf8'),
    );
    assert.deepEqual(
      ranges.find((entry) => entry.name === 'mocha'),
      { name: 'mocha', range: mocha.engines.node },
    );
    assert.ok(ranges.every((entry) => typeof entry.range === 'string'));
  });

  it('splits node options from the target, resolving a bin of node_modules/.bin to its script', () => {
    const mocha = resolveCommand(['mocha', '--grep', 'x'], REPO_ROOT);
    assert.equal(mocha.name, 'mocha');
    assert.equal(mocha.script, fs.realpathSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'mocha')));
    assert.deepEqual(mocha.args, ['--grep', 'x']);
    assert.deepEqual(mocha.nodeOptions, []);

    const bench = resolveCommand(['--expose-gc', 'package.json', 'a'], REPO_ROOT);
    assert.deepEqual(bench.nodeOptions, ['--expose-gc']);
    assert.equal(bench.script, path.join(REPO_ROOT, 'package.json'));
    assert.deepEqual(bench.args, ['a']);
  });

  it('says what is wrong with a target that is neither a file nor a bin', () => {
    assert.throws(() => resolveCommand(['no-such-thing'], REPO_ROOT), /neither a file nor a bin/);
    assert.throws(() => resolveCommand(['--expose-gc'], REPO_ROOT), /Usage:/);
  });
});
