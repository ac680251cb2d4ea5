//! Bindings of `rapidriver_core::bandit`: one Python class, `BanditPolicy`, that wraps any core
//! policy and maps arm ids (any hashable) and context dicts or arrays onto dense indices.

use crate::convert::{count, items, number, param_f64, param_opt_f64, Interner};
use crate::errors::{type_error, IntoPyResult};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use rapidriver_core::bandit::{
    simulate, Algo, BayesUcb, DiscountedThompson, DiscountedUcb, Environment, EpsilonGreedy, Exp3,
    Exp3Ix, GaussianThompson, KlUcb, LinTs, LinUcbDisjoint, Policy, RandomPolicy, RewardKind,
    SlidingWindowUcb, Softmax, ThompsonBeta, TsallisInf, Ucb, UcbTuned,
};
use rapidriver_core::snapshot;

pub(crate) fn make_algo(kind: &str, p: &Bound<'_, PyDict>) -> PyResult<Algo> {
    let f = |name| param_f64(p, name);
    let algo: Algo = match kind {
        "epsilon_greedy" => EpsilonGreedy::new(f("epsilon")?, f("decay")?)
            .py_err()?
            .into(),
        "ucb" => Ucb::new(f("delta")?).py_err()?.into(),
        "ucb_tuned" => UcbTuned.into(),
        "kl_ucb" => KlUcb::new(f("c")?).py_err()?.into(),
        "thompson" => ThompsonBeta::new(f("alpha")?, f("beta")?).py_err()?.into(),
        "gaussian_thompson" => GaussianThompson::new(f("mu_0")?, f("tau_0")?, f("sigma")?)
            .py_err()?
            .into(),
        "bayes_ucb" => BayesUcb::default().into(),
        "exp3" => Exp3::new(f("gamma")?).py_err()?.into(),
        "exp3_ix" => Exp3Ix::new(param_opt_f64(p, "eta")?, param_opt_f64(p, "gamma")?)
            .py_err()?
            .into(),
        "softmax" => Softmax::new(f("tau")?, f("decay")?).py_err()?.into(),
        "random" => RandomPolicy.into(),
        "tsallis_inf" => TsallisInf::default().into(),
        "discounted_ucb" => DiscountedUcb::new(f("gamma")?, f("xi")?, f("bound")?)
            .py_err()?
            .into(),
        "sliding_window_ucb" => {
            let window = match p.get_item("window")? {
                Some(w) => count("window", &w)?,
                None => return Err(PyTypeError::new_err("missing parameter `window`")),
            };
            SlidingWindowUcb::new(window as usize, f("xi")?, f("bound")?)
                .py_err()?
                .into()
        }
        "discounted_thompson" => DiscountedThompson::new(f("gamma")?, f("alpha")?, f("beta")?)
            .py_err()?
            .into(),
        "lin_ucb" => LinUcbDisjoint::new(f("alpha")?, f("beta")?, param_opt_f64(p, "smoothing")?)
            .py_err()?
            .into(),
        "lin_ts" => LinTs::new(f("alpha")?, f("beta")?, f("v")?)
            .py_err()?
            .into(),
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown policy kind `{other}`"
            )))
        }
    };
    Ok(algo)
}

/// How contexts are given: feature dicts (keys interned), or arrays of a fixed length.
#[derive(Clone, Copy, PartialEq)]
enum ContextMode {
    Unset,
    Dict,
    Array(usize),
}

#[pyclass(module = "rapidriver._core", name = "BanditPolicy")]
pub struct PyBanditPolicy {
    core: Policy,
    arms: Interner,
    features: Interner,
    mode: ContextMode,
    /// The last arm list seen by `pull`, held so that identity comparison is sound (a held
    /// object cannot be freed and its address reused), with its dense indices.
    cached_list: Vec<Py<PyAny>>,
    cached_idx: Vec<usize>,
    last_pulled: Option<(Py<PyAny>, usize)>,
    x: Vec<f64>,
}

