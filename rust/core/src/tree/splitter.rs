//! Attribute observers of a leaf: per-class statistics of one feature, and the best split they
//! suggest (river's `GaussianSplitter` and `NominalSplitterClassif`).

use super::criterion::Criterion;
use super::{ClassDist, Value};
use serde::{Deserialize, Serialize};
use std::f64::consts::{PI, SQRT_2, TAU};

/// Weighted running mean and variance (river's `proba.Gaussian` over `stats.Var(ddof=1)`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Gaussian {
    n: f64,
    mean: f64,
    s: f64,
    /// The variance and half its logarithm, kept up to date on learning: naive-Bayes
    /// prediction reads them for every class and feature, learning changes one.
    var: f64,
    half_ln_var: f64,
}

impl Gaussian {
    pub fn update(&mut self, x: f64, w: f64) {
        let old = self.mean;
        self.n += w;
        self.mean += (w / self.n) * (x - self.mean);
        self.s += w * (x - old) * (x - self.mean);
        self.var = self.variance();
        self.half_ln_var = if self.var > 0.0 {
            0.5 * self.var.ln()
        } else {
            0.0
        };
    }
    pub fn n(&self) -> f64 {
        self.n
    }
    fn variance(&self) -> f64 {
        if self.n > 1.0 {
            self.s / (self.n - 1.0)
        } else {
            0.0
        }
    }
    pub fn pdf(&self, x: f64) -> f64 {
        let var = self.variance();
        if self.n > 1.0 && var > 0.0 {
            let sigma = var.sqrt();
            let z = (x - self.mean) / sigma;
            (-0.5 * z * z).exp() / (2.0 * PI).sqrt() / sigma
        } else {
            0.0
        }
    }
    /// The log of MOA's `GaussianEstimator.probabilityDensity`: -inf before any weight; with
    /// a variance of 0 (one value so far), 0 at the mean and -inf elsewhere; else the log
    /// density, computed as [`Gaussian::log_pdf`] computes it.
    pub fn moa_log_density(&self, x: f64) -> f64 {
        if self.n <= 0.0 {
            f64::NEG_INFINITY
        } else if self.var > 0.0 {
            (x - self.mean).powi(2) / (-2.0 * self.var) - 0.5 * TAU.ln() - self.half_ln_var
        } else if x == self.mean {
            0.0
        } else {
            f64::NEG_INFINITY
        }
    }
    pub fn log_pdf(&self, x: f64) -> f64 {
        if self.n > 1.0 && self.var > 0.0 {
            // The same operations, in the same order, as computing the logarithm afresh.
            (x - self.mean).powi(2) / (-2.0 * self.var) - 0.5 * TAU.ln() - self.half_ln_var
        } else {
            f64::NEG_INFINITY
        }
    }
    pub fn cdf(&self, x: f64) -> f64 {
        let sigma = self.variance().sqrt();
        if sigma == 0.0 {
            return 0.0;
        }
        // libm's erf is the fdlibm algorithm that CPython's math.erf calls, so split
        // statistics agree with river's to the last bit and split timing follows.
        0.5 * (1.0 + libm::erf((x - self.mean) / sigma / SQRT_2))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassGaussian {
    class: usize,
    min: f64,
    max: f64,
    dist: Gaussian,
}

/// How a suggested split divides a leaf.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SplitKind {
    NumericBinary(f64),
    NominalBinary(u32),
    NominalMultiway(Vec<u32>),
}

/// A split suggestion; `kind: None` is the null split (do not split).
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub merit: f64,
    pub feature: usize,
    pub kind: Option<SplitKind>,
    pub children: Vec<ClassDist>,
}

impl Suggestion {
    pub fn null() -> Self {
        Suggestion {
            merit: f64::NEG_INFINITY,
            feature: 0,
            kind: None,
            children: vec![],
        }
    }
}

