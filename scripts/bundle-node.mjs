// Bundles the Node entry and the parts of its dependencies it uses into one file, dist/gateway.mjs, which
// `npm start` runs. One module instead of a few hundred: `npm run bench` measured about 10 MB less idle RSS.
// Type checking is tsc's job (`npm run build` runs it first); esbuild only strips the types.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/entry/node.ts'],
  outfile: 'dist/gateway.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
  // `openai-gateway --version`.
  define: { GATEWAY_VERSION: JSON.stringify(version) },
  // The state store's clients stay in node_modules, loaded only when REDIS_URL or GATEWAY_DB is set (and
  // node-sqlite3-wasm finds its .wasm beside its own file).
  external: ['ioredis', 'node-sqlite3-wasm'],
  // undici is CommonJS and calls `require` for Node's built-in modules, which an ES module does not have.
  banner: {
    // The file is also the package's `bin` (openai-gateway), run directly.
    js: "#!/usr/bin/env node\nimport { createRequire as __gatewayCreateRequire } from 'node:module'; const require = __gatewayCreateRequire(import.meta.url);",
  },
});
