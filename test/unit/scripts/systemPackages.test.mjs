// The decisions of scripts/systemPackages.mjs, and the whole check-and-install run on a fake
// machine (stub `id`, `sudo`, `apt-get` on a PATH of their own, see fakeSystem.mjs): what it runs,
// as whom, what it prints, when it only tells you the command, and its one retry.
import assert from 'node:assert/strict';
import {
  SYSTEM_REQUIREMENTS,
  ensureSystemPackages,
  instructionMessage,
  missingRequirements,
  planSystemInstall,
} from '../../../scripts/systemPackages.mjs';
import { ToolsError } from '../../../scripts/toolsError.mjs';
import { fakeSystem } from './fakeSystem.mjs';

const byName = (...names) => SYSTEM_REQUIREMENTS.filter((requirement) => names.includes(requirement.name));

describe('system packages: decisions', () => {
  it('wants Chromium and openssl for every VS Code run, the C++ toolchain only while building code-server', () => {
    const nothingMet = () => false;
    assert.deepEqual(
      missingRequirements(SYSTEM_REQUIREMENTS, ['vscode'], nothingMet).map((r) => r.aptPackage),
      ['chromium', 'openssl'],
    );
    assert.deepEqual(
      missingRequirements(SYSTEM_REQUIREMENTS, ['vscode', 'build'], nothingMet).map((r) => r.aptPackage),
      ['chromium', 'openssl', 'make', 'g++', 'python3'],
    );
    assert.deepEqual(
      missingRequirements(SYSTEM_REQUIREMENTS, ['vscode', 'build'], (r) => r.name !== 'g++').map(
        (r) => r.name,
      ),
      ['g++'],
    );
  });

  it('asks for neither libkrb5-dev nor fonts-liberation', () => {
    const packages = SYSTEM_REQUIREMENTS.map((requirement) => requirement.aptPackage);
    assert.ok(!packages.includes('libkrb5-dev'), packages.join(' '));
    assert.ok(!packages.includes('fonts-liberation'), packages.join(' '));
  });

  it('does nothing when nothing is missing', () => {
    assert.deepEqual(planSystemInstall({ missing: [], uid: 1000, sudoWorks: false, aptGetFound: true }), {
      action: 'none',
    });
  });

  it('runs apt-get itself as root, non-interactively', () => {
    const plan = planSystemInstall({
      missing: byName('Chromium', 'g++'),
      uid: 0,
      sudoWorks: false,
      aptGetFound: true,
    });
    assert.equal(plan.action, 'install');
    assert.equal(plan.via, 'root');
    assert.deepEqual(plan.commands, [
      ['apt-get', 'update', '-q', '-o', 'Dpkg::Use-Pty=0'],
      ['apt-get', 'install', '-y', '-q', '-o', 'Dpkg::Use-Pty=0', 'chromium', 'g++'],
    ]);
  });

  it('goes through `sudo -n` with DEBIAN_FRONTEND set for apt-get when sudo needs no password', () => {
    const plan = planSystemInstall({
      missing: byName('Chromium'),
      uid: 1000,
      sudoWorks: true,
      aptGetFound: true,
    });
    assert.equal(plan.via, 'sudo');
    assert.deepEqual(plan.commands[1], [
      'sudo',
      '-n',
      'DEBIAN_FRONTEND=noninteractive',
      'apt-get',
      'install',
      '-y',
      '-q',
      '-o',
      'Dpkg::Use-Pty=0',
      'chromium',
    ]);
  });

  it('gives the one command to run when sudo asks for a password', () => {
    const missing = byName('Chromium', 'make');
    const plan = planSystemInstall({ missing, uid: 1000, sudoWorks: false, aptGetFound: true });
    assert.equal(plan.action, 'instruct');
    assert.equal(plan.command, 'sudo apt-get update && sudo apt-get install -y chromium make');
    const message = instructionMessage(plan, missing);
    assert.match(message, /Chromium \(package chromium\): the browser the VS Code workbench/);
    assert.match(message, /make \(package make\): node-gyp compiles code-server's native modules/);
    assert.match(message, /sudo asks for a password/);
    assert.match(message, /\n {4}sudo apt-get update && sudo apt-get install -y chromium make$/);
  });

  it('gives the command without sudo to root who opted out with LLM_MANAGER_NO_APT', () => {
    const plan = planSystemInstall({
      missing: byName('Chromium'),
      uid: 0,
      sudoWorks: false,
      aptGetFound: true,
      optedOut: true,
    });
    assert.deepEqual(plan, {
      action: 'instruct',
      packages: ['chromium'],
      command: 'apt-get update && apt-get install -y chromium',
      reason: 'LLM_MANAGER_NO_APT is set',
    });
  });

  it('names the packages, without an apt command, where there is no apt-get', () => {
    const missing = byName('Chromium');
    const plan = planSystemInstall({ missing, uid: 0, sudoWorks: false, aptGetFound: false });
    assert.equal(plan.action, 'instruct');
    assert.equal(plan.command, undefined);
    assert.match(instructionMessage(plan, missing), /not a Debian or Ubuntu system[\s\S]*Install: chromium/);
  });
});

describe('system packages: on a fake machine', () => {
  let machine;
  afterEach(() => machine?.cleanup());

  async function run(needs, { progressIntervalMs } = {}) {
    const lines = [];
    const result = await ensureSystemPackages({
      needs,
      env: machine.env,
      chromium: machine.chromium,
      log: (line) => lines.push(line),
      progressIntervalMs,
    });
    return { result, lines };
  }

  it('only checks when everything is there (the already-installed path)', async () => {
    machine = fakeSystem({ uid: 1000, present: ['make', 'g++', 'python3'] });
    await run(['build']);
    assert.deepEqual(machine.calls(), []);
  });

  it('as root: installs what is missing with apt-get, saying what and why, then finds it', async () => {
    machine = fakeSystem({ uid: 0, present: ['openssl', 'make', 'python3'] });
    const { result, lines } = await run(['vscode', 'build']);
    assert.deepEqual(result.installed, ['chromium', 'g++']);
    assert.deepEqual(machine.calls(), [
      'apt-get update -q -o Dpkg::Use-Pty=0 (DEBIAN_FRONTEND=noninteractive)',
      'apt-get install -y -q -o Dpkg::Use-Pty=0 chromium g++ (DEBIAN_FRONTEND=noninteractive)',
    ]);
    assert.match(lines[0], /^\[system\] installing chromium g\+\+ with apt-get \(as root\); missing:/);
    assert.match(lines[0], /Chromium \(package chromium\): the browser/);
    assert.match(lines[0], /g\+\+ \(package g\+\+\): node-gyp compiles/);
    assert.match(lines.at(-1), /^\[system\] installed chromium g\+\+ in \d+ s$/);
  });

  it('with password-less sudo: installs through `sudo -n`', async () => {
    machine = fakeSystem({ uid: 1000, sudo: true, present: ['openssl'] });
    await run(['vscode']);
    assert.deepEqual(machine.calls(), [
      'sudo -n true',
      'sudo -n DEBIAN_FRONTEND=noninteractive apt-get update -q -o Dpkg::Use-Pty=0',
      'apt-get update -q -o Dpkg::Use-Pty=0 (DEBIAN_FRONTEND=noninteractive)',
      'sudo -n DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Use-Pty=0 chromium',
      'apt-get install -y -q -o Dpkg::Use-Pty=0 chromium (DEBIAN_FRONTEND=noninteractive)',
    ]);
  });

  it('without root or password-less sudo: installs nothing and throws the one command to run', async () => {
    machine = fakeSystem({ uid: 1000, sudo: false });
    await assert.rejects(run(['vscode', 'build']), (error) => {
      assert.ok(error instanceof ToolsError);
      assert.match(
        error.message,
        /sudo apt-get update && sudo apt-get install -y chromium openssl make g\+\+ python3$/,
      );
      return true;
    });
    assert.deepEqual(machine.calls(), ['sudo -n true']);
  });

  it('prints a progress line while apt-get works', async () => {
    machine = fakeSystem({ uid: 0 });
    // The stub answers at once; a 1 ms interval still lets the timer fire before it exits.
    const { lines } = await run(['vscode'], { progressIntervalMs: 1 });
    const progress = lines.filter((line) => /^\[system\] apt-get (update|install) \d+ s · /.test(line));
    assert.ok(progress.length > 0, lines.join('\n'));
  });

  it('retries a failed apt-get once, and then succeeds', async () => {
    machine = fakeSystem({ uid: 0, installFailures: 1, present: ['openssl'] });
    const { lines } = await run(['vscode']);
    assert.equal(machine.calls().filter((call) => call.startsWith('apt-get install')).length, 2);
    assert.ok(
      lines.some((line) => /apt-get install failed: `apt-get install .*` exited with 100/.test(line)),
    );
    assert.ok(
      lines.some((line) => /E: Could not get lock/.test(line)),
      'shows the output of the failure',
    );
    assert.ok(lines.some((line) => line === '[system] apt-get install: retrying once …'));
  });

  it('stops after the second failure, saying which command failed', async () => {
    machine = fakeSystem({ uid: 0, installFailures: 2, present: ['openssl'] });
    await assert.rejects(run(['vscode']), (error) => {
      assert.ok(error instanceof ToolsError);
      assert.match(error.message, /failed \(tried twice\): `apt-get install -y .* chromium` exited with 100/);
      return true;
    });
    assert.equal(machine.calls().filter((call) => call.startsWith('apt-get install')).length, 2);
  });

  it("says so when LLM_MANAGER_CHROMIUM points at nothing, instead of installing Debian's chromium", async () => {
    machine = fakeSystem({ uid: 0 });
    await assert.rejects(
      ensureSystemPackages({
        needs: ['vscode'],
        env: { ...machine.env, LLM_MANAGER_CHROMIUM: '/nowhere/chrome' },
        log: () => {},
      }),
      /LLM_MANAGER_CHROMIUM is \/nowhere\/chrome, which is not an executable file/,
    );
    assert.deepEqual(machine.calls(), []);
  });
});
