//! The estimator's dense inner loops, compiled for AVX2 as well as for the baseline x86-64 and
//! chosen at run time by `multiversion` (safe dispatch after CPU feature detection). Every sum
//! has a fixed order written here (no fused multiply-add, no reassociation by the compiler), so
//! each version returns bit-identical results and a seed gives the same estimates everywhere.

use multiversion::multiversion;
use std::cell::RefCell;

thread_local! {
    /// Buffers handed back by [`recycle`], reused by [`scratch`].
    static SCRATCH: RefCell<Vec<Vec<f64>>> = const { RefCell::new(Vec::new()) };
}

/// Most buffers kept for reuse per thread.
const SCRATCH_KEPT: usize = 8;

/// A zeroed buffer of `len` values, reusing one handed back by [`recycle`] on this thread when
/// there is one. Large temporaries (megabytes, many per adaptation step) otherwise come fresh
/// from the allocator each time: glibc maps them anew or trims the heap after each free, and
/// every first touch of a page is a page fault (in the cross-entropy fits this cost more than
/// the arithmetic). At most [`SCRATCH_KEPT`] buffers stay allocated per thread.
pub fn scratch(len: usize) -> Vec<f64> {
    let mut v = SCRATCH.with(|p| p.borrow_mut().pop()).unwrap_or_default();
    v.clear();
    v.resize(len, 0.0);
    v
}

/// Hands a buffer back for reuse by [`scratch`].
pub fn recycle(v: Vec<f64>) {
    SCRATCH.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() < SCRATCH_KEPT {
            p.push(v);
        }
    });
}

/// Rows handled together by [`gaussian_quad_rows`]: one SIMD lane per row, 32 rows so that
/// eight independent vector accumulators hide the addition latency (each row's sum keeps the
/// same order whatever the block size, so the results do not depend on it).
const BLOCK: usize = 32;

/// Dot product with eight independent partial sums (one running sum would be a dependency
/// chain the compiler may not reorder).
#[inline(always)]
fn dot8(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    let mut sum = acc.iter().sum::<f64>();
    for (x, y) in ra.iter().zip(rb) {
        sum += x * y;
    }
    sum
}

/// `out_i = a_i . x` for every row `a_i` of the row-major `a` (`out.len()` rows of `x.len()`).
#[multiversion(targets(
    "x86_64+avx+avx2+avx512f+avx512vl+avx512dq",
    "x86_64+avx+avx2",
    "x86_64+sse4.1"
))]
pub fn mat_vec(a: &[f64], x: &[f64], out: &mut [f64]) {
    let p = x.len().max(1);
    for (o, row) in out.iter_mut().zip(a.chunks_exact(p)) {
        *o = dot8(row, x);
    }
}

/// `q_r = |Linv (u_r - mean)|^2` for every row `u_r` of `u` (`n x d`), with `Linv` lower
/// triangular (row-major `d x d`): the quadratic form of a Gaussian log-density. Rows go
/// through in blocks of [`BLOCK`], each block transposed so that the triangular product runs
/// across the rows (independent lanes) rather than along one row's short dot products.
#[multiversion(targets(
    "x86_64+avx+avx2+avx512f+avx512vl+avx512dq",
    "x86_64+avx+avx2",
    "x86_64+sse4.1"
))]
pub fn gaussian_quad_rows(linv: &[f64], mean: &[f64], u: &[f64], q: &mut [f64]) {
    let d = mean.len();
    let mut ct = vec![[0.0f64; BLOCK]; d];
    for (block, qb) in u.chunks(d * BLOCK).zip(q.chunks_mut(BLOCK)) {
        let nb = qb.len();
        if nb < BLOCK {
            ct.iter_mut().for_each(|col| col.fill(0.0));
        }
        // Transpose along the rows (contiguous reads), one row to one lane of every column.
        for (r, row) in block.chunks_exact(d).enumerate().take(BLOCK) {
            for ((col, &x), &m) in ct.iter_mut().zip(row).zip(mean) {
                col[r] = x - m;
            }
        }
        let mut acc_q = [0.0f64; BLOCK];
        for (i, li) in linv.chunks_exact(d).enumerate() {
            let mut y = [0.0f64; BLOCK];
            for (l, col) in li[..=i].iter().zip(&ct) {
                for r in 0..BLOCK {
                    y[r] += l * col[r];
                }
            }
            for r in 0..BLOCK {
                acc_q[r] += y[r] * y[r];
            }
        }
        qb.copy_from_slice(&acc_q[..nb]);
    }
}

