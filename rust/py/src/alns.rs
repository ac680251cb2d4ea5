//! Bindings of `rapidriver_core::alns`: the built-in selection schemes, acceptance criteria and
//! stopping criteria as `AlnsSelect`, `AlnsAccept` and `AlnsStop`, and `AlnsEngine`, which runs
//! the core's loop over a `Problem` whose operators, objective, context and callbacks are
//! Python callables. Selection, acceptance and stopping objects that are not ours are called as
//! Python callables with alns' signatures. `alns_run_native` runs a Rust-native problem with
//! the GIL released.

use crate::bandit::make_algo;
use crate::convert::{count, number, param_f64, seed};
use crate::errors::{to_py, type_error, IntoPyResult};
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::exceptions::{PyAttributeError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};
use rand::SeedableRng;
use rand_pcg::Pcg64;
use rapidriver_core::alns::accept::{
    GreatDeluge, LateAcceptanceHillClimbing, MovingAverageThreshold, NonLinearGreatDeluge,
    RandomAccept, RecordToRecordTravel, SimulatedAnnealing,
};
use rapidriver_core::alns::problems::{Trivial, Tsp};
use rapidriver_core::alns::select::{
    AlphaUcb, Coupling, MabSelector, RouletteWheel, SegmentedRouletteWheel,
};
use rapidriver_core::alns::{
    iterate, Accept, Acceptance, Outcome, Problem, Run, Schedule, Scored, Select, Selection,
    Statistics, Stop, Stopping,
};
use rapidriver_core::bandit::Policy;
use rapidriver_core::{snapshot, Error};

/// A Python exception raised inside the run (or a core error converted to one).
struct Fail(PyErr);

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail(to_py(e))
    }
}

impl From<PyErr> for Fail {
    fn from(e: PyErr) -> Self {
        Fail(e)
    }
}

/// The serialized state of a core object, for pickling.
fn bytes_of<'py, T: serde::Serialize>(py: Python<'py>, core: &T) -> PyResult<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(py, &snapshot::to_bytes(core).py_err()?))
}

fn restore<T: serde::de::DeserializeOwned>(state: &[u8]) -> PyResult<T> {
    snapshot::from_bytes(state).py_err()
}

fn get<'py>(p: &Bound<'py, PyDict>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    p.get_item(name)?
        .ok_or_else(|| PyTypeError::new_err(format!("missing parameter `{name}`")))
}

fn param_count(p: &Bound<'_, PyDict>, name: &str) -> PyResult<u64> {
    count(name, &get(p, name)?)
}

fn param_bool(p: &Bound<'_, PyDict>, name: &str) -> PyResult<bool> {
    get(p, name)?.is_truthy()
}

fn param_method(p: &Bound<'_, PyDict>) -> PyResult<Schedule> {
    let m = get(p, "method")?;
    let s: String = m.extract().map_err(|_| type_error("method", "a str", &m))?;
    Schedule::parse(&s).py_err()
}

fn scores(p: &Bound<'_, PyDict>) -> PyResult<Vec<f64>> {
    let s = get(p, "scores")?;
    let it = s
        .try_iter()
        .map_err(|_| type_error("scores", "a list of four numbers", &s))?;
    it.map(|v| number("scores", &v?)).collect()
}

fn coupling(
    num_destroy: u64,
    num_repair: u64,
    op_coupling: Option<Vec<bool>>,
) -> PyResult<Coupling> {
    Coupling::new(num_destroy as usize, num_repair as usize, op_coupling).py_err()
}

// ---------------------------------------------------------------------------------------------
// Selection schemes.

#[pyclass(module = "rapidriver._core", name = "AlnsSelect")]
pub struct PyAlnsSelect {
    core: Selection,
}

