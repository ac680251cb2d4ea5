//! Target statistics, split-point observers and leaf models for regression trees, with river's
//! arithmetic (its `stats.Var` merges, E-BST traversal and `LinearRegression` SGD step), so
//! that a regression tree makes river's splits at river's moments.

use serde::{Deserialize, Serialize};

/// river's `stats.Var` (ddof 1): weight, mean and sum of squared deviations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetVar {
    pub n: f64,
    pub mean: f64,
    pub s: f64,
}

impl TargetVar {
    pub fn update(&mut self, y: f64, w: f64) {
        let old = self.mean;
        self.n += w;
        self.mean += (w / self.n) * (y - self.mean);
        self.s += w * (y - old) * (y - self.mean);
    }

    /// The sample variance, 0 until the weight exceeds 1.
    pub fn variance(&self) -> f64 {
        if self.n > 1.0 {
            self.s / (self.n - 1.0)
        } else {
            0.0
        }
    }

    /// `self += other`, as river's `Var.__iadd__` (the pooled sum of squares first).
    pub fn add(&mut self, other: &TargetVar) {
        let d = self.mean - other.mean;
        let s = self.s + other.s + d * d * self.n * other.n / (self.n + other.n);
        let old_n = self.n;
        self.n += other.n;
        self.mean = (old_n * self.mean + other.n * other.mean) / self.n;
        self.s = s;
    }

    /// `self -= other`, as river's `Var.__isub__` (the mean first, then the sum of squares).
    pub fn sub(&mut self, other: &TargetVar) {
        let old_n = self.n;
        self.n -= other.n;
        if self.n > 0.0 {
            self.mean = (old_n * self.mean - other.n * other.mean) / self.n;
        } else {
            self.n = 0.0;
            self.mean = 0.0;
        }
        let d = self.mean - other.mean;
        self.s = self.s - other.s - d * d * self.n * other.n / (self.n + other.n);
    }

    pub fn plus(&self, other: &TargetVar) -> TargetVar {
        let mut out = *self;
        out.add(other);
        out
    }

    pub fn minus(&self, other: &TargetVar) -> TargetVar {
        let mut out = *self;
        out.sub(other);
        out
    }
}

/// Variance reduction of a split, 0 when a branch has fewer than `min_samples` weight.
pub fn variance_reduction(pre: &TargetVar, post: &[TargetVar], min_samples: f64) -> f64 {
    if post.iter().any(|p| p.n < min_samples) {
        return 0.0;
    }
    let mut vr = pre.variance();
    for p in post {
        vr -= p.n / pre.n * p.variance();
    }
    vr
}

/// Python's `round(x, digits)`: the double nearest to the correctly rounded decimal.
pub fn python_round(x: f64, digits: u32) -> f64 {
    let scale = 10f64.powi(digits as i32);
    let t = x * scale;
    if t.is_finite() && t.abs() < 1e9 {
        let frac = t - t.floor();
        // Away from a tie, the product's rounding error cannot change the nearest integer, and
        // dividing that integer by the exact power of ten rounds once, as strtod does.
        if (frac - 0.5).abs() > 1e-5 {
            return t.round() / scale;
        }
    }
    if !t.is_finite() || t.abs() >= 1e17 {
        return x;
    }
    // Near a tie, decide on the exact binary value, as CPython does; Rust's fixed-precision
    // formatting rounds the exact value half to even, the same rule.
    format!("{:.*}", digits as usize, x).parse().unwrap_or(x)
}

/// One node of the extended binary search tree: the target statistics of every value at or
/// below it in its subtree, as in river's E-BST (only left-branch statistics are kept).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct EbstNode {
    value: f64,
    stats: TargetVar,
    left: Option<u32>,
    right: Option<u32>,
}

/// iSOUP-Tree's E-BST split-point observer, optionally truncating values (river's `TEBST`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ebst {
    nodes: Vec<EbstNode>,
    root: Option<u32>,
    digits: Option<u32>,
}

/// A split candidate: merit, threshold and the two sides' target statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericCandidate {
    pub merit: f64,
    pub threshold: f64,
    pub children: [TargetVar; 2],
}

impl Ebst {
    pub fn new(digits: Option<u32>) -> Self {
        Ebst {
            nodes: vec![],
            root: None,
            digits,
        }
    }

    fn push(&mut self, value: f64, y: f64, w: f64) -> u32 {
        let mut stats = TargetVar::default();
        stats.update(y, w);
        self.nodes.push(EbstNode {
            value,
            stats,
            left: None,
            right: None,
        });
        (self.nodes.len() - 1) as u32
    }

