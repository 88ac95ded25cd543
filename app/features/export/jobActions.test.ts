import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { LmExport, TrainPlan } from '../../../src/index.ts';
import { studioStore } from '../../store/studioStore.ts';
import { fakeHandle, resetStudioStore, tinyLm } from '../../testing/studioFixtures.ts';
import { downloadClusterJob } from './jobActions.ts';

vi.mock('./download.ts', () => ({ bytesBlob: vi.fn(), downloadBlob: vi.fn() }));

const planSummary = (plan: TrainPlan) => ({ plan, trainableParams: 10, totalParams: 100, memoryBytes: 1, gradientCheckpointing: false, memoryBudgetBytes: null });
const job = { name: 'job', zip: new Uint8Array(1), files: { 'job.json': new Uint8Array(1) } } as unknown as LmExport;

describe('downloadClusterJob', () => {
  beforeEach(() => {
    resetStudioStore();
    studioStore.getState().setLmModel(tinyLm);
  });

  it('sends the plan the table shows before exporting, when its debounced sync has not gone out yet', async () => {
    const order: string[] = [];
    const lmSetPlan = vi.fn(async (plan: TrainPlan) => (order.push('plan'), planSummary(plan)));
    const lmExportJob = vi.fn(async () => (order.push('export'), job));
    studioStore.getState().setLmModuleMode('transformer.h.0.attn.c_attn', { kind: 'lora', r: 8, alpha: 16 });
    expect(await downloadClusterJob(fakeHandle({ lmSetPlan, lmExportJob }))).toEqual(['job.json']);
    expect(lmSetPlan.mock.calls[0]![0]).toEqual({ 'transformer.h.0.attn.c_attn': { kind: 'lora', r: 8, alpha: 16 } });
    expect(order).toEqual(['plan', 'export']);
  });

  it('does not send an unchanged plan again, and a rejected plan stops the export with its sentence', async () => {
    const lmSetPlan = vi.fn(async (plan: TrainPlan) => planSummary(plan));
    const lmExportJob = vi.fn(async () => job);
    studioStore.getState().setLmModuleMode('m', { kind: 'full' });
    await downloadClusterJob(fakeHandle({ lmSetPlan, lmExportJob }));
    await downloadClusterJob(fakeHandle({ lmSetPlan, lmExportJob }));
    expect(lmSetPlan).toHaveBeenCalledTimes(1);
    expect(lmExportJob).toHaveBeenCalledTimes(2);

    studioStore.getState().setLmModuleMode('m', { kind: 'lora', r: 4, alpha: 8 });
    const rejected = vi.fn(async () => {
      throw new Error('No module named "m"');
    });
    expect(await downloadClusterJob(fakeHandle({ lmSetPlan: rejected, lmExportJob }))).toBeNull();
    expect(lmExportJob).toHaveBeenCalledTimes(2);
    expect(studioStore.getState().notice.errors.at(-1)).toMatchObject({ title: 'Could not export the job' });
    expect(studioStore.getState().notice.errors.at(-1)!.message).toContain('No module named');
  });
});