fn make_selection(kind: &str, p: &Bound<'_, PyDict>, c: Coupling) -> PyResult<Selection> {
    Ok(match kind {
        "random" => Selection::Random(c),
        "roulette_wheel" => Selection::RouletteWheel(
            RouletteWheel::new(&scores(p)?, param_f64(p, "decay")?, c).py_err()?,
        ),
        "segmented_roulette_wheel" => Selection::SegmentedRouletteWheel(
            SegmentedRouletteWheel::new(
                &scores(p)?,
                param_f64(p, "decay")?,
                param_count(p, "seg_length")?,
                c,
            )
            .py_err()?,
        ),
        "alpha_ucb" => {
            Selection::AlphaUcb(AlphaUcb::new(&scores(p)?, param_f64(p, "alpha")?, c).py_err()?)
        }
        "mab" => {
            let policy_kind: String = get(p, "policy_kind")?.extract()?;
            let policy_params = get(p, "policy_params")?;
            let policy_params = policy_params
                .cast::<PyDict>()
                .map_err(|_| type_error("policy_params", "a dict", &policy_params))?;
            let algo = make_algo(&policy_kind, policy_params)?;
            let burn_in = param_count(p, "burn_in")?;
            let s = seed(Some(&get(p, "seed")?))?;
            let policy = Policy::new(algo, burn_in, s);
            Selection::Mab(MabSelector::new(&scores(p)?, c, policy).py_err()?)
        }
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown selection scheme `{other}`"
            )))
        }
    })
}

/// A Pcg64 for a call made outside the engine, seeded from the caller's numpy Generator.
fn pcg_from(rng: &Bound<'_, PyAny>) -> PyResult<Pcg64> {
    let s: u64 = rng
        .call_method1(intern!(rng.py(), "integers"), (0u64, 1u64 << 63))?
        .extract()?;
    Ok(Pcg64::seed_from_u64(s))
}

fn context_of(state: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    let ctx =
        state
            .call_method0(intern!(state.py(), "get_context"))
            .map_err(|e| {
                if e.is_instance_of::<PyAttributeError>(state.py())
                    && !state.hasattr("get_context").unwrap_or(false)
                {
                    PyTypeError::new_err(format!(
                    "a contextual selector needs states with a get_context() method; {} has none",
                    state.get_type().name().map(|n| n.to_string()).unwrap_or_default()
                ))
                } else {
                    e
                }
            })?;
    if let Ok(a) = ctx.extract::<PyReadonlyArray1<f64>>() {
        return Ok(a.as_array().iter().copied().collect());
    }
    let it = ctx
        .try_iter()
        .map_err(|_| type_error("get_context()", "a 1-d array of numbers", &ctx))?;
    it.map(|v| number("get_context()", &v?)).collect()
}

#[pymethods]
impl PyAlnsSelect {
    #[new]
    #[pyo3(signature = (kind, params, num_destroy, num_repair, op_coupling=None))]
    fn new(
        kind: &str,
        params: &Bound<'_, PyDict>,
        num_destroy: &Bound<'_, PyAny>,
        num_repair: &Bound<'_, PyAny>,
        op_coupling: Option<Vec<bool>>,
    ) -> PyResult<Self> {
        let c = coupling(
            count("num_destroy", num_destroy)?,
            count("num_repair", num_repair)?,
            op_coupling,
        )?;
        Ok(PyAlnsSelect {
            core: make_selection(kind, params, c)?,
        })
    }

    /// A (destroy, repair) pair, as `op_select(rng, best, curr)`.
    fn select(
        &mut self,
        rng: &Bound<'_, PyAny>,
        current: &Bound<'_, PyAny>,
    ) -> PyResult<(usize, usize)> {
        let ctx = if self.core.is_contextual() {
            Some(context_of(current)?)
        } else {
            None
        };
        let mut r = pcg_from(rng)?;
        self.core.choose(&mut r, ctx.as_deref()).py_err()
    }

    /// Learns from the outcome (0 best, 1 better, 2 accepted, 3 rejected) of pair `(d, r)`.
    fn update(
        &mut self,
        candidate: &Bound<'_, PyAny>,
        d: usize,
        r: usize,
        outcome: usize,
    ) -> PyResult<()> {
        let outcome = outcome_of(outcome)?;
        let (nd, nr) = self.core.coupling().shape();
        if d >= nd || r >= nr {
            return Err(PyValueError::new_err(format!(
                "operator pair ({d}, {r}) is out of range for {nd} destroy and {nr} repair operators"
            )));
        }
        let ctx = if self.core.is_contextual() {
            Some(context_of(candidate)?)
        } else {
            None
        };
        self.core.learn(d, r, outcome, ctx.as_deref()).py_err()
    }