/// The weights of one nominal feature per class and value (river's `NominalSplitterClassif`),
/// in one allocation together with the value codes, the class ids and the log terms naive
/// Bayes adds at prediction:
/// `[codes: values][class ids: rows][weights: rows x values][terms]`, codes and ids stored as
/// `f64` (exact for `u32` and for class ids). Rows are classes and columns values, both in
/// first-seen order; a weight of 0 is a value the class has not seen (sample weights are
/// positive). The terms are MOA's (see [`moa_nominal_log_likelihood`]) for a tree with MOA's
/// naive Bayes, `(values + 1) x cols` with one column per class id up to the largest seen
/// (the last row for a value no class has seen, -inf for a class without a row), or river's
/// (see [`log_vote`]), `rows x values`.
///
/// Why one allocation: with a vector per class, one for the values and one for the terms,
/// an update chased three pointers, each a cache miss once the experts' trees outgrew the
/// cache (LED's 24 features times 3 learning experts per sample), and those misses took most
/// of the time of a long stream.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "NominalWire", into = "NominalWire")]
pub struct NominalSplitter {
    total: f64,
    missing: f64,
    /// For a tree with MOA's naive Bayes: the terms are MOA's instead of river's.
    moa: bool,
    values: usize,
    rows: usize,
    /// Term columns of MOA's table (largest class id with a row + 1); 0 for river's.
    cols: usize,
    data: Vec<f64>,
}

/// The serialised form, the same as before the weights moved into one allocation (older
/// snapshots restore): per class, its values' weights; then the values; the terms are
/// derived, recomputed on restore.
#[derive(Serialize, Deserialize)]
struct NominalWire {
    total: f64,
    missing: f64,
    per_class: Vec<(usize, Vec<(u32, f64)>)>,
    values: Vec<u32>,
    #[serde(default)]
    moa: bool,
}

impl From<NominalSplitter> for NominalWire {
    fn from(s: NominalSplitter) -> Self {
        let per_class = (0..s.rows)
            .map(|i| {
                let row = s.weights(i);
                let seen = s.codes().iter().zip(row).filter(|&(_, &w)| w != 0.0);
                (s.class_of(i), seen.map(|(&v, &w)| (v as u32, w)).collect())
            })
            .collect();
        NominalWire {
            total: s.total,
            missing: s.missing,
            per_class,
            values: s.codes().iter().map(|&v| v as u32).collect(),
            moa: s.moa,
        }
    }
}

impl From<NominalWire> for NominalSplitter {
    fn from(w: NominalWire) -> Self {
        let codes: Vec<f64> = w.values.iter().map(|&v| f64::from(v)).collect();
        let ids: Vec<f64> = w.per_class.iter().map(|(c, _)| *c as f64).collect();
        let mut s = NominalSplitter {
            total: w.total,
            missing: w.missing,
            moa: w.moa,
            ..NominalSplitter::default()
        };
        s.relayout(codes, ids, |_, _| 0.0);
        for (i, (_, row)) in w.per_class.iter().enumerate() {
            for &(v, x) in row {
                if let Some(j) = s.value_index(v) {
                    let at = s.weight_at(i, j);
                    s.data[at] += x;
                }
            }
        }
        s.rebuild_terms();
        s
    }
}

/// Whole weights below this have their logarithm looked up.
const LN_TABLE_SIZE: usize = 1 << 12;

/// Up to this many value codes, a nominal observer finds a value's index without a branch.
const SMALL_CODES: usize = 8;

/// `w.ln()`, looked up for a whole `w` below [`LN_TABLE_SIZE`] (sample weights are usually 1,
/// so the counts of the Laplace correction are whole): the table holds `ln` of each, so the
/// result is the same bits either way.
fn ln_weight(w: f64) -> f64 {
    static TABLE: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    // `w as i64` truncates in one instruction (a NaN gives 0), so comparing it back tests
    // wholeness without `fract`, which the baseline x86-64 target calls out to libm for, and
    // without the unsigned conversions, which it spells in several instructions.
    let k = w as i64;
    if k as f64 == w && (0..LN_TABLE_SIZE as i64).contains(&k) {
        TABLE.get_or_init(|| (0..LN_TABLE_SIZE).map(|k| (k as f64).ln()).collect())[k as usize]
    } else {
        w.ln()
    }
}

