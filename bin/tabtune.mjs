#!/usr/bin/env node
// The `tabtune` command: runs src/cli/main.ts through tsx (no build step).
/* global process */
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// Dawn (WebGPU) and TF.js may keep handles open: leave once the work is done.
process.exit(code);