/// Samples per tile of [`weighted_scatter`] (a multiple of 8): the tile's slices of the 2d
/// columns (2 x 12 x 256 x 8 bytes = 48 kB in dimension 12) stay in the nearest caches while
/// every covariance entry takes its share of them.
const TILE: usize = 256;

/// Covariance entries updated together by [`weighted_scatter`]: each tile of `w c_i` is read
/// once for `G` columns `c_j`, with `8 G` independent partial sums.
const GROUP: usize = 4;

/// `acc[g][l] += sum_{t = l mod 8} w_t c_g[t]` over one tile (lengths multiples of 8): the
/// lanes of [`dot8`], for `G` columns at once.
#[inline(always)]
fn dot8_group<const G: usize>(w: &[f64], cols: [&[f64]; G], acc: &mut [[f64; 8]; G]) {
    let mut a = *acc;
    for (t, wc) in w.chunks_exact(8).enumerate() {
        for (g, ag) in a.iter_mut().enumerate() {
            let c = &cols[g][t * 8..t * 8 + 8];
            for l in 0..8 {
                ag[l] += wc[l] * c[l];
            }
        }
    }
    *acc = a;
}

/// Adds `w_r (u_r - mean)(u_r - mean)^T` over the rows with a positive weight to the lower
/// triangle of `cov` (row-major `d x d`; only the diagonal when `diag`). The rows with a
/// positive weight are gathered once, centred, into columns (column-major), so that every entry
/// is one long dot product `sum_r (w_r c_ri) c_rj`. Each entry keeps [`dot8`]'s order (eight
/// partial sums over the samples, added up in order, then the remainder), so the bits are
/// those of one `dot8` per entry; the work goes through in tiles of [`TILE`] samples, with
/// [`GROUP`] entries of a row sharing each read of `w c_i` (a cache- and register-blocked
/// product instead of `d (d + 1) / 2` passes over columns that do not fit in the cache).
#[multiversion(targets(
    "x86_64+avx+avx2+avx512f+avx512vl+avx512dq",
    "x86_64+avx+avx2",
    "x86_64+sse4.1"
))]
pub fn weighted_scatter(
    points: &[f64],
    cols: Option<&[f64]>,
    weights: &[f64],
    mean: &[f64],
    diag: bool,
    cov: &mut [f64],
) {
    let d = mean.len();
    let n = weights.len();
    let m = weights.iter().filter(|&&w| w > 0.0).count();
    if m == 0 || d == 0 {
        return;
    }
    let rows: Vec<usize> = if m < n {
        (0..n).filter(|&r| weights[r] > 0.0).collect()
    } else {
        vec![]
    };
    // Centred columns c_i and weighted columns w c_i, each of length m.
    let (mut c, mut wc) = (scratch(0), scratch(0));
    c.reserve(d * m);
    wc.reserve(d * m);
    match cols {
        // From the points' columns (column-major `d x n`), appended column by column (nothing
        // to zero first); a plain vector operation when every weight is positive.
        Some(ut) => {
            for (col, &mi) in ut.chunks_exact(n).zip(mean) {
                let start = c.len();
                if m == n {
                    c.extend(col.iter().map(|&x| x - mi));
                    wc.extend(c[start..].iter().zip(weights).map(|(v, w)| w * v));
                } else {
                    c.extend(rows.iter().map(|&r| col[r] - mi));
                    wc.extend(c[start..].iter().zip(&rows).map(|(v, &r)| weights[r] * v));
                }
            }
        }
        // From the rows, eight at a time (contiguous stores into each column; the eight
        // rows' reads stay in L1).
        None => {
            c.resize(d * m, 0.0);
            wc.resize(d * m, 0.0);
            let all: Vec<usize> = if m == n { (0..n).collect() } else { vec![] };
            let rows = if m == n { &all } else { &rows };
            for (b, rb) in rows.chunks(8).enumerate() {
                let t0 = b * 8;
                for i in 0..d {
                    let (ci, wci) = (&mut c[i * m + t0..], &mut wc[i * m + t0..]);
                    for ((cv, wv), &r) in ci.iter_mut().zip(wci.iter_mut()).zip(rb) {
                        let v = points[r * d + i] - mean[i];
                        *cv = v;
                        *wv = weights[r] * v;
                    }
                }
            }
        }
    }
    // The entries (i, j), j <= i, row by row, and their eight partial sums.
    let entries: Vec<(usize, usize)> = (0..d)
        .flat_map(|i| (if diag { i } else { 0 }..=i).map(move |j| (i, j)))
        .collect();
    let mut acc = vec![[0.0f64; 8]; entries.len()];
    let m8 = m - m % 8;
    for lo in (0..m8).step_by(TILE) {
        let hi = (lo + TILE).min(m8);
        let mut e = 0;
        while e < entries.len() {
            let i = entries[e].0;
            let wi = &wc[i * m + lo..i * m + hi];
            // Entries of row i still to do, in groups of GROUP.
            let row_end = entries[e..].iter().take_while(|(r, _)| *r == i).count() + e;
            while e + GROUP <= row_end {
                let cols: [&[f64]; GROUP] = std::array::from_fn(|g| {
                    &c[entries[e + g].1 * m + lo..entries[e + g].1 * m + hi]
                });
                let mut a: [[f64; 8]; GROUP] = std::array::from_fn(|g| acc[e + g]);
                dot8_group(wi, cols, &mut a);
                acc[e..e + GROUP].copy_from_slice(&a);
                e += GROUP;
            }
            while e < row_end {
                let cj = &c[entries[e].1 * m + lo..entries[e].1 * m + hi];
                let mut a = [acc[e]];
                dot8_group(wi, [cj], &mut a);
                acc[e] = a[0];
                e += 1;
            }
        }
    }
    for (&(i, j), a) in entries.iter().zip(&acc) {
        let mut sum = a.iter().sum::<f64>();
        for t in m8..m {
            sum += wc[i * m + t] * c[j * m + t];
        }
        cov[i * d + j] += sum;
    }
    recycle(c);
    recycle(wc);
}