/// The log of MOA's Laplace-corrected `(w(value) + 1) / (w(class) + n)` for a value of weight
/// `w` in a class row of total weight `row_total`, as `ln(w + 1) - ln(w(class) + n)`, with
/// `n = n_values` the number of values the feature has shown at the leaf; a value the row has
/// not seen (or one no row has seen) has weight 0. MOA's `n` is the length of its per-class
/// `DoubleVector`, the largest declared index the class has seen plus one. Our value codes are
/// ids in order of appearance, so that would depend on the order of the features; the
/// feature's count is the same as MOA's once the class has seen the feature's last value (for
/// LED's 0/1 attributes: unless the class has seen only 0s). Counting the class's own values
/// instead (1 for a class that has seen one value) costs MoE-Data 1.1 points on 300k samples
/// of LED gradual.
fn moa_nominal_log_likelihood(w: f64, row_total: f64, n_values: usize) -> f64 {
    ln_weight(w + 1.0) - ln_weight(row_total + n_values as f64)
}

/// Which classes (by id) met a row of an observer; the others' log votes become -inf.
struct ClassMask {
    small: u128,
    large: Vec<bool>,
}

impl ClassMask {
    fn new(n: usize) -> Self {
        ClassMask {
            small: 0,
            large: if n > 128 { vec![false; n] } else { vec![] },
        }
    }
    fn set(&mut self, k: usize) {
        if k < 128 {
            self.small |= 1 << k;
        } else {
            self.large[k] = true;
        }
    }
    fn rule_out_the_rest(&self, log_votes: &mut [f64]) {
        for (k, vote) in log_votes.iter_mut().enumerate() {
            let met = if k < 128 {
                self.small & (1 << k) != 0
            } else {
                self.large[k]
            };
            if !met {
                *vote = f64::NEG_INFINITY;
            }
        }
    }
}

/// What naive Bayes adds for a value of weight `w` in a class row of total `total`:
/// `ln P(value | class)`, or 0 for a probability of 0.
fn log_vote(w: f64, total: f64) -> f64 {
    let p = if total == 0.0 { 0.0 } else { w / total };
    if p > 0.0 {
        p.ln()
    } else {
        0.0
    }
}

impl NominalSplitter {
    fn codes(&self) -> &[f64] {
        &self.data[..self.values]
    }
    fn class_of(&self, i: usize) -> usize {
        self.data[self.values + i] as usize
    }
    fn weight_at(&self, i: usize, j: usize) -> usize {
        self.values + self.rows + i * self.values + j
    }
    /// Row `i`'s weights, one per value.
    fn weights(&self, i: usize) -> &[f64] {
        let at = self.weight_at(i, 0);
        &self.data[at..at + self.values]
    }
    fn terms_start(&self) -> usize {
        self.weight_at(self.rows, 0)
    }
    fn value_index(&self, v: u32) -> Option<usize> {
        let code = f64::from(v);
        let codes = self.codes();
        if codes.len() <= SMALL_CODES {
            // Branch-free for the usual few values: the codes are distinct, so at most one
            // matches, and a select per code replaces a branch that a random value (LED's
            // 0/1 attributes) mispredicts half the time.
            let mut found = codes.len();
            for (j, &k) in codes.iter().enumerate().rev() {
                found = if k == code { j } else { found };
            }
            (found < codes.len()).then_some(found)
        } else {
            codes.iter().position(|&k| k == code)
        }
    }
    fn row_index(&self, class: usize) -> Option<usize> {
        let id = class as f64;
        self.data[self.values..self.values + self.rows]
            .iter()
            .position(|&k| k == id)
    }

    /// Lays the data out for value codes `codes` and class ids `ids`, each weight taken from
    /// `old(row, column)` of the new layout; the terms are left to the caller. Runs when a
    /// value or a class first appears.
    fn relayout(&mut self, codes: Vec<f64>, ids: Vec<f64>, old: impl Fn(usize, usize) -> f64) {
        let (values, rows) = (codes.len(), ids.len());
        let mut data = codes;
        data.extend(ids);
        for i in 0..rows {
            for j in 0..values {
                data.push(old(i, j));
            }
        }
        self.values = values;
        self.rows = rows;
        self.cols = 0;
        self.data = data;
    }

