// Writes the config file's JSON Schema, generated from the schema that validates it (`npm run schema`).
import { writeFileSync } from 'node:fs';
import { configFileJsonSchema } from '../dist/core/index.js';

const target = new URL('../schema/gateway.config.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(configFileJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
