// A fake Debian machine for the system-package logic: a folder of stub commands (`id`, `sudo`,
// `apt-get`) that record each call in a log file, put first on a PATH of their own. The stub
// apt-get "installs" a package by creating what it provides (a stub command, or the Chromium
// binary at the path the environment names), so the logic's re-check after installing is real.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * @param {object} machine
 * @param {number} machine.uid What `id -u` prints.
 * @param {boolean} [machine.sudo] Whether `sudo -n` works (password-less sudo); default false.
 * @param {boolean} [machine.aptGet] Whether apt-get exists; default true.
 * @param {number} [machine.installFailures] How many `apt-get install` calls fail first; default 0.
 * @param {string[]} [machine.present] Commands already installed (stubs on PATH).
 * @returns {{ env: Record<string, string>, chromium: string, calls: () => string[], dir: string, cleanup: () => void }}
 *   `chromium` is where this machine's Chromium belongs (pass it to ensureSystemPackages).
 */
export function fakeSystem({ uid, sudo = false, aptGet = true, installFailures = 0, present = [] }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-manager-fake-system-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  const log = path.join(dir, 'calls.log');
  const failures = path.join(dir, 'install-failures');
  fs.writeFileSync(failures, String(installFailures));
  const chromium = path.join(dir, 'chromium');
  const write = (name, body) => {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
    fs.chmodSync(path.join(bin, name), 0o755);
  };
  // Only shell builtins and absolute paths inside the stubs: their PATH holds nothing else.
  write('id', `[ "$1" = "-u" ] && echo ${uid}`);
  write(
    'sudo',
    [
      `echo "sudo $*" >> '${log}'`,
      '[ "$1" = "-n" ] || exit 1',
      sudo ? 'shift' : 'exit 1',
      '[ "$1" = "true" ] && exit 0',
      'while [ "${1#*=}" != "$1" ]; do export "$1"; shift; done',
      'exec "$@"',
    ].join('\n'),
  );
  if (aptGet) {
    write(
      'apt-get',
      [
        `echo "apt-get $* (DEBIAN_FRONTEND=$DEBIAN_FRONTEND)" >> '${log}'`,
        '[ "$1" = "update" ] && { echo "Reading package lists..."; exit 0; }',
        `left=$(/bin/cat '${failures}')`,
        `if [ "$left" -gt 0 ]; then echo $((left - 1)) > '${failures}'; echo "E: Could not get lock /var/lib/dpkg/lock-frontend"; exit 100; fi`,
        'echo "0 upgraded, 3 newly installed, 0 to remove and 0 not upgraded."',
        'for package in "$@"; do',
        '  case "$package" in',
        '    -*|Dpkg::*|install) ;;',
        `    chromium) echo "Unpacking chromium (1.0)"; echo "Setting up chromium (1.0)"; printf '#!/bin/sh\\n' > '${chromium}'; /bin/chmod +x '${chromium}' ;;`,
        `    *) echo "Unpacking $package (1.0)"; echo "Setting up $package (1.0)"; printf '#!/bin/sh\\n' > '${bin}/'"$package"; /bin/chmod +x '${bin}/'"$package" ;;`,
        '  esac',
        'done',
      ].join('\n'),
    );
  }
  for (const command of present) write(command, 'exit 0');
  return {
    dir,
    env: { PATH: bin, HOME: dir },
    chromium,
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