    /// Recomputes every term from the weights (after a layout change or a restore).
    fn rebuild_terms(&mut self) {
        let start = self.terms_start();
        self.data.truncate(start);
        if self.moa {
            self.cols = (0..self.rows)
                .map(|i| self.class_of(i) + 1)
                .max()
                .unwrap_or(0);
            let len = (self.values + 1) * self.cols;
            self.data.resize(start + len, f64::NEG_INFINITY);
        } else {
            self.cols = 0;
            self.data.resize(start + self.rows * self.values, 0.0);
        }
        for i in 0..self.rows {
            self.refresh_terms(i);
        }
    }

    /// Recomputes row `i`'s terms from its weights, with its total taken once for all values.
    fn refresh_terms(&mut self, i: usize) {
        let (start, values) = (self.terms_start(), self.values);
        let w0 = self.weight_at(i, 0);
        let total: f64 = self.data[w0..w0 + values].iter().sum();
        if self.moa {
            let (class, cols) = (self.class_of(i), self.cols);
            let den = ln_weight(total + values as f64);
            for j in 0..values {
                self.data[start + j * cols + class] = ln_weight(self.data[w0 + j] + 1.0) - den;
            }
            // ln(0 + 1) - den for a value the class has not seen.
            self.data[start + values * cols + class] = 0.0 - den;
        } else {
            for j in 0..values {
                self.data[start + i * values + j] = log_vote(self.data[w0 + j], total);
            }
        }
    }

    /// Adds weight `w` of value `v` for `class`.
    fn learn(&mut self, v: u32, class: usize, w: f64) {
        let j = match self.value_index(v) {
            Some(j) => j,
            None => {
                let (mut codes, ids) = self.split_heads();
                codes.push(f64::from(v));
                self.grow(codes, ids);
                self.values - 1
            }
        };
        let i = match self.row_index(class) {
            Some(i) => i,
            None => {
                let (codes, mut ids) = self.split_heads();
                ids.push(class as f64);
                self.grow(codes, ids);
                self.rows - 1
            }
        };
        let at = self.weight_at(i, j);
        self.data[at] += w;
        self.refresh_terms(i);
        self.total += w;
    }

    /// Lays the data out for `codes` and `ids`, which extend the current ones by a value or a
    /// class: the weights stay where they were, the new ones are 0, the terms are recomputed.
    fn grow(&mut self, codes: Vec<f64>, ids: Vec<f64>) {
        let old = self.clone();
        self.relayout(codes, ids, |i, j| {
            if i < old.rows && j < old.values {
                old.data[old.weight_at(i, j)]
            } else {
                0.0
            }
        });
        self.rebuild_terms();
    }

    /// Copies of the value codes and the class ids.
    fn split_heads(&self) -> (Vec<f64>, Vec<f64>) {
        let ids = &self.data[self.values..self.values + self.rows];
        (self.codes().to_vec(), ids.to_vec())
    }