/// `G` (`n x j`, row-major) transposed into its `j` columns (column-major), for
/// [`newton_terms`] and [`weighted_scatter`], in a [`scratch`] buffer.
pub fn columns(g: &[f64], j: usize) -> Vec<f64> {
    let n = g.len() / j.max(1);
    let mut gt = scratch(g.len());
    for (r, row) in g.chunks_exact(j).enumerate() {
        for (q, &v) in row.iter().enumerate() {
            gt[q * n + r] = v;
        }
    }
    gt
}

/// The gradient of `F(alpha) = sum_i a_i / m_i` (`m = G alpha`) into `grad`, and the upper
/// triangle of its Hessian `2 sum_i a_i g_i g_i^T / m_i^3` restricted to the columns `idx`
/// into `h` (`p x p`, `p = idx.len()`), when `h` is given. `gt` holds the columns of `G`
/// (column-major, from [`columns`]): every entry is one dot product over the samples, with
/// eight partial sums (a fixed order). Samples with `a_i <= 0` add nothing.
#[multiversion(targets(
    "x86_64+avx+avx2+avx512f+avx512vl+avx512dq",
    "x86_64+avx+avx2",
    "x86_64+sse4.1"
))]
pub fn newton_terms(
    gt: &[f64],
    a: &[f64],
    mix: &[f64],
    grad: &mut [f64],
    idx: &[usize],
    h: Option<&mut [f64]>,
) {
    let n = a.len();
    let c: Vec<f64> = a
        .iter()
        .zip(mix)
        .map(|(&ai, &m)| if ai > 0.0 { ai / (m * m) } else { 0.0 })
        .collect();
    for (q, gr) in grad.iter_mut().enumerate() {
        *gr = -dot8(&c, &gt[q * n..(q + 1) * n]);
    }
    if let Some(h) = h {
        let p = idx.len();
        let s: Vec<f64> = c
            .iter()
            .zip(mix)
            .map(|(&ci, &m)| if ci > 0.0 { 2.0 * ci / m } else { 0.0 })
            .collect();
        // h[r][cc] = sum_t (s_t g_{t,qa}) g_{t,qb}, each entry in dot8's order; the samples go
        // through in tiles (the tile of every column stays in cache while all the entries take
        // their share), GROUP entries of a row sharing each tile of s g_qa.
        let n8 = n - n % 8;
        let mut acc = vec![[0.0f64; 8]; p * p];
        let mut sq = [0.0f64; TILE];
        for lo in (0..n8).step_by(TILE) {
            let hi = (lo + TILE).min(n8);
            let sq = &mut sq[..hi - lo];
            for (r, &qa) in idx.iter().enumerate() {
                let col = &gt[qa * n + lo..qa * n + hi];
                sq.iter_mut()
                    .zip(&s[lo..hi])
                    .zip(col)
                    .for_each(|((v, si), g)| *v = si * g);
                let mut cc = r;
                while cc + GROUP <= p {
                    let cols: [&[f64]; GROUP] =
                        std::array::from_fn(|g| &gt[idx[cc + g] * n + lo..idx[cc + g] * n + hi]);
                    let mut a: [[f64; 8]; GROUP] = std::array::from_fn(|g| acc[r * p + cc + g]);
                    dot8_group(sq, cols, &mut a);
                    acc[r * p + cc..r * p + cc + GROUP].copy_from_slice(&a);
                    cc += GROUP;
                }
                while cc < p {
                    let mut a = [acc[r * p + cc]];
                    dot8_group(sq, [&gt[idx[cc] * n + lo..idx[cc] * n + hi]], &mut a);
                    acc[r * p + cc] = a[0];
                    cc += 1;
                }
            }
        }
        for (r, &qa) in idx.iter().enumerate() {
            for (cc, &qb) in idx.iter().enumerate().skip(r) {
                let mut sum = acc[r * p + cc].iter().sum::<f64>();
                for t in n8..n {
                    sum += (s[t] * gt[qa * n + t]) * gt[qb * n + t];
                }
                h[r * p + cc] = sum;
            }
        }
    }
}