    /// The scheme's current learned values, by name.
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let (nd, nr) = self.core.coupling().shape();
        d.set_item("shape", (nd, nr))?;
        match &self.core {
            Selection::Random(_) => {}
            Selection::RouletteWheel(s) => {
                d.set_item("destroy_weights", s.destroy_weights().to_vec())?;
                d.set_item("repair_weights", s.repair_weights().to_vec())?;
            }
            Selection::SegmentedRouletteWheel(s) => {
                d.set_item("destroy_weights", s.wheel().destroy_weights().to_vec())?;
                d.set_item("repair_weights", s.wheel().repair_weights().to_vec())?;
            }
            Selection::AlphaUcb(s) => {
                d.set_item("avg_rewards", s.avg_rewards().to_vec())?;
                d.set_item("values", s.values())?;
            }
            Selection::Mab(s) => {
                d.set_item("pairs", s.pairs().to_vec())?;
                d.set_item("counts", s.policy().stats().counts().to_vec())?;
                d.set_item("means", s.policy().stats().means().to_vec())?;
                d.set_item("contextual", s.is_contextual())?;
            }
        }
        Ok(d)
    }

    fn state_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        bytes_of(py, &self.core)
    }

    #[staticmethod]
    fn from_bytes(state: &[u8]) -> PyResult<Self> {
        Ok(PyAlnsSelect {
            core: restore(state)?,
        })
    }
}

fn outcome_of(k: usize) -> PyResult<Outcome> {
    Ok(match k {
        0 => Outcome::Best,
        1 => Outcome::Better,
        2 => Outcome::Accept,
        3 => Outcome::Reject,
        _ => {
            return Err(PyValueError::new_err(format!(
                "`outcome` must be 0, 1, 2 or 3, got {k}"
            )))
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Acceptance criteria.

#[pyclass(module = "rapidriver._core", name = "AlnsAccept")]
pub struct PyAlnsAccept {
    core: Acceptance,
}

fn make_acceptance(kind: &str, p: &Bound<'_, PyDict>) -> PyResult<Acceptance> {
    let f = |name| param_f64(p, name);
    Ok(match kind {
        "hill_climbing" => Acceptance::HillClimbing,
        "always_accept" => Acceptance::AlwaysAccept,
        "random_accept" => Acceptance::RandomAccept(
            RandomAccept::new(
                f("start_prob")?,
                f("end_prob")?,
                f("step")?,
                param_method(p)?,
            )
            .py_err()?,
        ),
        "simulated_annealing" => Acceptance::SimulatedAnnealing(
            SimulatedAnnealing::new(
                f("start_temperature")?,
                f("end_temperature")?,
                f("step")?,
                param_method(p)?,
            )
            .py_err()?,
        ),
        "simulated_annealing_autofit" => Acceptance::SimulatedAnnealing(
            SimulatedAnnealing::autofit(
                f("init_obj")?,
                f("worse")?,
                f("accept_prob")?,
                param_count(p, "num_iters")?,
                param_method(p)?,
            )
            .py_err()?,
        ),
        "record_to_record_travel" => Acceptance::RecordToRecordTravel(
            RecordToRecordTravel::new(
                f("start_threshold")?,
                f("end_threshold")?,
                f("step")?,
                param_method(p)?,
                param_bool(p, "cmp_best")?,
            )
            .py_err()?,
        ),
        "record_to_record_travel_autofit" => Acceptance::RecordToRecordTravel(
            RecordToRecordTravel::autofit(
                f("init_obj")?,
                f("start_gap")?,
                f("end_gap")?,
                param_count(p, "num_iters")?,
                param_method(p)?,
            )
            .py_err()?,
        ),
        "great_deluge" => {
            Acceptance::GreatDeluge(GreatDeluge::new(f("alpha")?, f("beta")?).py_err()?)
        }
        "non_linear_great_deluge" => Acceptance::NonLinearGreatDeluge(
            NonLinearGreatDeluge::new(f("alpha")?, f("beta")?, f("gamma")?, f("delta")?)
                .py_err()?,
        ),
        "late_acceptance_hill_climbing" => {
            Acceptance::LateAcceptanceHillClimbing(LateAcceptanceHillClimbing::new(
                param_count(p, "lookback_period")? as usize,
                param_bool(p, "greedy")?,
                param_bool(p, "better_history")?,
            ))
        }
        "moving_average_threshold" => Acceptance::MovingAverageThreshold(
            MovingAverageThreshold::new(f("eta")?, param_count(p, "gamma")? as usize).py_err()?,
        ),
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown acceptance criterion `{other}`"
            )))
        }
    })
}