/// A converted context whose new feature names are not interned yet.
enum PendingContext<'py> {
    None,
    Dict(Vec<(Option<usize>, Bound<'py, PyAny>, f64)>),
    Array(Vec<f64>),
}

/// Arm ids resolved without registering anything: `None` where the id is new.
enum PendingArms<'py> {
    Cached,
    Resolved(Vec<Bound<'py, PyAny>>, Vec<Option<usize>>),
}

/// Whether `list[i]` is the very object `cached`, without touching reference counts: a
/// per-call cost that matters when the same list of many arms is passed at every step.
fn same_item(list: &Bound<'_, PyList>, i: usize, cached: &Py<PyAny>) -> bool {
    let Ok(i) = isize::try_from(i) else {
        return false;
    };
    // SAFETY: the GIL is held (we have a `Bound`), `list` is a live list object and `i` is
    // within its length (the caller compared lengths, and nothing runs Python code between
    // that check and this call). `PyList_GetItem` returns a borrowed pointer that we only
    // compare as an address and never dereference, so no lifetime or refcount invariant is
    // involved.
    let item = unsafe { pyo3::ffi::PyList_GetItem(list.as_ptr(), i) };
    std::ptr::eq(item, cached.as_ptr())
}

impl PyBanditPolicy {
    /// Looks `arm_ids` up without registering anything; errors on an empty list or an
    /// unhashable id.
    fn prepare_arms<'py>(&self, arm_ids: &Bound<'py, PyAny>) -> PyResult<PendingArms<'py>> {
        if let Ok(list) = arm_ids.cast::<PyList>() {
            if !self.cached_list.is_empty()
                && list.len() == self.cached_list.len()
                && self
                    .cached_list
                    .iter()
                    .enumerate()
                    .all(|(i, cached)| same_item(list, i, cached))
            {
                return Ok(PendingArms::Cached);
            }
        }
        let ids = items(arm_ids)?;
        if ids.is_empty() {
            return Err(PyValueError::new_err("`arm_ids` must not be empty"));
        }
        let found = ids
            .iter()
            .map(|id| self.arms.get(id))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PendingArms::Resolved(ids, found))
    }

    /// Registers new arms and makes `cached_idx` the dense indices of the prepared list.
    fn commit_arms(&mut self, pending: PendingArms<'_>) -> PyResult<()> {
        if let PendingArms::Resolved(ids, found) = pending {
            let mut idx = Vec::with_capacity(ids.len());
            for (id, f) in ids.iter().zip(found) {
                idx.push(match f {
                    Some(i) => i,
                    None => self.arms.intern(id)?,
                });
            }
            self.core.ensure_arms(self.arms.len());
            self.cached_list = ids.into_iter().map(|b| b.unbind()).collect();
            self.cached_idx = idx;
        }
        Ok(())
    }

    fn resolve_arms(&mut self, arm_ids: &Bound<'_, PyAny>) -> PyResult<()> {
        let pending = self.prepare_arms(arm_ids)?;
        self.commit_arms(pending)
    }

    fn arm_index(&self, arm_id: &Bound<'_, PyAny>) -> PyResult<usize> {
        if let Some((obj, i)) = &self.last_pulled {
            if obj.as_ptr() == arm_id.as_ptr() {
                return Ok(*i);
            }
        }
        match self.arms.get(arm_id)? {
            Some(i) => Ok(i),
            None => Err(PyKeyError::new_err(format!(
                "unknown arm {}: arms become known when they are offered to pull",
                arm_id.repr()?
            ))),
        }
    }

    /// Converts and checks a context without changing anything.
    fn prepare_context<'py>(
        &self,
        context: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<PendingContext<'py>> {
        let ctx = match context {
            None => return Ok(PendingContext::None),
            Some(c) if c.is_none() => return Ok(PendingContext::None),
            Some(c) => c,
        };
        if !self.core.algo().is_contextual() {
            return Err(PyTypeError::new_err(
                "this policy is not contextual: call pull(arm_ids) without a context",
            ));
        }
        if let Ok(dict) = ctx.cast::<PyDict>() {
            if let ContextMode::Array(_) = self.mode {
                return Err(PyTypeError::new_err(
                    "`context` must be an array, as in earlier calls, not a dict",
                ));
            }
            let mut pairs = Vec::with_capacity(dict.len());
            for (k, v) in dict.iter() {
                let value = number("context", &v)?;
                if !value.is_finite() {
                    return Err(PyValueError::new_err(format!(
                        "`context` feature {} is {value}: features must be finite",
                        k.repr()?
                    )));
                }
                pairs.push((self.features.get(&k)?, k, value));
            }
            return Ok(PendingContext::Dict(pairs));
        }
        if self.mode == ContextMode::Dict {
            return Err(PyTypeError::new_err(
                "`context` must be a dict of features, as in earlier calls",
            ));
        }
        let values: Vec<f64> = match ctx.extract::<PyReadonlyArray1<f64>>() {
            Ok(a) => a.as_array().iter().copied().collect(),
            Err(_) => {
                let it = ctx
                    .try_iter()
                    .map_err(|_| type_error("context", "a dict or a 1-d array of numbers", ctx))?;
                it.map(|v| number("context", &v?))
                    .collect::<PyResult<_>>()?
            }
        };
        if let ContextMode::Array(d) = self.mode {
            if values.len() != d {
                return Err(PyValueError::new_err(format!(
                    "`context` has dimension {}, expected {d}",
                    values.len()
                )));
            }
        }
        if let Some(v) = values.iter().find(|v| !v.is_finite()) {
            return Err(PyValueError::new_err(format!(
                "`context` contains {v}: features must be finite"
            )));
        }
        Ok(PendingContext::Array(values))
    }

    /// Interns new feature names and loads the context into `self.x`; returns whether there is
    /// a context.
    fn commit_context(&mut self, pending: PendingContext<'_>) -> PyResult<bool> {
        match pending {
            PendingContext::None => Ok(false),
            PendingContext::Dict(pairs) => {
                let mut idx = Vec::with_capacity(pairs.len());
                for (known, k, _) in &pairs {
                    idx.push(match known {
                        Some(i) => *i,
                        None => self.features.intern(k)?,
                    });
                }
                self.mode = ContextMode::Dict;
                self.x.clear();
                self.x.resize(self.features.len(), 0.0);
                for (i, (_, _, v)) in idx.into_iter().zip(pairs) {
                    self.x[i] = v;
                }
                Ok(true)
            }
            PendingContext::Array(values) => {
                self.mode = ContextMode::Array(values.len());
                self.x = values;
                Ok(true)
            }
        }
    }

    fn reward(&self, reward: &Bound<'_, PyAny>) -> PyResult<f64> {
        number("reward", reward)
    }
}

