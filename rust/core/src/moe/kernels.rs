//! The router's dense kernels, compiled for AVX-512 and AVX2 as well as for the baseline
//! x86-64 and chosen at run time by `multiversion` (safe dispatch after CPU feature detection).
//! They vectorise across output columns, never across a sum: every element is summed term by
//! term in a fixed order, and Rust never fuses a multiply and an add, so each version computes
//! bit-identical results. The same seed gives the same model on every machine, only faster
//! where the wider vectors are available.

use multiversion::multiversion;
use multiversion::target::selected_target;

/// `C = X W^T + bias` for a row-major `X` (one sample per row), given `W^T` (row-major, one
/// row per input, one column per output): each layer's forward pass, for one sample or a whole
/// mini-batch. Each element is the bias plus the products summed input by input, in order, so
/// a sample's activations are the same bits alone or in a batch, on every machine.
pub(super) fn affine_rows(xs: &[f32], wt: &[f32], bias: &[f32], c: &mut [f32], ws: &mut Workspace) {
    let out = bias.len();
    if out == 0 {
        return;
    }
    let inputs = wt.len() / out;
    for row in c.chunks_exact_mut(out) {
        row.copy_from_slice(bias);
    }
    if c.len() == out {
        sparse_row_acc(c, xs, wt, &mut ws.nonzero);
    } else {
        matmul_acc(c, out, xs, inputs, 1, wt, inputs, &mut ws.panel);
    }
}

/// Scratch of the kernels, kept by the caller so that no call allocates once it has grown.
#[derive(Debug, Clone, Default)]
pub(super) struct Workspace {
    pub(super) panel: Vec<f32>,
    nonzero: Vec<usize>,
}

/// `c += x W^T` for one sample, over the nonzero inputs only: after a ReLU about half of them
/// are 0, and a term of 0 leaves a sum's value as it is, so the result equals the dense sum
/// (at most the sign of an exact zero differs). `nonzero` is scratch for their positions.
#[multiversion(targets(
    "x86_64+avx+avx2+avx512f+avx512bw+avx512cd+avx512dq+avx512vl",
    "x86_64+avx+avx2",
    "x86_64+sse4.1"
))]
fn sparse_row_acc(c: &mut [f32], x: &[f32], wt: &[f32], nonzero: &mut Vec<usize>) {
    let w = c.len();
    // Branch-free compaction: every position is written and the count moves on past the
    // nonzero ones. After a ReLU the zeros fall at random, and a filter's branch mispredicted
    // on about half of them (this loop took as long as the products).
    if nonzero.len() < x.len() {
        nonzero.resize(x.len(), 0);
    }
    let mut count = 0;
    for (p, &v) in x.iter().enumerate() {
        nonzero[count] = p;
        count += usize::from(v != 0.0);
    }
    let nonzero = &nonzero[..count];
    let mut c0 = 0;
    while c0 + 64 <= w {
        sparse_tile::<64>(c, x, wt, nonzero, c0);
        c0 += 64;
    }
    while c0 + 8 <= w {
        sparse_tile::<8>(c, x, wt, nonzero, c0);
        c0 += 8;
    }
    for col in c0..w {
        sparse_tile::<1>(c, x, wt, nonzero, col);
    }
}

#[inline(always)]
fn sparse_tile<const NC: usize>(
    c: &mut [f32],
    x: &[f32],
    wt: &[f32],
    nonzero: &[usize],
    c0: usize,
) {
    let w = c.len();
    let mut acc = [0.0f32; NC];
    acc.copy_from_slice(&c[c0..c0 + NC]);
    for &p in nonzero {
        let (lv, rv) = (x[p], &wt[p * w + c0..p * w + c0 + NC]);
        for t in 0..NC {
            acc[t] += lv * rv[t];
        }
    }
    c[c0..c0 + NC].copy_from_slice(&acc);
}

