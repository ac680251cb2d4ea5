//! Incremental decision trees for streams (Hoeffding trees).
//!
//! Features arrive as `(feature id, Value)` pairs in the caller's order (the bindings intern
//! feature names, nominal values and class labels to dense ids). Per-class tables keep the
//! order in which classes were first seen, as river's dicts do, so that ties are broken the
//! same way.

pub mod criterion;
pub mod hoeffding_adaptive_tree_classifier;
pub mod hoeffding_tree_classifier;
pub mod hoeffding_tree_regressor;
pub mod regression;
pub mod splitter;

pub use hoeffding_adaptive_tree_classifier::{HatConfig, HoeffdingAdaptiveTreeClassifier};
pub use hoeffding_tree_classifier::{
    HoeffdingTreeClassifier, HtConfig, LeafPrediction, NodeView, PathStep, Verdict,
};
pub use hoeffding_tree_regressor::{
    HoeffdingTreeRegressor, HtrConfig, LeafModelConfig, RegLeafPrediction,
};

use crate::error::{value, Result};
use serde::{Deserialize, Serialize};

/// Every tree's input check: numeric feature values finite, sample weight finite and positive.
/// Runs before any state changes, so that a rejected sample leaves the model as it was.
pub(crate) fn check_sample(x: &Instance, w: f64) -> Result<()> {
    if let Some((_, v)) = x
        .items
        .iter()
        .find(|(_, v)| matches!(v, Value::Num(n) if !n.is_finite()))
    {
        return Err(value("x", format!("features must be finite, got {v:?}")));
    }
    if !(w.is_finite() && w > 0.0) {
        return Err(value("w", format!("must be finite and > 0, got {w}")));
    }
    Ok(())
}

/// river's size bookkeeping for memory management (Kirkby 2007), shared by every tree: the
/// average bytes of an active and of an inactive leaf, and the overhead of everything else.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct SizeEstimate {
    active_leaf: f64,
    inactive_leaf: f64,
    overhead: f64,
}

impl Default for SizeEstimate {
    fn default() -> Self {
        SizeEstimate {
            active_leaf: 0.0,
            inactive_leaf: 0.0,
            overhead: 1.0,
        }
    }
}

impl SizeEstimate {
    /// Folds in a measurement (bytes held by active and inactive leaves, by the whole tree);
    /// returns whether the tree is over `max_bytes`.
    pub(crate) fn measure(
        &mut self,
        (active_bytes, n_active): (usize, i64),
        (inactive_bytes, n_inactive): (usize, i64),
        actual: f64,
        max_bytes: f64,
    ) -> bool {
        if active_bytes > 0 && n_active > 0 {
            self.active_leaf = active_bytes as f64 / n_active as f64;
        }
        if inactive_bytes > 0 && n_inactive > 0 {
            self.inactive_leaf = inactive_bytes as f64 / n_inactive as f64;
        }
        let estimated = n_active as f64 * self.active_leaf + n_inactive as f64 * self.inactive_leaf;
        if estimated > 0.0 {
            self.overhead = actual / estimated;
        }
        actual > max_bytes
    }

    /// river's `tree_size` test for `stop_mem_management`.
    pub(crate) fn over_budget(&self, n_inactive: i64, max_bytes: f64) -> bool {
        let size = self.overhead * (self.active_leaf + n_inactive as f64 * self.inactive_leaf);
        n_inactive > 0 || size > max_bytes
    }

    /// How many of `n` leaves, sorted from least to most promising, must be inactive to fit.
    pub(crate) fn cutoff(&self, n: usize, max_bytes: f64) -> usize {
        let mut max_active = 0;
        while max_active < n {
            max_active += 1;
            let estimate = (max_active as f64 * self.active_leaf
                + (n - max_active) as f64 * self.inactive_leaf)
                * self.overhead;
            if estimate > max_bytes {
                max_active -= 1;
                break;
            }
        }
        n - max_active
    }
}

/// A Hoeffding tree classifier or a Hoeffding Adaptive Tree, behind one interface (the
/// bindings and DriftMoE's experts use either).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ClassifierTree {
    Ht(Box<HoeffdingTreeClassifier>),
    Hat(Box<HoeffdingAdaptiveTreeClassifier>),
}

macro_rules! dispatch {
    ($self:ident, $t:ident => $e:expr) => {
        match $self {
            ClassifierTree::Ht($t) => $e,
            ClassifierTree::Hat($t) => $e,
        }
    };
}

