//! Split criteria: the merit of splitting a class distribution into several (river's
//! `tree.split_criterion`): information gain, Gini impurity reduction, Hellinger distance.

use super::ClassDist;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Criterion {
    InfoGain,
    Gini,
    /// Hellinger distance between the two classes labelled 0 (`neg`) and 1 (`pos`); it is 0
    /// when either is absent, as in river.
    Hellinger {
        neg: Option<usize>,
        pos: Option<usize>,
    },
}

fn weights(post: &[ClassDist]) -> Vec<f64> {
    post.iter().map(ClassDist::total).collect()
}

fn subsets_above(post: &[ClassDist], min_frac: f64, guard_zero: bool) -> usize {
    let w = weights(post);
    let total: f64 = w.iter().sum();
    if guard_zero && total <= 0.0 {
        return 0;
    }
    w.iter().filter(|&&d| d / total > min_frac).count()
}

/// Entropy (bits) of one distribution, computed as river does.
pub fn entropy(dist: &ClassDist) -> f64 {
    let (mut entropy, mut sum) = (0.0, 0.0);
    for &(_, d) in &dist.0 {
        if d > 0.0 {
            entropy -= d * d.log2();
            sum += d;
        }
    }
    if sum > 0.0 {
        (entropy + sum * sum.log2()) / sum
    } else {
        0.0
    }
}

/// Weighted entropy of several distributions.
pub fn entropy_of_split(post: &[ClassDist]) -> f64 {
    let w = weights(post);
    let total: f64 = w.iter().sum();
    let e: f64 = post.iter().zip(&w).map(|(d, w)| w * entropy(d)).sum();
    e / total
}

/// Gini impurity of one distribution with total weight `sum`.
pub fn gini(dist: &ClassDist, sum: f64) -> f64 {
    let mut g = 1.0;
    if sum != 0.0 {
        for &(_, v) in &dist.0 {
            let f = v / sum;
            g -= f * f;
        }
    }
    g
}

impl Criterion {
    /// Merit of splitting `pre` into `post`; minus infinity when fewer than two subsets hold
    /// more than `min_branch_fraction` of the weight.
    pub fn merit(&self, pre: &ClassDist, post: &[ClassDist], min_branch_fraction: f64) -> f64 {
        let guard = !matches!(self, Criterion::Hellinger { .. });
        if subsets_above(post, min_branch_fraction, guard) < 2 {
            return f64::NEG_INFINITY;
        }
        match self {
            Criterion::InfoGain => entropy(pre) - entropy_of_split(post),
            Criterion::Gini => {
                let w = weights(post);
                let total: f64 = w.iter().sum();
                let g: f64 = post
                    .iter()
                    .zip(&w)
                    .map(|(d, &wi)| (wi / total) * gini(d, wi))
                    .sum();
                1.0 - g
            }
            Criterion::Hellinger { neg, pos } => {
                let (Some(neg), Some(pos)) = (*neg, *pos) else {
                    return 0.0;
                };
                if post.len() < 2 {
                    return 0.0;
                }
                let get = |d: &ClassDist, c| d.get(c);
                let (Some(lp), Some(ln), Some(rp), Some(rn)) = (
                    get(&post[0], pos),
                    get(&post[0], neg),
                    get(&post[1], pos),
                    get(&post[1], neg),
                ) else {
                    return 0.0;
                };
                let (tn, tp) = (ln + rn, lp + rp);
                let h = ((ln / tn).sqrt() - (lp / tp).sqrt()).powi(2)
                    + ((rn / tn).sqrt() - (rp / tp).sqrt()).powi(2);
                h.sqrt()
            }
        }
    }

    /// Range of the merit, for the Hoeffding bound.
    pub fn range(&self, pre: &ClassDist) -> f64 {
        match self {
            Criterion::Gini => 1.0,
            _ => (pre.len().max(2) as f64).log2(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(v: &[(usize, f64)]) -> ClassDist {
        ClassDist(v.to_vec())
    }

    #[test]
    fn entropy_and_gain_by_hand() {
        // 4 vs 4: 1 bit. Split into pure halves: gain 1. Split into 3/1 and 1/3: 1 - H(1/4).
        let pre = d(&[(0, 4.0), (1, 4.0)]);
        assert!((entropy(&pre) - 1.0).abs() < 1e-15);
        let pure = [d(&[(0, 4.0)]), d(&[(1, 4.0)])];
        assert!((Criterion::InfoGain.merit(&pre, &pure, 0.01) - 1.0).abs() < 1e-15);
        let mixed = [d(&[(0, 3.0), (1, 1.0)]), d(&[(0, 1.0), (1, 3.0)])];
        let h = -(0.25f64 * 0.25f64.log2() + 0.75 * 0.75f64.log2());
        assert!((Criterion::InfoGain.merit(&pre, &mixed, 0.01) - (1.0 - h)).abs() < 1e-15);
        assert_eq!(Criterion::InfoGain.range(&pre), 1.0);
        assert_eq!(
            Criterion::InfoGain.range(&d(&[(0, 1.0), (1, 1.0), (2, 1.0), (3, 1.0)])),
            2.0
        );
    }

    #[test]
    fn gini_by_hand() {
        let pre = d(&[(0, 4.0), (1, 4.0)]);
        let mixed = [d(&[(0, 3.0), (1, 1.0)]), d(&[(0, 1.0), (1, 3.0)])];
        // Each side: 1 - (9 + 1) / 16 = 3/8; merit 1 - 3/8.
        assert!((Criterion::Gini.merit(&pre, &mixed, 0.01) - 0.625).abs() < 1e-15);
        // A split that leaves one side nearly empty has no merit.
        let lopsided = [d(&[(0, 4.0), (1, 4.0)]), d(&[(0, 0.01)])];
        assert_eq!(
            Criterion::Gini.merit(&pre, &lopsided, 0.01),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn hellinger_by_hand() {
        let c = Criterion::Hellinger {
            neg: Some(0),
            pos: Some(1),
        };
        let pre = d(&[(0, 4.0), (1, 4.0)]);
        let pure = [d(&[(0, 4.0), (1, 0.0)]), d(&[(0, 0.0), (1, 4.0)])];
        assert!((c.merit(&pre, &pure, 0.01) - 2f64.sqrt()).abs() < 1e-15);
        let missing = [d(&[(0, 4.0)]), d(&[(1, 4.0)])];
        assert_eq!(c.merit(&pre, &missing, 0.01), 0.0);
    }
}