#[pymethods]
impl PyBanditPolicy {
    #[new]
    #[pyo3(signature = (kind, params, burn_in=None, seed=None))]
    fn new(
        py: Python<'_>,
        kind: &str,
        params: &Bound<'_, PyDict>,
        burn_in: Option<&Bound<'_, PyAny>>,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let algo = make_algo(kind, params)?;
        let burn_in = match burn_in {
            Some(b) if !b.is_none() => count("burn_in", b)?,
            _ => 0,
        };
        let seed = crate::convert::seed(seed)?;
        Ok(PyBanditPolicy {
            core: Policy::new(algo, burn_in, seed),
            arms: Interner::new(py),
            features: Interner::new(py),
            mode: ContextMode::Unset,
            cached_list: vec![],
            cached_idx: vec![],
            last_pulled: None,
            x: vec![],
        })
    }

    /// Chooses an arm among `arm_ids` (any hashables) and returns it.
    #[pyo3(signature = (arm_ids, context=None))]
    fn pull<'py>(
        &mut self,
        arm_ids: &Bound<'py, PyAny>,
        context: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let pending_ctx = self.prepare_context(context)?;
        let pending_arms = self.prepare_arms(arm_ids)?;
        self.commit_arms(pending_arms)?;
        let has_ctx = self.commit_context(pending_ctx)?;
        let ctx = if has_ctx || self.core.algo().is_contextual() {
            Some(self.x.as_slice())
        } else {
            None
        };
        let pos = self.core.pull(&self.cached_idx, ctx).py_err()?;
        let chosen = self.cached_list[pos].clone_ref(arm_ids.py());
        self.last_pulled = Some((chosen.clone_ref(arm_ids.py()), self.cached_idx[pos]));
        Ok(chosen)
    }

    /// Feeds back `reward` for `arm_id` (non-contextual policies).
    fn update(&mut self, arm_id: &Bound<'_, PyAny>, reward: &Bound<'_, PyAny>) -> PyResult<()> {
        let arm = self.arm_index(arm_id)?;
        let r = self.reward(reward)?;
        if self.core.algo().is_contextual() {
            return Err(PyTypeError::new_err(
                "this policy is contextual: call update(arm_id, context, reward)",
            ));
        }
        self.core.update(arm, r, None).py_err()
    }

    /// Feeds back `reward` for `arm_id` pulled in `context` (contextual policies).
    fn update_ctx(
        &mut self,
        arm_id: &Bound<'_, PyAny>,
        context: &Bound<'_, PyAny>,
        reward: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let arm = self.arm_index(arm_id)?;
        let r = self.reward(reward)?;
        let pending = self.prepare_context(Some(context))?;
        // The core checks the reward too, but only after the context would be committed.
        if !r.is_finite() {
            return Err(PyValueError::new_err(format!(
                "invalid value for `reward`: must be finite, got {r}"
            )));
        }
        let has_ctx = self.commit_context(pending)?;
        let ctx = if has_ctx {
            Some(self.x.as_slice())
        } else {
            None
        };
        self.core.update(arm, r, ctx).py_err()
    }

    /// `n` decisions from the current state, as positions in `arm_ids` (int64 array).
    fn pull_many<'py>(
        &mut self,
        py: Python<'py>,
        arm_ids: &Bound<'py, PyAny>,
        n: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let n = count("n", n)? as usize;
        self.resolve_arms(arm_ids)?;
        let core = &mut self.core;
        let arms = &self.cached_idx;
        let pos = py.detach(|| core.pull_many(arms, n)).py_err()?;
        Ok(pos
            .into_iter()
            .map(|p| p as i64)
            .collect::<Vec<_>>()
            .into_pyarray(py))
    }

    /// Applies `rewards[i]` to arm `arm_ids[positions[i]]`, in order; all are checked first.
    fn update_many<'py>(
        &mut self,
        py: Python<'py>,
        arm_ids: &Bound<'py, PyAny>,
        positions: &Bound<'py, PyAny>,
        rewards: &Bound<'py, PyAny>,
    ) -> PyResult<()> {
        let positions: PyReadonlyArray1<i64> = positions
            .extract()
            .map_err(|_| type_error("positions", "a 1-d integer array", positions))?;
        let rewards: PyReadonlyArray1<f64> = rewards
            .extract()
            .map_err(|_| type_error("rewards", "a 1-d float array", rewards))?;
        if positions.len() != rewards.len() {
            return Err(PyValueError::new_err(format!(
                "`rewards` has length {}, expected {} (the length of `positions`)",
                rewards.len(),
                positions.len()
            )));
        }
        self.resolve_arms(arm_ids)?;
        let k = self.cached_idx.len();
        let mut dense = Vec::with_capacity(positions.len());
        for &p in positions.as_array().iter() {
            if p < 0 || p as usize >= k {
                return Err(PyValueError::new_err(format!(
                    "`positions` holds {p}, outside 0..{k}"
                )));
            }
            dense.push(self.cached_idx[p as usize]);
        }
        let rewards: Vec<f64> = rewards.as_array().iter().copied().collect();
        let core = &mut self.core;
        py.detach(|| core.update_many(&dense, &rewards)).py_err()
    }

    /// What each arm is ranked by now (upper bound, probability or posterior mean).
    #[pyo3(signature = (arm_ids, context=None))]
    fn scores(
        &mut self,
        arm_ids: &Bound<'_, PyAny>,
        context: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<f64>> {
        let pending_ctx = self.prepare_context(context)?;
        let pending_arms = self.prepare_arms(arm_ids)?;
        self.commit_arms(pending_arms)?;
        let has_ctx = self.commit_context(pending_ctx)?;
        let ctx = if has_ctx {
            Some(self.x.as_slice())
        } else {
            None
        };
        self.core.scores(&self.cached_idx, ctx).py_err()
    }

    /// Runs the policy on a simulated environment whose arms are the ints `0..k`.
    #[pyo3(signature = (kind, means, stds, changes, n_steps, seed))]
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn simulate<'py>(
        &mut self,
        py: Python<'py>,
        kind: &str,
        means: Vec<f64>,
        stds: Option<Vec<f64>>,
        changes: Vec<(u64, Vec<f64>)>,
        n_steps: &Bound<'py, PyAny>,
        seed: &Bound<'py, PyAny>,
    ) -> PyResult<(
        Bound<'py, PyArray1<i64>>,
        Bound<'py, PyArray1<f64>>,
        Bound<'py, PyArray1<f64>>,
    )> {
        let n_steps = count("n_steps", n_steps)? as usize;
        let seed = crate::convert::seed(Some(seed))?;
        let reward_kind = match (kind, stds) {
            ("bernoulli", _) => RewardKind::Bernoulli,
            ("gaussian", Some(stds)) => RewardKind::Gaussian { stds },
            ("gaussian", None) => RewardKind::Gaussian {
                stds: vec![1.0; means.len()],
            },
            (other, _) => {
                return Err(PyValueError::new_err(format!(
                    "unknown environment kind `{other}`"
                )))
            }
        };
        let env = Environment::new(reward_kind, means, changes).py_err()?;
        // Validate on a copy: the policy only changes if the whole run can start.
        let arm_list = PyList::new(py, 0..env.n_arms())?;
        self.resolve_arms(arm_list.as_any())?;
        let arms = self.cached_idx.clone();
        let core = &mut self.core;
        let sim = py
            .detach(|| simulate(core, &arms, &env, n_steps, seed))
            .py_err()?;
        Ok((
            sim.choices.into_pyarray(py),
            sim.rewards.into_pyarray(py),
            sim.regret.into_pyarray(py),
        ))
    }

    /// Rewarded arm ids by decreasing mean reward.
    fn ranking<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(
            py,
            self.core
                .ranking()
                .into_iter()
                .map(|i| self.arms.keys[i].bind(py)),
        )
    }

    /// `(arm_id, mean reward, count)` for every rewarded arm, in ranking order.
    fn arm_table<'py>(&self, py: Python<'py>) -> PyResult<Vec<(Py<PyAny>, f64, u64)>> {
        let s = self.core.stats();
        Ok(self
            .core
            .ranking()
            .into_iter()
            .map(|i| (self.arms.keys[i].clone_ref(py), s.mean(i), s.count(i)))
            .collect())
    }

    /// `{arm_id: count}` over every known arm, in the order arms became known.
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (i, k) in self.arms.keys.iter().enumerate() {
            d.set_item(k.bind(py), self.core.stats().count(i))?;
        }
        Ok(d)
    }

    /// Total number of rewards received.
    #[getter]
    fn n(&self) -> u64 {
        self.core.stats().total()
    }

    /// The known arm ids, in the order they became known.
    fn arm_ids<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.arms.keys_list(py)
    }

    fn is_contextual(&self) -> bool {
        self.core.algo().is_contextual()
    }

    /// Pools the counts and mean rewards of `other` (same arms by id) into this policy.
    fn merge(&mut self, py: Python<'_>, other: PyRef<'_, PyBanditPolicy>) -> PyResult<()> {
        if std::mem::discriminant(self.core.algo()) != std::mem::discriminant(other.core.algo()) {
            return Err(PyTypeError::new_err(
                "`other` must be a policy of the same kind",
            ));
        }
        // Arms of `other` map onto ours by id.
        let mut mapping = Vec::with_capacity(other.arms.len());
        for id in &other.arms.keys {
            mapping.push(self.arms.intern(id.bind(py))?);
        }
        self.core
            .merge_stats(other.core.stats(), &mapping)
            .py_err()?;
        self.cached_list.clear();
        Ok(())
    }

    /// Serialized state (used by pickle).
    fn state_bytes(&self) -> PyResult<Vec<u8>> {
        snapshot::to_bytes(&self.core).py_err()
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let restore = py.import("rapidriver._core")?.getattr("_restore_bandit")?;
        let mode = match self.mode {
            ContextMode::Unset => -2i64,
            ContextMode::Dict => -1,
            ContextMode::Array(d) => d as i64,
        };
        let state = pyo3::types::PyBytes::new(py, &snapshot::to_bytes(&self.core).py_err()?);
        let args = PyTuple::new(
            py,
            [
                state.into_any(),
                self.arms.keys_list(py)?.into_any(),
                self.features.keys_list(py)?.into_any(),
                mode.into_pyobject(py)?.into_any(),
            ],
        )?;
        Ok((restore, args))
    }
}

#[pyfunction]
fn _restore_bandit(
    py: Python<'_>,
    state: &[u8],
    arm_ids: Vec<Py<PyAny>>,
    feature_names: Vec<Py<PyAny>>,
    mode: i64,
) -> PyResult<PyBanditPolicy> {
    let core: Policy = snapshot::from_bytes(state).py_err()?;
    let mode = match mode {
        -2 => ContextMode::Unset,
        -1 => ContextMode::Dict,
        d => ContextMode::Array(d as usize),
    };
    Ok(PyBanditPolicy {
        core,
        arms: Interner::from_keys(py, arm_ids)?,
        features: Interner::from_keys(py, feature_names)?,
        mode,
        cached_list: vec![],
        cached_idx: vec![],
        last_pulled: None,
        x: vec![],
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBanditPolicy>()?;
    m.add_function(wrap_pyfunction!(_restore_bandit, m)?)?;
    Ok(())
}
