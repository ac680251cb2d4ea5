//! Test-then-train throughput of DriftMoE on the core alone (no Python), for profiling:
//! `cargo run --release -p rapidriver-core --example moe_throughput -- [sea|led] [data|task] N`.

use rand::SeedableRng;
use rapidriver_core::datasets::{Generator, Led, Sea};
use rapidriver_core::moe::router::{Adam, Router};
use rapidriver_core::moe::{DriftMoe, MoeConfig, MoeMode, Prediction};
use rapidriver_core::tree::{Instance, Value};
use std::time::Instant;

/// CPU seconds this process has spent in user mode (the machine may be shared: wall time
/// would count the others' work too).
fn user_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let ticks: f64 = after
        .split_whitespace()
        .nth(11)
        .and_then(|t| t.parse().ok())
        .unwrap_or(0.0);
    ticks / 100.0
}

/// The router alone, sample by sample (evaluation) and in mini-batches (training).
fn router_only() {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(0);
    for d in [3, 24] {
        let mut r = Router::new([d, 256, 128, 12], 0.2, Adam::default(), &mut rng)
            .with_batched_forward(true);
        let xs: Vec<f32> = (0..256 * d).map(|i| (i % 7) as f32 / 7.0).collect();
        let ts: Vec<f32> = (0..256 * 12).map(|i| (i % 3 == 0) as u8 as f32).collect();
        let start = user_seconds();
        let mut sink = 0.0;
        for i in 0..102_400 {
            sink += r.forward(&xs[(i % 256) * d..(i % 256 + 1) * d], false, &mut rng)[0];
        }
        let eval = (user_seconds() - start) / 102_400.0;
        let start = user_seconds();
        for _ in 0..400 {
            sink += r.accumulate_batch(&xs, &ts, 1e-3, &mut rng);
            r.step();
        }
        let train = (user_seconds() - start) / 102_400.0;
        println!(
            "d={d}: eval {:.2} us/sample, train {:.2} us/sample, CPU time ({sink:.1})",
            eval * 1e6,
            train * 1e6
        );
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("router") {
        router_only();
        return Ok(());
    }
    let stream = args.get(1).map_or("sea", String::as_str);
    let mode = match args.get(2).map_or("data", String::as_str) {
        "task" => MoeMode::Task,
        _ => MoeMode::Data,
    };
    let n: usize = args.get(3).map_or(Ok(100_000), |s| s.parse())?;
    let (mut gen, nominal) = match stream {
        "led" => (Generator::Led(Led::new(0.1, true, 3, false, 1)?), true),
        _ => (Generator::Sea(Sea::new(0, 0.1, 1)?), false),
    };
    let (xs, ys) = gen.take(n);
    let d = gen.n_features();
    let cfg = MoeConfig {
        mode,
        ..MoeConfig::default()
    };
    let mut model = DriftMoe::new(cfg, 0)?;
    if nominal {
        for f in 0..d {
            model.set_nominal(f);
        }
    }
    // Test-then-train as `rapidriver.evaluate.prequential` runs it: blocks of 256 rows.
    const BLOCK: usize = 256;
    let mut insts = vec![Instance::new(); BLOCK];
    let mut zs = Vec::with_capacity(BLOCK * d);
    let mut correct = 0usize;
    let start = Instant::now();
    let cpu = user_seconds();
    for (rows, labels) in xs.chunks(BLOCK * d).zip(ys.chunks(BLOCK)) {
        zs.clear();
        for (inst, row) in insts.iter_mut().zip(rows.chunks_exact(d)) {
            inst.clear();
            for (j, &v) in row.iter().enumerate() {
                inst.push(
                    j,
                    if nominal {
                        Value::Cat(v as u32)
                    } else {
                        Value::Num(v)
                    },
                );
                zs.push(v as f32);
            }
        }
        model.prequential_rows(&zs, &insts[..labels.len()], labels, |k, p| {
            let best = match p {
                Some(Prediction::Class(c)) => Some(c),
                Some(Prediction::Proba(p)) => {
                    (0..p.len()).fold(None, |b: Option<usize>, k| match b {
                        Some(j) if p[j] >= p[k] => Some(j),
                        _ => Some(k),
                    })
                }
                None => None,
            };
            correct += usize::from(best == Some(labels[k]));
        })?;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{stream} {mode:?} n={n}: accuracy {:.4}, {:.0} samples/s, {:.0} per CPU second",
        correct as f64 / n as f64,
        n as f64 / secs,
        n as f64 / (user_seconds() - cpu)
    );
    Ok(())
}
