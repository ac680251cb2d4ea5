//! Hoeffding Adaptive Tree classifier (Bifet & Gavaldà 2009, "Adaptive Learning from Evolving
//! Data Streams"), following river 0.26's `tree.HoeffdingAdaptiveTreeClassifier` step by step:
//! every node monitors its error with its own drift detector, a detected increase grows an
//! alternate subtree, and the alternate replaces the original once it is significantly better
//! (or is dropped once significantly worse). Leaves learn with Poisson(1) bootstrap weights
//! drawn from CPython's generator, so that a seeded tree makes river's draws.

use super::hoeffding_tree_classifier::{BranchKind, HtConfig, Leaf, NodeView, PathStep};
use super::splitter::SplitKind;
use super::{check_sample, ClassDist, Instance, SizeEstimate, Value};
use crate::drift::{Detector, DriftDetector};
use crate::error::{check_positive, check_range, Result};
use crate::pyrandom::PyRandom;
use serde::{Deserialize, Serialize};

/// HAT's hyperparameters on top of the Hoeffding tree's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HatConfig {
    pub tree: HtConfig,
    pub bootstrap_sampling: bool,
    pub drift_window_threshold: f64,
    pub switch_significance: f64,
}

impl HatConfig {
    pub fn validate(&self) -> Result<()> {
        self.tree.validate()?;
        check_positive("drift_window_threshold", self.drift_window_threshold)?;
        check_range(
            "switch_significance",
            self.switch_significance,
            f64::MIN_POSITIVE,
            1.0,
        )?;
        Ok(())
    }
}

/// river's `stats.Mean` of 0/1 errors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct ErrorMean {
    n: f64,
    mean: f64,
}