/// `C[r][..] += sum_p L(r, p) R[p][..]` over `p < inner`, with `L(r, p) = l[r * l_rs + p * l_ps]`,
/// for row-major `C` and `R` of width `w`: with the strides of a matrix or of its transpose,
/// both of the backward pass's products (`D W` and `D^T A`). A tile of C stays in registers
/// for the whole sum (each element is summed over `p` in order); the tile's values of L are
/// first packed side by side into `panel` (scratch, kept by the caller so that no call
/// allocates once it has grown).
#[allow(clippy::too_many_arguments)]
#[multiversion(targets(
    "x86_64+avx+avx2+avx512f+avx512bw+avx512cd+avx512dq+avx512vl",
    "x86_64+avx+avx2",
    "x86_64+sse4.1"
))]
pub(super) fn matmul_acc(
    c: &mut [f32],
    w: usize,
    l: &[f32],
    l_rs: usize,
    l_ps: usize,
    r: &[f32],
    inner: usize,
    panel: &mut Vec<f32>,
) {
    // Four rows by sixteen columns keep eight independent 256-bit sums in registers (four
    // rows by thirty-two, eight 512-bit ones); a row alone takes sixty-four columns at a
    // time for as many independent sums.
    const MR: usize = 4;
    let wide_registers = selected_target!().supports_feature_str("avx512f");
    if w == 0 {
        return;
    }
    let rows = c.len() / w;
    let rows_full = rows - rows % MR;
    let r = &r[..inner * w];
    for r0 in (0..rows_full).step_by(MR) {
        pack(panel, l, l_rs, l_ps, inner, r0, MR);
        let mut c0 = 0;
        // With 32 vector registers, four rows by thirty-two columns keep eight 512-bit sums
        // in flight (about 10% faster on the router's products); with 16 registers they
        // would spill.
        if wide_registers {
            while c0 + 32 <= w {
                acc_tile::<MR, 32>(c, w, panel, r, r0, c0);
                c0 += 32;
            }
        }
        while c0 + 16 <= w {
            acc_tile::<MR, 16>(c, w, panel, r, r0, c0);
            c0 += 16;
        }
        if c0 + 8 <= w {
            acc_tile::<MR, 8>(c, w, panel, r, r0, c0);
            c0 += 8;
        }
        if c0 + 4 <= w {
            acc_tile::<MR, 4>(c, w, panel, r, r0, c0);
            c0 += 4;
        }
        for col in c0..w {
            acc_tile::<MR, 1>(c, w, panel, r, r0, col);
        }
    }
    for r0 in rows_full..rows {
        // A row of a row-major L is its own panel.
        let own = l_ps == 1 && r0 * l_rs + inner <= l.len();
        if !own {
            pack(panel, l, l_rs, l_ps, inner, r0, 1);
        }
        let panel: &[f32] = if own {
            &l[r0 * l_rs..r0 * l_rs + inner]
        } else {
            panel
        };
        let mut c0 = 0;
        while c0 + 64 <= w {
            acc_tile::<1, 64>(c, w, panel, r, r0, c0);
            c0 += 64;
        }
        while c0 + 16 <= w {
            acc_tile::<1, 16>(c, w, panel, r, r0, c0);
            c0 += 16;
        }
        if c0 + 8 <= w {
            acc_tile::<1, 8>(c, w, panel, r, r0, c0);
            c0 += 8;
        }
        if c0 + 4 <= w {
            acc_tile::<1, 4>(c, w, panel, r, r0, c0);
            c0 += 4;
        }
        for col in c0..w {
            acc_tile::<1, 1>(c, w, panel, r, r0, col);
        }
    }
}

/// `panel[p * mr + q] = L(r0 + q, p)`.
#[inline(always)]
fn pack(
    panel: &mut Vec<f32>,
    l: &[f32],
    l_rs: usize,
    l_ps: usize,
    inner: usize,
    r0: usize,
    mr: usize,
) {
    panel.clear();
    for p in 0..inner {
        for q in 0..mr {
            panel.push(l[(r0 + q) * l_rs + p * l_ps]);
        }
    }
}

