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
}

/// Buffers of the experts' verdicts, reused from sample to sample.
#[derive(Debug, Clone, Default)]
struct Judged {
    verdicts: Vec<Verdict>,
    proba: ClassDist,
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
            logits: vec![],
            eval_cache: EvalCache::default(),
            judged: Judged::default(),
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
        self.see_class(y)?;
        self.ensure_router(z.len());
        let learned = match self.cfg.mode {
            MoeMode::Data => self.learn_data(z, x, y),
            MoeMode::Task => self.learn_task(z, x, y),
        };
        self.eval_cache.valid = false;
        learned
    }

    fn learn_data(&mut self, z: &[f32], x: &Instance, y: usize) -> Result<()> {
        let e = self.cfg.n_experts;
        let Some(router) = self.router.as_mut() else {
            return Ok(());
        };
        // The buffers of the last step are reused: no allocation here beyond the trees' own.
        let logits = &mut self.logits;
        logits.clear();
        match self.eval_cache.get(z, router.dims()[3]) {
            Some(cached) => logits.extend_from_slice(cached),
            None => logits.extend_from_slice(router.forward(z, false, &mut self.rng)),
        }
        let chosen = argmax(logits);
        // Which experts were right before learning, for the router's target.
        let mask = &mut self.last.mask;
        mask.clear();
        mask.resize(e, 0.0);
        // One verdict per expert serves the mask, the fallback below and the trained experts'
        // naive-Bayes credits: each leaf's naive-Bayes votes are computed once per sample.
        let Judged { verdicts, proba } = &mut self.judged;
        verdicts.clear();
        for t in &self.experts {
            verdicts.push(t.verdict_with(x, y, proba)?);
        }
        let verdicts = &verdicts[..];
        for (m, v) in mask.iter_mut().zip(verdicts) {
            if v.predicted == Some(y) {
                *m = 1.0;
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
        Ok(())
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
        let loss = router.backward(z, &mask, 1.0 / mask.len() as f32);
        router.step();
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
                    let p = self.experts[i].predict_proba_one(x)?;
                    for (c, v) in p.into_iter().enumerate() {
                        if let Some(slot) = out.get_mut(c) {
                            *slot = v;
                        }
                    }
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