    /// MOA's terms for value `v`, one per class id below `cols` (`None` without MOA's table).
    fn moa_terms(&self, v: u32) -> Option<&[f64]> {
        if !self.moa {
            return None;
        }
        let j = self.value_index(v).unwrap_or(self.values);
        let at = self.terms_start() + j * self.cols;
        Some(&self.data[at..at + self.cols])
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Splitter {
    Gaussian(Vec<ClassGaussian>),
    Nominal(NominalSplitter),
}

impl Splitter {
    pub fn gaussian() -> Self {
        Splitter::Gaussian(vec![])
    }
    pub fn nominal() -> Self {
        Splitter::Nominal(NominalSplitter::default())
    }
    /// A nominal observer for a tree with MOA's naive Bayes (which needs no log table).
    pub fn nominal_moa() -> Self {
        Splitter::Nominal(NominalSplitter {
            moa: true,
            ..NominalSplitter::default()
        })
    }

    /// Records `value` for `class` with weight `w`. A value of the other kind is ignored.
    pub fn update(&mut self, value: Value, class: usize, w: f64) {
        match (self, value) {
            (Splitter::Gaussian(per_class), Value::Num(x)) => {
                match per_class.iter().position(|c| c.class == class) {
                    Some(i) => {
                        let c = &mut per_class[i];
                        if x < c.min {
                            c.min = x;
                        }
                        if x > c.max {
                            c.max = x;
                        }
                        c.dist.update(x, w);
                    }
                    None => {
                        let mut dist = Gaussian::default();
                        dist.update(x, w);
                        per_class.push(ClassGaussian {
                            class,
                            min: x,
                            max: x,
                            dist,
                        });
                    }
                }
            }
            (Splitter::Nominal(s), Value::Cat(v)) => s.learn(v, class, w),
            (Splitter::Nominal(s), Value::Missing) => {
                s.missing += w;
                s.total += w;
            }
            _ => {}
        }
    }

    /// `log P(value | class)` when the splitter has a log density (Gaussian), else `None`.
    pub fn cond_log_proba(&self, value: Value, class: usize) -> Option<f64> {
        match (self, value) {
            (Splitter::Gaussian(per_class), Value::Num(x)) => Some(
                per_class
                    .iter()
                    .find(|c| c.class == class)
                    .map_or(f64::NEG_INFINITY, |c| c.dist.log_pdf(x)),
            ),
            (Splitter::Gaussian(_), _) => Some(f64::NEG_INFINITY),
            _ => None,
        }
    }

    /// Adds `log P(value | class)` to the naive-Bayes log votes `votes` (one per class of the
    /// leaf, `(class, log vote)`) of every class whose `slot[class]` is its position in `votes`
    /// (`usize::MAX`: a class of weight 0, left alone). Walks the splitter's own per-class
    /// estimators once, instead of searching them class by class; the additions per class
    /// are the same, so the votes are bit-identical to adding `cond_log_proba` class by class.
    pub fn add_log_likelihoods(&self, value: Value, slot: &[usize], votes: &mut [(usize, f64)]) {
        match (self, value) {
            (Splitter::Gaussian(per_class), Value::Num(x)) => {
                for c in per_class {
                    if let Some(vote) = slot.get(c.class).and_then(|&i| votes.get_mut(i)) {
                        let lp = c.dist.log_pdf(x);
                        if lp > f64::NEG_INFINITY {
                            vote.1 += lp;
                        }
                    }
                }
            }
            (Splitter::Gaussian(_), _) => {}
            // A class the splitter has not seen, or a value it has not seen for a class, would
            // add a log term of 0: nothing to add.
            (Splitter::Nominal(s), Value::Cat(v)) => {
                let Some(j) = s.value_index(v) else {
                    return;
                };
                let start = s.terms_start();
                for i in 0..s.rows {
                    if let Some(vote) = slot.get(s.class_of(i)).and_then(|&k| votes.get_mut(k)) {
                        vote.1 += if s.moa {
                            // MOA's table holds other terms: river's, from the weights.
                            let row = s.weights(i);
                            log_vote(row[j], row.iter().sum())
                        } else {
                            s.data[start + i * s.values + j]
                        };
                    }
                }
            }
            (Splitter::Nominal(_), _) => {}
        }
    }

    /// Adds to naive-Bayes log votes indexed by class id (`log_votes[class]`) the log of
    /// `P(value | class)` as MOA's observers give it (`probabilityOfAttributeValueGivenClass`),
    /// for MOA's `NaiveBayes.doNaiveBayesPrediction` computed in logs (MOA multiplies, and its
    /// votes underflow to 0 after a few dozen features; the logs keep the same ranking):
    /// - nominal: Laplace-corrected (see [`moa_nominal_log_likelihood`]);
    /// - numeric: the Gaussian log density with the sample variance; with a variance of 0, 0 at
    ///   the mean and -inf elsewhere;
    /// - a class the observer has not seen: -inf, a vote of 0 (where river's naive Bayes skips
    ///   the term and so favours the classes a young leaf has not seen).
    ///
    /// A missing value, or one of the other kind, leaves the votes as they are.
    pub fn add_moa_log_likelihoods(&self, value: Value, log_votes: &mut [f64]) {
        match (self, value) {
            (Splitter::Nominal(s), Value::Cat(v)) if s.moa => {
                let terms = s.moa_terms(v).unwrap_or_default();
                let n = log_votes.len().min(terms.len());
                for (vote, term) in log_votes[..n].iter_mut().zip(terms) {
                    *vote += term;
                }
                for vote in &mut log_votes[n..] {
                    *vote = f64::NEG_INFINITY;
                }
            }
            // River's splitter holds river's terms: MOA's, from the weights.
            (Splitter::Nominal(s), Value::Cat(v)) => {
                let mut met = ClassMask::new(log_votes.len());
                let j = s.value_index(v);
                for i in 0..s.rows {
                    let class = s.class_of(i);
                    if let Some(vote) = log_votes.get_mut(class) {
                        let row = s.weights(i);
                        let w = j.map_or(0.0, |j| row[j]);
                        *vote += moa_nominal_log_likelihood(w, row.iter().sum(), s.values);
                        met.set(class);
                    }
                }
                met.rule_out_the_rest(log_votes);
            }
            (Splitter::Gaussian(per_class), Value::Num(x)) => {
                let mut met = ClassMask::new(log_votes.len());
                for c in per_class {
                    if let Some(vote) = log_votes.get_mut(c.class) {
                        *vote += c.dist.moa_log_density(x);
                        met.set(c.class);
                    }
                }
                met.rule_out_the_rest(log_votes);
            }
            _ => {}
        }
    }

    /// The best split of this feature under `criterion`.
    pub fn best_split(
        &self,
        criterion: &Criterion,
        pre: &ClassDist,
        feature: usize,
        binary_only: bool,
        n_splits: usize,
        min_branch_fraction: f64,
    ) -> Suggestion {
        let mut best = Suggestion::null();
        match self {
            Splitter::Gaussian(per_class) => {
                let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
                for c in per_class {
                    if c.min < lo {
                        lo = c.min;
                    }
                    if c.max > hi {
                        hi = c.max;
                    }
                }
                if lo < f64::INFINITY {
                    let bin = (hi - lo) / (n_splits as f64 + 1.0);
                    // One pair of children, refilled for each candidate (cloned for the best).
                    let mut children = [ClassDist::default(), ClassDist::default()];
                    for i in 0..n_splits {
                        let split = lo + bin * (i as f64 + 1.0);
                        if !(lo < split && split < hi) {
                            continue;
                        }
                        gaussian_binary_split_into(per_class, split, &mut children);
                        let merit = criterion.merit(pre, &children, min_branch_fraction);
                        if merit > best.merit {
                            best = Suggestion {
                                merit,
                                feature,
                                kind: Some(SplitKind::NumericBinary(split)),
                                children: children.to_vec(),
                            };
                        }
                    }
                }
            }
            Splitter::Nominal(s) => {
                // A weight of 0 is a value the class has not seen (sample weights are > 0).
                if !binary_only {
                    let mut columns: Vec<usize> = (0..s.values).collect();
                    columns.sort_unstable_by_key(|&j| s.codes()[j] as u32);
                    let values: Vec<u32> = columns.iter().map(|&j| s.codes()[j] as u32).collect();
                    let mut rows: Vec<usize> = (0..s.rows).collect();
                    rows.sort_by_key(|&i| s.class_of(i));
                    let children: Vec<ClassDist> = columns
                        .iter()
                        .map(|&j| {
                            let mut d = ClassDist::default();
                            for &i in &rows {
                                let w = s.weights(i)[j];
                                if w != 0.0 {
                                    d.add(s.class_of(i), w);
                                }
                            }
                            d
                        })
                        .collect();
                    best = Suggestion {
                        merit: criterion.merit(pre, &children, min_branch_fraction),
                        feature,
                        kind: Some(SplitKind::NominalMultiway(values)),
                        children,
                    };
                }
                // One pair of children, refilled for each value (cloned for the best).
                let mut children = [ClassDist::default(), ClassDist::default()];
                for j in 0..s.values {
                    let v = s.codes()[j] as u32;
                    let [eq, ne] = &mut children;
                    eq.0.clear();
                    ne.0.clear();
                    for i in 0..s.rows {
                        let c = s.class_of(i);
                        for (k, &w) in s.weights(i).iter().enumerate() {
                            if w == 0.0 {
                                continue;
                            }
                            if k == j {
                                eq.add(c, w);
                            } else {
                                ne.add(c, w);
                            }
                        }
                    }
                    let merit = criterion.merit(pre, &children, min_branch_fraction);
                    if merit > best.merit {
                        best = Suggestion {
                            merit,
                            feature,
                            kind: Some(SplitKind::NominalBinary(v)),
                            children: children.to_vec(),
                        };
                    }
                }
            }
        }
        best
    }

    /// Approximate heap bytes, for the tree's memory management.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Splitter::Gaussian(p) => p.capacity() * std::mem::size_of::<ClassGaussian>(),
            Splitter::Nominal(s) => s.data.capacity() * 8,
        }
    }
}

