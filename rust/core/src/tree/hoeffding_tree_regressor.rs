//! Hoeffding tree regressor (FIMT-DD family) mirroring river 0.26's `HoeffdingTreeRegressor`:
//! variance-reduction splits found with an E-BST per numeric feature, target-mean, linear-model
//! or adaptive leaves, and the same split timing and memory management as the classifier.

use super::hoeffding_tree_classifier::{BranchKind, NodeView, PathStep};
use super::regression::{variance_reduction, Ebst, LinearRegression, NominalReg, TargetVar};
use super::splitter::SplitKind;
use super::{check_sample, hoeffding_bound, Instance, SizeEstimate, Value};
use crate::error::{check_non_negative, check_positive, check_range, param, value, Result};
use serde::{Deserialize, Serialize};

/// How a leaf predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegLeafPrediction {
    Mean,
    Model,
    Adaptive,
}

/// The leaf model's hyperparameters (river's `LinearRegression` with SGD).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LeafModelConfig {
    pub lr: f64,
    pub intercept_lr: f64,
    pub intercept_init: f64,
    pub l2: f64,
    pub clip_gradient: f64,
}

impl Default for LeafModelConfig {
    fn default() -> Self {
        LeafModelConfig {
            lr: 0.01,
            intercept_lr: 0.01,
            intercept_init: 0.0,
            l2: 0.0,
            clip_gradient: 1e12,
        }
    }
}

/// Hyperparameters, with river's names and defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HtrConfig {
    pub grace_period: f64,
    pub max_depth: usize,
    pub delta: f64,
    pub tau: f64,
    pub leaf_prediction: RegLeafPrediction,
    pub leaf_model: LeafModelConfig,
    pub model_selector_decay: f64,
    /// Decimal places numeric values are rounded to before entering the E-BST (river's
    /// `TEBSTSplitter(digits)`); None keeps them whole (`EBSTSplitter`).
    pub digits: Option<u32>,
    pub min_samples_split: f64,
    pub binary_split: bool,
    pub max_size_mib: f64,
    pub memory_estimate_period: f64,
    pub stop_mem_management: bool,
    pub remove_poor_attrs: bool,
    pub merit_preprune: bool,
}

impl Default for HtrConfig {
    fn default() -> Self {
        HtrConfig {
            grace_period: 200.0,
            max_depth: usize::MAX,
            delta: 1e-7,
            tau: 0.05,
            leaf_prediction: RegLeafPrediction::Adaptive,
            leaf_model: LeafModelConfig::default(),
            model_selector_decay: 0.95,
            digits: Some(1),
            min_samples_split: 5.0,
            binary_split: false,
            max_size_mib: 500.0,
            memory_estimate_period: 1_000_000.0,
            stop_mem_management: false,
            remove_poor_attrs: false,
            merit_preprune: true,
        }
    }
}