/// `v <- exp(v)` elementwise. Range reduction `x = k ln 2 + r` (`|r| <= ln 2 / 2`, `ln 2` split
/// in two parts so that `r` is exact), a degree-13 Taylor polynomial for `exp(r)` (truncation
/// below 1e-17 relative) and `2^k` written into the exponent bits: a few ulps from libm's
/// `exp`, but branch-free, so the loop runs in SIMD lanes. Arguments outside `[-708, 709]`
/// (where `2^k` leaves the normal range), and NaN, go to libm's `exp` instead.
#[multiversion(targets(
    "x86_64+avx+avx2+avx512f+avx512vl+avx512dq",
    "x86_64+avx+avx2",
    "x86_64+sse4.1"
))]
pub fn exp_in_place(v: &mut [f64]) {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // 1.5 * 2^52: adding it rounds to an integer held in the low mantissa bits.
    const MAGIC: f64 = 6_755_399_441_055_744.0;
    let outside = |a: f64| !(-708.0..=709.0).contains(&a);
    // Rare: the arguments outside the fast range (and NaNs), kept for libm.
    let special: Vec<(usize, f64)> = if v.iter().any(|&a| outside(a)) {
        v.iter()
            .copied()
            .enumerate()
            .filter(|&(_, a)| outside(a))
            .collect()
    } else {
        vec![]
    };
    for x in v.iter_mut() {
        let c = x.clamp(-708.0, 709.0);
        let t = c * LOG2E + MAGIC;
        let k = t - MAGIC;
        let r = (c - k * LN2_HI) - k * LN2_LO;
        let mut p = 1.0 / 6_227_020_800.0;
        p = p * r + 1.0 / 479_001_600.0;
        p = p * r + 1.0 / 39_916_800.0;
        p = p * r + 1.0 / 3_628_800.0;
        p = p * r + 1.0 / 362_880.0;
        p = p * r + 1.0 / 40_320.0;
        p = p * r + 1.0 / 5_040.0;
        p = p * r + 1.0 / 720.0;
        p = p * r + 1.0 / 120.0;
        p = p * r + 1.0 / 24.0;
        p = p * r + 1.0 / 6.0;
        p = p * r + 0.5;
        p = p * r + 1.0;
        p = p * r + 1.0;
        let scale = f64::from_bits(t.to_bits().wrapping_add(1023) << 52);
        *x = p * scale;
    }
    for (i, a) in special {
        v[i] = a.exp();
    }
}

