//! DriftMoE (Aspis et al. 2025, "DriftMoE: A Mixture of Experts Approach to Handle Concept
//! Drifts"): a neural router co-trained online with a pool of Hoeffding-tree experts.
//!
//! - MoE-Data: `n_experts` multi-class trees. The expert the router scores highest predicts;
//!   the `top_k` highest-scoring experts learn each sample; the router learns, in mini-batches,
//!   to score high the experts that were right (a multi-hot mask; when none was, the expert
//!   with the largest raw vote for the true class).
//! - MoE-Task: one one-vs-rest tree per class, every tree learns every sample, the router learns
//!   the one-hot class at every sample and predicts the class of its highest-scoring expert.

mod kernels;
pub mod router;

use crate::error::{param, value, Result};
use crate::tree::{check_sample, ClassDist, HoeffdingTreeClassifier, HtConfig, Instance, Verdict};
use rand::SeedableRng;
use rand_pcg::Pcg64;
use router::{Adam, Router};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MoeMode {
    Data,
    Task,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoeConfig {
    pub mode: MoeMode,
    pub n_experts: usize,
    pub top_k: usize,
    pub batch_size: usize,
    pub lr: f32,
    pub hidden: [usize; 2],
    pub dropout: f32,
    pub tree: HtConfig,
}

impl Default for MoeConfig {
    fn default() -> Self {
        MoeConfig {
            mode: MoeMode::Data,
            n_experts: 12,
            top_k: 3,
            batch_size: 256,
            lr: 2e-3,
            hidden: [256, 128],
            dropout: 0.2,
            tree: HtConfig::moa(),
        }
    }
}

impl MoeConfig {
    pub fn validate(&self) -> Result<()> {
        self.tree.validate()?;
        if self.n_experts == 0 {
            return Err(param("n_experts", "must be at least 1"));
        }
        if self.top_k == 0 || self.top_k > self.n_experts {
            return Err(param(
                "top_k",
                format!(
                    "must be in 1..=n_experts ({}), got {}",
                    self.n_experts, self.top_k
                ),
            ));
        }
        if self.batch_size == 0 {
            return Err(param("batch_size", "must be at least 1"));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(param(
                "lr",
                format!("must be finite and > 0, got {}", self.lr),
            ));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(param(
                "dropout",
                format!("must be in [0, 1), got {}", self.dropout),
            ));
        }
        if self.hidden.contains(&0) {
            return Err(param("hidden", "layer widths must be at least 1"));
        }
        Ok(())
    }
}

/// What happened at the last `learn_one`, for inspection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LastStep {
    /// The expert the router scored highest.
    pub chosen: Option<usize>,
    /// The experts that learned the sample.
    pub trained: Vec<usize>,
    /// The router's target for the sample.
    pub mask: Vec<f32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftMoe {
    cfg: MoeConfig,
    router: Option<Router>,
    experts: Vec<HoeffdingTreeClassifier>,
    n_classes: usize,
    rng: Pcg64,
    batch_x: Vec<f32>,
    batch_t: Vec<f32>,
    batch_len: usize,
    losses: Vec<f32>,
    last: LastStep,
    /// The features declared nominal, for the experts still to come (MoE-Task adds one per
    /// new class).
    nominal: Vec<usize>,
    /// Each class id's position in the order of the labels (empty: id order). The published
    /// code reads an expert's prediction as the first largest entry of its vote vector padded
    /// to every class, indexed in label order: an expert with no positive vote predicts the
    /// lowest label, and ties go to the lower label.
    #[serde(default)]
    class_rank: Vec<usize>,
    /// Scratch for the router's scores (not part of the state).
    #[serde(skip)]
    logits: Vec<f32>,
    /// The router's scores of the last prediction, which the `learn_one` of the same sample
    /// that follows it in a test-then-train loop reuses (not part of the state).
    #[serde(skip)]
    eval_cache: EvalCache,
    /// The experts' verdicts on the sample being learned (not part of the state).
    #[serde(skip)]
    judged: Judged,
    /// The router's scores of rows about to be learned, computed together (not state).
    #[serde(skip)]
    primed: PrimedRows,
}

/// The router's evaluation-mode scores of the next rows of a stream, computed in one pass
/// ([`Router::forward_eval_rows`], the same bits as row by row) while the router cannot
/// change: up to its next step. Each is used once, in order, and only for the very row it
/// was computed for; a step empties it.
#[derive(Debug, Clone, Default)]
struct PrimedRows {
    zs: Vec<f32>,
    logits: Vec<f32>,
    next: usize,
    rows: usize,
}

impl PrimedRows {
    fn clear(&mut self) {
        self.next = 0;
        self.rows = 0;
    }

    fn remaining(&self) -> usize {
        self.rows - self.next
    }

    /// The scores of the next primed row, if it is `z`.
    fn take(&mut self, z: &[f32], outputs: usize) -> Option<&[f32]> {
        let (k, d) = (self.next, z.len());
        if k >= self.rows || self.zs.get(k * d..(k + 1) * d) != Some(z) {
            return None;
        }
        self.next += 1;
        self.logits.get(k * outputs..(k + 1) * outputs)
    }
}

/// Scratch, not state: two models are equal whatever they have cached.
impl PartialEq for PrimedRows {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// What [`DriftMoe::predict_then_learn`] predicted before learning.
#[derive(Debug, Clone, PartialEq)]
pub enum Prediction {
    /// A class whose probability is strictly larger than every other's.
    Class(usize),
    /// The class probabilities by class id (as `predict_proba_one` gives them), when no
    /// class leads strictly: which to predict among ties is the caller's rule.
    Proba(Vec<f64>),
}

/// Buffers of the experts' verdicts, reused from sample to sample.
#[derive(Debug, Clone, Default)]
struct Judged {
    verdicts: Vec<Verdict>,
    proba: ClassDist,
    /// An expert's probabilities by class id, when its verdict does not lead strictly.
    tied: Vec<f64>,
}

/// Scratch, not state: two models are equal whatever they have cached.
impl PartialEq for Judged {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The input and the router's evaluation-mode scores of the last prediction. The router does
/// not change between a prediction and the next `learn_one`, so those scores are the ones that
/// `learn_one` would compute again; any `learn_one` empties the cache.
#[derive(Debug, Clone, Default)]
struct EvalCache {
    z: Vec<f32>,
    logits: Vec<f32>,
    valid: bool,
}

impl EvalCache {
    fn store(&mut self, z: &[f32], logits: &[f32]) {
        self.z.clear();
        self.z.extend_from_slice(z);
        self.logits.clear();
        self.logits.extend_from_slice(logits);
        self.valid = true;
    }

    fn get(&self, z: &[f32], outputs: usize) -> Option<&[f32]> {
        (self.valid && self.z == z && self.logits.len() == outputs).then_some(&self.logits[..])
    }
}

/// Scratch, not state: two models are equal whatever they have cached.
impl PartialEq for EvalCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// `expert`'s class probabilities for `x` written into `out` by class id (ids past its end
/// are left out; the others keep their 0): data mode's prediction.
fn expert_proba_into(
    expert: &HoeffdingTreeClassifier,
    x: &Instance,
    out: &mut [f64],
) -> Result<()> {
    for (slot, v) in out.iter_mut().zip(expert.predict_proba_one(x)?) {
        *slot = v;
    }
    Ok(())
}

/// Class `c`'s place in label order: ranked ids first, by rank, then the others by id.
fn label_rank(class_rank: &[usize], c: usize) -> (usize, usize) {
    match class_rank.get(c) {
        Some(&r) => (0, r),
        None => (1, c),
    }
}

/// The class an expert's vote vector `proba` (by class id, over all known classes) predicts
/// as the published code reads it: the first largest entry in label order, so the lowest
/// label when no entry is positive. `class_rank[id]` is each id's place in label order; ids
/// past its end follow, in id order.
pub fn read_vote(proba: &[f64], class_rank: &[usize]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (c, &p) in proba.iter().enumerate() {
        let p = p.max(0.0);
        let better = match best {
            None => true,
            Some((b, bp)) => {
                p > bp || (p == bp && label_rank(class_rank, c) < label_rank(class_rank, b))
            }
        };
        if better {
            best = Some((c, p));
        }
    }
    best.map(|(c, _)| c)
}

/// Position of the first largest value.
fn argmax(v: &[f32]) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    for (i, &x) in v.iter().enumerate() {
        if best.is_none_or(|(_, b)| x > b) {
            best = Some((i, x));
        }
    }
    best.map(|(i, _)| i)
}

fn argmax64(v: &[f64]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, &x) in v.iter().enumerate() {
        if x > 0.0 && best.is_none_or(|(_, b)| x > b) {
            best = Some((i, x));
        }
    }
    best.map(|(i, _)| i)
}

impl DriftMoe {
    pub fn new(cfg: MoeConfig, seed: u64) -> Result<Self> {
        cfg.validate()?;
        let experts = match cfg.mode {
            MoeMode::Data => (0..cfg.n_experts)
                .map(|_| HoeffdingTreeClassifier::new(cfg.tree.clone()))
                .collect::<Result<Vec<_>>>()?,
            MoeMode::Task => vec![],
        };
        Ok(DriftMoe {
            cfg,
            router: None,
            experts,
            n_classes: 0,
            rng: Pcg64::seed_from_u64(seed),
            batch_x: vec![],
            batch_t: vec![],
            batch_len: 0,
            losses: vec![],
            last: LastStep::default(),
            nominal: vec![],
            class_rank: vec![],
            logits: vec![],
            eval_cache: EvalCache::default(),
            judged: Judged::default(),
            primed: PrimedRows::default(),
        })
    }

    pub fn config(&self) -> &MoeConfig {
        &self.cfg
    }

    /// Width of the router's input, fixed by the first sample learned.
    pub fn input_dim(&self) -> Option<usize> {
        self.router.as_ref().map(|r| r.dims()[0])
    }

    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    pub fn experts(&self) -> &[HoeffdingTreeClassifier] {
        &self.experts
    }

    pub fn router(&self) -> Option<&Router> {
        self.router.as_ref()
    }

    pub fn losses(&self) -> &[f32] {
        &self.losses
    }

    pub fn last_step(&self) -> &LastStep {
        &self.last
    }

    pub fn set_nominal(&mut self, feature: usize) {
        if !self.nominal.contains(&feature) {
            self.nominal.push(feature);
        }
        for e in &mut self.experts {
            e.set_nominal(feature);
        }
    }

    /// Sets each class id's position in label order (`ranks[id]`), which decides what an
    /// expert without a positive vote predicts, and ties, for the router's target: the lowest
    /// label. Ids without a rank follow those with one, in id order.
    pub fn set_class_ranks(&mut self, ranks: &[usize]) {
        self.class_rank.clear();
        self.class_rank.extend_from_slice(ranks);
    }

    fn check(z: &[f32], x: &Instance) -> Result<()> {
        if let Some(v) = z.iter().find(|v| !v.is_finite()) {
            return Err(value("x", format!("features must be finite, got {v}")));
        }
        check_sample(x, 1.0)
    }

    fn n_outputs(&self) -> usize {
        match self.cfg.mode {
            MoeMode::Data => self.cfg.n_experts,
            MoeMode::Task => self.n_classes.max(1),
        }
    }

    fn ensure_router(&mut self, d: usize) {
        if self.router.is_none() {
            let dims = [d, self.cfg.hidden[0], self.cfg.hidden[1], self.n_outputs()];
            let adam = Adam {
                lr: self.cfg.lr,
                ..Adam::default()
            };
            self.router = Some(
                Router::new(dims, self.cfg.dropout, adam, &mut self.rng)
                    .with_batched_forward(self.cfg.mode == MoeMode::Data),
            );
            self.batch_x.reserve(self.cfg.batch_size * d);
            self.batch_t.reserve(self.cfg.batch_size * dims[3]);
        }
    }

    /// A new class: in task mode, a new one-vs-rest expert and router output.
    fn see_class(&mut self, y: usize) -> Result<()> {
        while self.n_classes <= y {
            self.n_classes += 1;
            if self.cfg.mode == MoeMode::Task {
                let mut tree = HoeffdingTreeClassifier::new(self.cfg.tree.clone())?;
                for &f in &self.nominal {
                    tree.set_nominal(f);
                }
                self.experts.push(tree);
                if let Some(r) = &mut self.router {
                    if r.dims()[3] < self.n_classes {
                        r.add_output(&mut self.rng);
                    }
                }
            }
        }
        Ok(())
    }

    /// Learns one sample: `z` is the router's input (of the width fixed by the first call),
    /// `x` the trees' input, `y` a class id.
    pub fn learn_one(&mut self, z: &[f32], x: &Instance, y: usize) -> Result<()> {
        self.check_learnable(z, x)?;
        self.see_class(y)?;
        self.ensure_router(z.len());
        let learned = match self.cfg.mode {
            MoeMode::Data => self.learn_data(z, x, y, None).map(|_| ()),
            MoeMode::Task => self.learn_task(z, x, y),
        };
        self.eval_cache.valid = false;
        learned
    }

    fn check_learnable(&self, z: &[f32], x: &Instance) -> Result<()> {
        Self::check(z, x)?;
        if let Some(d) = self.input_dim() {
            if z.len() != d {
                return Err(crate::error::Error::Dimension {
                    name: "x",
                    expected: d,
                    got: z.len(),
                });
            }
        }
        Ok(())
    }

    /// `predict_proba_one` and then `learn_one` on the same sample (test-then-train), with
    /// the same results, in one pass: the prediction is read off the experts' verdicts that
    /// learning computes anyway, and only a prediction with tied classes is returned as
    /// probabilities. `None` for the first sample, before which there is no router.
    pub fn predict_then_learn(
        &mut self,
        z: &[f32],
        x: &Instance,
        y: usize,
    ) -> Result<Option<Prediction>> {
        self.check_learnable(z, x)?;
        if self.router.is_none() {
            self.learn_one(z, x, y)?;
            return Ok(None);
        }
        if self.cfg.mode == MoeMode::Task {
            let proba = self.predict_proba_one(z, x)?;
            self.learn_one(z, x, y)?;
            return Ok(Some(Prediction::Proba(proba)));
        }
        let classes_before = self.n_classes;
        self.see_class(y)?;
        let learned = self.learn_data(z, x, y, Some(classes_before));
        self.eval_cache.valid = false;
        learned
    }

    /// Test-then-train over rows: [`predict_then_learn`](Self::predict_then_learn) on each
    /// row of `zs` (the router's inputs, of one width) with `xs` and `ys`, handing each
    /// prediction to `on_prediction` with its row index. The router's scores of the rows up to
    /// its next step are computed together, as one matrix product per layer. Stops at the
    /// first row that is rejected, with the rows before it learned.
    pub fn prequential_rows(
        &mut self,
        zs: &[f32],
        xs: &[Instance],
        ys: &[usize],
        mut on_prediction: impl FnMut(usize, Option<Prediction>),
    ) -> Result<()> {
        let n = xs.len().min(ys.len());
        let d = zs.len().checked_div(n).unwrap_or(0);
        if d * n != zs.len() {
            return Err(value(
                "x",
                format!("{} router inputs do not split into {n} rows", zs.len()),
            ));
        }
        for i in 0..n {
            let z = &zs[i * d..(i + 1) * d];
            if self.cfg.mode == MoeMode::Data && self.primed.remaining() == 0 {
                self.prime(&zs[i * d..]);
            }
            on_prediction(i, self.predict_then_learn(z, &xs[i], ys[i])?);
        }
        Ok(())
    }

    /// Scores the rows of `zs` (of the router's input width) that the router will see before
    /// its next step.
    fn prime(&mut self, zs: &[f32]) {
        self.primed.clear();
        let Some(router) = self.router.as_mut() else {
            return;
        };
        let d = router.dims()[0];
        if d == 0 || zs.len() % d != 0 {
            return;
        }
        let rows = (zs.len() / d).min(self.cfg.batch_size - self.batch_len);
        let zs = &zs[..rows * d];
        let logits = router.forward_eval_rows(zs);
        if logits.is_empty() {
            return;
        }
        let p = &mut self.primed;
        p.logits.clear();
        p.logits.extend_from_slice(logits);
        p.zs.clear();
        p.zs.extend_from_slice(zs);
        p.rows = rows;
    }

    /// Learns one sample in data mode. With `predict` (the number of classes before this
    /// sample), also returns what `predict_proba_one` would have predicted before learning.
    fn learn_data(
        &mut self,
        z: &[f32],
        x: &Instance,
        y: usize,
        predict: Option<usize>,
    ) -> Result<Option<Prediction>> {
        let e = self.cfg.n_experts;
        let Some(router) = self.router.as_mut() else {
            return Ok(None);
        };
        // The buffers of the last step are reused: no allocation here beyond the trees' own.
        let logits = &mut self.logits;
        logits.clear();
        let outputs = router.dims()[3];
        if let Some(cached) = self.eval_cache.get(z, outputs) {
            logits.extend_from_slice(cached);
        } else if let Some(primed) = self.primed.take(z, outputs) {
            logits.extend_from_slice(primed);
        } else {
            logits.extend_from_slice(router.forward(z, false, &mut self.rng));
        }
        let chosen = argmax(logits);
        // Which experts were right before learning, for the router's target.
        let mask = &mut self.last.mask;
        mask.clear();
        mask.resize(e, 0.0);
        // One verdict per expert serves the mask, the fallback below and the trained experts'
        // naive-Bayes credits: each leaf's naive-Bayes votes are computed once per sample.
        let Judged {
            verdicts,
            proba,
            tied,
        } = &mut self.judged;
        verdicts.clear();
        for t in &self.experts {
            verdicts.push(t.verdict_with(x, y, proba)?);
        }
        let verdicts = &verdicts[..];
        // The chosen expert's prediction, before any expert learns: its verdict's class when
        // that leads strictly, else its probabilities (over the classes known before `y`).
        let prediction = match (predict, chosen) {
            (None, _) => None,
            (Some(_), Some(i)) if verdicts[i].unique => {
                verdicts[i].predicted.map(Prediction::Class)
            }
            (Some(classes), chosen) => {
                let mut out = vec![0.0; classes];
                if let Some(i) = chosen {
                    expert_proba_into(&self.experts[i], x, &mut out)?;
                }
                Some(Prediction::Proba(out))
            }
        };
        // An expert whose verdict leads strictly predicts its class; one with tied or no
        // positive votes is read as the published code reads it (see `class_rank`), which
        // needs its probabilities: rare once the experts have learned.
        for (i, v) in verdicts.iter().enumerate() {
            let predicted = if v.unique {
                v.predicted
            } else {
                tied.clear();
                tied.resize(self.n_classes, 0.0);
                if v.predicted.is_some() {
                    expert_proba_into(&self.experts[i], x, tied)?;
                }
                read_vote(tied, &self.class_rank)
            };
            if predicted == Some(y) {
                mask[i] = 1.0;
            }
        }
        if mask.iter().all(|&m| m == 0.0) {
            // The first expert with the largest raw vote for the true class, as MOA gives it
            // (`getVotesForInstance`): the leaf's class weight at a majority-class leaf, the
            // unnormalised naive-Bayes score at a naive-Bayes one. The class weight alone
            // would always favour the experts that have learned most, and training would
            // concentrate on them (LED gradual, 100k: 60-63% instead of 66%).
            let mut best = (0usize, f64::NEG_INFINITY);
            for (i, v) in verdicts.iter().enumerate() {
                if v.vote > best.1 {
                    best = (i, v.vote);
                }
            }
            mask[best.0] = 1.0;
        }
        // The top_k experts by score learn (ties to the lower index).
        let order = &mut self.last.trained;
        order.clear();
        order.extend(0..e);
        order.sort_unstable_by(|&a, &b| {
            logits[b]
                .partial_cmp(&logits[a])
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(&b))
        });
        order.truncate(self.cfg.top_k);
        for &i in order.iter() {
            self.experts[i].learn_one_judged(x, y, 1.0, Some(&verdicts[i]))?;
        }
        self.last.chosen = chosen;
        self.batch_x.extend_from_slice(z);
        self.batch_t.extend_from_slice(&self.last.mask);
        self.batch_len += 1;
        if self.batch_len == self.cfg.batch_size {
            self.train_batch();
        }
        Ok(prediction)
    }

    fn learn_task(&mut self, z: &[f32], x: &Instance, y: usize) -> Result<()> {
        for (c, expert) in self.experts.iter_mut().enumerate() {
            expert.learn_one(x, usize::from(c == y), 1.0)?;
        }
        let mut mask = vec![0.0f32; self.n_classes];
        mask[y] = 1.0;
        let Some(router) = self.router.as_mut() else {
            return Ok(());
        };
        let chosen = match self.eval_cache.get(z, router.dims()[3]) {
            Some(cached) => argmax(cached),
            None => argmax(router.forward(z, false, &mut self.rng)),
        };
        router.forward(z, true, &mut self.rng);
        let loss = router.backward_step(z, &mask, 1.0 / mask.len() as f32);
        self.losses.push(loss);
        self.last = LastStep {
            chosen,
            trained: (0..self.experts.len()).collect(),
            mask,
        };
        Ok(())
    }

    /// One Adam step on the mean loss of the buffered mini-batch.
    fn train_batch(&mut self) {
        let Some(router) = self.router.as_mut() else {
            return;
        };
        let d = router.dims()[0];
        let e = router.dims()[3];
        let n = self.batch_len;
        // PyTorch's BCEWithLogitsLoss averages over every output of every sample.
        let scale = 1.0 / (n * e) as f32;
        let total = router.accumulate_batch(
            &self.batch_x[..n * d],
            &self.batch_t[..n * e],
            scale,
            &mut self.rng,
        );
        router.step();
        self.primed.clear();
        self.losses.push(total / n as f32);
        self.batch_x.clear();
        self.batch_t.clear();
        self.batch_len = 0;
    }

    /// Class probabilities by class id: the chosen expert's (data mode), or the router's
    /// sigmoid scores normalised (task mode).
    pub fn predict_proba_one(&mut self, z: &[f32], x: &Instance) -> Result<Vec<f64>> {
        Self::check(z, x)?;
        let mut out = vec![0.0; self.n_classes];
        let Some(router) = self.router.as_mut() else {
            return Ok(out);
        };
        if z.len() != router.dims()[0] {
            return Err(crate::error::Error::Dimension {
                name: "x",
                expected: router.dims()[0],
                got: z.len(),
            });
        }
        let logits = router.forward(z, false, &mut self.rng);
        self.eval_cache.store(z, logits);
        match self.cfg.mode {
            MoeMode::Data => {
                if let Some(i) = argmax(logits) {
                    expert_proba_into(&self.experts[i], x, &mut out)?;
                }
            }
            MoeMode::Task => {
                let s: Vec<f64> = logits
                    .iter()
                    .map(|&l| 1.0 / (1.0 + (-(l as f64)).exp()))
                    .collect();
                let total: f64 = s.iter().sum();
                for (c, v) in s.into_iter().enumerate() {
                    if let Some(slot) = out.get_mut(c) {
                        *slot = if total > 0.0 { v / total } else { 0.0 };
                    }
                }
            }
        }
        Ok(out)
    }

    /// Each expert's predicted class id for `x` (None for an expert that knows no class), the
    /// predictions the router's target is built from.
    pub fn expert_predictions(&self, x: &Instance) -> Result<Vec<Option<usize>>> {
        self.experts
            .iter()
            .map(|e| Ok(argmax64(&e.predict_proba_one(x)?)))
            .collect()
    }

    /// The expert the router would choose for `z` (None before any learning).
    pub fn route(&mut self, z: &[f32]) -> Option<usize> {
        let router = self.router.as_mut()?;
        if z.len() != router.dims()[0] {
            return None;
        }
        argmax(router.forward(z, false, &mut self.rng))
    }

    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.router.as_ref().map_or(0, |r| r.heap_bytes())
            + self.experts.iter().map(|e| e.memory_bytes()).sum::<usize>()
            + (self.batch_x.capacity() + self.batch_t.capacity()) * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::Value;

    fn inst(v: &[f64]) -> (Vec<f32>, Instance) {
        let mut x = Instance::new();
        for (i, &a) in v.iter().enumerate() {
            x.push(i, Value::Num(a));
        }
        (v.iter().map(|&a| a as f32).collect(), x)
    }

    fn small(mode: MoeMode) -> MoeConfig {
        MoeConfig {
            mode,
            n_experts: 4,
            top_k: 2,
            batch_size: 8,
            hidden: [16, 8],
            ..MoeConfig::default()
        }
    }

    #[test]
    fn prequential_rows_equal_predicting_then_learning_row_by_row() {
        use crate::datasets::{Generator, Led};
        for mode in [MoeMode::Data, MoeMode::Task] {
            let mut gen = Generator::Led(Led::new(0.1, true, 3, false, 4).unwrap());
            let (xs, ys) = gen.take(3000);
            let d = gen.n_features();
            let cfg = MoeConfig {
                batch_size: 32,
                ..small(mode)
            };
            let mut rows = DriftMoe::new(cfg.clone(), 9).unwrap();
            let mut one = rows.clone();
            for f in 0..d {
                rows.set_nominal(f);
                one.set_nominal(f);
            }
            let (mut zs, mut insts) = (vec![], vec![]);
            for row in xs.chunks_exact(d) {
                let mut x = Instance::new();
                for (j, &v) in row.iter().enumerate() {
                    x.push(j, Value::Cat(v as u32));
                }
                zs.extend(row.iter().map(|&v| v as f32));
                insts.push(x);
            }
            let mut predictions = vec![];
            // Blocks that do not line up with the router's steps.
            for start in (0..ys.len()).step_by(100) {
                let end = (start + 100).min(ys.len());
                rows.prequential_rows(
                    &zs[start * d..end * d],
                    &insts[start..end],
                    &ys[start..end],
                    |k, p| {
                        assert_eq!(k, predictions.len() - start);
                        predictions.push(p);
                    },
                )
                .unwrap();
            }
            let (mut classes, mut ties) = (0, 0);
            for (i, p) in predictions.iter().enumerate() {
                let z = &zs[i * d..(i + 1) * d];
                let expected = one
                    .input_dim()
                    .map(|_| one.predict_proba_one(z, &insts[i]).unwrap());
                match (p, expected) {
                    (None, None) => {}
                    (Some(Prediction::Proba(q)), Some(e)) => {
                        ties += 1;
                        assert_eq!(q, &e, "row {i}");
                    }
                    (Some(Prediction::Class(c)), Some(e)) => {
                        classes += 1;
                        assert!(
                            e.iter().enumerate().all(|(k, &v)| k == *c || v < e[*c]),
                            "row {i}"
                        );
                    }
                    (p, e) => panic!("row {i}: {p:?} against {e:?}"),
                }
                one.learn_one(z, &insts[i], ys[i]).unwrap();
            }
            assert_eq!(rows, one, "{mode:?}");
            assert_eq!(rows.losses(), one.losses());
            match mode {
                // Data mode reads most predictions off the verdicts; early ones are ties.
                MoeMode::Data => assert!(classes > 2500 && ties > 0, "{classes} {ties}"),
                MoeMode::Task => assert_eq!(ties, 2999),
            }
        }
        // A row that is rejected stops the rows, with those before it learned.
        let mut m = DriftMoe::new(small(MoeMode::Data), 1).unwrap();
        let (z, x) = inst(&[0.5, 1.0]);
        let bad = [0.5, f32::NAN];
        let zs = [z.clone(), z.clone(), bad.to_vec()].concat();
        let mut seen = 0;
        let err = m.prequential_rows(
            &zs,
            &[x.clone(), x.clone(), x.clone()],
            &[0, 1, 0],
            |_, _| seen += 1,
        );
        assert!(err.is_err());
        assert_eq!((seen, m.n_classes()), (2, 2));
    }

    #[test]
    fn mask_and_top_k_follow_the_rules() {
        let mut m = DriftMoe::new(small(MoeMode::Data), 0).unwrap();
        let (z, x) = inst(&[0.5, -1.0]);
        m.learn_one(&z, &x, 1).unwrap();
        let last = m.last_step().clone();
        // Untrained experts are all wrong and vote 0: the first expert carries the mask.
        assert_eq!(last.mask, vec![1.0, 0.0, 0.0, 0.0]);
        assert_eq!(last.trained.len(), 2);
        // The trained experts are the two highest logits.
        let mut again = DriftMoe::new(small(MoeMode::Data), 0).unwrap();
        let (z2, _) = inst(&[0.5, -1.0]);
        again.ensure_router(2);
        let logits = again
            .router
            .as_mut()
            .unwrap()
            .forward(&z2, false, &mut Pcg64::seed_from_u64(9))
            .to_vec();
        let mut order: Vec<usize> = (0..4).collect();
        order.sort_by(|&a, &b| logits[b].partial_cmp(&logits[a]).unwrap());
        assert_eq!(last.trained, order[..2].to_vec());
        // Those two experts now predict class 1 for x: a second sample marks both correct.
        m.learn_one(&z, &x, 1).unwrap();
        let mask = &m.last_step().mask;
        for &i in &order[..2] {
            assert_eq!(mask[i], 1.0);
        }
    }

    #[test]
    fn a_vote_vector_is_read_as_the_published_code_reads_it() {
        // The first largest entry in label order: ids 0 and 1 tie, and id 1 is the lower
        // label; no positive entry reads as the lowest label; without ranks, id order.
        assert_eq!(read_vote(&[0.3, 0.3, 0.1], &[2, 0, 1]), Some(1));
        assert_eq!(read_vote(&[0.0, 0.0, 0.0], &[2, 0, 1]), Some(1));
        assert_eq!(read_vote(&[0.0, 0.0, 0.0], &[]), Some(0));
        assert_eq!(read_vote(&[0.2, 0.5, 0.5], &[]), Some(1));
        assert_eq!(read_vote(&[0.2, 0.1, 0.0], &[2, 0, 1]), Some(0));
        assert_eq!(read_vote(&[], &[]), None);
    }

    #[test]
    fn an_expert_without_a_vote_predicts_the_lowest_label() {
        let (z, x) = inst(&[0.5, -1.0]);
        // Ids 0 and 1 known (the first sample is id 1); id 1 is the lower label: every empty
        // expert predicts it and is right.
        let mut m = DriftMoe::new(small(MoeMode::Data), 0).unwrap();
        m.set_class_ranks(&[1, 0]);
        m.learn_one(&z, &x, 1).unwrap();
        assert_eq!(m.last_step().mask, vec![1.0; 4]);
        // A sample of id 0: the two experts that learned id 1 predict it and are wrong, the
        // two still empty predict id 1 too. None is right, so the first largest vote for id
        // 0 (all 0) carries the mask.
        let trained = m.last_step().trained.clone();
        m.learn_one(&z, &x, 0).unwrap();
        assert_eq!(m.last_step().mask, vec![1.0, 0.0, 0.0, 0.0]);
        // With id 0 the lower label, the empty experts are right on id 0 and wrong on id 1.
        let mut m = DriftMoe::new(small(MoeMode::Data), 0).unwrap();
        m.set_class_ranks(&[0, 1]);
        m.learn_one(&z, &x, 1).unwrap();
        assert_eq!(m.last_step().mask, vec![1.0, 0.0, 0.0, 0.0]);
        assert_eq!(m.last_step().trained, trained);
        m.learn_one(&z, &x, 0).unwrap();
        let expected: Vec<f32> = (0..4)
            .map(|i| f32::from(u8::from(!trained.contains(&i))))
            .collect();
        assert_eq!(m.last_step().mask, expected);
    }

    #[test]
    fn router_steps_once_per_batch() {
        let mut m = DriftMoe::new(small(MoeMode::Data), 1).unwrap();
        for i in 0..20 {
            let (z, x) = inst(&[i as f64 / 20.0, 1.0]);
            m.learn_one(&z, &x, i % 2).unwrap();
        }
        assert_eq!(m.router().unwrap().steps(), 2);
        assert_eq!(m.losses().len(), 2);
    }

    #[test]
    fn task_mode_grows_experts_with_classes() {
        let mut m = DriftMoe::new(small(MoeMode::Task), 2).unwrap();
        for i in 0..30 {
            let (z, x) = inst(&[i as f64, 1.0]);
            m.learn_one(&z, &x, i % 3).unwrap();
        }
        assert_eq!(m.experts().len(), 3);
        assert_eq!(m.router().unwrap().dims()[3], 3);
        assert_eq!(m.router().unwrap().steps(), 30);
        let (z, x) = inst(&[1.0, 1.0]);
        let p = m.predict_proba_one(&z, &x).unwrap();
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn task_mode_experts_added_later_keep_the_nominal_features() {
        // Feature 0 holds codes 0/1 that separate the classes; as a nominal feature the tree's
        // split on it is a multiway one, as a number it would be a threshold.
        let mut m = DriftMoe::new(small(MoeMode::Task), 4).unwrap();
        m.set_nominal(0);
        let mut x = Instance::new();
        for i in 0..400 {
            x.clear();
            x.push(0, Value::Cat((i % 2) as u32));
            m.learn_one(&[(i % 2) as f32], &x, i % 2).unwrap();
        }
        assert_eq!(m.experts().len(), 2);
        for e in m.experts() {
            assert!(e.is_nominal(0));
            assert!(!e.is_nominal(1));
        }
    }

    #[test]
    fn rejects_bad_input_and_parameters() {
        let mut m = DriftMoe::new(small(MoeMode::Data), 3).unwrap();
        let (z, x) = inst(&[1.0, 2.0]);
        m.learn_one(&z, &x, 0).unwrap();
        let before = m.clone();
        let (z3, x3) = inst(&[1.0, 2.0, 3.0]);
        assert!(m.learn_one(&z3, &x3, 0).is_err());
        let (zn, xn) = inst(&[f64::NAN, 2.0]);
        assert!(m.learn_one(&zn, &xn, 0).is_err());
        assert_eq!(m, before);
        let bad = MoeConfig {
            top_k: 5,
            ..small(MoeMode::Data)
        };
        assert!(DriftMoe::new(bad, 0).is_err());
    }
}
