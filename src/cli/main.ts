/**
 * `tabtune`: the studio's engine (one Session) on the command line (Node, WASM backend by default).
 * Every failure ends as one line on stderr and exit code 1 (2 for a usage mistake), never a stack.
 */
import { fileURLToPath } from 'node:url';
import { tf } from '../tf.ts';
import { UsageError } from './args.ts';
import { exportJobCommand, EXPORT_JOB_USAGE } from './exportJob.ts';
import { inspect, INSPECT_USAGE } from './inspect.ts';
import { logits, LOGITS_USAGE } from './logits.ts';
import { train, TRAIN_USAGE } from './train.ts';
import { evalDpo, EVAL_DPO_USAGE, trainDpo, TRAIN_DPO_USAGE } from './trainDpo.ts';
import { trainLm, TRAIN_LM_USAGE } from './trainLm.ts';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

const HELP = `tabtune: fine-tune on the command line with the studio's engine

  ${INSPECT_USAGE}
  ${TRAIN_USAGE}
  ${TRAIN_LM_USAGE}
  ${TRAIN_DPO_USAGE}
  ${EVAL_DPO_USAGE}
  ${EXPORT_JOB_USAGE}
  ${LOGITS_USAGE}

The backend defaults to wasm; auto and webgpu run WebGPU through Dawn (the webgpu package).
WASM runs on every core (TF.js' threaded SIMD build); --threads N sets how many (1: single-threaded).`;

const consoleIo: Io = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

// `tabtune ... | head` closes stdout early: stop quietly instead of throwing EPIPE.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

/** Keeps TF.js quiet in a terminal: no "running TensorFlow.js in Node.js" banner, no debug checks. */
function quietTf(): void {
  tf.env().set('PROD', true);
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('looks like you are running TensorFlow.js in Node.js')) return;
    warn(...args);
  };
}

export async function main(argv: string[], io: Io = consoleIo): Promise<number> {
  quietTf();
  const [command, ...rest] = argv;
  try {
    if (command === 'inspect') return await inspect(rest, io);
    if (command === 'train') {
      const task = rest.includes('--task') ? rest[rest.indexOf('--task') + 1] : undefined;
      return await (task === 'lm' ? trainLm(rest, io) : task === 'dpo' ? trainDpo(rest, io) : train(rest, io));
    }
    if (command === 'eval') return await evalDpo(rest, io);
    if (command === 'logits') return await logits(rest, io);
    if (command === 'export-job') return await exportJobCommand(rest, io);
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      io.out(HELP);
      return command === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command "${command}"; use inspect, train, eval, export-job or logits (tabtune --help).`);
  } catch (e) {
    const message = e instanceof Error ? e.message || e.name : String(e);
    // The engine names files by URL; in a terminal a path reads better.
    const line = message.replace(/\s*\n\s*/g, ' ').replace(/file:\/\/[^\s"',)]+/g, (url) => fileURLToPath(url));
    io.err(`tabtune: ${line}`);
    if (process.env.TABTUNE_DEBUG && e instanceof Error && e.stack) io.err(e.stack);
    return e instanceof UsageError ? 2 : 1;
  }
}
