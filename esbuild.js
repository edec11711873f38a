// Bundles the extension host code and the metrics webviews' code with esbuild.
// esbuild does not type-check: `npm run typecheck` (tsc --noEmit) does that.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints errors in the shape VS Code's `$esbuild-watch` problem matcher reads. */
const problemMatcherPlugin = {
  name: 'esbuild-problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

/**
 * The price dataset (@pydantic/genai-prices, ~470 KB of JavaScript) stays out of the bundle: bundled,
 * even unevaluated, it would be parsed with extension.js at every activation. It is copied next
 * to the bundle as dist/genai-prices.cjs and required from there on the first price lookup.
 */
const genaiPricesPlugin = {
  name: 'genai-prices-beside-bundle',
  setup(build) {
    build.onResolve({ filter: /^@pydantic\/genai-prices$/ }, () => ({
      path: './genai-prices.cjs',
      external: true,
    }));
    build.onEnd(() => {
      const fs = require('node:fs');
      fs.mkdirSync('dist', { recursive: true });
      fs.copyFileSync(require.resolve('@pydantic/genai-prices'), 'dist/genai-prices.cjs');
    });
  },
};

/**
 * The vendor SDKs stay out of the bundle too: the providers load them on their first request
 * (`await import('openai')`), so activation should not parse them. Each is bundled on its own as
 * dist/sdk/<name>.cjs with only the clients the providers use (src/providers: `sdk.OpenAI`,
 * `sdk.AzureOpenAI`, `sdk.Anthropic`), and required from there.
 */
const SDK_BUNDLES = {
  openai: { name: 'openai', exports: ['OpenAI', 'AzureOpenAI'] },
  '@anthropic-ai/sdk': { name: 'anthropic', exports: ['Anthropic'] },
};
const sdksBesideBundlePlugin = {
  name: 'sdks-beside-bundle',
  setup(build) {
    build.onResolve({ filter: /^(?:openai|@anthropic-ai\/sdk)$/ }, (args) => ({
      path: `./sdk/${SDK_BUNDLES[args.path].name}.cjs`,
      external: true,
    }));
  },
};

/** @type {import('esbuild').BuildOptions[]} */
const sdkTargets = Object.entries(SDK_BUNDLES).map(([pkg, { name, exports }]) => ({
  stdin: { contents: `export { ${exports.join(', ')} } from '${pkg}';`, resolveDir: __dirname, loader: 'js' },
  outfile: `dist/sdk/${name}.cjs`,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node22',
  minify: production,
  logLevel: 'silent',
  metafile: true,
  plugins: [problemMatcherPlugin],
}));

/** @type {import('esbuild').BuildOptions[]} */
const targets = [
  {
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    bundle: true,
    format: 'cjs',
    platform: 'node',
    // The extension host of current VS Code runs Node 22 or later (our test host: Node 24); the
    // openai SDK 7 requires Node 22.
    target: 'node22',
    external: ['vscode'],
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    logLevel: 'silent',
    metafile: true,
    plugins: [problemMatcherPlugin, genaiPricesPlugin, sdksBesideBundlePlugin],
  },
  ...sdkTargets,
  {
    // The webviews' browser code (src/webview): one bundle per surface, plus the codicon
    // font they show icons with, copied next to them (the webview may load only dist/ and media/).
    entryPoints: {
      sidebar: 'src/webview/sidebar.ts',
      dashboard: 'src/webview/dashboard.ts',
      // The answer view: markdown-it and highlight.js are in this bundle only.
      answer: 'src/webview/answer/answer.ts',
    },
    outdir: 'dist/webview',
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    logLevel: 'silent',
    metafile: true,
    plugins: [
      problemMatcherPlugin,
      copyFilesPlugin('node_modules/@vscode/codicons/dist', 'dist/webview', ['codicon.css', 'codicon.ttf']),
    ],
  },
];

/** Copies `files` from `from` to `to` after each build. */
function copyFilesPlugin(from, to, files) {
  const fs = require('node:fs');
  const path = require('node:path');
  return {
    name: 'copy-files',
    setup(build) {
      // A production build has no source maps: drop those a development build left behind.
      build.onStart(() => {
        if (!production || !fs.existsSync(to)) return;
        for (const file of fs.readdirSync(to)) if (file.endsWith('.map')) fs.rmSync(path.join(to, file));
      });
      build.onEnd(() => {
        fs.mkdirSync(to, { recursive: true });
        for (const file of files) fs.copyFileSync(path.join(from, file), path.join(to, file));
      });
    },
  };
}

async function main() {
  const contexts = await Promise.all(targets.map((options) => esbuild.context(options)));
  if (watch) {
    await Promise.all(contexts.map((ctx) => ctx.watch()));
    return;
  }
  for (const ctx of contexts) {
    const result = await ctx.rebuild();
    for (const [file, output] of Object.entries(result.metafile.outputs)) {
      if (!file.endsWith('.map')) console.log(`${file}: ${(output.bytes / 1024).toFixed(1)} KiB`);
    }
    await ctx.dispose();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
