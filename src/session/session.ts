/**
 * The engine as one object: SessionCore (backend, guards, checkpoints, events, the training loop)
 * plus each task's calls, every one declared here with the activity it is and the guard it passes,
 * so the rules of what may run together live in one file for every task.
 */
import type {
  CsvImportOptions,
  DatasetFile,
  DatasetSummary,
  ExportedBundle,
  ExportedWeights,
  GenerateRequest,
  GenerateResult,
  ImportedRunSummary,
  LmDatasetOptions,
  LmDatasetSummary,
  LmExport,
  LmJobImport,
  LmJobOptions,
  LmLoadOptions,
  LmModelSource,
  LmModelSummary,
  LmPlanSummary,
  LmTrainConfig,
  ModelSummary,
  PlanSummary,
  Prediction,
  PreferenceDatasetOptions,
  PreferenceDatasetSummary,
  PreferenceEvaluation,
  PreferenceRows,
  PreferenceSettings,
  SessionApi,
  SplitOptions,
  TabularDatasetSummary,
  TrainPlan,
} from '../api.ts';
import { decodeUtf8Text } from '../data/text/decodeUtf8Text.ts';
import { exportRunBundle, exportWeights, importExportedRun, predictImage, predictTableRow } from '../tasks/classifierTry.ts';
import { evalPreferences } from '../tasks/lmPreferences.ts';
import { exportAdapter, exportMerged, generate, importAdapter, setStrength } from '../tasks/lmTry.ts';
import { exportJob } from '../job/exportJob.ts';
import { importJobOutput } from '../job/importJob.ts';
import { SessionCore } from './sessionCore.ts';

const C = 'classifier' as const;
const LM = 'lm' as const;

export class Session extends SessionCore implements SessionApi {
  // The classifier task: image folders and tables.

  loadModel(modelJsonUrl: string): Promise<ModelSummary> {
    return this.work({ kind: 'load', task: C, what: 'Loading a model' }, 'load another model', async () => {
      await this.ensureBackend();
      return this.classifier.loadModel(modelJsonUrl);
    });
  }

  loadModelFiles(files: DatasetFile[]): Promise<ModelSummary> {
    return this.work({ kind: 'load', task: C, what: 'Loading a model' }, 'load another model', async () => {
      await this.ensureBackend();
      return this.classifier.loadModelFiles(files);
    });
  }

  loadTabularModel(hidden?: number[]): Promise<ModelSummary> {
    return this.work({ kind: 'load', task: C, what: 'Building the table model' }, 'load another model', async () => {
      await this.ensureBackend();
      return this.classifier.loadTabularModel(hidden);
    });
  }

  importImages(name: string, files: DatasetFile[], split: SplitOptions): Promise<DatasetSummary> {
    return this.work({ kind: 'import', task: C, what: 'An image import' }, 'load another dataset', () => this.classifier.importImages(name, files, split));
  }

  importCsv(name: string, file: Blob, options: CsvImportOptions): Promise<TabularDatasetSummary> {
    return this.work({ kind: 'import', task: C, what: 'A CSV import' }, 'load another dataset', () => this.classifier.importCsv(name, file, options));
  }

  setSplit(split: SplitOptions): Promise<DatasetSummary | TabularDatasetSummary> {
    return this.work({ kind: 'import', task: C, what: 'A new split' }, 'change the split', async () => this.classifier.setSplit(split));
  }

  async setPlan(plan: TrainPlan, batchSize: number): Promise<PlanSummary> {
    this.assertFree({ kind: 'change', task: C }, 'change the plan');
    return this.classifier.setPlan(plan, batchSize);
  }

  /** Works during a run: it reads the last finished run. */
  predict(image: Blob): Promise<Prediction> {
    return predictImage(this.classifier, image);
  }

  predictRow(values: Record<string, string>): Promise<Prediction> {
    return predictTableRow(this.classifier, values);
  }