/// One `MR x NC` tile of [`matmul_acc`] at row `r0`, column `c0`, from the packed panel.
#[inline(always)]
fn acc_tile<const MR: usize, const NC: usize>(
    c: &mut [f32],
    w: usize,
    panel: &[f32],
    r: &[f32],
    r0: usize,
    c0: usize,
) {
    let mut acc = [[0.0f32; NC]; MR];
    for (q, acc_q) in acc.iter_mut().enumerate() {
        acc_q.copy_from_slice(&c[(r0 + q) * w + c0..(r0 + q) * w + c0 + NC]);
    }
    for (lv, row) in panel.chunks_exact(MR).zip(r.chunks_exact(w)) {
        let rv = &row[c0..c0 + NC];
        for (acc_q, &lq) in acc.iter_mut().zip(lv) {
            for t in 0..NC {
                acc_q[t] += lq * rv[t];
            }
        }
    }
    for (q, acc_q) in acc.iter().enumerate() {
        c[(r0 + q) * w + c0..(r0 + q) * w + c0 + NC].copy_from_slice(acc_q);
    }
}

/// Dot product with eight independent partial sums, so that the compiler can keep them in
/// one SIMD register (a single running sum is a dependency chain it may not reorder).
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    let mut sum = acc.iter().sum::<f32>();
    for (x, y) in ra.iter().zip(rb) {
        sum += x * y;
    }
    sum
}

/// `out = W x + b` for a row-major `W` of `out.len()` rows: the forward pass of a router that
/// steps after every sample, for which keeping a transposed copy would cost more than it saves.
#[multiversion(targets(
    "x86_64+avx+avx2+avx512f+avx512bw+avx512cd+avx512dq+avx512vl",
    "x86_64+avx+avx2",
    "x86_64+sse4.1"
))]
pub(super) fn affine(w: &[f32], b: &[f32], x: &[f32], out: &mut [f32]) {
    let n = x.len();
    for ((o, row), bias) in out.iter_mut().zip(w.chunks_exact(n.max(1))).zip(b) {
        *o = bias + dot(row, x);
    }
}

/// `G += d a^T` for a row-major `G` of `d.len()` rows; rows whose `d` is 0 are skipped when
/// `skip_zero` (their update would add nothing).
#[multiversion(targets(
    "x86_64+avx+avx2+avx512f+avx512bw+avx512cd+avx512dq+avx512vl",
    "x86_64+avx+avx2",
    "x86_64+sse4.1"
))]
pub(super) fn outer_add(g: &mut [f32], d: &[f32], a: &[f32], skip_zero: bool) {
    let n = a.len();
    for (row, &dk) in g.chunks_exact_mut(n.max(1)).zip(d) {
        if skip_zero && dk == 0.0 {
            continue;
        }
        for (gw, av) in row.iter_mut().zip(a) {
            *gw += dk * av;
        }
    }
}

/// `out += W^T d` for a row-major `W` of `d.len()` rows (rows with `d` 0 skipped when
/// `skip_zero`).
#[multiversion(targets(
    "x86_64+avx+avx2+avx512f+avx512bw+avx512cd+avx512dq+avx512vl",
    "x86_64+avx+avx2",
    "x86_64+sse4.1"
))]
pub(super) fn transposed_add(out: &mut [f32], w: &[f32], d: &[f32], skip_zero: bool) {
    let n = out.len();
    for (row, &dk) in w.chunks_exact(n.max(1)).zip(d) {
        if skip_zero && dk == 0.0 {
            continue;
        }
        for (o, wv) in out.iter_mut().zip(row) {
            *o += dk * wv;
        }
    }
}

/// One Adam step's coefficients, the same for every weight: the moments' decays, the
/// bias-corrected step size, `1 / sqrt(1 - beta2^t)` and `eps`.
#[derive(Debug, Clone, Copy)]
pub(super) struct AdamStep {
    pub(super) beta1: f32,
    pub(super) beta2: f32,
    pub(super) step_size: f32,
    pub(super) inv_bc2_sqrt: f32,
    pub(super) eps: f32,
}

