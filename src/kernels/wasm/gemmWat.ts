/**
 * The WebAssembly text of our GEMM (general matrix product) for the WASM backend: C = A·B in float32,
 * with A and B read through strides (so a transposed operand costs nothing) and packed, per cache
 * block, into panels that a 4 x 8 register tile walks. The design is BLIS/GotoBLAS' (pack, then a
 * micro-kernel over the packed panels); wasmGemm.ts drives the blocks.
 *
 * Why our own: TF.js 4.22's XNNPACK is built for baseline SIMD128 only (no fused multiply-add), and it
 * needs both operands untransposed. This kernel uses relaxed SIMD's `f32x4.relaxed_madd` (one fused
 * multiply-add on x86 with FMA3 or on ARM) where the runtime has it, and `f32x4.mul` + `f32x4.add`
 * otherwise. Measured on this project's 2-core VM, one thread ([512, 576] x [576, 1536]): 47 GFLOP/s
 * with relaxed_madd, 30-38 with mul + add, XNNPACK 26-32 (docs/benchmarks.md).
 *
 * The tile is 4 rows because 4 x 8 needs 8 accumulators + 2 B vectors + 1 A splat = 11 of x64's 16
 * vector registers; 5 or 6 rows spill in V8 and ran at half the speed.
 *
 * scripts/buildGemmWasm.ts compiles this text (wabt) into gemmWasmBinaries.ts; a test checks that the
 * committed binaries are this text's.
 */

/** Rows of the register tile (and of A's packed panels). */
export const MR = 4;
/** Columns of the register tile (and of B's packed panels). */
export const NR = 8;

export interface GemmVariant {
  /** The memory it imports is shared (TF.js' threaded build) or not. */
  shared: boolean;
  /** relaxed SIMD's fused multiply-add (true) or baseline SIMD's mul + add. */
  fma: boolean;
}