impl HtrConfig {
    pub fn validate(&self) -> Result<()> {
        check_positive("grace_period", self.grace_period)?;
        check_range("delta", self.delta, f64::MIN_POSITIVE, 1.0)?;
        check_non_negative("tau", self.tau)?;
        check_range("model_selector_decay", self.model_selector_decay, 0.0, 1.0)?;
        check_non_negative("min_samples_split", self.min_samples_split)?;
        check_positive("max_size", self.max_size_mib)?;
        check_positive("memory_estimate_period", self.memory_estimate_period)?;
        check_non_negative("leaf_model.lr", self.leaf_model.lr)?;
        check_non_negative("leaf_model.intercept_lr", self.leaf_model.intercept_lr)?;
        check_non_negative("leaf_model.l2", self.leaf_model.l2)?;
        check_positive("leaf_model.clip_gradient", self.leaf_model.clip_gradient)?;
        if !self.leaf_model.intercept_init.is_finite() {
            return Err(param("leaf_model.intercept_init", "must be finite"));
        }
        if let Some(d) = self.digits {
            if d > 15 {
                return Err(param(
                    "splitter.digits",
                    format!("must be in 0..=15, got {d}"),
                ));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum RegSplitter {
    Numeric(Ebst),
    Nominal(NominalReg),
}

impl RegSplitter {
    fn heap_bytes(&self) -> usize {
        match self {
            RegSplitter::Numeric(e) => e.heap_bytes(),
            RegSplitter::Nominal(n) => n.stats.capacity() * std::mem::size_of::<(u32, TargetVar)>(),
        }
    }
}

/// A split suggestion; `kind` None is the null split ("do not split").
#[derive(Debug, Clone)]
struct Suggestion {
    merit: f64,
    feature: usize,
    kind: Option<SplitKind>,
    children: Vec<TargetVar>,
}

impl Suggestion {
    fn null() -> Self {
        Suggestion {
            merit: f64::NEG_INFINITY,
            feature: usize::MAX,
            kind: None,
            children: vec![],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct RegLeaf {
    stats: TargetVar,
    depth: usize,
    active: bool,
    splitters: Vec<(usize, RegSplitter)>,
    disabled: Vec<usize>,
    last_split_attempt_at: f64,
    model: Option<LinearRegression>,
    fmse_mean: f64,
    fmse_model: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct RegBranch {
    feature: usize,
    kind: BranchKind,
    children: Vec<usize>,
    depth: usize,
    stats: TargetVar,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum RegNode {
    Leaf(RegLeaf),
    Branch(RegBranch),
}

/// Numeric features of `x`, the inputs of the leaf models (nominal ones are left out: river's
/// linear model cannot take them either).
fn numeric_items(x: &Instance) -> Vec<(usize, f64)> {
    x.items
        .iter()
        .filter_map(|&(f, v)| match v {
            Value::Num(n) => Some((f, n)),
            _ => None,
        })
        .collect()
}

impl RegLeaf {
    fn new(stats: TargetVar, depth: usize, model: Option<LinearRegression>) -> Self {
        RegLeaf {
            last_split_attempt_at: stats.n,
            stats,
            depth,
            active: true,
            splitters: vec![],
            disabled: vec![],
            model,
            fmse_mean: 0.0,
            fmse_model: 0.0,
        }
    }

    fn prediction(&self, x: &Instance, cfg: &HtrConfig) -> f64 {
        let model = |m: &LinearRegression| m.predict(&numeric_items(x));
        match (cfg.leaf_prediction, &self.model) {
            (RegLeafPrediction::Mean, _) | (_, None) => self.stats.mean,
            (RegLeafPrediction::Model, Some(m)) => model(m),
            (RegLeafPrediction::Adaptive, Some(m)) => {
                if self.fmse_mean < self.fmse_model {
                    self.stats.mean
                } else {
                    model(m)
                }
            }
        }
    }

    fn learn(&mut self, x: &Instance, y: f64, w: f64, cfg: &HtrConfig, nominal: &[bool]) {
        let items = numeric_items(x);
        if cfg.leaf_prediction == RegLeafPrediction::Adaptive {
            if let Some(m) = &self.model {
                let mean_err = y - self.stats.mean;
                let model_err = y - m.predict(&items);
                let decay = cfg.model_selector_decay;
                self.fmse_mean = decay * self.fmse_mean + mean_err * mean_err;
                self.fmse_model = decay * self.fmse_model + model_err * model_err;
            }
        }
        self.stats.update(y, w);
        if self.active {
            for &(feature, v) in &x.items {
                if self.disabled.contains(&feature) || v == Value::Missing {
                    continue;
                }
                let pos = match self.splitters.iter().position(|(f, _)| *f == feature) {
                    Some(p) => p,
                    None => {
                        let is_nominal = nominal.get(feature).copied().unwrap_or(false)
                            || matches!(v, Value::Cat(_));
                        let s = if is_nominal {
                            RegSplitter::Nominal(NominalReg::default())
                        } else {
                            RegSplitter::Numeric(Ebst::new(cfg.digits))
                        };
                        self.splitters.push((feature, s));
                        self.splitters.len() - 1
                    }
                };
                match (&mut self.splitters[pos].1, v) {
                    (RegSplitter::Numeric(e), Value::Num(n)) => e.update(n, y, w),
                    (RegSplitter::Nominal(s), Value::Cat(c)) => s.update(c, y, w),
                    // A numeric value for a declared-nominal feature: its own category.
                    (RegSplitter::Nominal(s), Value::Num(n)) => s.update(n.to_bits() as u32, y, w),
                    _ => {}
                }
            }
        }
        if let Some(m) = &mut self.model {
            m.learn(&items, y, w);
        }
    }

    fn best_split_suggestions(&self, cfg: &HtrConfig, rank: &[u32]) -> Vec<Suggestion> {
        let mut out = Vec::with_capacity(self.splitters.len() + 1);
        if cfg.merit_preprune {
            out.push(Suggestion::null());
        }
        let min = cfg.min_samples_split;
        for (feature, s) in &self.splitters {
            let suggestion = match s {
                RegSplitter::Numeric(e) => match e.best_split(&self.stats, min) {
                    Some(c) => Suggestion {
                        merit: c.merit,
                        feature: *feature,
                        kind: Some(SplitKind::NumericBinary(c.threshold)),
                        children: c.children.to_vec(),
                    },
                    None => Suggestion::null(),
                },
                RegSplitter::Nominal(n) => nominal_best(n, &self.stats, *feature, cfg, rank),
            };
            out.push(suggestion);
        }
        out
    }

    fn heap_bytes(&self) -> usize {
        std::mem::size_of::<RegLeaf>()
            + self
                .splitters
                .iter()
                .map(|(_, s)| 16 + s.heap_bytes())
                .sum::<usize>()
            + self.model.as_ref().map_or(0, |m| m.heap_bytes())
    }
}

/// river's `NominalSplitterReg`: the multiway split over the values in sorted order (when
/// allowed and there are more than two), then each one-versus-rest split if strictly better.
fn nominal_best(
    n: &NominalReg,
    pre: &TargetVar,
    feature: usize,
    cfg: &HtrConfig,
    rank: &[u32],
) -> Suggestion {
    let mut ordered: Vec<&(u32, TargetVar)> = n.stats.iter().collect();
    ordered.sort_by_key(|(v, _)| rank.get(*v as usize).copied().unwrap_or(u32::MAX));
    let min = cfg.min_samples_split;
    let mut best = Suggestion::null();
    if !cfg.binary_split && ordered.len() > 2 {
        let post: Vec<TargetVar> = ordered.iter().map(|(_, s)| *s).collect();
        best = Suggestion {
            merit: variance_reduction(pre, &post, min),
            feature,
            kind: Some(SplitKind::NominalMultiway(
                ordered.iter().map(|(v, _)| *v).collect(),
            )),
            children: post,
        };
    }
    for (v, s) in ordered {
        let rest = pre.minus(s);
        let merit = variance_reduction(pre, &[*s, rest], min);
        if merit > best.merit {
            best = Suggestion {
                merit,
                feature,
                kind: Some(SplitKind::NominalBinary(*v)),
                children: vec![*s, rest],
            };
        }
    }
    best
}

/// A Hoeffding tree regressor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoeffdingTreeRegressor {
    cfg: HtrConfig,
    nodes: Vec<RegNode>,
    root: Option<usize>,
    nominal: Vec<bool>,
    /// Rank of each nominal value id in the caller's sort order of the values themselves.
    value_rank: Vec<u32>,
    n_active_leaves: i64,
    n_inactive_leaves: i64,
    size: SizeEstimate,
    growth_allowed: bool,
    weight_seen: f64,
}

impl HoeffdingTreeRegressor {
    pub fn new(cfg: HtrConfig) -> Result<Self> {
        cfg.validate()?;
        Ok(HoeffdingTreeRegressor {
            cfg,
            nodes: vec![],
            root: None,
            nominal: vec![],
            value_rank: vec![],
            n_active_leaves: 0,
            n_inactive_leaves: 0,
            size: SizeEstimate::default(),
            growth_allowed: true,
            weight_seen: 0.0,
        })
    }

    pub fn config(&self) -> &HtrConfig {
        &self.cfg
    }

    pub fn set_nominal(&mut self, feature: usize) {
        if self.nominal.len() <= feature {
            self.nominal.resize(feature + 1, false);
        }
        self.nominal[feature] = true;
    }

    /// The sort order of the nominal values (`rank[value id]`), which multiway splits follow.
    pub fn set_value_rank(&mut self, rank: Vec<u32>) {
        self.value_rank = rank;
    }

    fn check(x: &Instance, y: f64, w: f64) -> Result<()> {
        // Features first, then the target, then the weight: the order river's users see.
        check_sample(x, 1.0)?;
        if !y.is_finite() {
            return Err(value("y", format!("must be a finite number, got {y}")));
        }
        if !(w.is_finite() && w > 0.0) {
            return Err(value("w", format!("must be finite and > 0, got {w}")));
        }
        Ok(())
    }

    fn new_model(&self) -> Option<LinearRegression> {
        let m = &self.cfg.leaf_model;
        match self.cfg.leaf_prediction {
            RegLeafPrediction::Mean => None,
            _ => Some(LinearRegression::new(
                m.lr,
                m.intercept_lr,
                m.l2,
                m.clip_gradient,
                m.intercept_init,
            )),
        }
    }

    fn push_leaf(&mut self, leaf: RegLeaf) -> usize {
        self.nodes.push(RegNode::Leaf(leaf));
        self.nodes.len() - 1
    }

    fn total_weight(&self, id: usize) -> f64 {
        match &self.nodes[id] {
            RegNode::Leaf(l) => l.stats.n,
            RegNode::Branch(b) => b.children.iter().map(|&c| self.total_weight(c)).sum(),
        }
    }

    fn most_common_path(&self, b: &RegBranch) -> usize {
        let mut best = 0;
        let mut best_w = f64::NEG_INFINITY;
        for (i, &c) in b.children.iter().enumerate() {
            let w = self.total_weight(c);
            let better = if b.children.len() == 2 {
                i == 0 || w > best_w
            } else {
                w > best_w
            };
            if better {
                best = i;
                best_w = w;
            }
        }
        b.children[best]
    }

    fn leaf_for(&self, x: &Instance) -> Option<usize> {
        let mut id = self.root?;
        loop {
            match &self.nodes[id] {
                RegNode::Leaf(_) => return Some(id),
                RegNode::Branch(b) => {
                    id = match b.kind.route(x.get(b.feature)) {
                        Some(i) => b.children[i],
                        None => self.most_common_path(b),
                    };
                }
            }
        }
    }

    /// Learns one sample with target `y`.
    pub fn learn_one(&mut self, x: &Instance, y: f64, w: f64) -> Result<()> {
        Self::check(x, y, w)?;
        self.weight_seen += w;
        let root = match self.root {
            Some(r) => r,
            None => {
                let leaf = RegLeaf::new(TargetVar::default(), 0, self.new_model());
                let r = self.push_leaf(leaf);
                self.root = Some(r);
                self.n_active_leaves = 1;
                r
            }
        };
        let mut node = root;
        while let RegNode::Branch(b) = &self.nodes[node] {
            match b.kind.route(x.get(b.feature)) {
                Some(i) => node = b.children[i],
                None => break,
            }
        }
        let reached_leaf = matches!(self.nodes[node], RegNode::Leaf(_));
        if !reached_leaf {
            // As river: a new nominal value grows a child of a multiway branch; otherwise the
            // sample follows the most common path, and no split is attempted.
            while let RegNode::Branch(b) = &self.nodes[node] {
                let depth = b.depth;
                if let (BranchKind::NominalMultiway(_), Value::Cat(v)) = (&b.kind, x.get(b.feature))
                {
                    let leaf = RegLeaf::new(TargetVar::default(), depth + 1, self.new_model());
                    let leaf = self.push_leaf(leaf);
                    if let RegNode::Branch(b) = &mut self.nodes[node] {
                        if let BranchKind::NominalMultiway(values) = &mut b.kind {
                            values.push(v);
                        }
                        b.children.push(leaf);
                    }
                    self.n_active_leaves += 1;
                    node = leaf;
                } else {
                    node = self.most_common_path(b);
                    while let RegNode::Branch(b) = &self.nodes[node] {
                        match b.kind.route(x.get(b.feature)) {
                            Some(i) => node = b.children[i],
                            None => break,
                        }
                    }
                }
            }
        }
        let cfg = self.cfg.clone();
        let nominal = std::mem::take(&mut self.nominal);
        if let RegNode::Leaf(leaf) = &mut self.nodes[node] {
            leaf.learn(x, y, w, &cfg, &nominal);
        }
        self.nominal = nominal;
        if reached_leaf {
            let (active, depth, seen, last) = match &self.nodes[node] {
                RegNode::Leaf(l) => (l.active, l.depth, l.stats.n, l.last_split_attempt_at),
                RegNode::Branch(_) => (false, 0, 0.0, 0.0),
            };
            if self.growth_allowed && active {
                if depth >= self.cfg.max_depth {
                    if let RegNode::Leaf(l) = &mut self.nodes[node] {
                        l.active = false;
                        l.splitters = vec![];
                    }
                    self.n_active_leaves -= 1;
                    self.n_inactive_leaves += 1;
                } else if seen - last >= self.cfg.grace_period {
                    self.attempt_to_split(node);
                    if let RegNode::Leaf(l) = &mut self.nodes[node] {
                        l.last_split_attempt_at = seen;
                    }
                }
            }
        }
        if self.weight_seen % self.cfg.memory_estimate_period == 0.0 {
            self.estimate_model_size();
        }
        Ok(())
    }

    fn attempt_to_split(&mut self, node: usize) {
        let RegNode::Leaf(leaf) = &self.nodes[node] else {
            return;
        };
        let mut suggestions = leaf.best_split_suggestions(&self.cfg, &self.value_rank);
        // Stable sort by merit, as Python's list.sort.
        suggestions.sort_by(|a, b| {
            a.merit
                .partial_cmp(&b.merit)
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut should_split = false;
        let mut bound = 0.0;
        let n = suggestions.len();
        if n < 2 {
            should_split = n > 0;
        } else {
            // Merits are compared as a ratio, whose range is 1.
            bound = hoeffding_bound(1.0, self.cfg.delta, leaf.stats.n);
            let best = &suggestions[n - 1];
            let second = &suggestions[n - 2];
            if best.merit > 0.0 && (second.merit / best.merit < 1.0 - bound || bound < self.cfg.tau)
            {
                should_split = true;
            }
            if self.cfg.remove_poor_attrs {
                let ratio = second.merit / best.merit;
                let poor: Vec<usize> = suggestions
                    .iter()
                    .filter(|s| s.kind.is_some() && s.merit / best.merit < ratio - 2.0 * bound)
                    .map(|s| s.feature)
                    .collect();
                if let RegNode::Leaf(l) = &mut self.nodes[node] {
                    for f in poor {
                        if let Some(p) = l.splitters.iter().position(|(g, _)| *g == f) {
                            l.splitters.remove(p);
                        }
                        if !l.disabled.contains(&f) {
                            l.disabled.push(f);
                        }
                    }
                }
            }
        }
        if should_split {
            let Some(decision) = suggestions.pop() else {
                return;
            };
            match decision.kind {
                None => {
                    if let RegNode::Leaf(l) = &mut self.nodes[node] {
                        l.active = false;
                        l.splitters = vec![];
                    }
                    self.n_inactive_leaves += 1;
                    self.n_active_leaves -= 1;
                }
                Some(kind) => self.split(node, decision.feature, kind, decision.children),
            }
            self.enforce_size_limit();
        } else if n >= 2 && suggestions[n - 1].merit > 0.0 && suggestions[n - 2].merit > 0.0 {
            let best = suggestions[n - 1].merit;
            let ratio = suggestions[n - 2].merit / best;
            let min = self.cfg.min_samples_split;
            if let RegNode::Leaf(l) = &mut self.nodes[node] {
                let pre = l.stats;
                for (_, s) in l.splitters.iter_mut() {
                    if let RegSplitter::Numeric(e) = s {
                        e.remove_bad_splits(&pre, min, ratio, best, bound);
                    }
                }
            }
        }
    }

    fn split(&mut self, node: usize, feature: usize, kind: SplitKind, children: Vec<TargetVar>) {
        let RegNode::Leaf(parent) = &self.nodes[node] else {
            return;
        };
        let (depth, stats) = (parent.depth, parent.stats);
        // Children start from copies of the parent's model and its error traces.
        let (model, fmse_mean, fmse_model) =
            (parent.model.clone(), parent.fmse_mean, parent.fmse_model);
        let ids: Vec<usize> = children
            .into_iter()
            .map(|s| {
                let mut leaf = RegLeaf::new(s, depth + 1, model.clone());
                if self.cfg.leaf_prediction == RegLeafPrediction::Adaptive {
                    leaf.fmse_mean = fmse_mean;
                    leaf.fmse_model = fmse_model;
                }
                self.push_leaf(leaf)
            })
            .collect();
        self.n_active_leaves += ids.len() as i64 - 1;
        let kind = match kind {
            SplitKind::NumericBinary(t) => BranchKind::NumericBinary(t),
            SplitKind::NominalBinary(v) => BranchKind::NominalBinary(v),
            SplitKind::NominalMultiway(v) => BranchKind::NominalMultiway(v),
        };
        self.nodes[node] = RegNode::Branch(RegBranch {
            feature,
            kind,
            children: ids,
            depth,
            stats,
        });
    }

    fn leaves(&self) -> Vec<usize> {
        let mut out = vec![];
        let mut stack: Vec<usize> = self.root.into_iter().collect();
        while let Some(id) = stack.pop() {
            match &self.nodes[id] {
                RegNode::Leaf(_) => out.push(id),
                RegNode::Branch(b) => stack.extend(b.children.iter().rev()),
            }
        }
        out
    }

    fn max_bytes(&self) -> f64 {
        self.cfg.max_size_mib * (1u64 << 20) as f64
    }

    fn enforce_size_limit(&mut self) {
        if self
            .size
            .over_budget(self.n_inactive_leaves, self.max_bytes())
            && self.cfg.stop_mem_management
        {
            self.growth_allowed = false;
            return;
        }
        let mut leaves = self.leaves();
        // river ranks regression leaves by promise = -depth (deepest first to deactivate).
        leaves.sort_by_key(|&id| match &self.nodes[id] {
            RegNode::Leaf(l) => std::cmp::Reverse(l.depth),
            RegNode::Branch(_) => std::cmp::Reverse(0),
        });
        let cutoff = self.size.cutoff(leaves.len(), self.max_bytes());
        let max_depth = self.cfg.max_depth;
        for (i, &id) in leaves.iter().enumerate() {
            if let RegNode::Leaf(l) = &mut self.nodes[id] {
                if i < cutoff {
                    if l.active {
                        l.active = false;
                        l.splitters = vec![];
                        self.n_inactive_leaves += 1;
                        self.n_active_leaves -= 1;
                    }
                } else if !l.active && l.depth < max_depth {
                    l.active = true;
                    self.n_active_leaves += 1;
                    self.n_inactive_leaves -= 1;
                }
            }
        }
    }

    fn estimate_model_size(&mut self) {
        let (mut active, mut inactive) = (0usize, 0usize);
        for id in self.leaves() {
            if let RegNode::Leaf(l) = &self.nodes[id] {
                if l.active {
                    active += l.heap_bytes();
                } else {
                    inactive += l.heap_bytes();
                }
            }
        }
        let actual = self.memory_bytes() as f64;
        let max = self.max_bytes();
        let over = self.size.measure(
            (active, self.n_active_leaves),
            (inactive, self.n_inactive_leaves),
            actual,
            max,
        );
        if over {
            self.enforce_size_limit();
        }
    }

    /// Approximate bytes held by the tree.
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self
                .nodes
                .iter()
                .map(|n| match n {
                    RegNode::Leaf(l) => l.heap_bytes(),
                    RegNode::Branch(b) => {
                        std::mem::size_of::<RegBranch>() + b.children.capacity() * 8
                    }
                })
                .sum::<usize>()
    }

    /// The prediction for `x`; 0 before any learning, as river.
    pub fn predict_one(&self, x: &Instance) -> Result<f64> {
        Self::check(x, 0.0, 1.0)?;
        Ok(match self.leaf_for(x) {
            Some(id) => match &self.nodes[id] {
                RegNode::Leaf(l) => l.prediction(x, &self.cfg),
                RegNode::Branch(_) => 0.0,
            },
            None => 0.0,
        })
    }

    pub fn n_nodes(&self) -> usize {
        self.structure().len()
    }
    pub fn n_leaves(&self) -> usize {
        self.leaves().len()
    }
    pub fn n_branches(&self) -> usize {
        self.n_nodes() - self.n_leaves()
    }
    pub fn n_active_leaves(&self) -> i64 {
        self.n_active_leaves
    }
    pub fn n_inactive_leaves(&self) -> i64 {
        self.n_inactive_leaves
    }
    pub fn weight_seen(&self) -> f64 {
        self.weight_seen
    }
    pub fn height(&self) -> usize {
        let Some(root) = self.root else {
            return 0;
        };
        let mut best = 0;
        let mut stack = vec![(root, 1usize)];
        while let Some((id, d)) = stack.pop() {
            best = best.max(d);
            if let RegNode::Branch(b) = &self.nodes[id] {
                stack.extend(b.children.iter().map(|&c| (c, d + 1)));
            }
        }
        best
    }

    /// The target statistics (weight, mean, variance) of the leaf `x` reaches.
    pub fn leaf_stats(&self, x: &Instance) -> Option<(f64, f64, f64)> {
        let id = self.leaf_for(x)?;
        match &self.nodes[id] {
            RegNode::Leaf(l) => Some((l.stats.n, l.stats.mean, l.stats.variance())),
            RegNode::Branch(_) => None,
        }
    }

    /// Every node in pre-order, as the classifier's `structure`; a leaf shows its weight and
    /// mean target as a two-entry distribution (ids 0 and 1).
    pub fn structure(&self) -> Vec<NodeView> {
        let mut out = vec![];
        let Some(root) = self.root else {
            return out;
        };
        let mut stack = vec![(root, None, 0usize)];
        while let Some((id, parent, child)) = stack.pop() {
            let at = out.len();
            match &self.nodes[id] {
                RegNode::Leaf(l) => out.push(NodeView {
                    parent,
                    child,
                    step: PathStep::Leaf(super::ClassDist(vec![(0, l.stats.n), (1, l.stats.mean)])),
                }),
                RegNode::Branch(b) => {
                    out.push(NodeView {
                        parent,
                        child,
                        step: PathStep::Branch {
                            feature: b.feature,
                            split: b.kind.view(),
                            child: 0,
                        },
                    });
                    for (i, &c) in b.children.iter().enumerate().rev() {
                        stack.push((c, Some(at), i));
                    }
                }
            }
        }
        out
    }

    /// The branches `x` passes on its way to a leaf, then the leaf's (weight, mean).
    pub fn path(&self, x: &Instance) -> Vec<PathStep> {
        let mut out = vec![];
        let Some(mut id) = self.root else {
            return out;
        };
        loop {
            match &self.nodes[id] {
                RegNode::Leaf(l) => {
                    out.push(PathStep::Leaf(super::ClassDist(vec![
                        (0, l.stats.n),
                        (1, l.stats.mean),
                    ])));
                    return out;
                }
                RegNode::Branch(b) => {
                    let child = match b.kind.route(x.get(b.feature)) {
                        Some(i) => i,
                        None => {
                            let target = self.most_common_path(b);
                            b.children.iter().position(|&c| c == target).unwrap_or(0)
                        }
                    };
                    out.push(PathStep::Branch {
                        feature: b.feature,
                        split: b.kind.view(),
                        child,
                    });
                    id = b.children[child];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x1(v: f64) -> Instance {
        let mut x = Instance::new();
        x.push(0, Value::Num(v));
        x
    }

    #[test]
    fn learns_a_step_function() {
        let cfg = HtrConfig {
            grace_period: 50.0,
            leaf_prediction: RegLeafPrediction::Mean,
            ..HtrConfig::default()
        };
        let mut t = HoeffdingTreeRegressor::new(cfg).unwrap();
        for i in 0..2000 {
            let v = (i % 100) as f64 / 10.0;
            t.learn_one(&x1(v), if v < 5.0 { 1.0 } else { 9.0 }, 1.0)
                .unwrap();
        }
        assert!(t.n_nodes() >= 3);
        assert!((t.predict_one(&x1(2.0)).unwrap() - 1.0).abs() < 1e-9);
        assert!((t.predict_one(&x1(8.0)).unwrap() - 9.0).abs() < 1e-9);
    }

    #[test]
    fn rejects_bad_values_and_keeps_state() {
        let mut t = HoeffdingTreeRegressor::new(HtrConfig::default()).unwrap();
        t.learn_one(&x1(1.0), 2.0, 1.0).unwrap();
        let before = t.clone();
        assert!(t.learn_one(&x1(f64::NAN), 1.0, 1.0).is_err());
        assert!(t.learn_one(&x1(1.0), f64::INFINITY, 1.0).is_err());
        assert!(t.learn_one(&x1(1.0), 1.0, -1.0).is_err());
        assert_eq!(t, before);
        assert!(HoeffdingTreeRegressor::new(HtrConfig {
            grace_period: 0.0,
            ..HtrConfig::default()
        })
        .is_err());
    }
}
