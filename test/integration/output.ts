import { format } from 'util';

/**
 * Prints a line of the suite's output. The offline driver sees the extension host's console
 * mixed with the workbench's own logs; it asks for a prefix on every line of ours
 * (LLM_MANAGER_TEST_OUTPUT_TAG) and prints only those. Under @vscode/test-electron it is plain.
 */
export function testLog(...args: unknown[]): void {
  const tag = process.env.LLM_MANAGER_TEST_OUTPUT_TAG ?? '';
  console.log(tag ? format(...args).replace(/^/gm, tag) : format(...args));
}
