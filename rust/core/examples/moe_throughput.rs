//! Test-then-train throughput of DriftMoE on the core alone (no Python), for profiling:
//! `cargo run --release -p rapidriver-core --example moe_throughput -- [sea|led] [data|task] N`.

use rapidriver_core::datasets::{Generator, Led, Sea};
use rapidriver_core::moe::{DriftMoe, MoeConfig, MoeMode};
use rapidriver_core::tree::{Instance, Value};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
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
    let (mut inst, mut z) = (Instance::new(), vec![0.0f32; d]);
    let mut correct = 0usize;
    let start = Instant::now();
    for (row, &y) in xs.chunks_exact(d).zip(&ys) {
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
            z[j] = v as f32;
        }
        if model.input_dim().is_some() {
            let p = model.predict_proba_one(&z, &inst)?;
            let best = (0..p.len()).fold(None, |b: Option<usize>, k| match b {
                Some(j) if p[j] >= p[k] => Some(j),
                _ => Some(k),
            });
            correct += usize::from(best == Some(y));
        }
        model.learn_one(&z, &inst, y)?;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{stream} {mode:?} n={n}: accuracy {:.4}, {:.0} samples/s",
        correct as f64 / n as f64,
        n as f64 / secs
    );
    Ok(())
}
