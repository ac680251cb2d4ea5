//! The router of DriftMoE: a small dense network (Linear, ReLU, Dropout, Linear, ReLU, Linear)
//! trained online with Adam on a binary cross-entropy loss against a multi-hot target.
//!
//! Written on plain `f32` slices: the layers are a few hundred units wide, so row-major
//! matrix-vector loops that the compiler vectorises beat a general linear-algebra crate's call
//! overhead, need no BLAS, and keep the per-sample path free of allocation.

// The layer loops index several parallel arrays (weights, activations, gradients) at once;
// index loops say that more plainly than zipped iterators.
#![allow(clippy::needless_range_loop)]

use super::kernels::{
    adam_update, adam_update_outer, affine, affine_rows, matmul_acc, outer_add, transposed_add,
    AdamStep, Workspace,
};
use rand::{Rng, RngCore, SeedableRng};
use rand_pcg::Pcg64;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

/// Rows at least this long take [`Router::backward_step`]'s fused update (shorter ones would
/// run it a scalar at a time).
const FUSED_MIN_ROW: usize = 32;

const W1: usize = 0;
const B1: usize = 1;
const W2: usize = 2;
const B2: usize = 3;
const W3: usize = 4;
const B3: usize = 5;

/// Adam's settings (PyTorch's defaults apart from the learning rate).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Adam {
    pub lr: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
}