export function gemmWat({ shared, fma }: GemmVariant): string {
  const mr = MR;
  const madd = (a: string, b: string, c: string): string => (fma ? `(f32x4.relaxed_madd ${a} ${b} ${c})` : `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`);
  const acc: string[] = [];
  for (let r = 0; r < mr; r++) acc.push(`$c${r}a`, `$c${r}b`);
  const locals = acc.map((n) => `(local ${n} v128)`).join(' ');
  const init: string[] = [];
  for (let r = 0; r < mr; r++) {
    const row = `(i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const ${4 * r})))`;
    init.push(`(local.set $c${r}a (v128.load ${row}))`, `(local.set $c${r}b (v128.load offset=16 ${row}))`);
  }
  const zero = acc.map((n) => `(local.set ${n} (v128.const i32x4 0 0 0 0))`).join('\n      ');
  const body: string[] = [];
  body.push('(local.set $b0 (v128.load (local.get $b)))', '(local.set $b1 (v128.load offset=16 (local.get $b)))');
  for (let r = 0; r < mr; r++) {
    body.push(`(local.set $av (v128.load32_splat offset=${4 * r} (local.get $a)))`);
    body.push(`(local.set $c${r}a ${madd('(local.get $av)', '(local.get $b0)', `(local.get $c${r}a)`)})`);
    body.push(`(local.set $c${r}b ${madd('(local.get $av)', '(local.get $b1)', `(local.get $c${r}b)`)})`);
  }
  const store: string[] = [];
  for (let r = 0; r < mr; r++) {
    const row = `(i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const ${4 * r})))`;
    store.push(`(v128.store ${row} (local.get $c${r}a))`, `(v128.store offset=16 ${row} (local.get $c${r}b))`);
  }
  const mem = shared ? '(memory 1 65536 shared)' : '(memory 1)';
  return `(module
  (import "env" "memory" ${mem})
  ;; One MR x 8 tile of C (row stride ldc floats) += packed A panel [kc][MR] x packed B panel [kc][8].
  (func $micro (param $a i32) (param $b i32) (param $kc i32) (param $c i32) (param $ldc i32) (param $acc i32)
    ${locals} (local $b0 v128) (local $b1 v128) (local $av v128)
    (if (local.get $acc)
      (then ${init.join('\n        ')})
      (else ${zero}))
    (loop $k
      ${body.join('\n      ')}
      (local.set $a (i32.add (local.get $a) (i32.const ${4 * mr})))
      (local.set $b (i32.add (local.get $b) (i32.const 32)))
      (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))
    ${store.join('\n    ')})

${packFunc('packA', mr)}

${packFunc('packB', 8)}

  ;; C block (mc x nc at c, row stride ldc floats) = (acc ? C : 0) + packed A x packed B.
  ;; Edge tiles go through tile (MR x 8 floats of scratch).
  (func (export "macro") (param $ap i32) (param $bp i32) (param $c i32) (param $mc i32) (param $nc i32) (param $kc i32)
      (param $ldc i32) (param $acc i32) (param $tile i32)
    (local $p i32) (local $q i32) (local $rows i32) (local $cols i32) (local $cp i32) (local $r i32) (local $j i32) (local $at i32)
    (block $qdone (loop $qs
      (br_if $qdone (i32.ge_u (local.get $q) (local.get $nc)))
      (local.set $cols (select (i32.sub (local.get $nc) (local.get $q)) (i32.const 8)
        (i32.lt_u (i32.sub (local.get $nc) (local.get $q)) (i32.const 8))))
      (local.set $p (i32.const 0))
      (block $pdone (loop $ps
        (br_if $pdone (i32.ge_u (local.get $p) (local.get $mc)))
        (local.set $rows (select (i32.sub (local.get $mc) (local.get $p)) (i32.const ${mr})
          (i32.lt_u (i32.sub (local.get $mc) (local.get $p)) (i32.const ${mr}))))
        (local.set $cp (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $p) (local.get $ldc)) (local.get $q)) (i32.const 2))))
        (if (i32.and (i32.eq (local.get $rows) (i32.const ${mr})) (i32.eq (local.get $cols) (i32.const 8)))
          (then (call $micro (i32.add (local.get $ap) (i32.shl (i32.mul (local.get $p) (local.get $kc)) (i32.const 2)))
                             (i32.add (local.get $bp) (i32.shl (i32.mul (local.get $q) (local.get $kc)) (i32.const 2)))
                             (local.get $kc) (local.get $cp) (local.get $ldc) (local.get $acc)))
          (else
            ;; tile <- valid part of C (or zeros), padded with zeros
            (local.set $r (i32.const 0))
            (loop $rl
              (local.set $j (i32.const 0))
              (loop $jl
                (local.set $at (i32.add (local.get $cp) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $ldc)) (local.get $j)) (i32.const 2))))
                (f32.store (i32.add (local.get $tile) (i32.shl (i32.add (i32.shl (local.get $r) (i32.const 3)) (local.get $j)) (i32.const 2)))
                  (if (result f32) (i32.and (local.get $acc) (i32.and (i32.lt_u (local.get $r) (local.get $rows)) (i32.lt_u (local.get $j) (local.get $cols))))
                    (then (f32.load (local.get $at))) (else (f32.const 0))))
                (br_if $jl (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 8))))
              (br_if $rl (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const ${mr}))))
            (call $micro (i32.add (local.get $ap) (i32.shl (i32.mul (local.get $p) (local.get $kc)) (i32.const 2)))
                         (i32.add (local.get $bp) (i32.shl (i32.mul (local.get $q) (local.get $kc)) (i32.const 2)))
                         (local.get $kc) (local.get $tile) (i32.const 8) (i32.const 1))
            ;; valid part of tile -> C
            (local.set $r (i32.const 0))
            (loop $rw
              (local.set $j (i32.const 0))
              (loop $jw
                (if (i32.and (i32.lt_u (local.get $r) (local.get $rows)) (i32.lt_u (local.get $j) (local.get $cols)))
                  (then (f32.store (i32.add (local.get $cp) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $ldc)) (local.get $j)) (i32.const 2)))
                    (f32.load (i32.add (local.get $tile) (i32.shl (i32.add (i32.shl (local.get $r) (i32.const 3)) (local.get $j)) (i32.const 2)))))))
                (br_if $jw (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 8))))
              (br_if $rw (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const ${mr}))))))
        (local.set $p (i32.add (local.get $p) (i32.const ${mr})))
        (br $ps)))
      (local.set $q (i32.add (local.get $q) (i32.const 8)))
      (br $qs)))))
`;
}