impl ClassifierTree {
    pub fn learn_one(&mut self, x: &Instance, y: usize, w: f64) -> Result<()> {
        dispatch!(self, t => t.learn_one(x, y, w))
    }
    pub fn predict_proba_one(&self, x: &Instance) -> Result<Vec<f64>> {
        dispatch!(self, t => t.predict_proba_one(x))
    }
    pub fn leaf_votes(&self, x: &Instance) -> Vec<f64> {
        dispatch!(self, t => t.leaf_votes(x))
    }
    pub fn n_classes(&self) -> usize {
        dispatch!(self, t => t.n_classes())
    }
    pub fn set_nominal(&mut self, feature: usize) {
        dispatch!(self, t => t.set_nominal(feature))
    }
    pub fn set_binary_classes(&mut self, neg: Option<usize>, pos: Option<usize>) {
        dispatch!(self, t => t.set_binary_classes(neg, pos))
    }
    pub fn path(&self, x: &Instance) -> Vec<PathStep> {
        dispatch!(self, t => t.path(x))
    }
    pub fn structure(&self) -> Vec<NodeView> {
        dispatch!(self, t => t.structure())
    }
    pub fn memory_bytes(&self) -> usize {
        dispatch!(self, t => t.memory_bytes())
    }
    pub fn n_nodes(&self) -> usize {
        dispatch!(self, t => t.n_nodes())
    }
    pub fn n_leaves(&self) -> usize {
        dispatch!(self, t => t.n_leaves())
    }
    pub fn n_branches(&self) -> usize {
        dispatch!(self, t => t.n_branches())
    }
    pub fn n_active_leaves(&self) -> i64 {
        dispatch!(self, t => t.n_active_leaves())
    }
    pub fn n_inactive_leaves(&self) -> i64 {
        dispatch!(self, t => t.n_inactive_leaves())
    }
    pub fn height(&self) -> usize {
        dispatch!(self, t => t.height())
    }
    pub fn weight_seen(&self) -> f64 {
        dispatch!(self, t => t.weight_seen())
    }
    /// (alternate trees grown, pruned, switched in); zeros for a plain Hoeffding tree.
    pub fn alternate_counts(&self) -> (u64, u64, u64) {
        match self {
            ClassifierTree::Ht(_) => (0, 0, 0),
            ClassifierTree::Hat(t) => (
                t.n_alternate_trees(),
                t.n_pruned_alternate_trees(),
                t.n_switch_alternate_trees(),
            ),
        }
    }
}

/// One feature value: a number, a nominal value id, or missing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Value {
    Num(f64),
    Cat(u32),
    Missing,
}

/// A sample: its features in the caller's order, and a dense lookup by feature id.
#[derive(Debug, Clone, Default)]
pub struct Instance {
    pub items: Vec<(usize, Value)>,
    dense: Vec<Value>,
}

impl Instance {
    pub fn new() -> Self {
        Self::default()
    }
    /// Empties the instance, keeping its buffers.
    pub fn clear(&mut self) {
        for &(f, _) in &self.items {
            if let Some(slot) = self.dense.get_mut(f) {
                *slot = Value::Missing;
            }
        }
        self.items.clear();
    }
    pub fn push(&mut self, feature: usize, value: Value) {
        if self.dense.len() <= feature {
            self.dense.resize(feature + 1, Value::Missing);
        }
        self.dense[feature] = value;
        self.items.push((feature, value));
    }
    pub fn get(&self, feature: usize) -> Value {
        self.dense.get(feature).copied().unwrap_or(Value::Missing)
    }
}

/// Class weights in first-seen order (river's insertion-ordered dict).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClassDist(pub Vec<(usize, f64)>);

impl ClassDist {
    pub fn add(&mut self, class: usize, w: f64) {
        match self.0.iter_mut().find(|(c, _)| *c == class) {
            Some((_, v)) => *v += w,
            None => self.0.push((class, w)),
        }
    }
    pub fn get(&self, class: usize) -> Option<f64> {
        self.0.iter().find(|(c, _)| *c == class).map(|&(_, v)| v)
    }
    pub fn total(&self) -> f64 {
        self.0.iter().map(|(_, v)| v).sum()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The first class with the largest weight (Python's `max` over a dict).
    pub fn argmax(&self) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for &(c, v) in &self.0 {
            if best.is_none_or(|(_, b)| v > b) {
                best = Some((c, v));
            }
        }
        best.map(|(c, _)| c)
    }
    /// Weights divided by their sum (unchanged if the sum is zero), as river's normalisation.
    pub fn normalized(&self) -> ClassDist {
        let mut out = ClassDist::default();
        self.normalized_into(&mut out);
        out
    }
    /// [`normalized`](Self::normalized) written into `out`, reusing its buffer.
    pub fn normalized_into(&self, out: &mut ClassDist) {
        let total = self.total();
        out.0.clear();
        if total == 0.0 {
            out.0.extend_from_slice(&self.0);
        } else {
            out.0.extend(self.0.iter().map(|&(c, v)| (c, v / total)));
        }
    }
}

/// Hoeffding bound: with probability `1 - confidence`, the true mean of a variable of range
/// `range` is within this distance of the mean of `n` observations.
pub fn hoeffding_bound(range: f64, confidence: f64, n: f64) -> f64 {
    ((range * range * (1.0 / confidence).ln()) / (2.0 * n)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hoeffding_bound_by_hand() {
        // R = 1, delta = e^-2, n = 4: sqrt(2 / 8) = 1/2.
        assert!((hoeffding_bound(1.0, (-2.0f64).exp(), 4.0) - 0.5).abs() < 1e-15);
    }

    #[test]
    fn class_dist_keeps_first_seen_order_and_first_max() {
        let mut d = ClassDist::default();
        d.add(3, 1.0);
        d.add(1, 2.0);
        d.add(3, 1.0);
        assert_eq!(d.0, vec![(3, 2.0), (1, 2.0)]);
        assert_eq!(d.argmax(), Some(3));
        assert_eq!(d.normalized().0, vec![(3, 0.5), (1, 0.5)]);
    }
}