/// Adam's update of one weight `p` with gradient `g`, PyTorch's form (eps added after the
/// bias correction of the square root); both update paths share it, so that they round alike.
/// Its moments are kept out of the subnormal range ([`flush_subnormal`]).
#[inline(always)]
fn adam_one(p: &mut f32, m: &mut f32, v: &mut f32, g: f32, c: &AdamStep) {
    *m = flush_subnormal(c.beta1 * *m + (1.0 - c.beta1) * g);
    *v = flush_subnormal(c.beta2 * *v + (1.0 - c.beta2) * g * g);
    *p -= c.step_size * *m / (v.sqrt() * c.inv_bc2_sqrt + c.eps);
}

/// `x`, or 0 where it is subnormal. A weight whose gradient stays 0 (one into a dead ReLU unit)
/// has moments that decay geometrically through the subnormal range, and on many x86 CPUs every
/// operation on a subnormal float takes a microcode assist of about a hundred cycles: MoE-Task,
/// which updates all 35k weights every sample, ran 6.5x slower on such a machine (an Intel
/// Xeon). A first moment below `f32::MIN_POSITIVE` (1.2e-38) moves its weight by less than
/// `10 lr 1.2e-30` (the step is at most `10 lr m / eps`, eps = 1e-8), and a subnormal second
/// moment changes the step's denominator by under 1e-19 against its eps: flushing either
/// changes no weight of a size that matters. It compiles to a compare and a blend.
#[inline(always)]
fn flush_subnormal(x: f32) -> f32 {
    if x.abs() < f32::MIN_POSITIVE {
        0.0
    } else {
        x
    }
}

/// Adam's update of one parameter array with its accumulated gradients, which are cleared.
#[multiversion(targets(
    "x86_64+avx+avx2+avx512f+avx512bw+avx512cd+avx512dq+avx512vl",
    "x86_64+avx+avx2",
    "x86_64+sse4.1"
))]
pub(super) fn adam_update(p: &mut [f32], g: &mut [f32], m: &mut [f32], v: &mut [f32], c: AdamStep) {
    for (((pi, gi), mi), vi) in p
        .iter_mut()
        .zip(g.iter_mut())
        .zip(m.iter_mut())
        .zip(v.iter_mut())
    {
        adam_one(pi, mi, vi, *gi, &c);
        *gi = 0.0;
    }
}

