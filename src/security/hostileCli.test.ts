/**
 * `tabtune inspect` on files from the hostile corpus: exit code 1 and one line on stderr that names
 * the problem, never a stack trace.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeHostileCorpus, type HostileCase } from '../../scripts/makeHostileCorpus.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'tabtune-hostile-cli-'));
const cases = makeHostileCorpus(DIR);
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

function inspect(path: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin/tabtune.mjs'), 'inspect', path, '--backend', 'cpu'], { cwd: ROOT, timeout: 60_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr });
    });
  });
}

const pick = (parser: HostileCase['parser'], what: RegExp): HostileCase => {
  const c = cases.find((k) => k.parser === parser && what.test(k.what));
  if (!c) throw new Error(`no ${parser} case matching ${what}`);
  return c;
};

describe.concurrent('tabtune inspect on hostile files', () => {
  const targets: [HostileCase, RegExp][] = [
    [pick('csv', /^Latin-1/), /line \d+ \(byte offset \d+\): the file is not valid UTF-8/i],
    [pick('csv', /^a NUL byte/), /Line \d+: the file contains a NUL byte/],
    [pick('csv', /a 2 MB line/), /Line 2 is longer than/],
    [pick('model-json', /^model\.json truncated/), /model\.json: not valid JSON/],
    [pick('model-json', /^weights\.bin truncated/), /weights file "weights\.bin" .*hold \d+ bytes/],
    [pick('model-json', /10\^9 units/), /"units" is 1000000000/],
  ];
  for (const [c, pattern] of targets) {
    it(`${c.id}: ${c.what}`, async () => {
      const run = await inspect(join(DIR, c.path));
      expect(run.code, run.stderr).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^tabtune: /);
      expect(lines[0]).toMatch(pattern);
      expect(run.stderr).not.toMatch(/^\s*at /m);
    });
  }
});
