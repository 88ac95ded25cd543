/**
 * LoRA adapters as Hugging Face PEFT files, and back:
 *   adapter_model.safetensors  F32 tensors, __metadata__ {format: "pt"}
 *   adapter_config.json        LoraConfig fields (peft_type "LORA")
 *
 * Tensor names and layouts (PyTorch's; ours are the TF layouts of loraAdapter.ts):
 *   Dense  (nn.Linear)   base_model.model.<layer>.lora_A.weight  [r, in]         = A[in, r]^T
 *                        base_model.model.<layer>.lora_B.weight  [out, r]        = B[r, out]^T
 *   Conv2D (nn.Conv2d)   base_model.model.<layer>.lora_A.weight  [r, in, kh, kw] = A[kh, kw, in, r] permuted (3, 2, 0, 1)
 *                        base_model.model.<layer>.lora_B.weight  [out, r, 1, 1]  = B[r, out]^T, then two unit axes
 *   'full' layers (modules_to_save), Dense and Conv2D only:
 *                        base_model.model.<layer>.weight  [out, in] = kernel[in, out]^T
 *                                                         or [out, in, kh, kw] = kernel[kh, kw, in, out] permuted (3, 2, 0, 1)
 *                        base_model.model.<layer>.bias    [out]
 * PEFT's lora_A for a conv is Conv2d(in, r, kernel_size, stride, padding) of the base layer, lora_B a 1x1
 * Conv2d(r, out): PEFT takes stride and padding from the PyTorch base module, which must match ours.
 *
 * Config: r and lora_alpha are the most common values (ties: the earliest layer); layers that differ
 * are listed in rank_pattern / alpha_pattern by layer name. PEFT has one use_rslora and one lora_dropout:
 * use_rslora is the most common setting and a layer with the other setting is written with the alpha
 * that gives it the same scale (rsLoRA alpha a at rank r == plain alpha a*sqrt(r)); lora_dropout is the
 * most common rate (dropout is a training-time setting and does not change the adapter's outputs).
 * task_type is null: the adapter wraps a plain model (PeftModel), which is what the names above assume.
 *
 * Writing: exportPeftAdapter.ts; reading: importPeftAdapter.ts; the config: peftLoraConfig.ts.
 */
export { exportPeftAdapter, type PeftExportOptions } from './exportPeftAdapter.ts';
export { importPeftAdapter, type ImportedPeftAdapter } from './importPeftAdapter.ts';
export { PEFT_CONFIG_FILE, PEFT_WEIGHTS_FILE, type PeftAdapterFiles, type PeftLoraConfig } from './peftLoraConfig.ts';