fn objective_of(state: &Bound<'_, PyAny>) -> PyResult<f64> {
    let py = state.py();
    let v = state.call_method0(intern!(py, "objective")).map_err(|e| {
        if e.is_instance_of::<PyAttributeError>(py) && !state.hasattr("objective").unwrap_or(true) {
            let name = state
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default();
            PyTypeError::new_err(format!(
                "a state must have an objective() method, got {name}: does an operator return \
                 something other than a state?"
            ))
        } else {
            e
        }
    })?;
    v.extract::<f64>()
        .map_err(|_| type_error("objective()", "a number", &v))
}

#[pymethods]
impl PyAlnsAccept {
    #[new]
    fn new(kind: &str, params: &Bound<'_, PyDict>) -> PyResult<Self> {
        Ok(PyAlnsAccept {
            core: make_acceptance(kind, params)?,
        })
    }

    /// Whether to accept, as `accept(rng, best, current, candidate)`, from the objectives.
    fn decide(
        &mut self,
        rng: &Bound<'_, PyAny>,
        best: f64,
        current: f64,
        candidate: f64,
    ) -> PyResult<bool> {
        // Only the random criteria draw: the others accept any `rng`, None included.
        let mut r = match self.core {
            Acceptance::RandomAccept(_) | Acceptance::SimulatedAnnealing(_) => pcg_from(rng)?,
            _ => Pcg64::seed_from_u64(0),
        };
        self.core.decide(&mut r, best, current, candidate).py_err()
    }

    /// The criterion's parameters and current schedule value, by name.
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        match &self.core {
            Acceptance::HillClimbing | Acceptance::AlwaysAccept => {}
            Acceptance::RandomAccept(c) => {
                let (s, e, st, m) = c.params();
                d.set_item("start_prob", s)?;
                d.set_item("end_prob", e)?;
                d.set_item("step", st)?;
                d.set_item("method", m.name())?;
                d.set_item("prob", c.prob())?;
            }
            Acceptance::SimulatedAnnealing(c) => {
                let (s, e, st, m) = c.params();
                d.set_item("start_temperature", s)?;
                d.set_item("end_temperature", e)?;
                d.set_item("step", st)?;
                d.set_item("method", m.name())?;
                d.set_item("temperature", c.temperature())?;
            }
            Acceptance::RecordToRecordTravel(c) => {
                let (s, e, st, m, cb) = c.params();
                d.set_item("start_threshold", s)?;
                d.set_item("end_threshold", e)?;
                d.set_item("step", st)?;
                d.set_item("method", m.name())?;
                d.set_item("cmp_best", cb)?;
                d.set_item("threshold", c.threshold())?;
            }
            Acceptance::GreatDeluge(c) => {
                d.set_item("threshold", c.threshold())?;
            }
            Acceptance::NonLinearGreatDeluge(c) => {
                d.set_item("threshold", c.threshold())?;
            }
            Acceptance::LateAcceptanceHillClimbing(c) => {
                d.set_item("history", c.history())?;
            }
            Acceptance::MovingAverageThreshold(c) => {
                d.set_item("history", c.history())?;
            }
        }
        Ok(d)
    }

    fn state_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        bytes_of(py, &self.core)
    }

    #[staticmethod]
    fn from_bytes(state: &[u8]) -> PyResult<Self> {
        Ok(PyAlnsAccept {
            core: restore(state)?,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Stopping criteria.

#[pyclass(module = "rapidriver._core", name = "AlnsStop")]
pub struct PyAlnsStop {
    core: Stopping,
}

#[pymethods]
impl PyAlnsStop {
    /// `kind` is one of max_iterations, max_runtime, no_improvement (with `value`), or any /
    /// all (with `members`, a list of AlnsStop).
    #[new]
    #[pyo3(signature = (kind, value=None, members=None))]
    fn new(
        kind: &str,
        value: Option<&Bound<'_, PyAny>>,
        members: Option<Vec<PyRef<'_, PyAlnsStop>>>,
    ) -> PyResult<Self> {
        let need = |name: &str| {
            value.ok_or_else(|| PyTypeError::new_err(format!("missing parameter `{name}`")))
        };
        let core = match kind {
            "max_iterations" => {
                Stopping::max_iterations(count("max_iterations", need("max_iterations")?)?)
            }
            "no_improvement" => {
                Stopping::no_improvement(count("max_iterations", need("max_iterations")?)?)
            }
            "max_runtime" => {
                Stopping::max_runtime(number("max_runtime", need("max_runtime")?)?).py_err()?
            }
            "any" | "all" => {
                let members: Vec<Stopping> = members
                    .unwrap_or_default()
                    .iter()
                    .map(|m| m.core.clone())
                    .collect();
                if members.is_empty() {
                    return Err(PyValueError::new_err("`criteria` must not be empty"));
                }
                if kind == "any" {
                    Stopping::Any(members)
                } else {
                    Stopping::All(members)
                }
            }
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown stopping criterion `{other}`"
                )))
            }
        };
        Ok(PyAlnsStop { core })
    }

    /// Whether to stop, given the best objective so far.
    fn check(&mut self, best: f64) -> bool {
        self.core.check(best)
    }

    /// The criterion's state, by name (`overrun` for a runtime limit, `members` for any/all).
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        stop_info(py, &self.core)
    }

    fn state_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        bytes_of(py, &self.core)
    }

    #[staticmethod]
    fn from_bytes(state: &[u8]) -> PyResult<Self> {
        Ok(PyAlnsStop {
            core: restore(state)?,
        })
    }
}