/// The class weights on either side of `split`, written into `children` (two of them).
fn gaussian_binary_split_into(
    per_class: &[ClassGaussian],
    split: f64,
    [lhs, rhs]: &mut [ClassDist; 2],
) {
    lhs.0.clear();
    rhs.0.clear();
    for c in per_class {
        let n = c.dist.n();
        if split < c.min {
            rhs.0.push((c.class, n));
        } else if split >= c.max {
            lhs.0.push((c.class, n));
        } else {
            let l = c.dist.cdf(split) * n;
            lhs.0.push((c.class, l));
            rhs.0.push((c.class, n - l));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_weight_looks_up_whole_weights_and_computes_the_rest() {
        for w in [0.0, 1.0, 2.0, 37.0, 4095.0, 4096.0, 1e6, 0.5, 2.25, 1e-300] {
            assert_eq!(ln_weight(w).to_bits(), w.ln().to_bits(), "{w}");
        }
        assert!(ln_weight(-1.0).is_nan() && ln_weight(f64::NAN).is_nan());
        assert_eq!(ln_weight(f64::INFINITY), f64::INFINITY);
    }

    #[test]
    fn value_index_finds_each_code_among_few_and_many() {
        for n in [1u32, 2, 8, 9, 20] {
            let mut s = NominalSplitter::default();
            for v in (0..n).rev() {
                s.learn(v * 3, 0, 1.0);
            }
            for v in 0..n {
                assert_eq!(s.value_index(v * 3), Some((n - 1 - v) as usize));
            }
            assert_eq!(s.value_index(1), None);
        }
    }

    #[test]
    fn gaussian_statistics_by_hand() {
        let mut g = Gaussian::default();
        for x in [1.0, 2.0, 3.0] {
            g.update(x, 1.0);
        }
        // Mean 2, sample variance 1: pdf at the mean 1/sqrt(2 pi), cdf at the mean 1/2.
        assert!((g.pdf(2.0) - 1.0 / (2.0 * PI).sqrt()).abs() < 1e-15);
        assert!((g.log_pdf(2.0) - (-0.5 * TAU.ln())).abs() < 1e-15);
        assert!((g.cdf(2.0) - 0.5).abs() < 1e-15);
    }

    #[test]
    fn gaussian_split_points_and_merit() {
        let mut s = Splitter::gaussian();
        for i in 0..10 {
            s.update(Value::Num(i as f64), 0, 1.0);
            s.update(Value::Num(10.0 + i as f64), 1, 1.0);
        }
        let pre = ClassDist(vec![(0, 10.0), (1, 10.0)]);
        let best = s.best_split(&Criterion::InfoGain, &pre, 3, false, 10, 0.01);
        // Candidate points are 19 / 11 apart from 0. The 5th (8.64) leaves 91% of class 0 (by
        // its Gaussian cdf) on the left and all of class 1 (min 10) on the right; the 6th
        // (10.36) mirrors it with slightly less separation.
        let Some(SplitKind::NumericBinary(t)) = best.kind else {
            panic!()
        };
        assert!((t - 19.0 * 5.0 / 11.0).abs() < 1e-12, "{t}");
        assert_eq!(best.feature, 3);
        // Gain: 1 bit minus the entropy of the mixed right side (0.9 vs 10 of 20).
        assert!(best.merit > 0.75 && best.merit < 0.8, "{}", best.merit);
    }

    #[test]
    fn nominal_splits_by_hand() {
        let mut s = Splitter::nominal();
        for (v, c) in [(0, 0), (0, 0), (1, 1), (1, 1), (2, 0)] {
            s.update(Value::Cat(v), c, 1.0);
        }
        let pre = ClassDist(vec![(0, 3.0), (1, 2.0)]);
        // P(value 0 | class 0) = 2/3, as naive Bayes adds it.
        let mut votes = vec![(0, 0.0), (1, 0.0)];
        s.add_log_likelihoods(Value::Cat(0), &[0, 1], &mut votes);
        assert!((votes[0].1.exp() - 2.0 / 3.0).abs() < 1e-15);
        let multi = s.best_split(&Criterion::Gini, &pre, 0, false, 10, 0.01);
        // Every value is pure: Gini merit 1.
        assert_eq!(multi.kind, Some(SplitKind::NominalMultiway(vec![0, 1, 2])));
        assert!((multi.merit - 1.0).abs() < 1e-15);
        let binary = s.best_split(&Criterion::Gini, &pre, 0, true, 10, 0.01);
        assert_eq!(binary.kind, Some(SplitKind::NominalBinary(1)));
        assert!((binary.merit - 1.0).abs() < 1e-15);
    }

    #[test]
    fn nominal_log_votes_by_hand_and_after_a_restore() {
        let mut s = Splitter::nominal();
        for (v, c) in [(0, 0), (0, 0), (1, 0), (1, 1), (2, 2)] {
            s.update(Value::Cat(v), c, 1.0);
        }
        // Classes 0, 1, 2 at votes 0, 1, 2; value 0: ln(2/3) for class 0, nothing for the
        // classes that never saw it.
        let slot = [0, 1, 2];
        let mut votes = vec![(0, 0.0), (1, 0.0), (2, 0.0)];
        s.add_log_likelihoods(Value::Cat(0), &slot, &mut votes);
        assert_eq!(votes, vec![(0, (2.0f64 / 3.0).ln()), (1, 0.0), (2, 0.0)]);
        // A restored splitter rebuilds its terms from the weights: the same votes.
        let restored: Splitter =
            crate::snapshot::from_bytes(&crate::snapshot::to_bytes(&s).unwrap()).unwrap();
        assert_eq!(restored, s);
        for v in 0..4 {
            let (mut a, mut b) = (vec![(0, -1.0), (1, -2.0), (2, -3.0)], vec![]);
            b.clone_from(&a);
            s.add_log_likelihoods(Value::Cat(v), &slot, &mut a);
            restored.add_log_likelihoods(Value::Cat(v), &slot, &mut b);
            assert_eq!(a, b);
        }
    }

    #[test]
    fn snapshots_keep_the_per_class_form_and_moa_terms_are_rebuilt_on_restore() {
        let mut s = Splitter::nominal_moa();
        for (v, c) in [(5, 1), (7, 1), (5, 0), (5, 1)] {
            s.update(Value::Cat(v), c, 1.0);
        }
        // The serialised form lists, per class in first-seen order, the weights of the values
        // it has seen, then the values in first-seen order (the form older snapshots have).
        let Splitter::Nominal(n) = &s else { panic!() };
        let wire = NominalWire::from(n.clone());
        assert_eq!(
            wire.per_class,
            vec![(1, vec![(5, 2.0), (7, 1.0)]), (0, vec![(5, 1.0)])]
        );
        assert_eq!(wire.values, vec![5, 7]);
        let restored: Splitter =
            crate::snapshot::from_bytes(&crate::snapshot::to_bytes(&s).unwrap()).unwrap();
        assert_eq!(restored, s);
        // MOA's terms by hand, n = 2 values: class 1 has weight 3, class 0 weight 1; value 7
        // has weight 1 in class 1 and 0 in class 0; class 2 has no row (-inf).
        let mut votes = vec![0.0; 3];
        restored.add_moa_log_likelihoods(Value::Cat(7), &mut votes);
        assert_eq!(votes[0], 1.0f64.ln() - 3.0f64.ln());
        assert_eq!(votes[1], 2.0f64.ln() - 5.0f64.ln());
        assert_eq!(votes[2], f64::NEG_INFINITY);
        // A value no class has seen: ln(1) minus the denominator.
        let mut votes = vec![0.0; 2];
        restored.add_moa_log_likelihoods(Value::Cat(9), &mut votes);
        assert_eq!(votes, vec![-(3.0f64.ln()), -(5.0f64.ln())]);
    }
}
