;; Coarse pass of ExactIndex: integer dot products of int8 rows with int16
;; queries, WebAssembly SIMD (128-bit). Compiled by
;; `node scripts/build-exact-index-kernel.mjs` into exact-index-kernel.ts;
;; a test checks that the embedded bytes match this file.
;;
;; scan(rows, n, dp, qs, nq, qc, cnt, out, cap): for each of n row records
;; (stride dp + 32: dp int8 codes, then float64 A, B, W1, W2) and each of nq
;; queries (qs: nq·dp int16, |value| ≤ 127; qc: per query float64 cq, wq1,
;; wq2, wq0, T), S = Σ_c code[c]·q[c] (int32, exact) and the row is emitted
;; as (r, S) into out[q·cap + cnt[q]++] (int32 pairs) when its lower bound
;;   (A − cq·B·S) − ((wq1·W1 + wq2·W2) + 1e-9·A + wq0) ≤ T
;; (the same float64 operations, in the same order, as ExactIndex's JS).
;; dp is a positive multiple of 16. Each row is read once from memory; the
;; queries (≤ 16·dp·2 bytes) stay in L1, four at a time share a row load.
(module
  (memory (export "memory") 1)
  (func $emit (param $q i32) (param $r i32) (param $s i32) (param $m i32) (param $qc i32) (param $cnt i32) (param $out i32) (param $cap i32)
    (local $p i32) (local $a f64) (local $mid f64) (local $w f64) (local $k i32) (local $cp i32)
    (local.set $p (i32.add (local.get $qc) (i32.mul (local.get $q) (i32.const 40))))
    (local.set $a (f64.load (local.get $m)))
    (local.set $mid (f64.sub (local.get $a)
      (f64.mul (f64.mul (f64.load (local.get $p)) (f64.load offset=8 (local.get $m))) (f64.convert_i32_s (local.get $s)))))
    (local.set $w (f64.add
      (f64.add
        (f64.add (f64.mul (f64.load offset=8 (local.get $p)) (f64.load offset=16 (local.get $m)))
                 (f64.mul (f64.load offset=16 (local.get $p)) (f64.load offset=24 (local.get $m))))
        (f64.mul (f64.const 1e-9) (local.get $a)))
      (f64.load offset=24 (local.get $p))))
    (if (f64.le (f64.sub (local.get $mid) (local.get $w)) (f64.load offset=32 (local.get $p)))
      (then
        (local.set $cp (i32.add (local.get $cnt) (i32.shl (local.get $q) (i32.const 2))))
        (local.set $k (i32.load (local.get $cp)))
        (i32.store (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $q) (local.get $cap)) (local.get $k)) (i32.const 3))) (local.get $r))
        (i32.store offset=4 (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $q) (local.get $cap)) (local.get $k)) (i32.const 3))) (local.get $s))
        (i32.store (local.get $cp) (i32.add (local.get $k) (i32.const 1))))))
  (func (export "scan")
    (param $rows i32) (param $n i32) (param $dp i32) (param $qs i32) (param $nq i32) (param $qc i32) (param $cnt i32) (param $out i32) (param $cap i32)
    (local $r i32) (local $rp i32) (local $q i32) (local $c i32) (local $qp i32) (local $qstride i32)
    (local $x i32) (local $m i32)
    (local $lo v128) (local $hi v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $qstride (i32.shl (local.get $dp) (i32.const 1)))
    (local.set $rp (local.get $rows))
    (local.set $r (i32.const 0))
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $m (i32.add (local.get $rp) (local.get $dp)))
        (local.set $qp (local.get $qs))
        (local.set $q (i32.const 0))
        ;; four queries at a time
        (block $quads_done
          (loop $quad
            (br_if $quads_done (i32.gt_u (i32.add (local.get $q) (i32.const 4)) (local.get $nq)))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $c (i32.const 0))
            (loop $chunk
              (local.set $lo (v128.load8x8_s (i32.add (local.get $rp) (local.get $c))))
              (local.set $hi (v128.load8x8_s offset=8 (i32.add (local.get $rp) (local.get $c))))
              (local.set $x (i32.add (local.get $qp) (i32.shl (local.get $c) (i32.const 1))))
              (local.set $a0 (i32x4.add (local.get $a0)
                (i32x4.add (i32x4.dot_i16x8_s (local.get $lo) (v128.load (local.get $x)))
                           (i32x4.dot_i16x8_s (local.get $hi) (v128.load offset=16 (local.get $x))))))
              (local.set $x (i32.add (local.get $x) (local.get $qstride)))
              (local.set $a1 (i32x4.add (local.get $a1)
                (i32x4.add (i32x4.dot_i16x8_s (local.get $lo) (v128.load (local.get $x)))
                           (i32x4.dot_i16x8_s (local.get $hi) (v128.load offset=16 (local.get $x))))))
              (local.set $x (i32.add (local.get $x) (local.get $qstride)))
              (local.set $a2 (i32x4.add (local.get $a2)
                (i32x4.add (i32x4.dot_i16x8_s (local.get $lo) (v128.load (local.get $x)))
                           (i32x4.dot_i16x8_s (local.get $hi) (v128.load offset=16 (local.get $x))))))
              (local.set $x (i32.add (local.get $x) (local.get $qstride)))
              (local.set $a3 (i32x4.add (local.get $a3)
                (i32x4.add (i32x4.dot_i16x8_s (local.get $lo) (v128.load (local.get $x)))
                           (i32x4.dot_i16x8_s (local.get $hi) (v128.load offset=16 (local.get $x))))))
              (local.set $c (i32.add (local.get $c) (i32.const 16)))
              (br_if $chunk (i32.lt_u (local.get $c) (local.get $dp))))
            (call $emit (local.get $q) (local.get $r)
              (i32.add (i32.add (i32x4.extract_lane 0 (local.get $a0)) (i32x4.extract_lane 1 (local.get $a0)))
                       (i32.add (i32x4.extract_lane 2 (local.get $a0)) (i32x4.extract_lane 3 (local.get $a0))))
              (local.get $m) (local.get $qc) (local.get $cnt) (local.get $out) (local.get $cap))
            (call $emit (i32.add (local.get $q) (i32.const 1)) (local.get $r)
              (i32.add (i32.add (i32x4.extract_lane 0 (local.get $a1)) (i32x4.extract_lane 1 (local.get $a1)))
                       (i32.add (i32x4.extract_lane 2 (local.get $a1)) (i32x4.extract_lane 3 (local.get $a1))))
              (local.get $m) (local.get $qc) (local.get $cnt) (local.get $out) (local.get $cap))
            (call $emit (i32.add (local.get $q) (i32.const 2)) (local.get $r)
              (i32.add (i32.add (i32x4.extract_lane 0 (local.get $a2)) (i32x4.extract_lane 1 (local.get $a2)))
                       (i32.add (i32x4.extract_lane 2 (local.get $a2)) (i32x4.extract_lane 3 (local.get $a2))))
              (local.get $m) (local.get $qc) (local.get $cnt) (local.get $out) (local.get $cap))
            (call $emit (i32.add (local.get $q) (i32.const 3)) (local.get $r)
              (i32.add (i32.add (i32x4.extract_lane 0 (local.get $a3)) (i32x4.extract_lane 1 (local.get $a3)))
                       (i32.add (i32x4.extract_lane 2 (local.get $a3)) (i32x4.extract_lane 3 (local.get $a3))))
              (local.get $m) (local.get $qc) (local.get $cnt) (local.get $out) (local.get $cap))
            (local.set $qp (i32.add (local.get $qp) (i32.shl (local.get $qstride) (i32.const 2))))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br $quad)))
        ;; the remaining 0–3 queries one at a time
        (block $singles_done
          (loop $single
            (br_if $singles_done (i32.ge_u (local.get $q) (local.get $nq)))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $c (i32.const 0))
            (loop $chunk1
              (local.set $x (i32.add (local.get $qp) (i32.shl (local.get $c) (i32.const 1))))
              (local.set $a0 (i32x4.add (local.get $a0)
                (i32x4.add
                  (i32x4.dot_i16x8_s (v128.load8x8_s (i32.add (local.get $rp) (local.get $c))) (v128.load (local.get $x)))
                  (i32x4.dot_i16x8_s (v128.load8x8_s offset=8 (i32.add (local.get $rp) (local.get $c))) (v128.load offset=16 (local.get $x))))))
              (local.set $c (i32.add (local.get $c) (i32.const 16)))
              (br_if $chunk1 (i32.lt_u (local.get $c) (local.get $dp))))
            (call $emit (local.get $q) (local.get $r)
              (i32.add (i32.add (i32x4.extract_lane 0 (local.get $a0)) (i32x4.extract_lane 1 (local.get $a0)))
                       (i32.add (i32x4.extract_lane 2 (local.get $a0)) (i32x4.extract_lane 3 (local.get $a0))))
              (local.get $m) (local.get $qc) (local.get $cnt) (local.get $out) (local.get $cap))
            (local.set $qp (i32.add (local.get $qp) (local.get $qstride)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $single)))
        (local.set $rp (i32.add (local.get $m) (i32.const 32)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))))
