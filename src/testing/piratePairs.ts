/**
 * Test helper (not a test itself): 20 preference pairs in TRL's standard format whose chosen answer
 * is "arr <animal> arr" and rejected one plain, with two bad lines (4: chosen equals rejected, 5: no
 * "rejected") for the line-numbered issues.
 */
export function piratePairsJsonl(): string {
  const animals = ['cat', 'dog', 'fox', 'owl', 'bee'];
  const lines = Array.from({ length: 20 }, (_, i) => {
    const a = animals[i % animals.length]!;
    return JSON.stringify({ prompt: `name a ${a}:`, chosen: ` arr ${a} arr`, rejected: ` the ${a}` });
  });
  lines.splice(3, 0, '{"prompt": "x", "chosen": "same", "rejected": "same"}', '{"prompt": "x", "chosen": " y"}');
  return `${lines.join('\n')}\n`;
}
