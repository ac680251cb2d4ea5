//! Hoeffding tree classifier (Domingos & Hulten 2000, "Mining High-Speed Data Streams"),
//! following river's `tree.HoeffdingTreeClassifier` step by step: the same split attempts,
//! the same Hoeffding-bound test with tie threshold `tau`, the same majority-class, naive Bayes
//! and naive-Bayes-adaptive leaves, and the same size management. Only the memory estimate
//! differs: river measures Python objects, here the Rust state is measured.

use super::criterion::Criterion;
use super::splitter::{SplitKind, Splitter, Suggestion};
use super::{check_sample, hoeffding_bound, ClassDist, Instance, SizeEstimate, Value};
use crate::error::{check_positive, check_range, param, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LeafPrediction {
    MajorityClass,
    NaiveBayes,
    NaiveBayesAdaptive,
}

/// Hyperparameters, with river's names and defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HtConfig {
    pub grace_period: f64,
    pub max_depth: usize,
    pub criterion: Criterion,
    pub delta: f64,
    pub tau: f64,
    pub leaf_prediction: LeafPrediction,
    pub nb_threshold: f64,
    pub n_splits: usize,
    pub binary_split: bool,
    pub min_branch_fraction: f64,
    pub max_share_to_split: f64,
    pub max_size_mib: f64,
    pub memory_estimate_period: f64,
    pub stop_mem_management: bool,
    pub remove_poor_attrs: bool,
    pub merit_preprune: bool,
    /// Naive Bayes as MOA computes it (`NaiveBayes.doNaiveBayesPrediction`: Laplace-corrected
    /// nominal likelihoods, a class an observer has not seen scoring 0, ties to the lowest
    /// class id; kept in logs so that no vote underflows) instead of river's (log likelihoods,
    /// unseen terms skipped).
    #[serde(default)]
    pub moa_naive_bayes: bool,
}

impl Default for HtConfig {
    fn default() -> Self {
        HtConfig {
            grace_period: 200.0,
            max_depth: usize::MAX,
            criterion: Criterion::InfoGain,
            delta: 1e-7,
            tau: 0.05,
            leaf_prediction: LeafPrediction::NaiveBayesAdaptive,
            nb_threshold: 0.0,
            n_splits: 10,
            binary_split: false,
            min_branch_fraction: 0.01,
            max_share_to_split: 0.99,
            max_size_mib: 100.0,
            memory_estimate_period: 1_000_000.0,
            stop_mem_management: false,
            remove_poor_attrs: false,
            merit_preprune: true,
            moa_naive_bayes: false,
        }
    }
}

impl HtConfig {
    /// MOA's HoeffdingTree defaults: grace period 50, delta 1e-7, tau 0.05, naive-Bayes-
    /// adaptive leaves with MOA's naive Bayes, Gaussian splitter with 10 split points, no
    /// pre-pruning.
    pub fn moa() -> Self {
        HtConfig {
            grace_period: 50.0,
            merit_preprune: false,
            moa_naive_bayes: true,
            ..HtConfig::default()
        }
    }

    pub fn validate(&self) -> Result<()> {
        check_positive("grace_period", self.grace_period)?;
        check_range("delta", self.delta, f64::MIN_POSITIVE, 1.0)?;
        check_range("tau", self.tau, 0.0, f64::MAX)?;
        check_range("nb_threshold", self.nb_threshold, 0.0, f64::MAX)?;
        check_range("min_branch_fraction", self.min_branch_fraction, 0.0, 1.0)?;
        check_range("max_share_to_split", self.max_share_to_split, 0.0, 1.0)?;
        check_positive("max_size", self.max_size_mib)?;
        check_positive("memory_estimate_period", self.memory_estimate_period)?;
        if self.n_splits == 0 {
            return Err(param("n_splits", "must be at least 1"));
        }
        Ok(())
    }
}

/// What a tree says of a sample before learning it (see [`HoeffdingTreeClassifier::verdict`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    /// The class of highest probability (the lowest id among ties), none if all are 0.
    pub predicted: Option<usize>,
    /// Whether `predicted`'s probability is strictly larger than every other class's, so that
    /// any rule for breaking ties would predict it too.
    pub unique: bool,
    /// MOA's vote for the sample's class (`moa_vote`).
    pub vote: f64,
    /// The leaf the sample reaches, and whether its naive Bayes picks the sample's class
    /// (for a naive-Bayes-adaptive leaf with MOA's naive Bayes).
    leaf: Option<usize>,
    nb_right: Option<bool>,
}

/// Log votes turned into probabilities over the classes (through the log-sum-exp, so that
/// none underflows); all 0 when every vote is -inf.
fn normalise_log_votes(votes: &mut ClassDist) {
    let max = votes
        .0
        .iter()
        .map(|(_, v)| *v)
        .fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        votes.0.iter_mut().for_each(|(_, v)| *v = 0.0);
        return;
    }
    let lse = max
        + votes
            .0
            .iter()
            .map(|(_, v)| (v - max).exp())
            .sum::<f64>()
            .ln();
    for (_, v) in votes.0.iter_mut() {
        *v = (*v - lse).exp();
    }
}