fn stop_info<'py>(py: Python<'py>, s: &Stopping) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    match s {
        Stopping::MaxIterations { calls, .. } => d.set_item("calls", *calls)?,
        Stopping::MaxRuntime(m) => {
            d.set_item("overrun", m.overrun())?;
            d.set_item("predicted", m.predicted())?;
        }
        Stopping::NoImprovement {
            target, counter, ..
        } => {
            d.set_item("target", *target)?;
            d.set_item("counter", *counter)?;
        }
        Stopping::Any(ms) | Stopping::All(ms) => {
            let l = PyList::empty(py);
            for m in ms {
                l.append(stop_info(py, m)?)?;
            }
            d.set_item("members", l)?;
        }
    }
    Ok(d)
}

// ---------------------------------------------------------------------------------------------
// The engine over Python operators.

/// Operators, objective, context and callbacks as Python callables, with alns' signatures.
struct PyProblem<'py> {
    destroy: Vec<Bound<'py, PyAny>>,
    repair: Vec<Bound<'py, PyAny>>,
    names: (Vec<String>, Vec<String>),
    rng: Bound<'py, PyAny>,
    kwargs: Option<Bound<'py, PyDict>>,
    callbacks: [Option<Bound<'py, PyAny>>; 4],
    progress: Option<Progress<'py>>,
}

/// Reports to a Python `progress(iterations, best_objective)` callable at most every
/// `PROGRESS_SECONDS`, so that a progress bar costs nothing measurable per iteration.
struct Progress<'py> {
    report: Bound<'py, PyAny>,
    last: std::time::Instant,
}

const PROGRESS_SECONDS: f64 = 0.1;

impl<'py> PyProblem<'py> {
    fn call_op(
        &self,
        op: &Bound<'py, PyAny>,
        kind: &str,
        name: &str,
        state: &Bound<'py, PyAny>,
    ) -> Result<Bound<'py, PyAny>, Fail> {
        let out = op.call((state, &self.rng), self.kwargs.as_ref())?;
        if out.is_none() {
            return Err(Fail(PyTypeError::new_err(format!(
                "{kind} operator `{name}` returned None: operators must return a state"
            ))));
        }
        Ok(out)
    }
}

impl<'py> Problem for PyProblem<'py> {
    type State = Bound<'py, PyAny>;
    type Error = Fail;

