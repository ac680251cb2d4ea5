//! The router's dense kernels, compiled for AVX2 as well as for the baseline x86-64 and chosen
//! at run time by `multiversion` (safe dispatch after CPU feature detection). Rust never fuses
//! a multiply and an add, and the order of every sum is fixed by the code (eight partial sums
//! in `dot`), so each version computes bit-identical results: the same seed gives the same
//! model on every machine, only faster where AVX2 is available.

use multiversion::multiversion;

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

/// `out = W x + b` for a row-major `W` of `out.len()` rows.
#[multiversion(targets("x86_64+avx+avx2", "x86_64+sse4.1"))]
pub(super) fn affine(w: &[f32], b: &[f32], x: &[f32], out: &mut [f32]) {
    let n = x.len();
    for ((o, row), bias) in out.iter_mut().zip(w.chunks_exact(n.max(1))).zip(b) {
        *o = bias + dot(row, x);
    }
}

/// `G += d a^T` for a row-major `G` of `d.len()` rows; rows whose `d` is 0 are skipped when
/// `skip_zero` (their update would add nothing).
#[multiversion(targets("x86_64+avx+avx2", "x86_64+sse4.1"))]
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
#[multiversion(targets("x86_64+avx+avx2", "x86_64+sse4.1"))]
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

/// Adam's update of one parameter array, PyTorch's form (eps added after the bias correction
/// of the square root); the gradients are cleared.
#[allow(clippy::too_many_arguments)]
#[multiversion(targets("x86_64+avx+avx2", "x86_64+sse4.1"))]
pub(super) fn adam_update(
    p: &mut [f32],
    g: &mut [f32],
    m: &mut [f32],
    v: &mut [f32],
    beta1: f32,
    beta2: f32,
    step_size: f32,
    inv_bc2_sqrt: f32,
    eps: f32,
) {
    for (((pi, gi), mi), vi) in p
        .iter_mut()
        .zip(g.iter_mut())
        .zip(m.iter_mut())
        .zip(v.iter_mut())
    {
        *mi = beta1 * *mi + (1.0 - beta1) * *gi;
        *vi = beta2 * *vi + (1.0 - beta2) * *gi * *gi;
        *pi -= step_size * *mi / (vi.sqrt() * inv_bc2_sqrt + eps);
        *gi = 0.0;
    }
}