    pub fn update(&mut self, value: f64, y: f64, w: f64) {
        let value = match self.digits {
            Some(d) => python_round(value, d),
            None => value,
        };
        let Some(mut cur) = self.root else {
            self.root = Some(self.push(value, y, w));
            return;
        };
        loop {
            let node = &mut self.nodes[cur as usize];
            if value == node.value {
                node.stats.update(y, w);
                return;
            }
            let next = if value < node.value {
                node.stats.update(y, w);
                node.left
            } else {
                node.right
            };
            match next {
                Some(n) => cur = n,
                None => {
                    let new = self.push(value, y, w);
                    let node = &mut self.nodes[cur as usize];
                    if value < node.value {
                        node.left = Some(new);
                    } else {
                        node.right = Some(new);
                    }
                    return;
                }
            }
        }
    }

    /// The best threshold by variance reduction, river's in-order traversal (the statistics of
    /// every right turn's node accumulate on the way down and are removed on the way back).
    pub fn best_split(&self, pre: &TargetVar, min_samples: f64) -> Option<NumericCandidate> {
        let root = self.root?;
        let mut best: Option<NumericCandidate> = None;
        let mut aux = TargetVar::default();
        enum Op {
            Descend(u32),
            Process(u32),
            Add(u32),
            Sub(u32),
        }
        let mut ops = vec![Op::Descend(root)];
        while let Some(op) = ops.pop() {
            match op {
                Op::Descend(id) => {
                    let node = &self.nodes[id as usize];
                    if let Some(r) = node.right {
                        ops.push(Op::Sub(id));
                        ops.push(Op::Descend(r));
                        ops.push(Op::Add(id));
                    }
                    ops.push(Op::Process(id));
                    if let Some(l) = node.left {
                        ops.push(Op::Descend(l));
                    }
                }
                Op::Add(id) => aux.add(&self.nodes[id as usize].stats),
                Op::Sub(id) => aux.sub(&self.nodes[id as usize].stats),
                Op::Process(id) => {
                    let node = &self.nodes[id as usize];
                    let left = node.stats.plus(&aux);
                    let right = pre.minus(&left);
                    let merit = variance_reduction(pre, &[left, right], min_samples);
                    // river starts from a null candidate of merit -inf and takes strictly better.
                    if merit > best.as_ref().map_or(f64::NEG_INFINITY, |b| b.merit) {
                        best = Some(NumericCandidate {
                            merit,
                            threshold: node.value,
                            children: [left, right],
                        });
                    }
                }
            }
        }
        best
    }

    /// FIMT-DD's pruning of split points much worse than the best (river's
    /// `remove_bad_splits`): a node whose subtrees are all bad and whose own merit ratio falls
    /// below `ratio - 2 * bound` is cut off with its subtree.
    pub fn remove_bad_splits(
        &mut self,
        pre: &TargetVar,
        min_samples: f64,
        ratio: f64,
        best_merit: f64,
        bound: f64,
    ) {
        let Some(root) = self.root else {
            return;
        };
        let mut aux = TargetVar::default();
        if self.remove_bad(
            root,
            None,
            true,
            &mut aux,
            pre,
            min_samples,
            ratio,
            best_merit,
            bound,
        ) {
            self.root = None;
        }
        self.compact();
    }

    /// Post-order: returns whether `id` was cut (so its parent may be evaluated).
    #[allow(clippy::too_many_arguments)]
    fn remove_bad(
        &mut self,
        id: u32,
        parent: Option<u32>,
        is_left: bool,
        aux: &mut TargetVar,
        pre: &TargetVar,
        min_samples: f64,
        ratio: f64,
        best_merit: f64,
        bound: f64,
    ) -> bool {
        // Iterative in spirit of river's (deep trees must not exhaust the stack): frames of
        // (node, parent, is_left, phase, added).
        struct Frame {
            id: u32,
            parent: Option<u32>,
            is_left: bool,
            phase: u8,
            added: bool,
        }
        let mut stack = vec![Frame {
            id,
            parent,
            is_left,
            phase: 0,
            added: false,
        }];
        let mut child_is_bad = false;
        while let Some(frame) = stack.last_mut() {
            let node_id = frame.id;
            match frame.phase {
                0 => {
                    frame.phase = 1;
                    match self.nodes[node_id as usize].left {
                        Some(l) => stack.push(Frame {
                            id: l,
                            parent: Some(node_id),
                            is_left: true,
                            phase: 0,
                            added: false,
                        }),
                        None => child_is_bad = true,
                    }
                }
                1 => {
                    if !child_is_bad {
                        stack.pop();
                        child_is_bad = false;
                        continue;
                    }
                    frame.phase = 2;
                    if let Some(r) = self.nodes[node_id as usize].right {
                        aux.add(&self.nodes[node_id as usize].stats);
                        frame.added = true;
                        stack.push(Frame {
                            id: r,
                            parent: Some(node_id),
                            is_left: false,
                            phase: 0,
                            added: false,
                        });
                    } else {
                        child_is_bad = true;
                    }
                }
                _ => {
                    if frame.added {
                        aux.sub(&self.nodes[node_id as usize].stats);
                    }
                    let (p, left_side) = (frame.parent, frame.is_left);
                    stack.pop();
                    if child_is_bad {
                        let left = self.nodes[node_id as usize].stats.plus(aux);
                        let right = pre.minus(&left);
                        let merit = variance_reduction(pre, &[left, right], min_samples);
                        if merit / best_merit < ratio - 2.0 * bound {
                            let node = &mut self.nodes[node_id as usize];
                            node.left = None;
                            node.right = None;
                            match p {
                                None => {
                                    if stack.is_empty() {
                                        return true;
                                    }
                                }
                                Some(pid) => {
                                    let parent = &mut self.nodes[pid as usize];
                                    if left_side {
                                        parent.left = None;
                                    } else {
                                        parent.right = None;
                                    }
                                }
                            }
                            child_is_bad = true;
                            continue;
                        }
                    }
                    child_is_bad = false;
                }
            }
        }
        false
    }