    fn num_destroy(&self) -> usize {
        self.destroy.len()
    }
    fn num_repair(&self) -> usize {
        self.repair.len()
    }
    fn destroy(
        &mut self,
        op: usize,
        current: &Self::State,
        _: &mut Pcg64,
    ) -> Result<Self::State, Fail> {
        self.call_op(&self.destroy[op], "destroy", &self.names.0[op], current)
    }
    fn repair(
        &mut self,
        op: usize,
        destroyed: Self::State,
        _: &mut Pcg64,
    ) -> Result<Self::State, Fail> {
        self.call_op(&self.repair[op], "repair", &self.names.1[op], &destroyed)
    }
    fn objective(&mut self, state: &Self::State) -> Result<f64, Fail> {
        Ok(objective_of(state)?)
    }
    fn context(&mut self, state: &Self::State) -> Result<Vec<f64>, Fail> {
        Ok(context_of(state)?)
    }
    fn on_outcome(
        &mut self,
        outcome: Outcome,
        candidate: &Self::State,
        _: &mut Pcg64,
    ) -> Result<bool, Fail> {
        match &self.callbacks[outcome.index()] {
            None => Ok(false),
            Some(f) => {
                f.call((candidate, &self.rng), self.kwargs.as_ref())?;
                Ok(true)
            }
        }
    }
    fn on_iteration(&mut self, stats: &Statistics, best: f64) -> Result<(), Fail> {
        if let Some(p) = &mut self.progress {
            if p.last.elapsed().as_secs_f64() >= PROGRESS_SECONDS {
                p.report.call1((stats.iterations(), best))?;
                p.last = std::time::Instant::now();
            }
        }
        Ok(())
    }
}

/// A selection scheme: ours (run in Rust) or any Python object with alns' protocol.
#[allow(clippy::large_enum_variant)]
enum AnySelect<'py> {
    Native(Selection),
    Custom(Bound<'py, PyAny>, (usize, usize), Vec<Bound<'py, PyAny>>),
}

impl<'py> Select<PyProblem<'py>> for AnySelect<'py> {
    fn shape(&self) -> (usize, usize) {
        match self {
            AnySelect::Native(s) => Select::<PyProblem<'py>>::shape(s),
            AnySelect::Custom(_, shape, _) => *shape,
        }
    }
    fn select(
        &mut self,
        rng: &mut Pcg64,
        problem: &mut PyProblem<'py>,
        best: &Scored<Bound<'py, PyAny>>,
        current: &Scored<Bound<'py, PyAny>>,
    ) -> Result<(usize, usize), Fail> {
        match self {
            AnySelect::Native(s) => s.select(rng, problem, best, current),
            AnySelect::Custom(obj, ..) => {
                let pair = obj.call1((&problem.rng, &best.state, &current.state))?;
                let (d, r): (usize, usize) = pair.extract().map_err(|_| {
                    type_error(
                        "op_select(...)",
                        "a (destroy, repair) pair of indices",
                        &pair,
                    )
                })?;
                Ok((d, r))
            }
        }
    }
    fn update(
        &mut self,
        problem: &mut PyProblem<'py>,
        candidate: &Scored<Bound<'py, PyAny>>,
        d: usize,
        r: usize,
        outcome: Outcome,
    ) -> Result<(), Fail> {
        match self {
            AnySelect::Native(s) => s.update(problem, candidate, d, r, outcome),
            AnySelect::Custom(obj, _, outcomes) => {
                obj.call_method1(
                    intern!(obj.py(), "update"),
                    (&candidate.state, d, r, &outcomes[outcome.index()]),
                )?;
                Ok(())
            }
        }
    }
}

#[allow(clippy::large_enum_variant)]
enum AnyAccept<'py> {
    Native(Acceptance),
    Custom(Bound<'py, PyAny>),
}

impl<'py> Accept<PyProblem<'py>> for AnyAccept<'py> {
    fn accept(
        &mut self,
        rng: &mut Pcg64,
        problem: &mut PyProblem<'py>,
        best: &Scored<Bound<'py, PyAny>>,
        current: &Scored<Bound<'py, PyAny>>,
        candidate: &Scored<Bound<'py, PyAny>>,
    ) -> Result<bool, Fail> {
        match self {
            AnyAccept::Native(a) => a.accept(rng, problem, best, current, candidate),
            AnyAccept::Custom(obj) => Ok(obj
                .call1((&problem.rng, &best.state, &current.state, &candidate.state))?
                .is_truthy()?),
        }
    }
}

#[allow(clippy::large_enum_variant)]
enum AnyStop<'py> {
    Native(Stopping),
    Custom(Bound<'py, PyAny>),
}

impl<'py> Stop<PyProblem<'py>> for AnyStop<'py> {
    fn stop(
        &mut self,
        rng: &mut Pcg64,
        problem: &mut PyProblem<'py>,
        best: &Scored<Bound<'py, PyAny>>,
        current: &Scored<Bound<'py, PyAny>>,
    ) -> Result<bool, Fail> {
        match self {
            AnyStop::Native(s) => s.stop(rng, problem, best, current),
            AnyStop::Custom(obj) => Ok(obj
                .call1((&problem.rng, &best.state, &current.state))?
                .is_truthy()?),
        }
    }
}