/// [`adam_update`] of a weight matrix (row-major, a row per entry of `d`) whose gradient is
/// the outer product `d a^T` of one sample alone, with nothing accumulated before it: each
/// gradient is formed as `0 + d_i a_j`, the very value [`outer_add`] would store in a cleared
/// gradient (a skipped row's 0 included, the inputs being finite), inside the update, so the
/// gradient is never written nor read back. A bias is the case `a = [1]`.
#[multiversion(targets(
    "x86_64+avx+avx2+avx512f+avx512bw+avx512cd+avx512dq+avx512vl",
    "x86_64+avx+avx2",
    "x86_64+sse4.1"
))]
pub(super) fn adam_update_outer(
    p: &mut [f32],
    m: &mut [f32],
    v: &mut [f32],
    d: &[f32],
    a: &[f32],
    c: AdamStep,
) {
    let n = a.len().max(1);
    for (((prow, mrow), vrow), &di) in p
        .chunks_exact_mut(n)
        .zip(m.chunks_exact_mut(n))
        .zip(v.chunks_exact_mut(n))
        .zip(d)
    {
        for (((pi, mi), vi), &aj) in prow.iter_mut().zip(mrow).zip(vrow).zip(a) {
            adam_one(pi, mi, vi, 0.0 + di * aj, &c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(n: usize, seed: usize) -> Vec<f32> {
        (0..n)
            .map(|i| (((i * 7919 + seed * 104_729) % 1000) as f32 - 500.0) / 250.0)
            .collect()
    }

    #[test]
    fn adam_keeps_its_moments_out_of_the_subnormal_range() {
        let c = AdamStep {
            beta1: 0.9,
            beta2: 0.999,
            step_size: 1e-3,
            inv_bc2_sqrt: 1.0,
            eps: 1e-8,
        };
        // With no gradient the moments decay: 0.9 * 1.2e-38 and 0.999 * 1.176e-38 are
        // subnormal and become 0; 0.9 * 1.4e-38 and 0.999 * 1.2e-38 are not and stay.
        let mut p = vec![1.0f32; 2];
        let mut g = vec![0.0f32; 2];
        let mut m = vec![1.2e-38f32, 1.4e-38];
        let mut v = vec![1.176e-38f32, 1.2e-38];
        adam_update(&mut p, &mut g, &mut m, &mut v, c);
        assert_eq!(m, vec![0.0, 0.9 * 1.4e-38f32]);
        assert_eq!(v, vec![0.0, 0.999 * 1.2e-38f32]);
        assert!(m[1].is_normal() && v[1].is_normal());
        // The outer-product form flushes alike.
        let (mut m, mut v) = (vec![1.2e-38f32, 1.4e-38], vec![1.176e-38f32, 1.2e-38]);
        adam_update_outer(&mut p, &mut m, &mut v, &[0.0], &[1.0, 1.0], c);
        assert_eq!(m, vec![0.0, 0.9 * 1.4e-38f32]);
        assert_eq!(v, vec![0.0, 0.999 * 1.2e-38f32]);
    }

    #[test]
    fn affine_rows_gives_each_row_the_same_sums_alone_or_in_a_batch() {
        for (n, inputs, out) in [(5, 3, 70), (9, 17, 12), (4, 256, 128), (3, 40, 1)] {
            let (mut xs, wt, bias) = (ramp(n * inputs, 1), ramp(inputs * out, 2), ramp(out, 3));
            // Zeros, as after a ReLU, which a lone row skips.
            for v in xs.iter_mut().step_by(3) {
                *v = 0.0;
            }
            let mut batch = vec![0.0; n * out];
            affine_rows(&xs, &wt, &bias, &mut batch, &mut Workspace::default());
            for i in 0..n {
                let mut alone = vec![0.0; out];
                affine_rows(
                    &xs[i * inputs..(i + 1) * inputs],
                    &wt,
                    &bias,
                    &mut alone,
                    &mut Workspace::default(),
                );
                // Equal values: a lone row skips its zero inputs, which may change the sign
                // of an exact 0 and nothing else.
                assert_eq!(alone, batch[i * out..(i + 1) * out]);
                for j in 0..out {
                    let mut sum = bias[j];
                    for t in 0..inputs {
                        sum += xs[i * inputs + t] * wt[t * out + j];
                    }
                    assert_eq!(
                        sum.to_bits(),
                        batch[i * out + j].to_bits(),
                        "({n},{inputs},{out})[{i},{j}]"
                    );
                }
            }
        }
    }

    #[test]
    fn matmul_acc_adds_the_product_with_either_layout() {
        // C (rows x w) += L R with L read as a matrix (rows x inner) or as a transpose.
        for (rows, w, inner) in [(5, 21, 3), (4, 16, 9), (1, 3, 4), (9, 8, 1), (7, 77, 5)] {
            let (l, r, c0) = (ramp(rows * inner, 4), ramp(inner * w, 5), ramp(rows * w, 6));
            let naive = |lt: bool| {
                let mut c = c0.clone();
                for i in 0..rows {
                    for j in 0..w {
                        for p in 0..inner {
                            let lv = if lt {
                                l[p * rows + i]
                            } else {
                                l[i * inner + p]
                            };
                            c[i * w + j] += lv * r[p * w + j];
                        }
                    }
                }
                c
            };
            let mut c = c0.clone();
            matmul_acc(&mut c, w, &l, inner, 1, &r, inner, &mut vec![]);
            assert_eq!(c, naive(false));
            let mut c = c0.clone();
            matmul_acc(&mut c, w, &l, 1, rows, &r, inner, &mut vec![]);
            assert_eq!(c, naive(true));
        }
    }
}