/// The inverse of a lower-triangular matrix `l` (row-major `d x d`, non-zero diagonal), itself
/// lower triangular: column by column, forward substitution `L x = e_c`.
pub fn lower_inverse(l: &[f64], d: usize) -> Vec<f64> {
    let mut inv = vec![0.0; d * d];
    for c in 0..d {
        for i in c..d {
            let s: f64 = (c..i).map(|k| l[i * d + k] * inv[k * d + c]).sum();
            let e = if i == c { 1.0 } else { 0.0 };
            inv[i * d + c] = (e - s) / l[i * d + i];
        }
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_match_plain_loops() {
        // L^-1 = [[2, 0], [1, 1]] (L = [[0.5, 0], [-0.5, 1]]), mean (1, 0): row (1, 0) -> 0.
        let linv = [2.0, 0.0, 1.0, 1.0];
        assert_eq!(lower_inverse(&[0.5, 0.0, -0.5, 1.0], 2), linv.to_vec());
        let u: Vec<f64> = (0..11)
            .flat_map(|i| [1.0 + i as f64, i as f64 * 0.5])
            .collect();
        let mut q = vec![0.0; 11];
        gaussian_quad_rows(&linv, &[1.0, 0.0], &u, &mut q);
        for (row, qr) in u.chunks(2).zip(&q) {
            let (a, b) = (row[0] - 1.0, row[1]);
            let expected = (2.0 * a).powi(2) + (a + b).powi(2);
            assert!((qr - expected).abs() < 1e-12, "{qr} vs {expected}");
        }
        assert_eq!(q[0], 0.0);
        let a: Vec<f64> = (0..30).map(f64::from).collect();
        let x: Vec<f64> = (0..10).map(|v| 1.0 / (1.0 + v as f64)).collect();
        let mut out = vec![0.0; 3];
        mat_vec(&a, &x, &mut out);
        // The fast exponential against libm's, over the fast range and its edges.
        let mut args: Vec<f64> = (-7080..=7090).map(|i| i as f64 * 0.1 + 0.0123).collect();
        args.extend([
            -708.0,
            709.0,
            -745.5,
            -800.0,
            710.0,
            f64::NEG_INFINITY,
            0.0,
            -1e-300,
        ]);
        let mut e = args.clone();
        exp_in_place(&mut e);
        for (a, v) in args.iter().zip(&e) {
            let want = a.exp();
            let ok = if want == 0.0 || want.is_infinite() {
                *v == want
            } else {
                ((v - want) / want).abs() < 4e-16
            };
            assert!(ok, "exp({a}) = {v}, libm {want}");
        }
        let mut nan = [f64::NAN];
        exp_in_place(&mut nan);
        assert!(nan[0].is_nan());
        for (o, row) in out.iter().zip(a.chunks(10)) {
            let e: f64 = row.iter().zip(&x).map(|(p, q)| p * q).sum();
            assert!((o - e).abs() < 1e-12);
        }
    }

    #[test]
    fn tiled_scatter_and_hessian_keep_dot8_bits() {
        // Sizes past one tile and not multiples of 8, zero weights in places: every entry
        // must equal, bit for bit, one dot8 over the gathered columns (the untiled order).
        use rand::{Rng, SeedableRng};
        let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
        let (n, d) = (3 * TILE + 13, 5);
        let pts: Vec<f64> = (0..n * d).map(|_| rng.random::<f64>() - 0.5).collect();
        let w: Vec<f64> = (0..n)
            .map(|i| if i % 3 == 0 { 0.0 } else { rng.random::<f64>() })
            .collect();
        let mean = [0.1, -0.2, 0.0, 0.3, 0.05];
        let ut = columns(&pts, d);
        let all = vec![0.5; n];
        for (diag, cols, w) in [
            (false, None, &w),
            (true, None, &w),
            (false, Some(&ut[..]), &w),
            (true, Some(&ut[..]), &w),
            (false, Some(&ut[..]), &all),
        ] {
            let rows: Vec<usize> = (0..n).filter(|&r| w[r] > 0.0).collect();
            let col =
                |i: usize| -> Vec<f64> { rows.iter().map(|&r| pts[r * d + i] - mean[i]).collect() };
            let mut cov = vec![0.0; d * d];
            weighted_scatter(&pts, cols, w, &mean, diag, &mut cov);
            for i in 0..d {
                let wci: Vec<f64> = rows.iter().zip(col(i)).map(|(&r, c)| w[r] * c).collect();
                for j in 0..d {
                    let want = if j > i || (diag && j != i) {
                        0.0
                    } else {
                        dot8(&wci, &col(j))
                    };
                    assert_eq!(
                        cov[i * d + j].to_bits(),
                        want.to_bits(),
                        "({i}, {j}) diag {diag}"
                    );
                }
            }
        }
        // The Hessian of newton_terms over a subset of the columns, against dot8 entry by entry.
        let j = 6;
        let g: Vec<f64> = (0..n * j).map(|_| rng.random::<f64>() + 0.01).collect();
        let gt = columns(&g, j);
        let a: Vec<f64> = (0..n)
            .map(|i| if i % 5 == 0 { 0.0 } else { rng.random::<f64>() })
            .collect();
        let mix: Vec<f64> = (0..n).map(|_| 0.5 + rng.random::<f64>()).collect();
        let idx = [0, 2, 3, 5];
        let (mut grad, mut h) = (vec![0.0; j], vec![0.0; 16]);
        newton_terms(&gt, &a, &mix, &mut grad, &idx, Some(&mut h));
        let c: Vec<f64> = a
            .iter()
            .zip(&mix)
            .map(|(&ai, &m)| if ai > 0.0 { ai / (m * m) } else { 0.0 })
            .collect();
        let s: Vec<f64> = c
            .iter()
            .zip(&mix)
            .map(|(&ci, &m)| if ci > 0.0 { 2.0 * ci / m } else { 0.0 })
            .collect();
        for (r, &qa) in idx.iter().enumerate() {
            let sq: Vec<f64> = s
                .iter()
                .zip(&gt[qa * n..(qa + 1) * n])
                .map(|(a, b)| a * b)
                .collect();
            for (cc, &qb) in idx.iter().enumerate().skip(r) {
                let want = dot8(&sq, &gt[qb * n..(qb + 1) * n]);
                assert_eq!(h[r * 4 + cc].to_bits(), want.to_bits(), "({r}, {cc})");
            }
        }
        for (q, gq) in grad.iter().enumerate() {
            assert_eq!(gq.to_bits(), (-dot8(&c, &gt[q * n..(q + 1) * n])).to_bits());
        }
        // A recycled buffer comes back zeroed at the asked length.
        recycle(vec![3.0; 10]);
        assert_eq!(scratch(4), vec![0.0; 4]);
    }
}
