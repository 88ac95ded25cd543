import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../tf.ts';
import type { RopeSpec } from './hfTypes.ts';
import { applyRope, ropeTables } from './rope.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const spec = (over: Partial<RopeSpec> = {}): RopeSpec => ({ type: 'default', dim: 2, invFreq: Float32Array.of(0.5), attentionScaling: 1, ...over });

describe('rotary tables and rotation', () => {
  it('rotates as x·cos + rotate_half(x)·sin, and its gradient is that map\'s transpose (partial rotary dims too)', async () => {
    const x = tf.randomNormal([2, 3, 5, 8], 0, 1, 'float32', 1);
    const dy = tf.randomNormal([2, 3, 5, 8], 0, 1, 'float32', 2);
    for (const dim of [8, 4]) {
      const { cos, sin } = ropeTables(spec({ dim, invFreq: Float32Array.from({ length: dim / 2 }, (_, i) => 1 / 10 ** i) }), 3, 5);
      const plain = (v: tf.Tensor): tf.Tensor => {
        const [rot, pass] = tf.split(v, [dim, 8 - dim], 3);
        const [a, b] = tf.split(rot!, 2, 3);
        const rotated = tf.add(tf.mul(rot!, cos), tf.mul(tf.concat([tf.neg(b!), a!], 3), sin));
        return dim < 8 ? tf.concat([rotated, pass!], 3) : rotated;
      };
      const grad = (f: (v: tf.Tensor) => tf.Tensor) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), dy)))(x);
      for (const [a, b] of [[applyRope(x, cos, sin), plain(x)], [grad((v) => applyRope(v, cos, sin)), grad(plain)]] as const) {
        expect((await tf.max(tf.abs(tf.sub(a, b))).data())[0]).toBeLessThan(1e-5);
      }
      tf.dispose([cos, sin]);
    }
  });

  it('angles are position x inverse frequency, both halves alike, scaled by the attention factor (yarn)', () => {
    const { cos, sin } = ropeTables(spec({ attentionScaling: 1.5 }), 2, 2);
    const c = cos.arraySync() as number[][];
    const s = sin.arraySync() as number[][];
    // positions 2 and 3: angles 1 and 1.5
    expect(c[0]![0]).toBeCloseTo(1.5 * Math.cos(1), 6);
    expect(c[0]![1]).toBeCloseTo(1.5 * Math.cos(1), 6);
    expect(s[1]![1]).toBeCloseTo(1.5 * Math.sin(1.5), 6);
    tf.dispose([cos, sin]);
  });

  it('longrope switches to its long frequencies once the sequence passes the pre-training length', () => {
    const long = spec({ type: 'longrope', long: { fromLength: 5, invFreq: Float32Array.of(0.25) } });
    const angle = (offset: number, t: number): number => {
      const { cos, sin } = ropeTables(long, offset, t);
      const a = Math.atan2((sin.arraySync() as number[][])[0]![0]!, (cos.arraySync() as number[][])[0]![0]!);
      tf.dispose([cos, sin]);
      return a;
    };
    expect(angle(2, 2)).toBeCloseTo(1, 6); // sequence length 4: short, 2 x 0.5
    expect(angle(2, 3)).toBeCloseTo(0.5, 6); // length 5: long, 2 x 0.25
  });

  it('with partial rotary only the first dim dimensions of each head rotate (phi3)', () => {
    const x = tf.tensor4d([[[[1, 0, 7, 9]]]]); // [1, 1, 1, 4]: rotary dim 2, two pass-through dims
    const { cos, sin } = ropeTables(spec({ invFreq: Float32Array.of(Math.PI / 2) }), 1, 1); // a quarter turn
    const out = Array.from(applyRope(x, cos, sin).dataSync());
    expect(out.map((v) => Math.round(v * 1e6) / 1e6 + 0)).toEqual([0, 1, 7, 9]);
    tf.dispose([x, cos, sin]);
  });
});
