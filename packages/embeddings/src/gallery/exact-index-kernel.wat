;; Coarse pass of ExactIndex: integer dot products of int8 rows with int16
;; queries, WebAssembly SIMD (128-bit). Compiled by
;; `node scripts/build-exact-index-kernel.mjs` into exact-index-kernel.ts;
;; a test checks that the embedded bytes match this file.
;;
;; dots(rows, n, dp, qs, nq, out):
;;   out[q·n + r] = Σ_c rows[r·dp + c] · qs[q·dp + c]   (int32, exact)
;; rows: n·dp int8; qs: nq·dp int16 (|value| ≤ 127); out: nq·n int32;
;; dp is a positive multiple of 16. Each row is read once from memory; the
;; queries (≤ 16·dp·2 bytes) stay in L1, four at a time share a row load.
(module
  (memory (export "memory") 1)
  (func (export "dots")
    (param $rows i32) (param $n i32) (param $dp i32) (param $qs i32) (param $nq i32) (param $out i32)
    (local $r i32) (local $rp i32) (local $q i32) (local $c i32) (local $qp i32) (local $qstride i32)
    (local $ostride i32) (local $op i32) (local $x i32)
    (local $lo v128) (local $hi v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $qstride (i32.shl (local.get $dp) (i32.const 1)))
    (local.set $ostride (i32.shl (local.get $n) (i32.const 2)))
    (local.set $rp (local.get $rows))
    (local.set $r (i32.const 0))
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $op (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))))
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
            (i32.store (local.get $op)
              (i32.add (i32.add (i32x4.extract_lane 0 (local.get $a0)) (i32x4.extract_lane 1 (local.get $a0)))
                       (i32.add (i32x4.extract_lane 2 (local.get $a0)) (i32x4.extract_lane 3 (local.get $a0)))))
            (local.set $op (i32.add (local.get $op) (local.get $ostride)))
            (i32.store (local.get $op)
              (i32.add (i32.add (i32x4.extract_lane 0 (local.get $a1)) (i32x4.extract_lane 1 (local.get $a1)))
                       (i32.add (i32x4.extract_lane 2 (local.get $a1)) (i32x4.extract_lane 3 (local.get $a1)))))
            (local.set $op (i32.add (local.get $op) (local.get $ostride)))
            (i32.store (local.get $op)
              (i32.add (i32.add (i32x4.extract_lane 0 (local.get $a2)) (i32x4.extract_lane 1 (local.get $a2)))
                       (i32.add (i32x4.extract_lane 2 (local.get $a2)) (i32x4.extract_lane 3 (local.get $a2)))))
            (local.set $op (i32.add (local.get $op) (local.get $ostride)))
            (i32.store (local.get $op)
              (i32.add (i32.add (i32x4.extract_lane 0 (local.get $a3)) (i32x4.extract_lane 1 (local.get $a3)))
                       (i32.add (i32x4.extract_lane 2 (local.get $a3)) (i32x4.extract_lane 3 (local.get $a3)))))
            (local.set $op (i32.add (local.get $op) (local.get $ostride)))
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
            (i32.store (local.get $op)
              (i32.add (i32.add (i32x4.extract_lane 0 (local.get $a0)) (i32x4.extract_lane 1 (local.get $a0)))
                       (i32.add (i32x4.extract_lane 2 (local.get $a0)) (i32x4.extract_lane 3 (local.get $a0)))))
            (local.set $op (i32.add (local.get $op) (local.get $ostride)))
            (local.set $qp (i32.add (local.get $qp) (local.get $qstride)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $single)))
        (local.set $rp (i32.add (local.get $rp) (local.get $dp)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))))