/**
 * Packs a block of `count` lines (A's rows: width MR; B's columns: width 8) by kc into panels
 * [ceil(count/width)][kc][width], zero-padded; element (line l, k) at src + 4(l·sl + k·sk).
 * Exported as `name(src, sl, sk, count, kc, dst)`. Whole panels copy by vectors where lines are
 * adjacent (sl = 1), else through one pointer per line (a transposed operand); the last, partial
 * panel goes element by element.
 */
function packFunc(name: string, width: number): string {
  const ptrs = Array.from({ length: width }, (_, l) => `$p${l}`);
  const setPtrs = ptrs.map((p, l) => `(local.set ${p} (i32.add (local.get $line) (i32.mul (local.get $sl) (i32.const ${l}))))`).join('\n          ');
  const copyPtrs = ptrs
    .map((p, l) => `(f32.store offset=${4 * l} (local.get $dst) (f32.load (local.get ${p}))) (local.set ${p} (i32.add (local.get ${p}) (local.get $sk)))`)
    .join('\n            ');
  const copyVecs = Array.from({ length: width / 4 }, (_, v) => `(v128.store offset=${16 * v} (local.get $dst) (v128.load offset=${16 * v} (local.get $at)))`).join('\n            ');
  return `  (func (export "${name}") (param $src i32) (param $sl i32) (param $sk i32) (param $count i32) (param $kc i32) (param $dst i32)
    (local $q i32) (local $k i32) (local $l i32) (local $lines i32) (local $line i32) (local $at i32) ${ptrs.map((p) => `(local ${p} i32)`).join(' ')}
    (local.set $sl (i32.shl (local.get $sl) (i32.const 2)))
    (local.set $sk (i32.shl (local.get $sk) (i32.const 2)))
    (block $done (loop $panels
      (br_if $done (i32.ge_u (local.get $q) (local.get $count)))
      (local.set $lines (select (i32.sub (local.get $count) (local.get $q)) (i32.const ${width})
        (i32.lt_u (i32.sub (local.get $count) (local.get $q)) (i32.const ${width}))))
      (local.set $line (i32.add (local.get $src) (i32.mul (local.get $q) (local.get $sl))))
      (local.set $k (i32.const 0))
      (if (i32.eq (local.get $lines) (i32.const ${width}))
        (then
          (if (i32.eq (local.get $sl) (i32.const 4))
            (then
              ;; adjacent lines: vector copies per k
              (local.set $at (local.get $line))
              (loop $kv
                ${copyVecs}
                (local.set $at (i32.add (local.get $at) (local.get $sk)))
                (local.set $dst (i32.add (local.get $dst) (i32.const ${4 * width})))
                (br_if $kv (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $kc)))))
            (else
              ;; one pointer per line, each walking its line along k
              ${setPtrs}
              (loop $kp
                ${copyPtrs}
                (local.set $dst (i32.add (local.get $dst) (i32.const ${4 * width})))
                (br_if $kp (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $kc)))))))
        (else
          (loop $ks
            (local.set $at (i32.add (local.get $line) (i32.mul (local.get $k) (local.get $sk))))
            (local.set $l (i32.const 0))
            (loop $ls
              (f32.store (local.get $dst)
                (if (result f32) (i32.lt_u (local.get $l) (local.get $lines))
                  (then (f32.load (i32.add (local.get $at) (i32.mul (local.get $l) (local.get $sl)))))
                  (else (f32.const 0))))
              (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
              (br_if $ls (i32.lt_u (local.tee $l (i32.add (local.get $l) (i32.const 1))) (i32.const ${width}))))
            (br_if $ks (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $kc))))))
      (local.set $q (i32.add (local.get $q) (i32.const ${width})))
      (br $panels))))`;
}
