/**
 * Preloaded (`node --require`) into the Portkey gateway's process: the gateway calls
 * `server.listen(port)` with no host, which listens on every interface. Tests must stay on this
 * machine, so a listen without a host is bound to 127.0.0.1 instead.
 */

import * as net from 'node:net';

type Listen = (this: net.Server, ...args: unknown[]) => net.Server;
const originalListen = net.Server.prototype.listen as unknown as Listen;

function loopbackListen(this: net.Server, ...args: unknown[]): net.Server {
  const [first, second] = args;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (second === undefined || typeof second === 'function' || typeof second === 'number') {
      // listen(port), listen(port, cb), listen(port, undefined, cb), listen(port, backlog, cb)
      const rest = second === undefined ? args.slice(2) : args.slice(1);
      return originalListen.call(this, first, '127.0.0.1', ...rest);
    }
  } else if (
    typeof first === 'object' &&
    first !== null &&
    !('path' in first) &&
    (first as net.ListenOptions).host === undefined
  ) {
    return originalListen.call(
      this,
      { ...(first as net.ListenOptions), host: '127.0.0.1' },
      ...args.slice(1),
    );
  }
  return originalListen.apply(this, args);
}

net.Server.prototype.listen = loopbackListen as unknown as typeof net.Server.prototype.listen;