    /// Drops nodes no longer reachable from the root, keeping the tree's shape.
    fn compact(&mut self) {
        let Some(root) = self.root else {
            self.nodes.clear();
            return;
        };
        let mut kept = Vec::with_capacity(self.nodes.len());
        let mut stack = vec![(root, None::<(usize, bool)>)];
        while let Some((id, parent)) = stack.pop() {
            let mut node = self.nodes[id as usize].clone();
            let (l, r) = (node.left.take(), node.right.take());
            let at = kept.len();
            kept.push(node);
            if let Some((p, is_left)) = parent {
                let slot: &mut EbstNode = &mut kept[p];
                if is_left {
                    slot.left = Some(at as u32);
                } else {
                    slot.right = Some(at as u32);
                }
            }
            if let Some(r) = r {
                stack.push((r, Some((at, false))));
            }
            if let Some(l) = l {
                stack.push((l, Some((at, true))));
            }
        }
        self.nodes = kept;
        self.root = Some(0);
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn heap_bytes(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<EbstNode>()
    }
}

/// Target statistics per nominal value (river's `NominalSplitterReg`), in first-seen order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NominalReg {
    pub stats: Vec<(u32, TargetVar)>,
}

impl NominalReg {
    pub fn update(&mut self, value: u32, y: f64, w: f64) {
        match self.stats.iter_mut().find(|(v, _)| *v == value) {
            Some((_, s)) => s.update(y, w),
            None => {
                let mut s = TargetVar::default();
                s.update(y, w);
                self.stats.push((value, s));
            }
        }
    }
}

/// river's `LinearRegression` with a constant-rate SGD optimiser and squared loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearRegression {
    pub lr: f64,
    pub intercept_lr: f64,
    pub l2: f64,
    pub clip_gradient: f64,
    pub intercept: f64,
    /// Weights by feature id, in the order features first received a gradient.
    pub weights: Vec<(usize, f64)>,
    #[serde(skip)]
    slot: Vec<u32>,
}

impl LinearRegression {
    pub fn new(lr: f64, intercept_lr: f64, l2: f64, clip_gradient: f64, intercept: f64) -> Self {
        LinearRegression {
            lr,
            intercept_lr,
            l2,
            clip_gradient,
            intercept,
            weights: vec![],
            slot: vec![],
        }
    }

    fn weight_pos(&self, feature: usize) -> Option<usize> {
        match self.slot.get(feature) {
            Some(&p) if p != u32::MAX => Some(p as usize),
            Some(_) => None,
            // Restored from a snapshot (the index is not stored): search.
            None => self.weights.iter().position(|(f, _)| *f == feature),
        }
    }

    fn rebuild_slots(&mut self) {
        let n = self.weights.iter().map(|(f, _)| f + 1).max().unwrap_or(0);
        self.slot = vec![u32::MAX; n];
        for (i, (f, _)) in self.weights.iter().enumerate() {
            self.slot[*f] = i as u32;
        }
    }

    pub fn predict(&self, x: &[(usize, f64)]) -> f64 {
        let mut dot = 0.0;
        for &(f, v) in x {
            if let Some(p) = self.weight_pos(f) {
                dot += self.weights[p].1 * v;
            }
        }
        dot + self.intercept
    }

