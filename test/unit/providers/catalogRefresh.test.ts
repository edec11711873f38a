import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CATALOG_CACHE_FILE,
  CATALOG_DATE,
  catalogInfo,
  lookupModel,
  refreshCatalog,
  restorePackagedDataset,
} from '../../../src/providers';
import { genaiPrices } from '../../../src/providers/catalog/dataset';
import { MemoryLogger } from '../../support/fakeClock';
import { closedPort } from '../../support/faultServer';

/** A local server standing in for the dataset's published copy; it answers whatever `body` says. */
async function datasetServer(): Promise<{
  url: string;
  requests: () => number;
  setBody: (body: string) => void;
  close: () => Promise<void>;
}> {
  let body = '';
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/prices/data.json`,
    requests: () => requests,
    setBody: (next) => (body = next),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const inputPriceOfGpt55 = () => {
  const found = lookupModel('openai', 'gpt-5.5');
  return found.known ? found.prices?.inputPricePerMTok : undefined;
};

describe('catalog refresh (opt-in)', () => {
  let server: Awaited<ReturnType<typeof datasetServer>>;
  let newer: string;
  let dirs: string[] = [];
  const warned: unknown[] = [];
  const originalWarn = console.warn;
  const storage = async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'llm-catalog-'));
    dirs.push(dir);
    return dir;
  };

  before(async () => {
    server = await datasetServer();
    // A "newer" dataset: the packaged one with gpt-5.5 at another price.
    const current = JSON.parse(JSON.stringify(await genaiPrices().waitForUpdate())) as Array<{
      id: string;
      models: Array<{ id: string; prices: Record<string, unknown> }>;
    }>;
    const gpt = current.find((p) => p.id === 'openai')!.models.find((m) => m.id === 'gpt-5.5')!;
    gpt.prices = { input_mtok: 4.25, output_mtok: 26, cache_read_mtok: 0.42 };
    newer = JSON.stringify(current);
  });
  beforeEach(() => {
    console.warn = (...args: unknown[]) => warned.push(args);
  });
  afterEach(async () => {
    console.warn = originalWarn;
    assert.deepEqual(warned.splice(0), [], 'nothing goes to the console');
    await restorePackagedDataset();
    for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
    dirs = [];
  });
  after(() => server.close());

  it('uses a newer published dataset, caches it, and dates prices by the download', async () => {
    server.setBody(newer);
    const dir = await storage();
    const logger = new MemoryLogger();
    const now = Date.parse('2026-12-01T09:00:00Z');
    const result = await refreshCatalog({ storageDir: dir, url: server.url, now: () => now, logger });
    assert.equal(result.source, 'downloaded');
    assert.deepEqual(catalogInfo(), { source: 'refreshed', date: '2026-12-01', libraryVersion: '0.1.8' });
    assert.equal(inputPriceOfGpt55(), 4.25);
    assert.equal(lookupModel('openai', 'gpt-5.5').datasetDate, '2026-12-01');
    const cached = JSON.parse(await fs.readFile(path.join(dir, CATALOG_CACHE_FILE), 'utf8')) as {
      fetchedAt: string;
    };
    assert.equal(cached.fetchedAt, '2026-12-01T09:00:00.000Z');
    assert.ok(logger.lines.some((l) => l.level === 'info' && /refreshed/.test(l.message)));

    // Back to the packaged data, then a second refresh within a day reads the cache, not the network.
    await restorePackagedDataset();
    assert.equal(inputPriceOfGpt55(), 5);
    assert.equal(catalogInfo().date, CATALOG_DATE);
    const again = await refreshCatalog({ storageDir: dir, url: server.url, now: () => now + 3_600_000 });
    assert.equal(again.source, 'cache');
    assert.equal(server.requests(), 1);
    assert.equal(inputPriceOfGpt55(), 4.25);
  });

  it('falls back to the packaged data when the download is not JSON', async () => {
    server.setBody('<html>rate limited</html>');
    const dir = await storage();
    const logger = new MemoryLogger();
    const result = await refreshCatalog({ storageDir: dir, url: server.url, logger });
    assert.equal(result.source, 'packaged');
    assert.match(result.problem ?? '', /not JSON/);
    assert.equal(catalogInfo().source, 'packaged');
    assert.equal(inputPriceOfGpt55(), 5);
    await assert.rejects(fs.stat(path.join(dir, CATALOG_CACHE_FILE)), 'nothing is cached');
    assert.ok(logger.warnings.some((w) => /refresh failed.*packaged/.test(w)));
  });

  it('refuses JSON that is not a usable dataset (wrong shape, truncated, missing vendors)', async () => {
    for (const [body, problem] of [
      ['{"providers": []}', /not a list of providers/],
      ['[{"id": "openai"}]', /lacks its id, api_pattern or models/],
      [
        JSON.stringify([{ id: 'openai', api_pattern: 'x', name: 'OpenAI', models: [] }]),
        /no anthropic provider/,
      ],
      [
        JSON.stringify(
          ['openai', 'anthropic'].map((id) => ({
            id,
            name: id,
            api_pattern: 'x',
            models: [{ id: 'm', match: { equals: 'm' }, prices: { input_mtok: 1 } }],
          })),
        ),
        /far fewer than the packaged/,
      ],
    ] as const) {
      server.setBody(body);
      const result = await refreshCatalog({ storageDir: await storage(), url: server.url });
      assert.equal(result.source, 'packaged', body.slice(0, 40));
      assert.match(result.problem ?? '', problem);
      assert.equal(inputPriceOfGpt55(), 5);
    }
  });

  it('falls back to the packaged data when nothing answers (closed port)', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/data.json`;
    const result = await refreshCatalog({ storageDir: await storage(), url });
    assert.equal(result.source, 'packaged');
    assert.match(result.problem ?? '', /could not reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    assert.equal(catalogInfo().source, 'packaged');
    assert.equal(inputPriceOfGpt55(), 5);
  });

  it('keeps a valid cached copy, even a stale one, when the download fails', async () => {
    server.setBody(newer);
    const dir = await storage();
    const day = Date.parse('2026-12-01T09:00:00Z');
    await refreshCatalog({ storageDir: dir, url: server.url, now: () => day });
    await restorePackagedDataset();
    server.setBody('garbage');
    const result = await refreshCatalog({
      storageDir: dir,
      url: server.url,
      now: () => day + 3 * 86_400_000,
    });
    assert.equal(result.source, 'cache');
    assert.match(result.problem ?? '', /not JSON/);
    assert.equal(inputPriceOfGpt55(), 4.25);
  });

  it("uses the library's published URL when none is given (never called here: it would go online)", () => {
    assert.match(genaiPrices().REMOTE_DATA_JSON_URL, /^https:\/\/.*genai-prices.*data\.json$/);
  });
});
