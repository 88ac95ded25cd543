import { startBackend } from '../src/backend/startBackend.ts';
import { tf } from '../src/tf.ts';
await startBackend('wasm');
const rnd = (s: number[]) => tf.randomNormal(s);
function time(label: string, f: () => tf.Tensor, n = 5) {
  f().dispose();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) { const t = performance.now(); const r = f(); r.dataSync(); ts.push(performance.now() - t); r.dispose(); }
  ts.sort((a, b) => a - b);
  console.log(label.padEnd(50), ts[Math.floor(n / 2)]!.toFixed(1), 'ms');
}
const G = 36, T = 128, D = 64;
const s = rnd([G, T, T]); const v = rnd([G, T, D]);
// out[g,t,d] = sum_s S[g,t,s] V[g,s,d]
const viaDw = () => tf.tidy(() => {
  const x = tf.reshape(tf.transpose(s, [1, 2, 0]), [1, T, T, G]); // [1, T(t), S(s), G]
  const f = tf.reshape(tf.transpose(v, [1, 0, 2]), [1, T, G, D]); // [1, S, G, D]
  const o = tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid'); // [1, T, 1, G*D]
  return tf.transpose(tf.reshape(o, [T, G, D]), [1, 0, 2]);
});
const a = tf.matMul(s, v), b = viaDw();
console.log('max diff', tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
time('s·v batched (slow path)', () => tf.matMul(s, v));
time('s·v via depthwise conv', viaDw);
const q = rnd([G, T, D]), k = rnd([G, T, D]);
time('q·kᵀ batched (wrapper)', () => tf.matMul(q, k, false, true));
// scores[g,t,s] = sum_d q[g,t,d] k[g,s,d]: x [1,T,D,G] (t, d), filter [1,D,G,S]
const qk = () => tf.tidy(() => {
  const x = tf.reshape(tf.transpose(q, [1, 2, 0]), [1, T, D, G]);
  const f = tf.reshape(tf.transpose(k, [2, 0, 1]), [1, D, G, T]);
  const o = tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid'); // [1,T,1,G*S]
  return tf.transpose(tf.reshape(o, [T, G, T]), [1, 0, 2]);
});
console.log('max diff', tf.max(tf.abs(tf.sub(tf.matMul(q, k, false, true), qk()))).dataSync()[0]);
time('q·kᵀ via depthwise conv', qk);
process.exit(0);