    pub fn learn(&mut self, x: &[(usize, f64)], y: f64, w: f64) {
        if self.slot.len() < self.weights.len() {
            self.rebuild_slots();
        }
        let g = (2.0 * (self.predict(x) - y) * w).clamp(-self.clip_gradient, self.clip_gradient);
        self.intercept -= self.intercept_lr * g;
        if self.l2 == 0.0 {
            for &(f, v) in x {
                let p = match self.weight_pos(f) {
                    Some(p) => p,
                    None => {
                        self.weights.push((f, 0.0));
                        if self.slot.len() <= f {
                            self.slot.resize(f + 1, u32::MAX);
                        }
                        self.slot[f] = (self.weights.len() - 1) as u32;
                        self.weights.len() - 1
                    }
                };
                self.weights[p].1 -= self.lr * (v * g);
            }
        } else {
            // The gradient holds x's features, then every weight's L2 term.
            let mut grad: Vec<(usize, f64)> = x.iter().map(|&(f, v)| (f, v * g)).collect();
            for &(f, wf) in &self.weights {
                match grad.iter_mut().find(|(h, _)| *h == f) {
                    Some((_, gv)) => *gv += self.l2 * wf,
                    None => grad.push((f, self.l2 * wf)),
                }
            }
            for (f, gv) in grad {
                let p = match self.weight_pos(f) {
                    Some(p) => p,
                    None => {
                        self.weights.push((f, 0.0));
                        self.rebuild_slots();
                        self.weights.len() - 1
                    }
                };
                self.weights[p].1 -= self.lr * gv;
            }
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.weights.capacity() * 16 + self.slot.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var_of(ys: &[f64]) -> TargetVar {
        let mut v = TargetVar::default();
        for &y in ys {
            v.update(y, 1.0);
        }
        v
    }

    #[test]
    fn var_merges_by_hand() {
        // {1, 2, 3}: mean 2, S = 2; {5, 7}: mean 6, S = 2. Pooled {1,2,3,5,7}: mean 3.6,
        // S = 2 + 2 + 16 * 3 * 2 / 5 = 23.2, sample variance 5.8.
        let a = var_of(&[1.0, 2.0, 3.0]);
        let b = var_of(&[5.0, 7.0]);
        let ab = a.plus(&b);
        assert_eq!(ab.n, 5.0);
        assert!((ab.mean - 3.6).abs() < 1e-15);
        assert!((ab.variance() - 5.8).abs() < 1e-12);
        let back = ab.minus(&b);
        assert!((back.mean - 2.0).abs() < 1e-12);
        assert!((back.variance() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn variance_reduction_by_hand() {
        // {0, 0, 10, 10}: variance 100/3. Split into {0, 0} and {10, 10}: both pure, so the
        // reduction is the whole variance; with min_samples 3 the split is not allowed.
        let pre = var_of(&[0.0, 0.0, 10.0, 10.0]);
        let l = var_of(&[0.0, 0.0]);
        let r = var_of(&[10.0, 10.0]);
        assert!((variance_reduction(&pre, &[l, r], 2.0) - 100.0 / 3.0).abs() < 1e-12);
        assert_eq!(variance_reduction(&pre, &[l, r], 3.0), 0.0);
    }

    #[test]
    fn python_rounding() {
        for (x, d, want) in [
            (0.25, 1, 0.2),
            (0.35, 1, 0.3),
            (0.05, 1, 0.1),
            (2.675, 2, 2.67),
            (-0.25, 1, -0.2),
            (1.44999, 1, 1.4),
            (123.456, 0, 123.0),
        ] {
            assert_eq!(python_round(x, d), want, "{x} {d}");
        }
    }

    #[test]
    fn ebst_finds_the_gap() {
        let mut t = Ebst::new(None);
        let mut pre = TargetVar::default();
        for (x, y) in [
            (1.0, 0.0),
            (3.0, 10.0),
            (2.0, 0.0),
            (4.0, 10.0),
            (1.5, 0.0),
            (3.5, 10.0),
        ] {
            t.update(x, y, 1.0);
            pre.update(y, 1.0);
        }
        let best = t.best_split(&pre, 1.0).unwrap();
        assert_eq!(best.threshold, 2.0);
        assert_eq!(best.children[0].n, 3.0);
        assert_eq!(best.children[1].mean, 10.0);
        // Every candidate below a perfect split is bad relative to it: pruning keeps the tree
        // searchable and never loses the best point.
        t.remove_bad_splits(&pre, 1.0, 0.5, best.merit, 0.01);
        if let Some(b) = t.best_split(&pre, 1.0) {
            assert!(b.merit <= best.merit);
        }
    }

    #[test]
    fn linear_regression_step_by_hand() {
        // Zero weights: prediction 0; gradient 2 * (0 - 1) = -2; intercept 0.02, w = 0.01 * 2 * 3.
        let mut m = LinearRegression::new(0.01, 0.01, 0.0, 1e12, 0.0);
        m.learn(&[(0, 3.0)], 1.0, 1.0);
        assert!((m.intercept - 0.02).abs() < 1e-15);
        assert!((m.weights[0].1 - 0.06).abs() < 1e-15);
        assert!((m.predict(&[(0, 1.0)]) - 0.08).abs() < 1e-15);
    }
}
