/**
 * What the engine does when its GPU fails: a lost device stops the work, is reported, and is
 * replaced by a new device once (else WASM is suggested); out-of-memory and validation errors stop
 * the work with what to lower. The engine passes its own controls in as hooks.
 */
import type { EngineEvent } from '../api.ts';
import type { GpuWatch } from './registerWebGpuBackend.ts';

export interface GpuFaultHooks {
  emit(event: EngineEvent): void;
  /** Whether a run (or a generation) is going now. */
  isRunning(): boolean;
  /** Ends the running work after its current step (and wakes it if paused). */
  stopRun(): void;
  /** Starts the WebGPU backend again, on a new device (the engine's setBackend('webgpu')). */
  restart(): Promise<unknown>;
}

export class GpuFaults {
  /** The device is gone: its tensors cannot be read any more. Cleared once a backend starts. */
  lost = false;
  private replacing = false;
  readonly watch: GpuWatch;

  constructor(private readonly hooks: GpuFaultHooks) {
    this.watch = {
      onLost: (reason, message) => {
        // Replacing the device destroys the old one on purpose: that loss is expected.
        if (reason === 'destroyed' && this.replacing) return;
        this.lost = true;
        if (hooks.isRunning()) hooks.stopRun();
        hooks.emit({
          type: 'gpuFault',
          kind: 'lost',
          message: `The GPU device was lost (${reason}${message ? `: ${message}` : ''}). Training stopped; the last checkpoint is kept. Tabtune tries a new GPU device once.`,
        });
        void this.recover();
      },
      onError: (kind, message) => {
        const advice =
          kind === 'out-of-memory'
            ? 'The GPU ran out of memory: lower the batch size, the sequence length or the LoRA rank, or freeze more layers.'
            : 'The GPU refused a kernel; the results of this step cannot be trusted.';
        const running = hooks.isRunning();
        if (running) hooks.stopRun();
        hooks.emit({ type: 'gpuFault', kind, message: `${advice} (${message.split('\n')[0]!.slice(0, 300)})${running ? ' The run was stopped.' : ''}` });
      },
    };
  }

  /** A backend started: whatever was lost is behind us. */
  cleared(): void {
    this.lost = false;
  }

  /** One automatic attempt at a new device once the interrupted work has ended. */
  private async recover(): Promise<void> {
    while (this.hooks.isRunning()) await new Promise((r) => setTimeout(r, 50));
    try {
      this.replacing = true;
      await this.hooks.restart();
      this.hooks.emit({ type: 'gpuFault', kind: 'lost', recovered: true, message: 'Tabtune is running on a new GPU device. Train again (or resume from the last checkpoint).' });
    } catch (e) {
      this.hooks.emit({
        type: 'gpuFault',
        kind: 'lost',
        recovered: false,
        message: `No new GPU device could be started (${e instanceof Error ? e.message : String(e)}). Switch the backend to WASM to go on.`,
      });
    } finally {
      this.replacing = false;
    }
  }
}
