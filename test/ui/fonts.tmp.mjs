import { startVsCodeServer } from '../../scripts/vscodeServer.mjs';
import { runCommand, waitForCommand, screenshot, openViewContainer } from './helpers.mjs';
const server = await startVsCodeServer({ log: () => {} });
try {
  const context = await server.newContext();
  const page = await server.openWorkbench(context);
  await waitForCommand(page, 'LLM Manager: Show Metrics', 60_000);
  await runCommand(page, 'LLM Manager: Try Without Keys');
  await page.waitForTimeout(2000);
  await openViewContainer(page, 'LLM Manager');
  await runCommand(page, 'LLM Manager: Show Metrics');
  await page.waitForTimeout(4000);
  console.log(await screenshot(page, `fonts-${process.env.FONTCONFIG_FILE ? 'dejavu-only' : 'default'}`));
} finally {
  await server.close();
}
