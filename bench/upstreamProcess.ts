/**
 * Runs the fault upstream in its own process for the benchmarks, so its work does not share the
 * measured process's event loop (as a real service would not). Sends `{ url }` to the parent once
 * listening and exits when the parent disconnects.
 */

import { startFaultUpstream } from '../src/demo/faultUpstream';

async function main(): Promise<void> {
  const upstream = await startFaultUpstream();
  process.send?.({ url: upstream.url });
  process.on('disconnect', () => void upstream.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
