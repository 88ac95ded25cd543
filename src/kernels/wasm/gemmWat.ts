/**
 * The WebAssembly text of our GEMM (general matrix product) for the WASM backend: C = A·B in float32,
 * with A and B read through strides (so a transposed operand costs nothing) and packed, per cache
 * block, into panels that a 4 x 8 register tile walks. The design is BLIS/GotoBLAS' (pack, then a
 * micro-kernel over the packed panels), blocks and all in the one export `gemm`; wasmGemm.ts calls it.
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
/** Rows of A packed at once (MC x KC floats = 128 KB: stays in L2). */
export const MC = 128;
/** Most of K taken at once (a KC x NR panel of B = 8 KB: stays in L1 while the tiles use it). */
export const KC = 256;
/** Columns of B packed at once (KC x NC floats = 1 MB). */
export const NC = 1024;
/** Scratch bytes one thread needs: a tile, A's packed block, B's packed block. */
export const GEMM_SCRATCH_BYTES = 4 * (MR * NR + Math.ceil(MC / MR) * MR * KC + Math.ceil(NC / NR) * NR * KC);

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

  ;; The whole product, blocked (BLIS): for each of g batches (byte strides sa, sb, sc),
  ;; C[i, j] = sum_k A[i, k] B[k, j] for i < m and columns j0 <= j < j1 (a thread's share), C's rows
  ;; ldc floats apart; A's element (i, k) at a + 4(i ai + k ak), B's (k, j) at b + 4(k bk + j bj).
  ;; K goes in equal slices of at most KC (576 = 3 x 192, not 256 + 256 + 64: a short last slice
  ;; would reload and store all of C for little work). k >= 1.
  (func (export "gemm") (param $g i32) (param $a i32) (param $sa i32) (param $ai i32) (param $ak i32)
      (param $b i32) (param $sb i32) (param $bk i32) (param $bj i32) (param $c i32) (param $sc i32) (param $ldc i32)
      (param $m i32) (param $k i32) (param $n i32) (param $j0 i32) (param $j1 i32) (param $scratch i32)
    (local $ap i32) (local $bp i32) (local $kstep i32) (local $jc i32) (local $nc i32) (local $pc i32) (local $kc i32) (local $ic i32) (local $mc i32)
    (local.set $ap (i32.add (local.get $scratch) (i32.const ${4 * mr * NR})))
    (local.set $bp (i32.add (local.get $ap) (i32.const ${4 * Math.ceil(MC / mr) * mr * KC})))
    (local.set $kstep (i32.div_u (i32.add (local.get $k) (i32.const ${KC - 1})) (i32.const ${KC}))) ;; slices
    (local.set $kstep (i32.div_u (i32.add (local.get $k) (i32.sub (local.get $kstep) (i32.const 1))) (local.get $kstep)))
    (block $gdone (loop $gs
      (br_if $gdone (i32.eqz (local.get $g)))
      (local.set $jc (local.get $j0))
      (block $jdone (loop $js
        (br_if $jdone (i32.ge_u (local.get $jc) (local.get $j1)))
        (local.set $nc (select (i32.sub (local.get $j1) (local.get $jc)) (i32.const ${NC})
          (i32.lt_u (i32.sub (local.get $j1) (local.get $jc)) (i32.const ${NC}))))
        (local.set $pc (i32.const 0))
        (block $pdone (loop $ps
          (br_if $pdone (i32.ge_u (local.get $pc) (local.get $k)))
          (local.set $kc (select (i32.sub (local.get $k) (local.get $pc)) (local.get $kstep)
            (i32.lt_u (i32.sub (local.get $k) (local.get $pc)) (local.get $kstep))))
          (call $packB (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (local.get $pc) (local.get $bk)) (i32.mul (local.get $jc) (local.get $bj))) (i32.const 2)))
            (local.get $bj) (local.get $bk) (local.get $nc) (local.get $kc) (local.get $bp))
          (local.set $ic (i32.const 0))
          (block $idone (loop $is
            (br_if $idone (i32.ge_u (local.get $ic) (local.get $m)))
            (local.set $mc (select (i32.sub (local.get $m) (local.get $ic)) (i32.const ${MC})
              (i32.lt_u (i32.sub (local.get $m) (local.get $ic)) (i32.const ${MC}))))
            (call $packA (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $ic) (local.get $ai)) (i32.mul (local.get $pc) (local.get $ak))) (i32.const 2)))
              (local.get $ai) (local.get $ak) (local.get $mc) (local.get $kc) (local.get $ap))
            (call $macro (local.get $ap) (local.get $bp)
              (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $ic) (local.get $ldc)) (local.get $jc)) (i32.const 2)))
              (local.get $mc) (local.get $nc) (local.get $kc) (local.get $ldc) (i32.ne (local.get $pc) (i32.const 0)) (local.get $scratch))
            (local.set $ic (i32.add (local.get $ic) (i32.const ${MC})))
            (br $is)))
          (local.set $pc (i32.add (local.get $pc) (local.get $kc)))
          (br $ps)))
        (local.set $jc (i32.add (local.get $jc) (i32.const ${NC})))
        (br $js)))
      (local.set $a (i32.add (local.get $a) (local.get $sa)))
      (local.set $b (i32.add (local.get $b) (local.get $sb)))
      (local.set $c (i32.add (local.get $c) (local.get $sc)))
      (local.set $g (i32.sub (local.get $g) (i32.const 1)))
      (br $gs))))

  ;; C block (mc x nc at c, row stride ldc floats) = (acc ? C : 0) + packed A x packed B.
  ;; Edge tiles go through tile (MR x 8 floats of scratch).
  (func $macro (param $ap i32) (param $bp i32) (param $c i32) (param $mc i32) (param $nc i32) (param $kc i32)
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
 * Called as `name(src, sl, sk, count, kc, dst)`. Whole panels copy by vectors where lines are
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
  return `  (func $${name} (param $src i32) (param $sl i32) (param $sk i32) (param $count i32) (param $kc i32) (param $dst i32)
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