fn stats_tuple<'py>(py: Python<'py>, s: Statistics) -> PyResult<Bound<'py, PyTuple>> {
    let counts = |c: &[[u64; 4]]| -> Vec<Vec<u64>> { c.iter().map(|x| x.to_vec()).collect() };
    PyTuple::new(
        py,
        [
            s.objectives.clone().into_pyarray(py).into_any(),
            s.runtimes.clone().into_pyarray(py).into_any(),
            counts(&s.destroy_counts).into_pyobject(py)?.into_any(),
            counts(&s.repair_counts).into_pyobject(py)?.into_any(),
            s.destroy_order.clone().into_pyobject(py)?.into_any(),
            s.repair_order.clone().into_pyobject(py)?.into_any(),
        ],
    )
}

/// Owns the engine's generator (selection and acceptance draws), which continues across runs.
#[pyclass(module = "rapidriver._core", name = "AlnsEngine")]
pub struct PyAlnsEngine {
    rng: Pcg64,
}

fn names(ops: &[Bound<'_, PyAny>], given: Vec<String>) -> Vec<String> {
    if given.len() == ops.len() {
        given
    } else {
        (0..ops.len()).map(|i| i.to_string()).collect()
    }
}

#[pymethods]
impl PyAlnsEngine {
    #[new]
    #[pyo3(signature = (seed=None))]
    fn new(seed: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        Ok(PyAlnsEngine {
            rng: Pcg64::seed_from_u64(crate::convert::seed(seed)?),
        })
    }

    /// Runs ALNS; returns `(best, current, statistics, error)` where `error` is the exception
    /// that ended the run early (or None). `outcomes` are the four values handed to custom
    /// selection schemes' `update`.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (initial, destroy, repair, destroy_names, repair_names, op_select, accept, stop, rng, kwargs, callbacks, outcomes, progress=None))]
    fn iterate<'py>(
        &mut self,
        py: Python<'py>,
        initial: Bound<'py, PyAny>,
        destroy: Vec<Bound<'py, PyAny>>,
        repair: Vec<Bound<'py, PyAny>>,
        destroy_names: Vec<String>,
        repair_names: Vec<String>,
        op_select: Bound<'py, PyAny>,
        accept: Bound<'py, PyAny>,
        stop: Bound<'py, PyAny>,
        rng: Bound<'py, PyAny>,
        kwargs: Option<Bound<'py, PyDict>>,
        callbacks: Vec<Option<Bound<'py, PyAny>>>,
        outcomes: Vec<Bound<'py, PyAny>>,
        progress: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let callbacks: [Option<Bound<'py, PyAny>>; 4] = callbacks
            .try_into()
            .map_err(|_| PyValueError::new_err("`callbacks` must have four entries"))?;
        if outcomes.len() != 4 {
            return Err(PyValueError::new_err("`outcomes` must have four entries"));
        }
        let kwargs = kwargs.filter(|k| !k.is_empty());
        let mut problem = PyProblem {
            names: (names(&destroy, destroy_names), names(&repair, repair_names)),
            destroy,
            repair,
            rng,
            kwargs,
            callbacks,
            progress: progress.filter(|p| !p.is_none()).map(|report| Progress {
                report,
                last: std::time::Instant::now(),
            }),
        };
        let shape = (problem.destroy.len(), problem.repair.len());

        let native_select = op_select.cast::<PyAlnsSelect>().ok().cloned();
        let mut sel = match &native_select {
            Some(s) => AnySelect::Native(s.borrow().core.clone()),
            None => {
                if !op_select.is_callable() || !op_select.hasattr("update")? {
                    return Err(type_error(
                        "op_select",
                        "an operator selection scheme (callable, with an update method)",
                        &op_select,
                    ));
                }
                AnySelect::Custom(op_select.clone(), shape, outcomes)
            }
        };
        let native_accept = accept.cast::<PyAlnsAccept>().ok().cloned();
        let mut acc = match &native_accept {
            Some(a) => AnyAccept::Native(a.borrow().core.clone()),
            None if accept.is_callable() => AnyAccept::Custom(accept.clone()),
            None => return Err(type_error("accept", "an acceptance criterion", &accept)),
        };
        let native_stop = stop.cast::<PyAlnsStop>().ok().cloned();
        let mut stp = match &native_stop {
            Some(s) => AnyStop::Native(s.borrow().core.clone()),
            None if stop.is_callable() => AnyStop::Custom(stop.clone()),
            None => return Err(type_error("stop", "a stopping criterion", &stop)),
        };

        let mut rng = self.rng.clone();
        let run = iterate(
            &mut problem,
            initial,
            &mut sel,
            &mut acc,
            &mut stp,
            &mut rng,
        );
        self.rng = rng;
        // The criteria keep their state across runs, as alns' objects do.
        if let (Some(s), AnySelect::Native(core)) = (&native_select, sel) {
            s.borrow_mut().core = core;
        }
        if let (Some(a), AnyAccept::Native(core)) = (&native_accept, acc) {
            a.borrow_mut().core = core;
        }
        if let (Some(s), AnyStop::Native(core)) = (&native_stop, stp) {
            s.borrow_mut().core = core;
        }
        let Run {
            best,
            current,
            statistics,
            error,
        } = run.map_err(|f| f.0)?;
        let error = match error {
            Some(Fail(e)) => e.into_value(py).into_any().into_bound(py),
            None => py.None().into_bound(py),
        };
        PyTuple::new(
            py,
            [
                best.state,
                current.state,
                stats_tuple(py, statistics)?.into_any(),
                error,
            ],
        )
    }

    fn state_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        bytes_of(py, &self.rng)
    }

    #[staticmethod]
    fn from_bytes(state: &[u8]) -> PyResult<Self> {
        Ok(PyAlnsEngine {
            rng: restore(state)?,
        })
    }
}

