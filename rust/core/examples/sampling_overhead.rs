//! The ISCV estimator's own cost on the core alone (no Python), for profiling and for the
//! overhead comparison in benches/bench_sampling.py: the Gaussian moments (K = 10, 2e4 runs) and
//! the cantilever beam's Sobol' indices (2e4 points = 1.6e5 runs), CPU seconds per run minus
//! the model's, over `R` seeds (default 11):
//! `cargo run --release -p rapidriver-core --example sampling_overhead -- [moments|sobol] [R]`.
//! Under `perf record -g` it shows where the time goes.

use rapidriver_core::sampling::{
    Distribution, Family, Iscv, Marginal, Method, Problem, Sobol, SobolForm,
};
use std::time::Instant;

/// CPU seconds this process has spent in user and system mode (10 ms ticks: time many runs).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse().ok())
        .collect();
    f.iter().sum::<f64>() / 100.0
}

fn beam(x: &[f64]) -> Vec<f64> {
    x.chunks_exact(6)
        .map(|r| {
            let (fx, fy, e, w, t, l) = (r[0], r[1], 1e9 * r[2], r[3], r[4], r[5]);
            let (a, b) = (fx / (w * w), fy / (t * t));
            4.0 * l * l * l / (e * w * t) * (a * a + b * b).sqrt()
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let case = args.get(1).map(String::as_str).unwrap_or("sobol");
    let reps: u64 = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(11);
    let mut model_s = 0.0;
    let t0 = cpu_seconds();
    for seed in 0..reps {
        match case {
            "moments" => {
                let truth: Vec<f64> = (1..=10)
                    .map(|j| (1..2 * j).step_by(2).map(f64::from).product())
                    .collect();
                let w = truth.iter().map(|t| 1.0 / (t * t)).collect();
                let law =
                    Distribution::independent(vec![Marginal::normal(0.0, 1.0).unwrap()]).unwrap();
                let problem = Problem::new(vec![law], 10, Some(w)).unwrap();
                let est =
                    Iscv::new(problem, 20_000, Family::Gaussian { diag: false }, seed).unwrap();
                est.run(|x| {
                    let t = Instant::now();
                    let y = x
                        .iter()
                        .flat_map(|&v| (1..=10).map(move |j| v.powi(2 * j)))
                        .collect();
                    model_s += t.elapsed().as_secs_f64();
                    y
                })
                .unwrap();
            }
            _ => {
                let mut m: Vec<Marginal> = [(556.8, 0.08), (453.6, 0.08), (200.0, 0.06)]
                    .iter()
                    .map(|&(a, c)| Marginal::lognormal_from_mean_cov(a, c).unwrap())
                    .collect();
                for (a, s) in [(0.062, 0.0062), (0.0987, 0.00987), (4.29, 0.429)] {
                    m.push(Marginal::normal(a, s).unwrap());
                }
                let law = Distribution::independent(m).unwrap();
                let method = Method::Iscv(Family::Gaussian { diag: false });
                let s = Sobol::new(law, 160_000, SobolForm::Saltelli, method, seed).unwrap();
                s.run(|x| {
                    let t = Instant::now();
                    let y = beam(x);
                    model_s += t.elapsed().as_secs_f64();
                    y
                })
                .unwrap();
            }
        }
    }
    let total = cpu_seconds() - t0;
    println!(
        "{case}: {:.4} s CPU per run outside the model ({reps} runs, model {:.4} s per run)",
        (total - model_s) / reps as f64,
        model_s / reps as f64
    );
}
