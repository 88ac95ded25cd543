/**
 * The prompt of Stanford Alpaca (tatsu-lab/stanford_alpaca, train.py), word for word, so models
 * fine-tuned here answer the prompts Alpaca-format tools send; the output follows as the completion.
 */
export function alpacaPrompt(instruction: string, input: string): string {
  if (input.trim() === '') {
    return (
      'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n' +
      `### Instruction:\n${instruction}\n\n### Response:\n`
    );
  }
  return (
    'Below is an instruction that describes a task, paired with an input that provides further context. ' +
    'Write a response that appropriately completes the request.\n\n' +
    `### Instruction:\n${instruction}\n\n### Input:\n${input}\n\n### Response:\n`
  );
}