impl Default for Adam {
    fn default() -> Self {
        Adam {
            lr: 2e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }
}

/// Activations of one sample or of a mini-batch, row-major with one row per sample, reused
/// from call to call (not part of the model's state).
#[derive(Debug, Clone, Default)]
struct Activations {
    z1: Vec<f32>,
    a1: Vec<f32>,
    keep: Vec<f32>,
    z2: Vec<f32>,
    a2: Vec<f32>,
    out: Vec<f32>,
    d_out: Vec<f32>,
    d2: Vec<f32>,
    d1: Vec<f32>,
    ws: Workspace,
}

impl Activations {
    fn resize(&mut self, n: usize, [_, h1, h2, e]: [usize; 4]) {
        for (v, width) in [
            (&mut self.z1, h1),
            (&mut self.a1, h1),
            (&mut self.keep, h1),
            (&mut self.d1, h1),
            (&mut self.z2, h2),
            (&mut self.a2, h2),
            (&mut self.d2, h2),
            (&mut self.out, e),
            (&mut self.d_out, e),
        ] {
            v.clear();
            v.resize(n * width, 0.0);
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Router {
    /// Input, hidden 1, hidden 2, output widths.
    dims: [usize; 4],
    dropout: f32,
    adam: Adam,
    params: [Vec<f32>; 6],
    grads: [Vec<f32>; 6],
    m: [Vec<f32>; 6],
    v: [Vec<f32>; 6],
    steps: u64,
    /// Whether the router learns in mini-batches (MoE-Data): its forward pass then reads a
    /// transposed copy of the weights, rebuilt once per step; one that steps after every
    /// sample (MoE-Task) reads the weights as they are.
    batched: bool,
    /// Whether every gradient is known to be 0 (after a step); unknown after a restore.
    #[serde(skip)]
    grads_clear: bool,
    #[serde(skip)]
    scratch: Activations,
    #[serde(skip)]
    batch: Activations,
    /// Scratch of [`Router::forward_eval_rows`].
    #[serde(skip)]
    eval_rows: Activations,
    /// W1, W2 and W3 transposed (one row per input), which the forward pass reads row by row;
    /// rebuilt after every change of the weights (not state).
    #[serde(skip)]
    transposed: Transposed,
}

#[derive(Debug, Clone, Default)]
struct Transposed {
    w: [Vec<f32>; 3],
    fresh: bool,
}

impl PartialEq for Router {
    fn eq(&self, other: &Self) -> bool {
        self.dims == other.dims
            && self.dropout == other.dropout
            && self.adam == other.adam
            && self.params == other.params
            && self.grads == other.grads
            && self.m == other.m
            && self.v == other.v
            && self.steps == other.steps
            && self.batched == other.batched
    }
}

fn xavier(rng: &mut Pcg64, fan_in: usize, fan_out: usize) -> Vec<f32> {
    let bound = (6.0 / (fan_in + fan_out) as f64).sqrt() as f32;
    (0..fan_in * fan_out)
        .map(|_| rng.random_range(-bound..=bound))
        .collect()
}

/// `acc[j] += sum_i m[i][j]` for a row-major `m` of `acc.len()` columns, summed row by row.
fn column_sums_add(acc: &mut [f32], m: &[f32]) {
    for row in m.chunks_exact(acc.len().max(1)) {
        for (a, &v) in acc.iter_mut().zip(row) {
            *a += v;
        }
    }
}

/// Numerically stable binary cross-entropy with logits.
fn bce(z: f32, t: f32) -> f32 {
    z.max(0.0) - z * t + (-z.abs()).exp().ln_1p()
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// Whether a gradient passes back through a ReLU of pre-activation `z`: not for `z <= 0` (a
/// NaN passes, as it always has).
#[allow(clippy::neg_cmp_op_on_partial_ord)]
#[inline(always)]
fn relu_passes(z: f32) -> bool {
    !(z <= 0.0)
}

/// `v` if `kept`, else +0.0, without a branch: ReLU masks and dropout draws fall at random,
/// and the branches they compiled to mispredicted often (a fifth of the training pass
/// outside the matrix products). The bits are those of the branching form.
#[inline(always)]
fn kept_if(kept: bool, v: f32) -> f32 {
    f32::from_bits(v.to_bits() & 0u32.wrapping_sub(u32::from(kept)))
}

/// Inverted dropout's factors for one sample's units: each is `scale` with probability
/// `1 - dropout` and 0 otherwise. One draw of `rng` seeds a Xoshiro256++ stream whose 64-bit
/// outputs decide two units each: a unit is kept when the top 24 bits of its half, read as a
/// uniform in [0, 1) as `rand` reads an `f32`, are at least `dropout` (that is, when the
/// integer is at least `ceil(dropout * 2^24)`). Drawing each unit from `rng` itself chained
/// a 128-bit multiplication per unit, a third of the router's time outside the products.
fn draw_keep(keep: &mut [f32], dropout: f32, scale: f32, rng: &mut Pcg64) {
    let threshold = (f64::from(dropout) * f64::from(1u32 << 24)).ceil() as u32;
    let mut bits = Xoshiro256PlusPlus::seed_from_u64(rng.next_u64());
    for pair in keep.chunks_mut(2) {
        let word = bits.next_u64();
        for (k, half) in pair.iter_mut().zip([word as u32, (word >> 32) as u32]) {
            *k = kept_if((half >> 8) >= threshold, scale);
        }
    }
}

impl Router {
    /// Xavier-uniform weights and zero biases, drawn from `rng`.
    pub fn new(dims: [usize; 4], dropout: f32, adam: Adam, rng: &mut Pcg64) -> Self {
        let [d, h1, h2, e] = dims;
        let params = [
            xavier(rng, d, h1),
            vec![0.0; h1],
            xavier(rng, h1, h2),
            vec![0.0; h2],
            xavier(rng, h2, e),
            vec![0.0; e],
        ];
        let zeros = || params.clone().map(|p| vec![0.0; p.len()]);
        Router {
            dims,
            dropout,
            adam,
            grads: zeros(),
            m: zeros(),
            v: zeros(),
            params,
            steps: 0,
            batched: false,
            grads_clear: true,
            scratch: Activations::default(),
            batch: Activations::default(),
            eval_rows: Activations::default(),
            transposed: Transposed::default(),
        }
    }

    /// A router that learns in mini-batches (see [`Router::accumulate_batch`]).
    pub fn with_batched_forward(mut self, batched: bool) -> Self {
        self.batched = batched;
        self
    }

    pub fn dims(&self) -> [usize; 4] {
        self.dims
    }

    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Adds one output unit (a new expert), Xavier-initialised as the others were.
    pub fn add_output(&mut self, rng: &mut Pcg64) {
        let [_, _, h2, e] = self.dims;
        let bound = (6.0 / (h2 + e) as f64).sqrt() as f32;
        for _ in 0..h2 {
            let w = rng.random_range(-bound..=bound);
            self.params[W3].push(w);
        }
        self.params[B3].push(0.0);
        for arr in [&mut self.grads, &mut self.m, &mut self.v] {
            arr[W3].extend(std::iter::repeat_n(0.0, h2));
            arr[B3].push(0.0);
        }
        self.dims[3] += 1;
        self.transposed.fresh = false;
    }

    /// Shapes the one-sample activations (only when the widths changed: every pass
    /// overwrites what it reads).
    fn ensure_scratch(&mut self) {
        let [_, h1, h2, e] = self.dims;
        let s = &mut self.scratch;
        if s.z1.len() != h1 || s.z2.len() != h2 || s.out.len() != e {
            s.resize(1, self.dims);
        }
    }

    /// The logits for `x`; with `train`, a fresh dropout mask is drawn from `rng`.
    pub fn forward(&mut self, x: &[f32], train: bool, rng: &mut Pcg64) -> &[f32] {
        self.ensure_scratch();
        if self.batched {
            self.ensure_transposed();
        }
        let batched = self.batched;
        let p = &self.params;
        let wt = &self.transposed.w;
        let s = &mut self.scratch;
        if batched {
            affine_rows(x, &wt[0], &p[B1], &mut s.z1, &mut s.ws);
        } else {
            affine(&p[W1], &p[B1], x, &mut s.z1);
        }
        // Inverted dropout, as PyTorch: kept units are scaled up during training.
        if train && self.dropout > 0.0 {
            draw_keep(&mut s.keep, self.dropout, 1.0 / (1.0 - self.dropout), rng);
        } else {
            s.keep.iter_mut().for_each(|k| *k = 1.0);
        }
        for i in 0..s.z1.len() {
            s.a1[i] = s.z1[i].max(0.0) * s.keep[i];
        }
        if batched {
            affine_rows(&s.a1, &wt[1], &p[B2], &mut s.z2, &mut s.ws);
        } else {
            affine(&p[W2], &p[B2], &s.a1, &mut s.z2);
        }
        for i in 0..s.z2.len() {
            s.a2[i] = s.z2[i].max(0.0);
        }
        if batched {
            affine_rows(&s.a2, &wt[2], &p[B3], &mut s.out, &mut s.ws);
        } else {
            affine(&p[W3], &p[B3], &s.a2, &mut s.out);
        }
        &s.out
    }

    /// The evaluation-mode logits (no dropout) of every row of `xs` (one row of the input
    /// width per sample), row after row: the same bits as [`forward`](Self::forward) without
    /// `train` gives each row alone, as one matrix product per layer. Only for a router with
    /// the batched forward pass; an empty slice otherwise.
    pub fn forward_eval_rows(&mut self, xs: &[f32]) -> &[f32] {
        let [d, h1, h2, e] = self.dims;
        if !self.batched || d == 0 || xs.len() % d != 0 {
            return &[];
        }
        self.ensure_transposed();
        let n = xs.len() / d;
        let b = &mut self.eval_rows;
        b.z1.resize(n * h1, 0.0);
        b.a1.resize(n * h1, 0.0);
        b.z2.resize(n * h2, 0.0);
        b.a2.resize(n * h2, 0.0);
        b.out.resize(n * e, 0.0);
        let (p, wt) = (&self.params, &self.transposed.w);
        affine_rows(xs, &wt[0], &p[B1], &mut b.z1, &mut b.ws);
        for (a, &z) in b.a1.iter_mut().zip(&b.z1) {
            // `forward` multiplies by a keep factor of 1 here, which changes no bit.
            *a = z.max(0.0);
        }
        affine_rows(&b.a1, &wt[1], &p[B2], &mut b.z2, &mut b.ws);
        for (a, &z) in b.a2.iter_mut().zip(&b.z2) {
            *a = z.max(0.0);
        }
        affine_rows(&b.a2, &wt[2], &p[B3], &mut b.out, &mut b.ws);
        &b.out
    }

    /// Rebuilds the transposed weights if the weights changed since.
    fn ensure_transposed(&mut self) {
        if self.transposed.fresh {
            return;
        }
        let [d, h1, h2, e] = self.dims;
        for (slot, (k, rows, cols)) in [(W1, h1, d), (W2, h2, h1), (W3, e, h2)]
            .into_iter()
            .enumerate()
        {
            let (w, t) = (&self.params[k], &mut self.transposed.w[slot]);
            t.clear();
            t.resize(rows * cols, 0.0);
            for r in 0..rows {
                for c in 0..cols {
                    t[c * rows + r] = w[r * cols + c];
                }
            }
        }
        self.transposed.fresh = true;
    }

    /// Forward and backward passes over a mini-batch `xs` (one row of the input width per
    /// sample) with a fresh dropout mask per sample, drawn in the order that `forward` with
    /// `train` draws them sample after sample. Accumulates the gradient of `scale * sum_i
    /// sum_e bce` and returns the sum over samples of each one's mean loss over the outputs:
    /// what `forward` and `backward` sample by sample give, as matrix products that keep their
    /// operands in registers (several times faster than one sample at a time).
    pub fn accumulate_batch(
        &mut self,
        xs: &[f32],
        targets: &[f32],
        scale: f32,
        rng: &mut Pcg64,
    ) -> f32 {
        self.grads_clear = false;
        self.ensure_transposed();
        let dims = self.dims;
        let [d, h1, h2, e] = dims;
        let n = xs.len() / d.max(1);
        let b = &mut self.batch;
        b.resize(n, dims);
        let p = &self.params;
        let wt = &self.transposed.w;
        let g = &mut self.grads;
        affine_rows(xs, &wt[0], &p[B1], &mut b.z1, &mut b.ws);
        if self.dropout > 0.0 {
            // Sample by sample, as `forward` draws them.
            for keep in b.keep.chunks_exact_mut(h1) {
                draw_keep(keep, self.dropout, 1.0 / (1.0 - self.dropout), rng);
            }
        } else {
            b.keep.iter_mut().for_each(|k| *k = 1.0);
        }
        for ((a, &z), &keep) in b.a1.iter_mut().zip(&b.z1).zip(&b.keep) {
            *a = z.max(0.0) * keep;
        }
        affine_rows(&b.a1, &wt[1], &p[B2], &mut b.z2, &mut b.ws);
        for (a, &z) in b.a2.iter_mut().zip(&b.z2) {
            *a = z.max(0.0);
        }
        affine_rows(&b.a2, &wt[2], &p[B3], &mut b.out, &mut b.ws);
        let mut total = 0.0;
        for i in 0..n {
            let mut loss = 0.0;
            for k in i * e..(i + 1) * e {
                loss += bce(b.out[k], targets[k]);
                b.d_out[k] = (sigmoid(b.out[k]) - targets[k]) * scale;
            }
            total += loss / e as f32;
        }
        column_sums_add(&mut g[B3], &b.d_out);
        // dW3 += dOut^T A2, then dA2 = dOut W3 (masked by the ReLU).
        matmul_acc(
            &mut g[W3][..e * h2],
            h2,
            &b.d_out,
            1,
            e,
            &b.a2,
            n,
            &mut b.ws.panel,
        );
        matmul_acc(
            &mut b.d2,
            h2,
            &b.d_out,
            e,
            1,
            &p[W3][..e * h2],
            e,
            &mut b.ws.panel,
        );
        for (dv, &z) in b.d2.iter_mut().zip(&b.z2) {
            *dv = kept_if(relu_passes(z), *dv);
        }
        column_sums_add(&mut g[B2], &b.d2);
        matmul_acc(
            &mut g[W2][..h2 * h1],
            h1,
            &b.d2,
            1,
            h2,
            &b.a1,
            n,
            &mut b.ws.panel,
        );
        matmul_acc(
            &mut b.d1,
            h1,
            &b.d2,
            h2,
            1,
            &p[W2][..h2 * h1],
            h2,
            &mut b.ws.panel,
        );
        for ((dv, &z), &k) in b.d1.iter_mut().zip(&b.z1).zip(&b.keep) {
            *dv = kept_if(relu_passes(z), *dv * k);
        }
        column_sums_add(&mut g[B1], &b.d1);
        matmul_acc(
            &mut g[W1][..h1 * d],
            d,
            &b.d1,
            1,
            h1,
            xs,
            n,
            &mut b.ws.panel,
        );
        total
    }

    /// Accumulates the gradient of `scale * sum_e bce(out_e, target_e)` for the sample of the
    /// last `forward`; returns the unscaled mean loss over the outputs.
    pub fn backward(&mut self, x: &[f32], target: &[f32], scale: f32) -> f32 {
        self.grads_clear = false;
        let loss = self.deltas(target, scale);
        let [d, h1, h2, e] = self.dims;
        let (g, s) = (&mut self.grads, &self.scratch);
        for k in 0..e {
            g[B3][k] += s.d_out[k];
        }
        outer_add(&mut g[W3][..e * h2], &s.d_out, &s.a2, false);
        for j in 0..h2 {
            g[B2][j] += s.d2[j];
        }
        outer_add(&mut g[W2][..h2 * h1], &s.d2, &s.a1, true);
        for i in 0..h1 {
            g[B1][i] += s.d1[i];
        }
        outer_add(&mut g[W1][..h1 * d], &s.d1, &x[..d], true);
        loss
    }

    /// The error signals of the sample of the last `forward` (the scratch's `d_out`, `d2`,
    /// `d1`), from the weights as they are; returns the mean loss over the outputs.
    fn deltas(&mut self, target: &[f32], scale: f32) -> f32 {
        let [_, h1, h2, e] = self.dims;
        let p = &self.params;
        let s = &mut self.scratch;
        let mut loss = 0.0;
        for k in 0..e {
            loss += bce(s.out[k], target[k]);
            s.d_out[k] = (sigmoid(s.out[k]) - target[k]) * scale;
        }
        s.d2.iter_mut().for_each(|v| *v = 0.0);
        transposed_add(&mut s.d2, &p[W3][..e * h2], &s.d_out, false);
        for j in 0..h2 {
            s.d2[j] = kept_if(relu_passes(s.z2[j]), s.d2[j]);
        }
        s.d1.iter_mut().for_each(|v| *v = 0.0);
        transposed_add(&mut s.d1, &p[W2][..h2 * h1], &s.d2, true);
        for i in 0..h1 {
            s.d1[i] = kept_if(relu_passes(s.z1[i]), s.d1[i] * s.keep[i]);
        }
        loss / e as f32
    }

    /// One Adam step with the accumulated gradients, which are then cleared.
    pub fn step(&mut self) {
        let c = self.next_step();
        for k in 0..6 {
            let (p, g, m, v) = (
                &mut self.params[k],
                &mut self.grads[k],
                &mut self.m[k],
                &mut self.v[k],
            );
            adam_update(p, g, m, v, c);
        }
        self.grads_clear = true;
    }

    /// Counts a step and returns its Adam coefficients.
    fn next_step(&mut self) -> AdamStep {
        self.steps += 1;
        self.transposed.fresh = false;
        let Adam {
            lr,
            beta1,
            beta2,
            eps,
        } = self.adam;
        let t = self.steps as i32;
        let bc1 = 1.0 - beta1.powi(t);
        let bc2_sqrt = (1.0 - beta2.powi(t)).sqrt();
        AdamStep {
            beta1,
            beta2,
            step_size: lr / bc1,
            inv_bc2_sqrt: 1.0 / bc2_sqrt,
            eps,
        }
    }

    /// [`backward`](Self::backward) for the sample of the last `forward`, then
    /// [`step`](Self::step), with the same result: when no gradient is pending, each weight's
    /// gradient is formed inside Adam's update (see `adam_update_outer`) rather than stored
    /// and read back, a third less memory traffic for a router that steps after every sample
    /// (MoE-Task). Returns the sample's mean loss over the outputs.
    pub fn backward_step(&mut self, x: &[f32], target: &[f32], scale: f32) -> f32 {
        let [d, h1, h2, e] = self.dims;
        let sizes = [h1 * d, h1, h2 * h1, h2, e * h2, e];
        let fits = (0..6).all(|k| self.params[k].len() == sizes[k]) && x.len() >= d;
        if !(self.grads_clear && fits) {
            let loss = self.backward(x, target, scale);
            self.step();
            return loss;
        }
        // The deltas come from the weights before the update.
        let loss = self.deltas(target, scale);
        let c = self.next_step();
        let s = &self.scratch;
        let one = [1.0f32];
        let factors: [(&[f32], &[f32]); 6] = [
            (&s.d1, &x[..d]),
            (&s.d1, &one),
            (&s.d2, &s.a1),
            (&s.d2, &one),
            (&s.d_out, &s.a2),
            (&s.d_out, &one),
        ];
        for (k, (dk, ak)) in factors.into_iter().enumerate() {
            let (p, g, m, v) = (
                &mut self.params[k],
                &mut self.grads[k],
                &mut self.m[k],
                &mut self.v[k],
            );
            if ak.len() >= FUSED_MIN_ROW {
                adam_update_outer(p, m, v, dk, ak, c);
            } else {
                // Rows too short to vectorise (biases, a narrow input): through the cleared
                // gradient, whose 0 + d_i a_j are the same values.
                outer_add(g, dk, ak, false);
                adam_update(p, g, m, v, c);
            }
        }
        loss
    }

    /// All weights and biases (W1, b1, W2, b2, W3, b3), for inspection.
    pub fn parameters(&self) -> &[Vec<f32>; 6] {
        &self.params
    }

    pub fn heap_bytes(&self) -> usize {
        self.params.iter().map(|p| p.len() * 4 * 4).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// The loss, and which ReLUs are open (a finite difference across a kink is no check).
    fn loss_of(r: &mut Router, x: &[f32], t: &[f32]) -> (f64, Vec<bool>) {
        // The test changes the weights behind the router's back.
        r.transposed.fresh = false;
        let mut rng = Pcg64::seed_from_u64(0);
        let out = r.forward(x, false, &mut rng).to_vec();
        let open = r
            .scratch
            .z1
            .iter()
            .chain(&r.scratch.z2)
            .map(|&z| z > 0.0)
            .collect();
        let loss = out
            .iter()
            .zip(t)
            .map(|(&z, &tt)| bce(z, tt) as f64)
            .sum::<f64>();
        (loss, open)
    }

    #[test]
    fn gradients_match_finite_differences() {
        let mut rng = Pcg64::seed_from_u64(1);
        let mut r = Router::new([3, 5, 4, 2], 0.0, Adam::default(), &mut rng);
        let x = [0.3f32, -0.7, 1.1];
        let t = [1.0f32, 0.0];
        let mut rng2 = Pcg64::seed_from_u64(0);
        r.forward(&x, false, &mut rng2);
        r.backward(&x, &t, 1.0);
        let analytic = r.grads.clone();
        let h = 1e-2f32;
        let (mut checked, mut skipped) = (0, 0);
        for k in 0..6 {
            for i in 0..r.params[k].len() {
                let orig = r.params[k][i];
                r.params[k][i] = orig + h;
                let (up, open_up) = loss_of(&mut r, &x, &t);
                r.params[k][i] = orig - h;
                let (down, open_down) = loss_of(&mut r, &x, &t);
                r.params[k][i] = orig;
                if open_up != open_down {
                    skipped += 1;
                    continue;
                }
                let numeric = (up - down) / (2.0 * h as f64);
                let a = analytic[k][i] as f64;
                assert!(
                    (numeric - a).abs() <= 2e-3 + 2e-2 * a.abs(),
                    "param {k}[{i}]: numeric {numeric}, analytic {a}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked + skipped, 3 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2);
        assert!(
            skipped * 10 < checked,
            "{skipped} of {checked} straddle a kink"
        );
    }

    #[test]
    fn batch_gradient_is_the_sum_of_per_sample_gradients() {
        let mut rng = Pcg64::seed_from_u64(5);
        let dims = [5, 19, 11, 3];
        let r0 = Router::new(dims, 0.3, Adam::default(), &mut rng);
        let n = 7;
        let xs: Vec<f32> = (0..n * 5)
            .map(|i| ((i * 37 % 11) as f32 - 5.0) / 3.0)
            .collect();
        let ts: Vec<f32> = (0..n * 3).map(|i| (i % 2) as f32).collect();
        let (mut one, mut batched) = (r0.clone(), r0.clone());
        let (mut rng1, mut rng2) = (Pcg64::seed_from_u64(8), Pcg64::seed_from_u64(8));
        let mut loss1 = 0.0;
        for i in 0..n {
            let x = &xs[i * 5..(i + 1) * 5];
            one.forward(x, true, &mut rng1);
            loss1 += one.backward(x, &ts[i * 3..(i + 1) * 3], 0.5);
        }
        let loss2 = batched.accumulate_batch(&xs, &ts, 0.5, &mut rng2);
        assert!((loss1 - loss2).abs() < 1e-5, "{loss1} vs {loss2}");
        // The same dropout masks were drawn: the random streams are at the same place.
        assert_eq!(rng1.random::<u64>(), rng2.random::<u64>());
        for k in 0..6 {
            for (a, b) in one.grads[k].iter().zip(&batched.grads[k]) {
                assert!(
                    (a - b).abs() <= 1e-5 + 1e-4 * a.abs(),
                    "grad {k}: {a} vs {b}"
                );
            }
        }
        assert!(one.grads[W1].iter().any(|&g| g != 0.0));
    }

    #[test]
    fn backward_step_equals_backward_then_step() {
        let mut rng = Pcg64::seed_from_u64(12);
        let dims = [6, 32, 16, 5];
        let fused = Router::new(dims, 0.25, Adam::default(), &mut rng);
        let (mut fused, mut plain) = (fused.clone(), fused);
        let (mut rng1, mut rng2) = (Pcg64::seed_from_u64(3), Pcg64::seed_from_u64(3));
        let bits = |r: &Router| {
            [&r.params, &r.m, &r.v].map(|t| {
                t.iter()
                    .flat_map(|w| w.iter().map(|f| f.to_bits()))
                    .collect::<Vec<_>>()
            })
        };
        for i in 0..40 {
            // Zero inputs and targets now and then, so that skipped rows occur.
            let x: Vec<f32> = (0..6)
                .map(|j| {
                    if (i + j) % 3 == 0 {
                        0.0
                    } else {
                        ((i * 7 + j) % 13) as f32 / 6.5 - 1.0
                    }
                })
                .collect();
            let t: Vec<f32> = (0..5).map(|k| ((i + k) % 4 == 0) as u8 as f32).collect();
            fused.forward(&x, true, &mut rng1);
            plain.forward(&x, true, &mut rng2);
            let a = fused.backward_step(&x, &t, 0.2);
            let b = plain.backward(&x, &t, 0.2);
            plain.step();
            assert_eq!(a.to_bits(), b.to_bits());
            assert!(bits(&fused) == bits(&plain), "sample {i}");
        }
        assert_eq!(fused.steps, 40);
        // Pending gradients take the plain path, and count.
        fused.forward(&[1.0; 6], true, &mut rng1);
        fused.backward(&[1.0; 6], &[1.0; 5], 0.1);
        let before = fused.clone();
        fused.forward(&[0.5; 6], true, &mut rng1);
        fused.backward_step(&[0.5; 6], &[0.0; 5], 0.1);
        assert!(fused.grads.iter().all(|g| g.iter().all(|&v| v == 0.0)));
        assert_ne!(fused.params, before.params);
    }

    #[test]
    fn adam_step_by_hand() {
        // First step: m = 0.1 g, v = 0.001 g^2, bias-corrected to g and g^2: the step is
        // lr * g / (|g| + eps), i.e. lr times the sign of g.
        let mut rng = Pcg64::seed_from_u64(2);
        let mut r = Router::new([1, 1, 1, 1], 0.0, Adam::default(), &mut rng);
        let before = r.params.clone();
        r.grads[B3][0] = 0.5;
        r.grads[W1][0] = -3.0;
        r.step();
        assert!((r.params[B3][0] - (before[B3][0] - 2e-3)).abs() < 1e-7);
        assert!((r.params[W1][0] - (before[W1][0] + 2e-3)).abs() < 1e-7);
        assert_eq!(r.params[B1][0], before[B1][0]);
        assert_eq!(r.grads[B3][0], 0.0);
    }

    #[test]
    fn xavier_bounds_and_zero_biases() {
        let mut rng = Pcg64::seed_from_u64(3);
        let r = Router::new([10, 256, 128, 12], 0.2, Adam::default(), &mut rng);
        let bound = (6.0f32 / 266.0).sqrt();
        assert!(r.params[W1].iter().all(|w| w.abs() <= bound));
        assert!(r.params[B1].iter().all(|&b| b == 0.0));
        assert_eq!(r.params[W3].len(), 128 * 12);
    }

    #[test]
    fn rows_evaluated_together_match_each_alone() {
        let mut rng = Pcg64::seed_from_u64(6);
        let mut r =
            Router::new([5, 40, 24, 7], 0.2, Adam::default(), &mut rng).with_batched_forward(true);
        // Half the inputs 0, as for binary features; a few steps so the biases are not 0.
        let xs: Vec<f32> = (0..13 * 5)
            .map(|i| {
                if i % 3 == 0 {
                    0.0
                } else {
                    (i % 11) as f32 / 5.0 - 1.0
                }
            })
            .collect();
        let ts: Vec<f32> = (0..13 * 7).map(|i| (i % 4 == 0) as u8 as f32).collect();
        for _ in 0..3 {
            r.accumulate_batch(&xs, &ts, 0.1, &mut rng);
            r.step();
        }
        let together = r.forward_eval_rows(&xs).to_vec();
        assert_eq!(together.len(), 13 * 7);
        for (x, row) in xs.chunks(5).zip(together.chunks(7)) {
            let alone = r.forward(x, false, &mut rng).to_vec();
            let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(row), bits(&alone));
        }
        assert!(r.forward_eval_rows(&xs[..7]).is_empty(), "a partial row");
    }

    #[test]
    fn dropout_keeps_the_right_share_reproducibly() {
        for (dropout, seed) in [(0.2f32, 1u64), (0.5, 2), (0.9, 3)] {
            let mut keep = vec![0.0f32; 100_001];
            draw_keep(&mut keep, dropout, 2.0, &mut Pcg64::seed_from_u64(seed));
            assert!(keep.iter().all(|&k| k == 0.0 || k == 2.0));
            let kept = keep.iter().filter(|&&k| k == 2.0).count() as f64 / keep.len() as f64;
            // Binomial standard deviation below 0.0016: four of them.
            assert!(
                (kept - (1.0 - dropout as f64)).abs() < 0.0064,
                "{dropout}: {kept}"
            );
            let mut again = vec![0.0f32; keep.len()];
            draw_keep(&mut again, dropout, 2.0, &mut Pcg64::seed_from_u64(seed));
            assert_eq!(keep, again);
        }
        // The threshold as `rand` reads an f32: 0.5 keeps a half iff its top bit is set.
        let mut keep = vec![0.0f32; 64];
        let mut rng = Pcg64::seed_from_u64(9);
        let mut bits = Xoshiro256PlusPlus::seed_from_u64(rng.clone().next_u64());
        draw_keep(&mut keep, 0.5, 1.0, &mut rng);
        for pair in keep.chunks(2) {
            let word = bits.next_u64();
            assert_eq!(pair[0] == 1.0, (word as u32) >> 31 == 1);
            assert_eq!(pair[1] == 1.0, word >> 63 == 1);
        }
    }

    #[test]
    fn dropout_only_in_training() {
        let mut rng = Pcg64::seed_from_u64(4);
        let mut r = Router::new([4, 64, 8, 2], 0.5, Adam::default(), &mut rng);
        let x = [1.0f32, 2.0, -1.0, 0.5];
        let a = r.forward(&x, false, &mut rng).to_vec();
        let b = r.forward(&x, false, &mut rng).to_vec();
        assert_eq!(a, b);
        let c = r.forward(&x, true, &mut rng).to_vec();
        assert_ne!(a, c);
    }
}