/// Runs a Rust-native problem (`"tsp"` with `coords` and `degree`, or `"trivial"` with
/// `num_destroy` and `num_repair`) with the GIL released. Returns `(best objective, best tour
/// or None, statistics)`.
#[pyfunction]
#[pyo3(signature = (kind, params, op_select, accept, stop, seed=None))]
fn alns_run_native<'py>(
    py: Python<'py>,
    kind: &str,
    params: &Bound<'py, PyDict>,
    op_select: &Bound<'py, PyAlnsSelect>,
    accept: &Bound<'py, PyAlnsAccept>,
    stop: &Bound<'py, PyAlnsStop>,
    seed: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyTuple>> {
    let mut sel = op_select.borrow().core.clone();
    let mut acc = accept.borrow().core.clone();
    let mut stp = stop.borrow().core.clone();
    let mut rng = Pcg64::seed_from_u64(crate::convert::seed(seed)?);
    let (best, tour, stats) = match kind {
        "tsp" => {
            let coords: Vec<(f64, f64)> = get(params, "coords")?.extract()?;
            let mut tsp = Tsp::new(&coords, param_f64(params, "degree")?).py_err()?;
            let init = tsp.identity_tour();
            let run = py
                .detach(|| iterate(&mut tsp, init, &mut sel, &mut acc, &mut stp, &mut rng))
                .py_err()?;
            if let Some(e) = run.error {
                return Err(to_py(e));
            }
            (
                run.best.objective,
                Some(run.best.state.order),
                run.statistics,
            )
        }
        "trivial" => {
            let mut t = Trivial {
                num_destroy: param_count(params, "num_destroy")? as usize,
                num_repair: param_count(params, "num_repair")? as usize,
            };
            let run = py
                .detach(|| iterate(&mut t, 0.0, &mut sel, &mut acc, &mut stp, &mut rng))
                .py_err()?;
            if let Some(e) = run.error {
                return Err(to_py(e));
            }
            (run.best.objective, None, run.statistics)
        }
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown native problem `{other}`"
            )))
        }
    };
    op_select.borrow_mut().core = sel;
    accept.borrow_mut().core = acc;
    stop.borrow_mut().core = stp;
    PyTuple::new(
        py,
        [
            best.into_pyobject(py)?.into_any(),
            tour.into_pyobject(py)?.into_any(),
            stats_tuple(py, stats)?.into_any(),
        ],
    )
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyAlnsSelect>()?;
    m.add_class::<PyAlnsAccept>()?;
    m.add_class::<PyAlnsStop>()?;
    m.add_class::<PyAlnsEngine>()?;
    m.add_function(wrap_pyfunction!(alns_run_native, m)?)?;
    Ok(())
}