  exportWeights(): Promise<ExportedWeights> {
    return this.work({ kind: 'export', task: C, what: 'An export' }, 'export', () => exportWeights(this.classifier));
  }

  exportBundle(): Promise<ExportedBundle> {
    return this.work({ kind: 'export', task: C, what: 'An export' }, 'export', () => exportRunBundle(this.classifier));
  }

  importRun(files: DatasetFile[]): Promise<ImportedRunSummary> {
    return this.work({ kind: 'import', task: C, what: 'A run import' }, 'import a run', () => importExportedRun(this.classifier, files));
  }

  // The causal-LM task: Hugging Face models.

  lmLoadModel(source: LmModelSource, options?: LmLoadOptions): Promise<LmModelSummary> {
    // A dropped folder is read, not downloaded: the sentence that refuses other work says which.
    const what = source.kind === 'files' ? 'Reading the model files' : 'A model download';
    return this.work({ kind: 'load', task: LM, what }, 'load another model', async () => {
      await this.ensureBackend(LM);
      return this.lm.loadModel(source, options);
    });
  }

  lmImportText(name: string, file: Blob, options: LmDatasetOptions): Promise<LmDatasetSummary> {
    return this.work({ kind: 'import', task: LM, what: 'A text import' }, 'load another dataset', async () =>
      this.lm.importText(name, decodeUtf8Text(new Uint8Array(await file.arrayBuffer()), name), options),
    );
  }

  lmImportPreferences(name: string, file: Blob, options: PreferenceDatasetOptions): Promise<PreferenceDatasetSummary> {
    return this.work({ kind: 'import', task: LM, what: 'A preference import' }, 'load other preference pairs', async () =>
      this.lm.importPreferences(name, decodeUtf8Text(new Uint8Array(await file.arrayBuffer()), name), options),
    );
  }

  lmEvalPreferences(request: { settings?: Partial<PreferenceSettings>; rows: PreferenceRows }): Promise<PreferenceEvaluation> {
    return this.work({ kind: 'generate', task: LM, what: 'Scoring preference pairs' }, 'score preference pairs', () => evalPreferences(this.lm, request));
  }

  async lmSetPlan(plan: TrainPlan, batchSize: number, maxLength: number, gradientCheckpointing?: boolean, pairs?: boolean): Promise<LmPlanSummary> {
    this.assertFree({ kind: 'change', task: LM }, 'change the plan');
    return this.lm.setPlan(plan, batchSize, maxLength, gradientCheckpointing, pairs);
  }

  lmGenerate(request: GenerateRequest): Promise<GenerateResult> {
    return this.work({ kind: 'generate', task: LM, what: 'A generation' }, 'generate', () => generate(this.lm, request));
  }

  lmSetAdapterStrength(strength: number): Promise<{ strength: number; validationLoss: number }> {
    return this.work({ kind: 'generate', task: LM, what: 'The adapter strength' }, 'change the adapter strength', () => setStrength(this.lm, strength));
  }

  lmExportAdapter(): Promise<LmExport> {
    return this.work({ kind: 'export', task: LM, what: 'An export' }, 'export', () => exportAdapter(this.lm));
  }

  lmExportMerged(): Promise<LmExport> {
    return this.work({ kind: 'export', task: LM, what: 'An export' }, 'export', () => exportMerged(this.lm));
  }

  lmImportAdapter(files: DatasetFile[]): Promise<{ plan: TrainPlan; validationLoss: number }> {
    return this.work({ kind: 'import', task: LM, what: 'An adapter import' }, 'import an adapter', () => importAdapter(this.lm, files));
  }

  lmExportJob(config: LmTrainConfig, options?: LmJobOptions): Promise<LmExport> {
    return this.work({ kind: 'export', task: LM, what: 'A job export' }, 'export', async () => exportJob(this.lm, config, options));
  }

  lmImportJob(files: DatasetFile[]): Promise<LmJobImport> {
    return this.work({ kind: 'import', task: LM, what: "A job's output import" }, 'import an adapter', () => importJobOutput(this.lm, files));
  }
}