impl ErrorMean {
    fn update(&mut self, x: f64) {
        self.n += 1.0;
        self.mean += (1.0 / self.n) * (x - self.mean);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct AdaLeaf {
    leaf: Leaf,
    detector: Detector,
    error: ErrorMean,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct AdaBranch {
    feature: usize,
    kind: BranchKind,
    children: Vec<usize>,
    depth: usize,
    stats: ClassDist,
    detector: Detector,
    error: ErrorMean,
    alternate: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum HatNode {
    Leaf(AdaLeaf),
    Branch(AdaBranch),
}

/// A Hoeffding Adaptive Tree over dense class ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoeffdingAdaptiveTreeClassifier {
    cfg: HatConfig,
    /// A fresh detector, cloned into every new node.
    prototype: Detector,
    nodes: Vec<HatNode>,
    root: Option<usize>,
    nominal: Vec<bool>,
    n_classes: usize,
    n_active_leaves: i64,
    n_inactive_leaves: i64,
    size: SizeEstimate,
    weight_seen: f64,
    rng: PyRandom,
    n_alternate_trees: u64,
    n_pruned_alternate_trees: u64,
    n_switch_alternate_trees: u64,
    /// Learn calls since the arena was last checked for replaced subtrees.
    since_compaction_check: u32,
}

impl HoeffdingAdaptiveTreeClassifier {
    pub fn new(cfg: HatConfig, detector: Detector, seed: u64) -> Result<Self> {
        cfg.validate()?;
        Ok(HoeffdingAdaptiveTreeClassifier {
            cfg,
            prototype: detector,
            nodes: vec![],
            root: None,
            nominal: vec![],
            n_classes: 0,
            n_active_leaves: 0,
            n_inactive_leaves: 0,
            size: SizeEstimate::default(),
            weight_seen: 0.0,
            rng: PyRandom::new(seed),
            n_alternate_trees: 0,
            n_pruned_alternate_trees: 0,
            n_switch_alternate_trees: 0,
            since_compaction_check: 0,
        })
    }

    pub fn set_nominal(&mut self, feature: usize) {
        if self.nominal.len() <= feature {
            self.nominal.resize(feature + 1, false);
        }
        self.nominal[feature] = true;
    }

    pub fn set_binary_classes(&mut self, neg: Option<usize>, pos: Option<usize>) {
        if let super::criterion::Criterion::Hellinger { .. } = self.cfg.tree.criterion {
            self.cfg.tree.criterion = super::criterion::Criterion::Hellinger { neg, pos };
        }
    }

    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    fn new_leaf(&mut self, stats: ClassDist, depth: usize) -> usize {
        self.nodes.push(HatNode::Leaf(AdaLeaf {
            leaf: Leaf::new(stats, depth),
            detector: self.prototype.clone(),
            error: ErrorMean::default(),
        }));
        self.nodes.len() - 1
    }

    /// Learns one sample of class `y` (a class id; new ids may appear at any time).
    pub fn learn_one(&mut self, x: &Instance, y: usize, w: f64) -> Result<()> {
        check_sample(x, w)?;
        self.n_classes = self.n_classes.max(y + 1);
        self.weight_seen += w;
        let root = match self.root {
            Some(r) => r,
            None => {
                let r = self.new_leaf(ClassDist::default(), 0);
                self.root = Some(r);
                self.n_active_leaves = 1;
                r
            }
        };
        self.learn_node(root, x, y, w, None, None);
        if self.weight_seen % self.cfg.tree.memory_estimate_period == 0.0 {
            self.estimate_model_size();
        }
        self.compact_if_sparse();
        Ok(())
    }

    fn learn_node(
        &mut self,
        id: usize,
        x: &Instance,
        y: usize,
        w: f64,
        parent: Option<usize>,
        parent_branch: Option<usize>,
    ) {
        match &self.nodes[id] {
            HatNode::Leaf(_) => self.learn_leaf(id, x, y, w, parent, parent_branch),
            HatNode::Branch(_) => self.learn_branch(id, x, y, w, parent, parent_branch),
        }
    }

    /// The class distribution a leaf votes with, weighted by its monitored error (None for a
    /// leaf that has seen nothing).
    fn leaf_vote(&self, id: usize, x: &Instance) -> Option<ClassDist> {
        let HatNode::Leaf(a) = &self.nodes[id] else {
            return None;
        };
        if a.leaf.stats.is_empty() {
            return None;
        }
        let mut dist = a.leaf.prediction(x, &self.cfg.tree);
        let sum: f64 = dist.0.iter().map(|(_, v)| v).sum();
        let err = a.error.mean;
        let factor = sum * err * err;
        if factor != 0.0 && !factor.is_nan() {
            let scale = 1.0 / factor;
            for (_, v) in dist.0.iter_mut() {
                *v *= scale;
            }
        }
        Some(dist)
    }

    fn error_indicator(&self, leaf: usize, x: &Instance, y: usize) -> f64 {
        let predicted = self.leaf_vote(leaf, x).and_then(|d| d.argmax());
        if predicted == Some(y) {
            0.0
        } else {
            1.0
        }
    }

    fn learn_leaf(
        &mut self,
        id: usize,
        x: &Instance,
        y: usize,
        mut w: f64,
        parent: Option<usize>,
        parent_branch: Option<usize>,
    ) {
        if self.cfg.bootstrap_sampling {
            // As river: a zero draw leaves the weight as it is.
            let k = self.rng.poisson(1.0);
            if k > 0 {
                w *= k as f64;
            }
        }
        let detec = self.error_indicator(id, x, y);
        let cfg = self.cfg.tree.clone();
        let nominal = std::mem::take(&mut self.nominal);
        let HatNode::Leaf(a) = &mut self.nodes[id] else {
            self.nominal = nominal;
            return;
        };
        let old_error = a.error.mean;
        // 0/1 values are always valid input for every detector.
        let _ = a.detector.update(detec);
        a.error.update(detec);
        if a.detector.drift_detected() && old_error > a.error.mean {
            a.error = ErrorMean::default();
        }
        a.leaf.learn(x, y, w, &cfg, &nominal, None);
        self.nominal = nominal;
        let seen = a.leaf.stats.total();
        if seen - a.leaf.last_split_attempt_at >= cfg.grace_period {
            if a.leaf.depth >= cfg.max_depth {
                a.leaf.deactivate();
                self.n_inactive_leaves += 1;
                self.n_active_leaves -= 1;
            } else if a.leaf.active {
                self.attempt_to_split(id, parent, parent_branch);
                if let HatNode::Leaf(a) = &mut self.nodes[id] {
                    a.leaf.last_split_attempt_at = seen;
                }
            }
        }
    }

    fn attempt_to_split(&mut self, id: usize, parent: Option<usize>, parent_branch: Option<usize>) {
        let HatNode::Leaf(a) = &self.nodes[id] else {
            return;
        };
        // HAT's leaves are naive-Bayes-adaptive leaves, which keep every observer: the
        // poor-attribute list is not applied (as in river).
        let (decision, _poor) = a.leaf.split_decision(&self.cfg.tree);
        let Some(decision) = decision else {
            return;
        };
        match decision.kind {
            None => {
                if let HatNode::Leaf(a) = &mut self.nodes[id] {
                    a.leaf.deactivate();
                }
                self.n_inactive_leaves += 1;
                self.n_active_leaves -= 1;
            }
            Some(kind) => {
                let (depth, stats) = (a.leaf.depth, a.leaf.stats.clone());
                let children: Vec<usize> = decision
                    .children
                    .into_iter()
                    .map(|s| self.new_leaf(s, depth + 1))
                    .collect();
                self.n_active_leaves += children.len() as i64 - 1;
                let kind = match kind {
                    SplitKind::NumericBinary(t) => BranchKind::NumericBinary(t),
                    SplitKind::NominalBinary(v) => BranchKind::NominalBinary(v),
                    SplitKind::NominalMultiway(v) => BranchKind::NominalMultiway(v),
                };
                self.nodes.push(HatNode::Branch(AdaBranch {
                    feature: decision.feature,
                    kind,
                    children,
                    depth,
                    stats,
                    detector: self.prototype.clone(),
                    error: ErrorMean::default(),
                    alternate: None,
                }));
                let new = self.nodes.len() - 1;
                // As river: the new branch takes the place the caller was reached through,
                // which for an alternate leaf is its owner's place.
                self.replace_child(parent, parent_branch, new);
            }
        }
        self.enforce_size_limit();
    }

    fn replace_child(&mut self, parent: Option<usize>, branch: Option<usize>, new: usize) {
        match (parent, branch) {
            (Some(p), Some(i)) => {
                if let HatNode::Branch(b) = &mut self.nodes[p] {
                    if let Some(slot) = b.children.get_mut(i) {
                        *slot = new;
                    }
                }
            }
            _ => self.root = Some(new),
        }
    }

    fn total_weight(&self, id: usize) -> f64 {
        match &self.nodes[id] {
            HatNode::Leaf(a) => a.leaf.stats.total(),
            HatNode::Branch(b) => b.children.iter().map(|&c| self.total_weight(c)).sum(),
        }
    }

    /// (position, child id) of the heaviest child, river's `most_common_path`.
    fn most_common_path(&self, b: &AdaBranch) -> (usize, usize) {
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
        (best, b.children[best])
    }

    /// The main-tree leaf `x` reaches from `id` (alternates ignored).
    fn main_leaf(&self, mut id: usize, x: &Instance) -> usize {
        loop {
            match &self.nodes[id] {
                HatNode::Leaf(_) => return id,
                HatNode::Branch(b) => {
                    id = match b.kind.route(x.get(b.feature)) {
                        Some(i) => b.children[i],
                        None => self.most_common_path(b).1,
                    };
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn learn_branch(
        &mut self,
        id: usize,
        x: &Instance,
        y: usize,
        w: f64,
        parent: Option<usize>,
        parent_branch: Option<usize>,
    ) {
        let leaf = self.main_leaf(id, x);
        let detec = self.error_indicator(leaf, x, y);
        let threshold = self.cfg.drift_window_threshold;
        let significance = self.cfg.switch_significance;
        let HatNode::Branch(b) = &mut self.nodes[id] else {
            return;
        };
        b.stats.add(y, w);
        let old_error = b.error.mean;
        let _ = b.detector.update(detec);
        b.error.update(detec);
        let mut error_change = b.detector.drift_detected();
        if error_change && old_error > b.error.mean {
            // The error is falling: no adaptation.
            b.error = ErrorMean::default();
            error_change = false;
        }
        if error_change {
            b.error = ErrorMean::default();
            // One level up, so that the alternate does not skip a tree level.
            let depth = b.depth;
            let alt = self.new_leaf(ClassDist::default(), depth);
            if let HatNode::Branch(b) = &mut self.nodes[id] {
                b.alternate = Some(alt);
            }
            self.n_alternate_trees += 1;
        } else if let Some(alt) = b.alternate {
            let (n_obs, old_rate) = (b.error.n, b.error.mean);
            let (alt_n, alt_rate) = match &self.nodes[alt] {
                HatNode::Leaf(a) => (a.error.n, a.error.mean),
                HatNode::Branch(ab) => (ab.error.n, ab.error.mean),
            };
            if alt_n > threshold && n_obs > threshold {
                let n = 1.0 / alt_n + 1.0 / n_obs;
                let bound =
                    (2.0 * old_rate * (1.0 - old_rate) * (2.0 / significance).ln() * n).sqrt();
                if bound < old_rate - alt_rate {
                    self.n_active_leaves -= self.count_leaves(id) as i64;
                    self.n_active_leaves += self.count_leaves(alt) as i64;
                    self.kill_tree_children(id);
                    match (parent, parent_branch) {
                        (Some(_), Some(_)) => {
                            self.replace_child(parent, parent_branch, alt);
                            if let HatNode::Branch(b) = &mut self.nodes[id] {
                                b.alternate = None;
                            }
                        }
                        // The root is switched; as in river, the old root keeps its pointer
                        // and still passes this sample on below.
                        _ => self.root = Some(alt),
                    }
                    self.n_switch_alternate_trees += 1;
                } else if bound < alt_rate - old_rate {
                    if matches!(self.nodes[alt], HatNode::Branch(_)) {
                        self.kill_tree_children(alt);
                    }
                    if let HatNode::Branch(b) = &mut self.nodes[id] {
                        b.alternate = None;
                    }
                    self.n_pruned_alternate_trees += 1;
                }
            }
        }
        let HatNode::Branch(b) = &self.nodes[id] else {
            return;
        };
        if let Some(alt) = b.alternate {
            self.learn_node(alt, x, y, w, parent, parent_branch);
        }
        let HatNode::Branch(b) = &self.nodes[id] else {
            return;
        };
        match b.kind.route(x.get(b.feature)) {
            Some(i) => {
                let child = b.children[i];
                self.learn_node(child, x, y, w, Some(id), Some(i));
            }
            None => {
                if let (BranchKind::NominalMultiway(_), Value::Cat(v)) = (&b.kind, x.get(b.feature))
                {
                    let depth = b.depth;
                    let leaf = self.new_leaf(ClassDist::default(), depth + 1);
                    let mut at = 0;
                    if let HatNode::Branch(b) = &mut self.nodes[id] {
                        if let BranchKind::NominalMultiway(values) = &mut b.kind {
                            values.push(v);
                        }
                        b.children.push(leaf);
                        at = b.children.len() - 1;
                    }
                    self.n_active_leaves += 1;
                    self.learn_node(leaf, x, y, w, Some(id), Some(at));
                } else {
                    let (i, child) = self.most_common_path(b);
                    self.learn_node(child, x, y, w, Some(id), Some(i));
                }
            }
        }
    }

    /// river's `n_leaves` of a node: the leaves of its main subtree (no alternates).
    fn count_leaves(&self, id: usize) -> usize {
        match &self.nodes[id] {
            HatNode::Leaf(_) => 1,
            HatNode::Branch(b) => b.children.iter().map(|&c| self.count_leaves(c)).sum(),
        }
    }

    fn kill_tree_children(&mut self, id: usize) {
        let HatNode::Branch(b) = &self.nodes[id] else {
            return;
        };
        for c in b.children.clone() {
            match &self.nodes[c] {
                HatNode::Branch(cb) => {
                    if let Some(alt) = cb.alternate {
                        self.kill_tree_children(alt);
                        self.n_pruned_alternate_trees += 1;
                        if let HatNode::Branch(cb) = &mut self.nodes[c] {
                            cb.alternate = None;
                        }
                    }
                    self.kill_tree_children(c);
                }
                HatNode::Leaf(a) => {
                    if a.leaf.active {
                        self.n_active_leaves -= 1;
                    } else {
                        self.n_inactive_leaves -= 1;
                    }
                }
            }
        }
    }

    /// Leaves in river's `iter_leaves` order (alternates of branches after their subtree).
    fn leaves(&self) -> Vec<usize> {
        let mut out = vec![];
        if let Some(r) = self.root {
            self.collect_leaves(r, &mut out);
        }
        out
    }

    fn collect_leaves(&self, id: usize, out: &mut Vec<usize>) {
        match &self.nodes[id] {
            HatNode::Leaf(_) => out.push(id),
            HatNode::Branch(b) => {
                for &c in &b.children {
                    self.collect_leaves(c, out);
                    if let HatNode::Branch(cb) = &self.nodes[c] {
                        if let Some(alt) = cb.alternate {
                            self.collect_leaves(alt, out);
                        }
                    }
                }
            }
        }
    }

    fn max_bytes(&self) -> f64 {
        self.cfg.tree.max_size_mib * (1u64 << 20) as f64
    }

    fn enforce_size_limit(&mut self) {
        if self
            .size
            .over_budget(self.n_inactive_leaves, self.max_bytes())
            && self.cfg.tree.stop_mem_management
        {
            // river sets its growth flag here, which HAT's leaves never read.
            return;
        }
        let mut leaves = self.leaves();
        let promises: Vec<f64> = leaves
            .iter()
            .map(|&id| match &self.nodes[id] {
                HatNode::Leaf(a) => a.leaf.promise(),
                HatNode::Branch(_) => 0.0,
            })
            .collect();
        let mut order: Vec<usize> = (0..leaves.len()).collect();
        order.sort_by(|&a, &b| {
            promises[a]
                .partial_cmp(&promises[b])
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        leaves = order.into_iter().map(|i| leaves[i]).collect();
        let cutoff = self.size.cutoff(leaves.len(), self.max_bytes());
        let max_depth = self.cfg.tree.max_depth;
        for (i, &id) in leaves.iter().enumerate() {
            if let HatNode::Leaf(a) = &mut self.nodes[id] {
                if i < cutoff {
                    if a.leaf.active {
                        a.leaf.deactivate();
                        self.n_inactive_leaves += 1;
                        self.n_active_leaves -= 1;
                    }
                } else if !a.leaf.active && a.leaf.depth < max_depth {
                    a.leaf.activate();
                    self.n_active_leaves += 1;
                    self.n_inactive_leaves -= 1;
                }
            }
        }
    }

    fn estimate_model_size(&mut self) {
        let (mut active, mut inactive) = (0usize, 0usize);
        for id in self.leaves() {
            if let HatNode::Leaf(a) = &self.nodes[id] {
                if a.leaf.active {
                    active += a.leaf.heap_bytes();
                } else {
                    inactive += a.leaf.heap_bytes();
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

    /// Nodes reachable from the root (alternates included), in pre-order.
    fn reachable(&self) -> Vec<usize> {
        let mut out = vec![];
        let mut stack: Vec<usize> = self.root.into_iter().collect();
        while let Some(id) = stack.pop() {
            out.push(id);
            if let HatNode::Branch(b) = &self.nodes[id] {
                stack.extend(b.alternate);
                stack.extend(b.children.iter().rev());
            }
        }
        out
    }

    /// Replaced subtrees stay in the arena until they outnumber the live nodes; then the
    /// arena is rebuilt from the live ones (ids change, the tree does not).
    fn compact_if_sparse(&mut self) {
        // Walking the tree costs as much as many samples: look only now and then.
        self.since_compaction_check += 1;
        if self.since_compaction_check < 1024 || self.nodes.len() < 64 {
            return;
        }
        self.since_compaction_check = 0;
        let live = self.reachable();
        if live.len() * 2 >= self.nodes.len() {
            return;
        }
        let mut new_id = vec![usize::MAX; self.nodes.len()];
        for (i, &id) in live.iter().enumerate() {
            new_id[id] = i;
        }
        let mut nodes = Vec::with_capacity(live.len());
        for &id in &live {
            let mut node = self.nodes[id].clone();
            if let HatNode::Branch(b) = &mut node {
                for c in b.children.iter_mut() {
                    *c = new_id[*c];
                }
                b.alternate = b.alternate.map(|a| new_id[a]);
            }
            nodes.push(node);
        }
        self.nodes = nodes;
        self.root = self.root.map(|r| new_id[r]);
    }

    /// Approximate bytes held by the live tree.
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self
                .reachable()
                .iter()
                .map(|&id| match &self.nodes[id] {
                    HatNode::Leaf(a) => a.leaf.heap_bytes() + std::mem::size_of::<AdaLeaf>(),
                    HatNode::Branch(b) => {
                        std::mem::size_of::<AdaBranch>()
                            + b.children.capacity() * 8
                            + b.stats.0.len() * 16
                    }
                })
                .sum::<usize>()
    }

    /// Class probabilities by class id: the error-weighted votes of the leaf `x` reaches and of
    /// the alternate trees on its way, normalised.
    pub fn predict_proba_one(&self, x: &Instance) -> Result<Vec<f64>> {
        check_sample(x, 1.0)?;
        let mut out = vec![0.0; self.n_classes];
        let Some(root) = self.root else {
            return Ok(out);
        };
        let mut found = vec![];
        self.found_leaves(root, x, &mut found);
        for leaf in found {
            if let Some(dist) = self.leaf_vote(leaf, x) {
                for (c, p) in dist.0 {
                    if let Some(slot) = out.get_mut(c) {
                        *slot += p;
                    }
                }
            }
        }
        let total: f64 = out.iter().sum();
        if total != 0.0 && !total.is_nan() {
            let scale = 1.0 / total;
            for v in out.iter_mut() {
                *v *= scale;
            }
        }
        Ok(out)
    }

    fn found_leaves(&self, mut id: usize, x: &Instance, out: &mut Vec<usize>) {
        loop {
            match &self.nodes[id] {
                HatNode::Leaf(_) => {
                    out.push(id);
                    return;
                }
                HatNode::Branch(b) => {
                    if let Some(alt) = b.alternate {
                        self.found_leaves(alt, x, out);
                    }
                    id = match b.kind.route(x.get(b.feature)) {
                        Some(i) => b.children[i],
                        None => self.most_common_path(b).1,
                    };
                }
            }
        }
    }

    /// The raw class weights of the main-tree leaf `x` reaches.
    pub fn leaf_votes(&self, x: &Instance) -> Vec<f64> {
        let mut out = vec![0.0; self.n_classes];
        if let Some(root) = self.root {
            if let HatNode::Leaf(a) = &self.nodes[self.main_leaf(root, x)] {
                for &(c, w) in &a.leaf.stats.0 {
                    if let Some(slot) = out.get_mut(c) {
                        *slot = w;
                    }
                }
            }
        }
        out
    }

    /// Nodes of the main tree (river's `n_nodes` does not count alternates).
    pub fn n_nodes(&self) -> usize {
        self.structure().len()
    }
    /// Leaves of the main tree (river's `n_leaves`; alternates are not counted).
    pub fn n_leaves(&self) -> usize {
        self.root.map_or(0, |r| self.count_leaves(r))
    }
    pub fn n_branches(&self) -> usize {
        self.structure()
            .iter()
            .filter(|n| matches!(n.step, PathStep::Branch { .. }))
            .count()
    }
    pub fn n_active_leaves(&self) -> i64 {
        self.n_active_leaves
    }
    pub fn n_inactive_leaves(&self) -> i64 {
        self.n_inactive_leaves
    }
    pub fn n_alternate_trees(&self) -> u64 {
        self.n_alternate_trees
    }
    pub fn n_pruned_alternate_trees(&self) -> u64 {
        self.n_pruned_alternate_trees
    }
    pub fn n_switch_alternate_trees(&self) -> u64 {
        self.n_switch_alternate_trees
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
            if let HatNode::Branch(b) = &self.nodes[id] {
                stack.extend(b.children.iter().map(|&c| (c, d + 1)));
            }
        }
        best
    }

    /// The main tree in pre-order, as the classifier's `structure`.
    pub fn structure(&self) -> Vec<NodeView> {
        let mut out = vec![];
        let Some(root) = self.root else {
            return out;
        };
        let mut stack = vec![(root, None, 0usize)];
        while let Some((id, parent, child)) = stack.pop() {
            let at = out.len();
            match &self.nodes[id] {
                HatNode::Leaf(a) => out.push(NodeView {
                    parent,
                    child,
                    step: PathStep::Leaf(a.leaf.stats.clone()),
                }),
                HatNode::Branch(b) => {
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

    /// The main-tree path of `x`: branches, then the reached leaf's class weights.
    pub fn path(&self, x: &Instance) -> Vec<PathStep> {
        let mut out = vec![];
        let Some(mut id) = self.root else {
            return out;
        };
        loop {
            match &self.nodes[id] {
                HatNode::Leaf(a) => {
                    out.push(PathStep::Leaf(a.leaf.stats.clone()));
                    return out;
                }
                HatNode::Branch(b) => {
                    let (child, next) = match b.kind.route(x.get(b.feature)) {
                        Some(i) => (i, b.children[i]),
                        None => self.most_common_path(b),
                    };
                    out.push(PathStep::Branch {
                        feature: b.feature,
                        split: b.kind.view(),
                        child,
                    });
                    id = next;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::Adwin;

    fn hat(seed: u64) -> HoeffdingAdaptiveTreeClassifier {
        let cfg = HatConfig {
            tree: HtConfig {
                grace_period: 50.0,
                ..HtConfig::default()
            },
            bootstrap_sampling: true,
            drift_window_threshold: 300.0,
            switch_significance: 0.05,
        };
        let adwin = Detector::Adwin(Adwin::new(0.002, 32, 5, 5, 10).unwrap());
        HoeffdingAdaptiveTreeClassifier::new(cfg, adwin, seed).unwrap()
    }

    fn x1(v: f64) -> Instance {
        let mut x = Instance::new();
        x.push(0, Value::Num(v));
        x
    }

    #[test]
    fn adapts_to_a_flipped_concept() {
        let mut t = hat(1);
        let mut rng = PyRandom::new(3);
        let mut correct_after = 0;
        for i in 0..12_000 {
            let v = rng.random();
            let label = usize::from(v > 0.5) ^ usize::from(i >= 6000);
            if i >= 10_000 {
                let p = t.predict_proba_one(&x1(v)).unwrap();
                let pred = usize::from(p.get(1).copied().unwrap_or(0.0) > 0.5);
                correct_after += usize::from(pred == label);
            }
            t.learn_one(&x1(v), label, 1.0).unwrap();
        }
        assert!(t.n_alternate_trees() >= 1);
        assert!(correct_after as f64 / 2000.0 > 0.9, "{correct_after}");
    }
}