/// The class with the largest log vote when it leads every other by a clear margin, so that
/// [`normalise_log_votes`] would give it the strictly largest (and a positive) probability;
/// `None` when the lead is too close to call without the exponentials (or no vote is finite).
///
/// Why the margin suffices: every probability is `exp(v - L)` with the same computed `L`, and
/// near the lead `|v - L| <= ln(classes) + 1`, so each subtraction errs by under 1e-14. A lead
/// of `MARGIN = 1e-9` therefore leaves the exponents apart by nearly 1e-9, which `exp` and its
/// rounding cannot close. A tie (exactly or after rounding) falls back to the exact path,
/// which resolves it to the lowest class id.
fn clear_log_vote_winner(votes: &ClassDist) -> Option<usize> {
    const MARGIN: f64 = 1e-9;
    let (mut best, mut first, mut second) = (None, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for &(c, v) in &votes.0 {
        if v > first {
            second = first;
            first = v;
            best = Some(c);
        } else if v > second {
            second = v;
        }
    }
    // A NaN fails every comparison: it never leads, and `first - MARGIN > NaN` is false.
    let clear = first > f64::NEG_INFINITY
        && first - MARGIN > second
        && votes.0.iter().all(|(_, v)| !v.is_nan());
    best.filter(|_| clear)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Leaf {
    pub(crate) stats: ClassDist,
    pub(crate) depth: usize,
    pub(crate) active: bool,
    /// Feature observers in the order the features were first seen at this leaf.
    pub(crate) splitters: Vec<(usize, Splitter)>,
    disabled: Vec<usize>,
    pub(crate) last_split_attempt_at: f64,
    mc_correct: f64,
    nb_correct: f64,
    #[serde(skip)]
    prior_logs: PriorLogs,
}

/// The prior terms `ln(weight / total)` of MOA's naive Bayes for the class weights they were
/// computed from, refreshed when the leaf learns: the twelve experts' predictions of every
/// sample read them, and only the experts that learn it change them. Used only while the
/// weights are still the leaf's (the same bits either way); not state.
#[derive(Debug, Clone, Default)]
struct PriorLogs {
    total: f64,
    terms: Vec<(usize, f64, f64)>,
}

impl PartialEq for PriorLogs {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl PriorLogs {
    fn refresh(&mut self, stats: &ClassDist) {
        let total = stats.total();
        self.total = total;
        self.terms.clear();
        self.terms
            .extend(stats.0.iter().map(|&(c, w)| (c, w, (w / total).ln())));
    }

    /// Whether the terms were computed from exactly these weights.
    fn matches(&self, stats: &ClassDist, total: f64) -> bool {
        self.total == total
            && self.terms.len() == stats.0.len()
            && self
                .terms
                .iter()
                .zip(&stats.0)
                .all(|(&(c, w, _), &(sc, sw))| c == sc && w == sw)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum BranchKind {
    NumericBinary(f64),
    NominalBinary(u32),
    NominalMultiway(Vec<u32>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Branch {
    feature: usize,
    kind: BranchKind,
    children: Vec<usize>,
    depth: usize,
    stats: ClassDist,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Node {
    Leaf(Leaf),
    Branch(Branch),
}

/// Where a sample goes at a branch: a child, or nowhere (feature missing, or a nominal value
/// the branch has no child for).
impl Branch {
    fn branch_no(&self, x: &Instance) -> Option<usize> {
        self.kind.route(x.get(self.feature))
    }
}

impl BranchKind {
    /// The child a feature value goes to, as river's branches decide.
    pub(crate) fn route(&self, value: Value) -> Option<usize> {
        match (self, value) {
            (_, Value::Missing) => None,
            (BranchKind::NumericBinary(t), Value::Num(v)) => Some(usize::from(v > *t)),
            (BranchKind::NumericBinary(_), Value::Cat(_)) => None,
            (BranchKind::NominalBinary(c), Value::Cat(v)) => Some(usize::from(v != *c)),
            (BranchKind::NominalBinary(_), Value::Num(_)) => Some(1),
            (BranchKind::NominalMultiway(values), Value::Cat(v)) => {
                values.iter().position(|&u| u == v)
            }
            (BranchKind::NominalMultiway(_), Value::Num(_)) => None,
        }
    }

    pub(crate) fn view(&self) -> SplitKind {
        match self {
            BranchKind::NumericBinary(t) => SplitKind::NumericBinary(*t),
            BranchKind::NominalBinary(v) => SplitKind::NominalBinary(*v),
            BranchKind::NominalMultiway(v) => SplitKind::NominalMultiway(v.clone()),
        }
    }
}

impl Leaf {
    pub(crate) fn new(stats: ClassDist, depth: usize) -> Self {
        let last = stats.total();
        Leaf {
            stats,
            depth,
            active: true,
            splitters: vec![],
            disabled: vec![],
            last_split_attempt_at: last,
            mc_correct: 0.0,
            nb_correct: 0.0,
            prior_logs: PriorLogs::default(),
        }
    }

    pub(crate) fn deactivate(&mut self) {
        self.active = false;
        self.splitters = vec![];
    }

    pub(crate) fn activate(&mut self) {
        if !self.active {
            self.active = true;
            self.splitters = vec![];
        }
    }

    pub(crate) fn promise(&self) -> f64 {
        let total = self.stats.total();
        if total > 0.0 {
            total
                - self
                    .stats
                    .0
                    .iter()
                    .map(|(_, v)| *v)
                    .fold(f64::NEG_INFINITY, f64::max)
        } else {
            0.0
        }
    }

    fn is_pure(&self) -> bool {
        self.stats.0.iter().filter(|(_, w)| *w != 0.0).count() < 2
    }

    /// Per class of the leaf, `log P(class) + sum_f log P(x_f | class)`: the naive-Bayes votes
    /// before normalisation over classes. A class of weight 0 keeps 0.0 (river's convention);
    /// empty before any weight.
    fn naive_bayes_log_votes(&self, x: &Instance) -> ClassDist {
        let total = self.stats.total();
        if self.stats.is_empty() || total == 0.0 {
            return ClassDist::default();
        }
        let mut votes = ClassDist(Vec::with_capacity(self.stats.len()));
        // Position of each class id in `votes` (MAX: weight 0, its vote stays 0), so that the
        // splitters are walked feature by feature without searching for each class; on the
        // stack for the usual small class ids.
        const TABLE: usize = 64;
        let max_class = self.stats.0.iter().map(|&(c, _)| c).max().unwrap_or(0);
        let mut on_stack = [usize::MAX; TABLE];
        let mut on_heap = vec![];
        let slot: &mut [usize] = if max_class < TABLE {
            &mut on_stack
        } else {
            on_heap.resize(max_class + 1, usize::MAX);
            &mut on_heap
        };
        for (i, &(class, weight)) in self.stats.0.iter().enumerate() {
            if weight <= 0.0 {
                votes.0.push((class, 0.0));
            } else {
                votes.0.push((class, (weight / total).ln()));
                slot[class] = i;
            }
        }
        for (feature, splitter) in &self.splitters {
            let v = x.get(*feature);
            if v != Value::Missing {
                splitter.add_log_likelihoods(v, slot, &mut votes.0);
            }
        }
        votes
    }

    fn naive_bayes(&self, x: &Instance) -> ClassDist {
        let mut votes = self.naive_bayes_log_votes(x);
        if votes.is_empty() {
            return votes;
        }
        normalise_log_votes(&mut votes);
        votes
    }

    /// The logs of MOA's naive-Bayes votes (`NaiveBayes.doNaiveBayesPrediction`), per class
    /// of the leaf: its share of the leaf's weight times the likelihood of each observed
    /// feature's value (see [`Splitter::add_moa_log_likelihoods`]), not normalised; -inf for a
    /// vote of 0. Empty before any weight.
    fn moa_naive_bayes_log_votes(&self, x: &Instance) -> ClassDist {
        let mut out = ClassDist::default();
        self.moa_naive_bayes_log_votes_into(x, &mut out);
        out
    }

    /// [`moa_naive_bayes_log_votes`](Self::moa_naive_bayes_log_votes) written into `out`,
    /// reusing its buffer (a verdict per expert per sample would allocate one each).
    fn moa_naive_bayes_log_votes_into(&self, x: &Instance, out: &mut ClassDist) {
        out.0.clear();
        let total = self.stats.total();
        if self.stats.is_empty() || total == 0.0 {
            return;
        }
        // Log votes by class id (-inf for an id the leaf has not seen), on the stack for the
        // usual small ids, so that each feature adds to a contiguous run of them.
        const TABLE: usize = 64;
        let n = self.stats.0.iter().map(|&(c, _)| c + 1).max().unwrap_or(0);
        let mut on_stack = [f64::NEG_INFINITY; TABLE];
        let mut on_heap = vec![];
        let dense: &mut [f64] = if n <= TABLE {
            &mut on_stack[..n]
        } else {
            on_heap.resize(n, f64::NEG_INFINITY);
            &mut on_heap
        };
        if self.prior_logs.matches(&self.stats, total) {
            for &(class, _, term) in &self.prior_logs.terms {
                dense[class] = term;
            }
        } else {
            for &(class, weight) in &self.stats.0 {
                dense[class] = (weight / total).ln();
            }
        }
        for (feature, splitter) in &self.splitters {
            let v = x.get(*feature);
            if v != Value::Missing {
                splitter.add_moa_log_likelihoods(v, dense);
            }
        }
        out.0
            .extend(self.stats.0.iter().map(|&(c, _)| (c, dense[c])));
    }

    /// MOA's naive-Bayes prediction: the votes normalised over classes (from their logs,
    /// so that none underflows); all 0 if every vote is.
    fn moa_naive_bayes(&self, x: &Instance) -> ClassDist {
        let mut votes = self.moa_naive_bayes_log_votes(x);
        normalise_log_votes(&mut votes);
        votes
    }

    /// The class MOA's `Utils.maxIndex` picks from (log) votes indexed by class: the lowest
    /// class id with the largest vote, and class 0 when every vote is 0 (or there are none).
    fn moa_max_index(votes: &ClassDist) -> usize {
        let mut best: Option<(usize, f64)> = None;
        for &(c, v) in &votes.0 {
            if v > f64::NEG_INFINITY && best.is_none_or(|(bc, bv)| v > bv || (v == bv && c < bc)) {
                best = Some((c, v));
            }
        }
        best.map_or(0, |(c, _)| c)
    }

    fn uses_naive_bayes(&self, cfg: &HtConfig) -> bool {
        self.active
            && match cfg.leaf_prediction {
                LeafPrediction::MajorityClass => false,
                LeafPrediction::NaiveBayes => self.stats.total() >= cfg.nb_threshold,
                LeafPrediction::NaiveBayesAdaptive => self.nb_correct >= self.mc_correct,
            }
    }

    /// MOA's `getClassVotes` for one class: the raw class weight where the leaf predicts by
    /// majority class, the naive-Bayes vote (class prior times likelihoods, not normalised over
    /// classes) where it predicts by naive Bayes.
    fn moa_vote(&self, x: &Instance, class: usize, cfg: &HtConfig) -> f64 {
        self.moa_vote_from(class, self.uses_naive_bayes(cfg), || {
            let log_votes = if cfg.moa_naive_bayes {
                self.moa_naive_bayes_log_votes(x)
            } else {
                self.naive_bayes_log_votes(x)
            };
            log_votes.get(class)
        })
    }

    /// [`moa_vote`](Self::moa_vote) given whether the leaf predicts by naive Bayes and, only
    /// asked for when needed, the class's naive-Bayes log vote.
    fn moa_vote_from(
        &self,
        class: usize,
        uses_nb: bool,
        log_vote: impl FnOnce() -> Option<f64>,
    ) -> f64 {
        let weight = self.stats.get(class).unwrap_or(0.0);
        if !uses_nb || self.stats.total() <= 0.0 {
            return weight;
        }
        if weight <= 0.0 {
            return 0.0;
        }
        log_vote().map_or(0.0, f64::exp)
    }

    /// [`prediction`](Self::prediction), [`moa_vote`](Self::moa_vote) for `y` and, for a
    /// naive-Bayes-adaptive leaf with MOA's naive Bayes, whether its naive Bayes picks `y`,
    /// computing MOA's naive-Bayes votes once for all three.
    /// The prediction is written into `proba`, whose buffer is reused.
    fn verdict(
        &self,
        x: &Instance,
        y: usize,
        cfg: &HtConfig,
        proba: &mut ClassDist,
    ) -> (f64, Option<bool>) {
        let credits = cfg.leaf_prediction == LeafPrediction::NaiveBayesAdaptive && self.active;
        let uses_nb = self.uses_naive_bayes(cfg);
        if !cfg.moa_naive_bayes || !(uses_nb || credits) {
            *proba = self.prediction(x, cfg);
            return (self.moa_vote(x, y, cfg), None);
        }
        self.moa_naive_bayes_log_votes_into(x, proba);
        let nb_right = credits.then(|| Self::moa_max_index(proba) == y);
        let vote = self.moa_vote_from(y, uses_nb, || proba.get(y));
        if uses_nb {
            if let Some(class) = clear_log_vote_winner(proba) {
                // The class the normalised votes would give, without their exponentials:
                // written as the only positive entry, so the caller's argmax reads it.
                proba.0.clear();
                proba.0.push((class, 1.0));
                return (vote, nb_right);
            }
            normalise_log_votes(proba);
        } else {
            self.stats.normalized_into(proba);
        }
        (vote, nb_right)
    }

    pub(crate) fn prediction(&self, x: &Instance, cfg: &HtConfig) -> ClassDist {
        if !self.uses_naive_bayes(cfg) {
            self.stats.normalized()
        } else if cfg.moa_naive_bayes {
            self.moa_naive_bayes(x)
        } else {
            self.naive_bayes(x)
        }
    }

    /// A naive-Bayes-adaptive leaf's credits for a sample about to be learned: whether the
    /// majority class and naive Bayes would have been right.
    /// `nb_right`, when known, is whether MOA's naive Bayes picks `y` at this leaf as it is
    /// (see [`HoeffdingTreeClassifier::verdict`]), which saves computing its votes again.
    fn credit_nb_adaptive(
        &mut self,
        x: &Instance,
        y: usize,
        w: f64,
        cfg: &HtConfig,
        nb_right: Option<bool>,
    ) {
        if cfg.leaf_prediction != LeafPrediction::NaiveBayesAdaptive || !self.active {
            return;
        }
        if cfg.moa_naive_bayes {
            // MOA's LearningNodeNBAdaptive: the majority class of an empty leaf is none (so
            // never right), and naive Bayes' pick follows `Utils.maxIndex`.
            if !self.stats.is_empty() && Self::moa_max_index(&self.stats) == y {
                self.mc_correct += w;
            }
            if nb_right
                .unwrap_or_else(|| Self::moa_max_index(&self.moa_naive_bayes_log_votes(x)) == y)
            {
                self.nb_correct += w;
            }
            return;
        }
        let mc = self.stats.normalized();
        if self.stats.is_empty() || mc.argmax() == Some(y) {
            self.mc_correct += w;
        }
        let nb = self.naive_bayes(x);
        if !nb.is_empty() && nb.argmax() == Some(y) {
            self.nb_correct += w;
        }
    }

    pub(crate) fn learn(
        &mut self,
        x: &Instance,
        y: usize,
        w: f64,
        cfg: &HtConfig,
        nominal: &[bool],
        nb_right: Option<bool>,
    ) {
        self.credit_nb_adaptive(x, y, w, cfg, nb_right);
        self.stats.add(y, w);
        if cfg.moa_naive_bayes {
            self.prior_logs.refresh(&self.stats);
        }
        if !self.active {
            return;
        }
        let mut hint = 0;
        for &(feature, value) in &x.items {
            if self.disabled.contains(&feature) {
                continue;
            }
            // The splitters usually sit in the order of the sample's features: try the next
            // one before searching.
            let next = self.splitters.get(hint).filter(|(f, _)| *f == feature);
            let found = next
                .map(|_| hint)
                .or_else(|| self.splitters.iter().position(|(f, _)| *f == feature));
            let pos = match found {
                Some(p) => p,
                None => {
                    let is_nominal = nominal.get(feature).copied().unwrap_or(false)
                        || matches!(value, Value::Cat(_));
                    let s = if is_nominal && cfg.moa_naive_bayes {
                        Splitter::nominal_moa()
                    } else if is_nominal {
                        Splitter::nominal()
                    } else {
                        Splitter::gaussian()
                    };
                    self.splitters.push((feature, s));
                    self.splitters.len() - 1
                }
            };
            self.splitters[pos].1.update(value, y, w);
            hint = pos + 1;
        }
    }

    fn best_split_suggestions(&self, criterion: &Criterion, cfg: &HtConfig) -> Vec<Suggestion> {
        let max = self
            .stats
            .0
            .iter()
            .map(|(_, v)| *v)
            .fold(f64::NEG_INFINITY, f64::max);
        if max != 0.0 && max.is_finite() && max / self.stats.total() > cfg.max_share_to_split {
            return vec![Suggestion::null()];
        }
        let mut out = Vec::with_capacity(self.splitters.len() + 1);
        if cfg.merit_preprune {
            out.push(Suggestion::null());
        }
        for (feature, s) in &self.splitters {
            out.push(s.best_split(
                criterion,
                &self.stats,
                *feature,
                cfg.binary_split,
                cfg.n_splits,
                cfg.min_branch_fraction,
            ));
        }
        out
    }

    /// river's split attempt on this leaf: the winning suggestion if the Hoeffding test (or
    /// the tie threshold) says split (a suggestion without a kind means "deactivate"), and the
    /// features `remove_poor_attrs` would give up.
    pub(crate) fn split_decision(&self, cfg: &HtConfig) -> (Option<Suggestion>, Vec<usize>) {
        if self.is_pure() {
            return (None, vec![]);
        }
        let criterion = cfg.criterion;
        let mut suggestions = self.best_split_suggestions(&criterion, cfg);
        // Stable sort by merit, as Python's list.sort.
        suggestions.sort_by(|a, b| {
            a.merit
                .partial_cmp(&b.merit)
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut should_split = false;
        let mut poor = vec![];
        if suggestions.len() < 2 {
            should_split = !suggestions.is_empty();
        } else {
            let bound =
                hoeffding_bound(criterion.range(&self.stats), cfg.delta, self.stats.total());
            let best = &suggestions[suggestions.len() - 1];
            let second = &suggestions[suggestions.len() - 2];
            if best.merit - second.merit > bound || bound < cfg.tau {
                should_split = true;
            }
            if cfg.remove_poor_attrs {
                for s in &suggestions {
                    if s.kind.is_some() && best.merit - s.merit > bound {
                        poor.push(s.feature);
                    }
                }
            }
        }
        (
            if should_split {
                suggestions.pop()
            } else {
                None
            },
            poor,
        )
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        std::mem::size_of::<Leaf>()
            + self.stats.0.capacity() * 16
            + self
                .splitters
                .iter()
                .map(|(_, s)| 16 + s.heap_bytes())
                .sum::<usize>()
    }
}

/// A Hoeffding tree classifier over dense class ids `0..n_classes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoeffdingTreeClassifier {
    cfg: HtConfig,
    nodes: Vec<Node>,
    root: Option<usize>,
    /// Per feature id: declared nominal.
    nominal: Vec<bool>,
    n_classes: usize,
    n_active_leaves: i64,
    n_inactive_leaves: i64,
    size: SizeEstimate,
    growth_allowed: bool,
    weight_seen: f64,
}

impl HoeffdingTreeClassifier {
    pub fn new(cfg: HtConfig) -> Result<Self> {
        cfg.validate()?;
        Ok(HoeffdingTreeClassifier {
            cfg,
            nodes: vec![],
            root: None,
            nominal: vec![],
            n_classes: 0,
            n_active_leaves: 0,
            n_inactive_leaves: 0,
            size: SizeEstimate::default(),
            growth_allowed: true,
            weight_seen: 0.0,
        })
    }

    pub fn config(&self) -> &HtConfig {
        &self.cfg
    }

    /// Declares feature `feature` nominal (river's `nominal_attributes`).
    pub fn set_nominal(&mut self, feature: usize) {
        if self.nominal.len() <= feature {
            self.nominal.resize(feature + 1, false);
        }
        self.nominal[feature] = true;
    }

    /// Whether feature `feature` was declared nominal.
    pub fn is_nominal(&self, feature: usize) -> bool {
        self.nominal.get(feature).copied().unwrap_or(false)
    }

    /// Tells the Hellinger criterion which class ids carry the labels 0 and 1.
    pub fn set_binary_classes(&mut self, neg: Option<usize>, pos: Option<usize>) {
        if let Criterion::Hellinger { .. } = self.cfg.criterion {
            self.cfg.criterion = Criterion::Hellinger { neg, pos };
        }
    }

    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    fn new_leaf(&mut self, stats: ClassDist, depth: usize) -> usize {
        self.nodes.push(Node::Leaf(Leaf::new(stats, depth)));
        self.nodes.len() - 1
    }

    fn total_weight(&self, id: usize) -> f64 {
        match &self.nodes[id] {
            Node::Leaf(l) => l.stats.total(),
            Node::Branch(b) => b.children.iter().map(|&c| self.total_weight(c)).sum(),
        }
    }

    fn most_common_path(&self, b: &Branch) -> usize {
        let mut best = 0;
        let mut best_w = f64::NEG_INFINITY;
        for (i, &c) in b.children.iter().enumerate() {
            let w = self.total_weight(c);
            let better = if b.children.len() == 2 {
                // river's binary branches take the right child only if strictly heavier.
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

    /// The leaf that `x` reaches, taking the most common path where it cannot branch.
    fn leaf_for(&self, x: &Instance) -> Option<usize> {
        let mut id = self.root?;
        loop {
            match &self.nodes[id] {
                Node::Leaf(_) => return Some(id),
                Node::Branch(b) => {
                    id = match b.branch_no(x) {
                        Some(i) => b.children[i],
                        None => self.most_common_path(b),
                    };
                }
            }
        }
    }

    /// Learns one sample of class `y` (a class id; new ids may appear at any time).
    pub fn learn_one(&mut self, x: &Instance, y: usize, w: f64) -> Result<()> {
        self.learn_one_judged(x, y, w, None)
    }

    /// [`learn_one`](Self::learn_one) after a [`verdict`](Self::verdict) on the same `(x, y)`
    /// with nothing learned in between: the leaf's naive-Bayes credit is taken from the
    /// verdict instead of computed again (same result; a verdict from another leaf is
    /// ignored).
    pub fn learn_one_judged(
        &mut self,
        x: &Instance,
        y: usize,
        w: f64,
        verdict: Option<&Verdict>,
    ) -> Result<()> {
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
        // Follow the branches while x says where to go.
        let mut node = root;
        while let Node::Branch(b) = &self.nodes[node] {
            match b.branch_no(x) {
                Some(i) => node = b.children[i],
                None => break,
            }
        }
        if matches!(self.nodes[node], Node::Leaf(_)) {
            let cfg = self.cfg.clone();
            let nominal = std::mem::take(&mut self.nominal);
            let nb_right = verdict
                .filter(|v| v.leaf == Some(node))
                .and_then(|v| v.nb_right);
            if let Node::Leaf(leaf) = &mut self.nodes[node] {
                leaf.learn(x, y, w, &cfg, &nominal, nb_right);
            }
            self.nominal = nominal;
            let (active, depth, seen, last) = match &self.nodes[node] {
                Node::Leaf(l) => (l.active, l.depth, l.stats.total(), l.last_split_attempt_at),
                Node::Branch(_) => unreachable_branch(),
            };
            if self.growth_allowed && active {
                if depth >= self.cfg.max_depth {
                    if let Node::Leaf(l) = &mut self.nodes[node] {
                        l.deactivate();
                    }
                    self.n_active_leaves -= 1;
                    self.n_inactive_leaves += 1;
                } else if seen - last >= self.cfg.grace_period {
                    self.attempt_to_split(node);
                    if let Node::Leaf(l) = &mut self.nodes[node] {
                        l.last_split_attempt_at = seen;
                    }
                }
            }
        } else {
            // Stopped at a branch: a new nominal value grows a new child of a multiway
            // branch; otherwise follow the most common path.
            while let Node::Branch(b) = &self.nodes[node] {
                let value = x.get(b.feature);
                let depth = b.depth;
                if let (BranchKind::NominalMultiway(_), Value::Cat(v)) = (&b.kind, value) {
                    let leaf = self.new_leaf(ClassDist::default(), depth + 1);
                    if let Node::Branch(b) = &mut self.nodes[node] {
                        if let BranchKind::NominalMultiway(values) = &mut b.kind {
                            values.push(v);
                        }
                        b.children.push(leaf);
                    }
                    self.n_active_leaves += 1;
                    node = leaf;
                } else {
                    node = self.most_common_path(b);
                    while let Node::Branch(b) = &self.nodes[node] {
                        match b.branch_no(x) {
                            Some(i) => node = b.children[i],
                            None => break,
                        }
                    }
                }
            }
            let cfg = self.cfg.clone();
            let nominal = std::mem::take(&mut self.nominal);
            let nb_right = verdict
                .filter(|v| v.leaf == Some(node))
                .and_then(|v| v.nb_right);
            if let Node::Leaf(leaf) = &mut self.nodes[node] {
                leaf.learn(x, y, w, &cfg, &nominal, nb_right);
            }
            self.nominal = nominal;
        }
        if self.weight_seen % self.cfg.memory_estimate_period == 0.0 {
            self.estimate_model_size();
        }
        Ok(())
    }

    fn attempt_to_split(&mut self, node: usize) {
        let Node::Leaf(leaf) = &self.nodes[node] else {
            return;
        };
        let (decision, poor) = leaf.split_decision(&self.cfg);
        if !poor.is_empty() && self.cfg.leaf_prediction == LeafPrediction::MajorityClass {
            // Naive Bayes leaves keep every observer (river's NB leaves ignore this request).
            if let Node::Leaf(l) = &mut self.nodes[node] {
                for f in poor {
                    if let Some(p) = l.splitters.iter().position(|(g, _)| *g == f) {
                        l.splitters.remove(p);
                        l.disabled.push(f);
                    }
                }
            }
        }
        let Some(decision) = decision else {
            return;
        };
        match decision.kind {
            None => {
                if let Node::Leaf(l) = &mut self.nodes[node] {
                    l.deactivate();
                }
                self.n_inactive_leaves += 1;
                self.n_active_leaves -= 1;
            }
            Some(kind) => {
                let (depth, stats) = match &self.nodes[node] {
                    Node::Leaf(l) => (l.depth, l.stats.clone()),
                    Node::Branch(_) => return,
                };
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
                self.nodes[node] = Node::Branch(Branch {
                    feature: decision.feature,
                    kind,
                    children,
                    depth,
                    stats,
                });
            }
        }
        self.enforce_size_limit();
    }

    fn leaves(&self) -> Vec<usize> {
        let mut out = vec![];
        if let Some(r) = self.root {
            self.collect_leaves(r, &mut out);
        }
        out
    }

    fn collect_leaves(&self, id: usize, out: &mut Vec<usize>) {
        match &self.nodes[id] {
            Node::Leaf(_) => out.push(id),
            Node::Branch(b) => {
                for &c in &b.children {
                    self.collect_leaves(c, out);
                }
            }
        }
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
        let promise = |id: &usize| match &self.nodes[*id] {
            Node::Leaf(l) => l.promise(),
            Node::Branch(_) => 0.0,
        };
        let promises: Vec<f64> = leaves.iter().map(promise).collect();
        let mut order: Vec<usize> = (0..leaves.len()).collect();
        order.sort_by(|&a, &b| {
            promises[a]
                .partial_cmp(&promises[b])
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        leaves = order.into_iter().map(|i| leaves[i]).collect();
        let cutoff = self.size.cutoff(leaves.len(), self.max_bytes());
        let max_depth = self.cfg.max_depth;
        for (i, &id) in leaves.iter().enumerate() {
            if let Node::Leaf(l) = &mut self.nodes[id] {
                if i < cutoff {
                    if l.active {
                        l.deactivate();
                        self.n_inactive_leaves += 1;
                        self.n_active_leaves -= 1;
                    }
                } else if !l.active && l.depth < max_depth {
                    l.activate();
                    self.n_active_leaves += 1;
                    self.n_inactive_leaves -= 1;
                }
            }
        }
    }

    fn estimate_model_size(&mut self) {
        let (mut active, mut inactive) = (0usize, 0usize);
        for id in self.leaves() {
            if let Node::Leaf(l) = &self.nodes[id] {
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
                    Node::Leaf(l) => l.heap_bytes(),
                    Node::Branch(b) => {
                        std::mem::size_of::<Branch>()
                            + b.children.capacity() * 8
                            + b.stats.0.len() * 16
                    }
                })
                .sum::<usize>()
    }

    /// Class probabilities by class id (length `n_classes`; zeros before any learning).
    pub fn predict_proba_one(&self, x: &Instance) -> Result<Vec<f64>> {
        check_sample(x, 1.0)?;
        let mut out = vec![0.0; self.n_classes];
        if let Some(leaf) = self.leaf_for(x) {
            if let Node::Leaf(l) = &self.nodes[leaf] {
                for (c, p) in l.prediction(x, &self.cfg).0 {
                    if let Some(slot) = out.get_mut(c) {
                        *slot = p;
                    }
                }
            }
        }
        Ok(out)
    }

    /// The raw weight of class `class` at the leaf `x` reaches (0 if none), without allocating.
    pub fn leaf_vote(&self, x: &Instance, class: usize) -> f64 {
        match self.leaf_for(x).map(|id| &self.nodes[id]) {
            Some(Node::Leaf(l)) => l.stats.get(class).unwrap_or(0.0),
            _ => 0.0,
        }
    }

    /// MOA's vote (`getVotesForInstance`) for `class` at the leaf `x` reaches: the raw class
    /// weight at a majority-class leaf, the unnormalised naive-Bayes vote at a naive-Bayes one
    /// (0 if no leaf). Without allocating.
    pub fn moa_vote(&self, x: &Instance, class: usize) -> f64 {
        match self.leaf_for(x).map(|id| &self.nodes[id]) {
            Some(Node::Leaf(l)) => l.moa_vote(x, class, &self.cfg),
            _ => 0.0,
        }
    }

    /// What DriftMoE's correctness mask asks of this tree about `(x, y)` before learning it,
    /// from one pass over the leaf's naive-Bayes terms: the class
    /// [`predict_proba_one`](Self::predict_proba_one) gives the highest probability (the
    /// lowest id among ties, none if every probability is 0), [`moa_vote`](Self::moa_vote)
    /// for `y`, and the naive-Bayes credit that
    /// [`learn_one_judged`](Self::learn_one_judged) reuses. Same values as the three calls.
    pub fn verdict(&self, x: &Instance, y: usize) -> Result<Verdict> {
        self.verdict_with(x, y, &mut ClassDist::default())
    }

    /// [`verdict`](Self::verdict) with `scratch` for the leaf's class probabilities, so that
    /// a caller judging many samples reuses one buffer (its contents on return are scratch).
    pub fn verdict_with(&self, x: &Instance, y: usize, scratch: &mut ClassDist) -> Result<Verdict> {
        check_sample(x, 1.0)?;
        let leaf = self.leaf_for(x);
        let Some(Node::Leaf(l)) = leaf.map(|id| &self.nodes[id]) else {
            return Ok(Verdict {
                predicted: None,
                unique: false,
                vote: 0.0,
                leaf: None,
                nb_right: None,
            });
        };
        let (vote, nb_right) = l.verdict(x, y, &self.cfg, scratch);
        let proba = &*scratch;
        // `predict_proba_one`'s vector, read as the mask's argmax reads it: the first
        // largest positive entry among the ids below `n_classes`.
        let mut predicted: Option<(usize, f64)> = None;
        let mut unique = false;
        for &(c, p) in &proba.0 {
            if c < self.n_classes && p > 0.0 {
                match predicted {
                    Some((_, bp)) if p == bp => unique = false,
                    _ => {}
                }
                if predicted.is_none_or(|(bc, bp)| p > bp || (p == bp && c < bc)) {
                    unique = predicted.is_none_or(|(_, bp)| p > bp);
                    predicted = Some((c, p));
                }
            }
        }
        Ok(Verdict {
            predicted: predicted.map(|(c, _)| c),
            unique,
            vote,
            leaf,
            nb_right,
        })
    }

    /// The raw class weights of the leaf `x` reaches (DriftMoE reads these votes).
    pub fn leaf_votes(&self, x: &Instance) -> Vec<f64> {
        let mut out = vec![0.0; self.n_classes];
        if let Some(leaf) = self.leaf_for(x) {
            if let Node::Leaf(l) = &self.nodes[leaf] {
                for &(c, w) in &l.stats.0 {
                    if let Some(slot) = out.get_mut(c) {
                        *slot = w;
                    }
                }
            }
        }
        out
    }

    pub fn n_nodes(&self) -> usize {
        self.root.map_or(0, |r| self.count(r, &|_| true))
    }
    pub fn n_leaves(&self) -> usize {
        self.root
            .map_or(0, |r| self.count(r, &|n| matches!(n, Node::Leaf(_))))
    }
    pub fn n_branches(&self) -> usize {
        self.root
            .map_or(0, |r| self.count(r, &|n| matches!(n, Node::Branch(_))))
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
        self.root.map_or(0, |r| self.node_height(r))
    }

    fn count(&self, id: usize, pred: &dyn Fn(&Node) -> bool) -> usize {
        let own = usize::from(pred(&self.nodes[id]));
        match &self.nodes[id] {
            Node::Leaf(_) => own,
            Node::Branch(b) => {
                own + b
                    .children
                    .iter()
                    .map(|&c| self.count(c, pred))
                    .sum::<usize>()
            }
        }
    }

    fn node_height(&self, id: usize) -> usize {
        match &self.nodes[id] {
            Node::Leaf(_) => 1,
            Node::Branch(b) => {
                1 + b
                    .children
                    .iter()
                    .map(|&c| self.node_height(c))
                    .max()
                    .unwrap_or(0)
            }
        }
    }

    /// The path `x` takes, for `debug_one`: per node, `Branch(feature, kind, child)` or the
    /// reached leaf's class distribution.
    pub fn path(&self, x: &Instance) -> Vec<PathStep> {
        let mut out = vec![];
        let Some(mut id) = self.root else {
            return out;
        };
        loop {
            match &self.nodes[id] {
                Node::Leaf(l) => {
                    out.push(PathStep::Leaf(l.stats.clone()));
                    return out;
                }
                Node::Branch(b) => {
                    let child = match b.branch_no(x) {
                        Some(i) => i,
                        None => {
                            let target = self.most_common_path(b);
                            b.children.iter().position(|&c| c == target).unwrap_or(0)
                        }
                    };
                    out.push(PathStep::Branch {
                        feature: b.feature,
                        split: match &b.kind {
                            BranchKind::NumericBinary(t) => SplitKind::NumericBinary(*t),
                            BranchKind::NominalBinary(v) => SplitKind::NominalBinary(*v),
                            BranchKind::NominalMultiway(v) => SplitKind::NominalMultiway(v.clone()),
                        },
                        child,
                    });
                    id = b.children[child];
                }
            }
        }
    }
    /// Every node in pre-order, for drawing: its parent's position in this list (None for the
    /// root), which child of that parent it is, and what it holds.
    pub fn structure(&self) -> Vec<NodeView> {
        let mut out = vec![];
        let Some(root) = self.root else {
            return out;
        };
        // (node id, parent position, child number); a stack keeps children in order.
        let mut stack = vec![(root, None, 0usize)];
        while let Some((id, parent, child)) = stack.pop() {
            let at = out.len();
            match &self.nodes[id] {
                Node::Leaf(l) => out.push(NodeView {
                    parent,
                    child,
                    step: PathStep::Leaf(l.stats.clone()),
                }),
                Node::Branch(b) => {
                    out.push(NodeView {
                        parent,
                        child,
                        step: PathStep::Branch {
                            feature: b.feature,
                            split: match &b.kind {
                                BranchKind::NumericBinary(t) => SplitKind::NumericBinary(*t),
                                BranchKind::NominalBinary(v) => SplitKind::NominalBinary(*v),
                                BranchKind::NominalMultiway(v) => {
                                    SplitKind::NominalMultiway(v.clone())
                                }
                            },
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
}

/// A node as `structure` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeView {
    pub parent: Option<usize>,
    pub child: usize,
    pub step: PathStep,
}

/// One step of a path through the tree.
#[derive(Debug, Clone, PartialEq)]
pub enum PathStep {
    Branch {
        feature: usize,
        split: SplitKind,
        child: usize,
    },
    Leaf(ClassDist),
}

fn unreachable_branch() -> (bool, usize, f64, f64) {
    // The node was a leaf a moment ago and nothing in between turns leaves into branches.
    (false, 0, 0.0, 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The class `normalise_log_votes` and the verdict's argmax give: the first largest
    /// positive probability.
    fn normalised_winner(votes: &ClassDist) -> Option<usize> {
        let mut p = votes.clone();
        normalise_log_votes(&mut p);
        let mut best: Option<(usize, f64)> = None;
        for &(c, v) in &p.0 {
            if v > 0.0 && best.is_none_or(|(bc, bv)| v > bv || (v == bv && c < bc)) {
                best = Some((c, v));
            }
        }
        best.map(|(c, _)| c)
    }

    #[test]
    fn clear_log_vote_winner_agrees_with_the_normalised_votes() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_pcg::Pcg64::seed_from_u64(11);
        let mut decided = 0;
        for case in 0..20_000 {
            let n = 1 + case % 12;
            let base: f64 = rng.random_range(-400.0..0.0);
            let mut votes = ClassDist::default();
            for c in (0..n).rev() {
                // Spreads from wide to within a few ulps, so that near ties are common.
                let spread = 10f64.powi(-((case % 17) as i32));
                let v = match rng.random_range(0..10) {
                    0 => f64::NEG_INFINITY,
                    1 if c > 0 => votes.0.last().map_or(base, |l| l.1),
                    _ => base + rng.random_range(-1.0..1.0) * spread,
                };
                votes.0.push((c, v));
            }
            if let Some(w) = clear_log_vote_winner(&votes) {
                decided += 1;
                assert_eq!(Some(w), normalised_winner(&votes), "{votes:?}");
            }
        }
        // The shortcut decides most cases; the rest take the exact path.
        assert!(decided > 10_000, "{decided}");
        // A tie, a near tie, all -inf and a NaN are left to the exact path.
        for votes in [
            vec![(0, -3.0), (1, -3.0)],
            vec![(0, -3.0), (1, -3.0 - 1e-12)],
            vec![(0, f64::NEG_INFINITY), (1, f64::NEG_INFINITY)],
            vec![(0, -1.0), (1, f64::NAN)],
        ] {
            assert_eq!(clear_log_vote_winner(&ClassDist(votes)), None);
        }
        assert_eq!(
            clear_log_vote_winner(&ClassDist(vec![(3, -5.0), (1, -2.0), (0, -9.0)])),
            Some(1)
        );
    }

    fn inst(values: &[f64]) -> Instance {
        let mut x = Instance::new();
        for (i, &v) in values.iter().enumerate() {
            x.push(i, Value::Num(v));
        }
        x
    }

    fn cats(values: &[u32]) -> Instance {
        let mut x = Instance::new();
        for (i, &v) in values.iter().enumerate() {
            x.push(i, Value::Cat(v));
        }
        x
    }

    /// A naive-Bayes tree that never splits (grace period beyond the samples), with MOA's or
    /// river's naive Bayes.
    fn nb_tree(moa: bool) -> HoeffdingTreeClassifier {
        HoeffdingTreeClassifier::new(HtConfig {
            leaf_prediction: LeafPrediction::NaiveBayes,
            grace_period: 1e9,
            moa_naive_bayes: moa,
            ..HtConfig::default()
        })
        .unwrap()
    }

    #[test]
    fn moa_naive_bayes_is_laplace_corrected_and_zeroes_classes_an_observer_has_not_seen() {
        // Feature 0 nominal: class 0 saw values 0, 0, 0, 1; class 1 saw 1, 1; class 2 saw 0.
        let mut t = nb_tree(true);
        for (v, c) in [(0, 0), (0, 0), (0, 0), (1, 0), (1, 1), (1, 1), (0, 2)] {
            t.learn_one(&cats(&[v]), c, 1.0).unwrap();
        }
        // MOA: (w(value) + 1) / (w(class) + values of the feature), times the prior
        // w(class) / 7. Value 0: class 0 (3+1)/(4+2), class 1 (0+1)/(2+2), class 2 (1+1)/(1+2).
        let v0 = [
            4.0 / 7.0 * (4.0 / 6.0),
            2.0 / 7.0 * (1.0 / 4.0),
            1.0 / 7.0 * (2.0 / 3.0),
        ];
        let x0 = cats(&[0]);
        for (c, want) in v0.iter().enumerate() {
            assert!((t.moa_vote(&x0, c) - want).abs() < 1e-15, "class {c}");
        }
        let total: f64 = v0.iter().sum();
        let p = t.predict_proba_one(&x0).unwrap();
        for c in 0..3 {
            assert!((p[c] - v0[c] / total).abs() < 1e-15);
        }
        // Value 1, which class 2 has not seen: (0+1)/(1+2).
        let x1 = cats(&[1]);
        assert!((t.moa_vote(&x1, 2) - 1.0 / 7.0 / 3.0).abs() < 1e-15);
        // A value no class has seen: the Laplace term alone, (0+1)/(4+2) for class 0.
        assert!((t.moa_vote(&cats(&[5]), 0) - 4.0 / 7.0 / 6.0).abs() < 1e-15);
        // Feature 1 seen by class 0 only (a later sample): classes 1 and 2 now vote 0.
        let mut x = cats(&[0, 0]);
        t.learn_one(&x, 0, 1.0).unwrap();
        x = cats(&[0, 0]);
        assert!(t.moa_vote(&x, 0) > 0.0);
        assert_eq!((t.moa_vote(&x, 1), t.moa_vote(&x, 2)), (0.0, 0.0));
        // River's naive Bayes skips those terms instead, so classes 1 and 2 keep a vote.
        let mut r = nb_tree(false);
        for (v, c) in [(0, 0), (0, 0), (0, 0), (1, 0), (1, 1), (1, 1), (0, 2)] {
            r.learn_one(&cats(&[v]), c, 1.0).unwrap();
        }
        r.learn_one(&cats(&[0, 0]), 0, 1.0).unwrap();
        assert!(r.moa_vote(&x, 2) > 0.0);
    }

    #[test]
    fn moa_gaussian_likelihood_of_a_single_value_is_one_at_it_and_zero_elsewhere() {
        let mut t = nb_tree(true);
        t.learn_one(&inst(&[2.0]), 0, 1.0).unwrap();
        t.learn_one(&inst(&[4.0]), 1, 1.0).unwrap();
        t.learn_one(&inst(&[6.0]), 1, 1.0).unwrap();
        // Class 0: one value, variance 0: density 1 at 2, 0 elsewhere. Class 1: mean 5,
        // variance 2 (ddof 1).
        assert_eq!(t.moa_vote(&inst(&[2.0]), 0), 1.0 / 3.0);
        assert_eq!(t.moa_vote(&inst(&[3.0]), 0), 0.0);
        let density = (-(1.0f64 / 4.0)).exp() / (2.0 * std::f64::consts::PI * 2.0).sqrt();
        assert!((t.moa_vote(&inst(&[4.0]), 1) - 2.0 / 3.0 * density).abs() < 1e-15);
    }

    #[test]
    fn moa_nb_adaptive_credits_follow_moa_max_index() {
        // A fresh NBA leaf: no majority class yet (MOA's maxIndex of an empty vector is -1),
        // and naive Bayes' all-zero votes pick class 0.
        let mut t = HoeffdingTreeClassifier::new(HtConfig {
            grace_period: 1e9,
            ..HtConfig::moa()
        })
        .unwrap();
        t.learn_one(&cats(&[0]), 0, 1.0).unwrap();
        let Node::Leaf(l) = &t.nodes[0] else {
            panic!("a leaf")
        };
        assert_eq!((l.mc_correct, l.nb_correct), (0.0, 1.0));
        // Class 1 at value 1: majority says 0 (wrong); naive Bayes' class 1 has no row, so
        // its vote is 0 and it picks class 0 (wrong; its vote 1 * (0+1)/(1+1)).
        t.learn_one(&cats(&[1]), 1, 1.0).unwrap();
        let Node::Leaf(l) = &t.nodes[0] else {
            panic!("a leaf")
        };
        assert_eq!((l.mc_correct, l.nb_correct), (0.0, 1.0));
        // Class 0 at value 0: majority (a tie, to the lowest id) is 0, right; naive Bayes:
        // 1/2 * (1+1)/(1+2) against 1/2 * (0+1)/(1+2), right.
        t.learn_one(&cats(&[0]), 0, 1.0).unwrap();
        let Node::Leaf(l) = &t.nodes[0] else {
            panic!("a leaf")
        };
        assert_eq!((l.mc_correct, l.nb_correct), (1.0, 2.0));
    }

    #[test]
    fn moa_votes_are_the_same_bits_after_a_restore_drops_the_likelihood_table() {
        let mut t = nb_tree(true);
        let mut state = 7u64;
        for _ in 0..300 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            let (a, b) = ((state >> 40) as u32 % 3, (state >> 20) as u32 % 2);
            t.learn_one(&cats(&[a, b]), ((a + b) % 3) as usize, 1.0)
                .unwrap();
        }
        let restored: HoeffdingTreeClassifier =
            crate::snapshot::from_bytes(&crate::snapshot::to_bytes(&t).unwrap()).unwrap();
        for (a, b) in [(0, 0), (1, 1), (2, 0), (7, 1)] {
            let x = cats(&[a, b]);
            for c in 0..3 {
                assert_eq!(
                    t.moa_vote(&x, c).to_bits(),
                    restored.moa_vote(&x, c).to_bits()
                );
            }
        }
    }

    #[test]
    fn verdicts_agree_with_prediction_vote_and_credit_and_judged_learning_is_the_same() {
        // MOA's and river's naive Bayes, NBA leaves that split, nominal and numeric features.
        for moa in [true, false] {
            let cfg = HtConfig {
                grace_period: 40.0,
                moa_naive_bayes: moa,
                ..HtConfig::moa()
            };
            let mut judged = HoeffdingTreeClassifier::new(cfg).unwrap();
            let mut plain = judged.clone();
            let mut state = 7u64;
            let mut next = move |m: u64| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 33) % m
            };
            let (mut predicted_right, mut uniques) = (0, 0);
            for i in 0..3000 {
                let (a, b, c) = (next(3) as u32, next(2) as u32, next(100) as f64 / 10.0);
                let y = if i % 11 == 0 {
                    next(4) as usize
                } else {
                    (a as usize + usize::from(c > 5.0)) % 4
                };
                let mut x = cats(&[a, b]);
                x.push(2, Value::Num(c));
                let v = judged.verdict(&x, y).unwrap();
                let p = judged.predict_proba_one(&x).unwrap();
                let first_max = p
                    .iter()
                    .enumerate()
                    .filter(|(_, &q)| q > 0.0)
                    .fold(None, |best: Option<(usize, f64)>, (k, &q)| match best {
                        Some((_, bq)) if q <= bq => best,
                        _ => Some((k, q)),
                    })
                    .map(|(k, _)| k);
                assert_eq!(v.predicted, first_max, "sample {i}");
                let ties = first_max.map_or(0, |k| p.iter().filter(|&&q| q == p[k]).count());
                assert_eq!(v.unique, ties == 1, "sample {i}: {p:?}");
                uniques += usize::from(v.unique);
                assert_eq!(v.vote.to_bits(), judged.moa_vote(&x, y).to_bits());
                predicted_right += usize::from(v.predicted == Some(y));
                judged.learn_one_judged(&x, y, 1.0, Some(&v)).unwrap();
                plain.learn_one(&x, y, 1.0).unwrap();
            }
            assert!(judged.n_nodes() > 1, "the tree should have split");
            assert!(predicted_right > 2000, "{predicted_right}");
            // Both kinds occur: ties (the empty tree, majority-class leaves) and clear leads.
            assert!(uniques > 2000 && uniques < 3000, "{uniques}");
            assert_eq!(judged, plain);
        }
    }

    #[test]
    fn moa_votes_are_raw_weights_or_unnormalised_naive_bayes() {
        let samples = [(0.0, 0), (2.0, 0), (4.0, 1), (6.0, 1), (5.0, 1)];
        let x = inst(&[1.0]);
        // Majority-class leaves vote their raw class weights.
        let mc = HtConfig {
            leaf_prediction: LeafPrediction::MajorityClass,
            ..HtConfig::default()
        };
        let mut t = HoeffdingTreeClassifier::new(mc).unwrap();
        for &(v, c) in &samples {
            t.learn_one(&inst(&[v]), c, 1.0).unwrap();
        }
        assert_eq!((t.moa_vote(&x, 0), t.moa_vote(&x, 1)), (2.0, 3.0));
        // Naive-Bayes leaves: prior times likelihood, which normalised is the prediction.
        let nb = HtConfig {
            leaf_prediction: LeafPrediction::NaiveBayes,
            ..HtConfig::default()
        };
        let mut t = HoeffdingTreeClassifier::new(nb).unwrap();
        for &(v, c) in &samples {
            t.learn_one(&inst(&[v]), c, 1.0).unwrap();
        }
        let votes = [t.moa_vote(&x, 0), t.moa_vote(&x, 1)];
        let p = t.predict_proba_one(&x).unwrap();
        let total = votes[0] + votes[1];
        assert!((votes[0] / total - p[0]).abs() < 1e-12);
        // Class 0: prior 2/5 times the normal density at 1 of mean 1, variance 2 (ddof 1).
        let density = 1.0 / (2.0 * std::f64::consts::PI * 2.0).sqrt();
        assert!((votes[0] - 0.4 * density).abs() < 1e-12, "{votes:?}");
        assert_eq!(t.moa_vote(&x, 7), 0.0);
    }

    #[test]
    fn learns_a_threshold_concept() {
        let cfg = HtConfig {
            grace_period: 50.0,
            ..HtConfig::default()
        };
        let mut t = HoeffdingTreeClassifier::new(cfg).unwrap();
        let mut state = 1u64;
        let mut rand = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..2000 {
            let (a, b) = (rand(), rand());
            t.learn_one(&inst(&[a, b]), usize::from(a > 0.6), 1.0)
                .unwrap();
        }
        assert!(t.n_branches() >= 1 && t.n_leaves() >= 2);
        let mut correct = 0;
        for _ in 0..1000 {
            let (a, b) = (rand(), rand());
            let p = t.predict_proba_one(&inst(&[a, b])).unwrap();
            let pred = usize::from(p[1] > p[0]);
            correct += usize::from(pred == usize::from(a > 0.6));
        }
        assert!(correct > 950, "{correct}");
    }

    #[test]
    fn rejects_bad_values_and_keeps_state() {
        let mut t = HoeffdingTreeClassifier::new(HtConfig::default()).unwrap();
        t.learn_one(&inst(&[1.0]), 0, 1.0).unwrap();
        let before = t.clone();
        assert!(t.learn_one(&inst(&[f64::NAN]), 1, 1.0).is_err());
        assert!(t.learn_one(&inst(&[1.0]), 1, -1.0).is_err());
        assert_eq!(t, before);
        assert!(HoeffdingTreeClassifier::new(HtConfig {
            delta: 0.0,
            ..HtConfig::default()
        })
        .is_err());
    }
}
