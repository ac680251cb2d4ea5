//! CPython's `random.Random` generator (MT19937 seeded with `init_by_array`), so that a model
//! mirroring a river one that draws from `random.Random(seed)` makes the same draws.

use rand_mt::Mt as Mt19937GenRand32;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `random.Random(seed)` for a non-negative integer seed. Snapshots store the seed and the
/// number of 32-bit words drawn; restoring replays the stream up to that point.
#[derive(Debug, Clone)]
pub struct PyRandom {
    mt: Mt19937GenRand32,
    seed: u64,
    drawn: u64,
    /// The second normal of the last Box-Muller pair (`random.gauss` caches it).
    gauss_next: Option<f64>,
}

fn seeded(seed: u64) -> Mt19937GenRand32 {
    // CPython keys the generator with the seed's 32-bit words, least significant first, and
    // at least one word (zero for seed 0).
    let mut key = vec![seed as u32];
    if seed >> 32 != 0 {
        key.push((seed >> 32) as u32);
    }
    Mt19937GenRand32::new_with_key(key)
}

impl PyRandom {
    pub fn new(seed: u64) -> Self {
        PyRandom {
            mt: seeded(seed),
            seed,
            drawn: 0,
            gauss_next: None,
        }
    }

    fn next_word(&mut self) -> u32 {
        self.drawn += 1;
        self.mt.next_u32()
    }

    /// `random.random()`: 53 random bits from two words.
    pub fn random(&mut self) -> f64 {
        let a = (self.next_word() >> 5) as f64;
        let b = (self.next_word() >> 6) as f64;
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// `random.getrandbits(k)` for `k <= 32`.
    fn getrandbits(&mut self, k: u32) -> u64 {
        if k == 0 {
            return 0;
        }
        (self.next_word() >> (32 - k)) as u64
    }

    /// `random._randbelow(n)` (rejection on `n.bit_length()` bits), for `0 < n < 2**32`.
    pub fn randbelow(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let k = 64 - n.leading_zeros();
        let mut r = self.getrandbits(k);
        while r >= n {
            r = self.getrandbits(k);
        }
        r
    }

    /// `random.randint(a, b)`, both ends included.
    pub fn randint(&mut self, a: i64, b: i64) -> i64 {
        a + self.randbelow((b - a + 1) as u64) as i64
    }

    /// `random.uniform(a, b)`.
    pub fn uniform(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.random()
    }

    /// `random.gauss(mu, sigma)`: Box-Muller, keeping the pair's second value for the next call.
    pub fn gauss(&mut self, mu: f64, sigma: f64) -> f64 {
        let z = match self.gauss_next.take() {
            Some(z) => z,
            None => {
                let x2pi = self.random() * std::f64::consts::TAU;
                let g2rad = (-2.0 * (1.0 - self.random()).ln()).sqrt();
                self.gauss_next = Some(x2pi.sin() * g2rad);
                x2pi.cos() * g2rad
            }
        };
        mu + z * sigma
    }

    /// river's `utils.random.poisson(rate, rng)` (Knuth's multiplication method).
    pub fn poisson(&mut self, rate: f64) -> u64 {
        let limit = (-rate).exp();
        let mut k = 0u64;
        let mut p = 1.0;
        while p > limit {
            k += 1;
            p *= self.random();
        }
        k - 1
    }
}

impl PartialEq for PyRandom {
    fn eq(&self, other: &Self) -> bool {
        self.seed == other.seed
            && self.drawn == other.drawn
            && self.gauss_next.map(f64::to_bits) == other.gauss_next.map(f64::to_bits)
    }
}

impl Serialize for PyRandom {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (self.seed, self.drawn, self.gauss_next).serialize(s)
    }
}

impl<'de> Deserialize<'de> for PyRandom {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (seed, drawn, gauss_next) = <(u64, u64, Option<f64>)>::deserialize(d)?;
        let mut rng = PyRandom::new(seed);
        for _ in 0..drawn {
            rng.next_word();
        }
        rng.gauss_next = gauss_next;
        Ok(rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_cpython() {
        // python -c "import random; r = random.Random(42); print([r.random() for _ in range(3)])"
        let mut r = PyRandom::new(42);
        assert_eq!(r.random(), 0.6394267984578837);
        assert_eq!(r.random(), 0.025010755222666936);
        assert_eq!(r.random(), 0.27502931836911926);
        // random.Random(0).random() and a seed above 2**32.
        assert_eq!(PyRandom::new(0).random(), 0.8444218515250481);
        assert_eq!(PyRandom::new(1 << 33).random(), PY_BIG);
    }

    const PY_BIG: f64 = 0.011451121320907864;

    #[test]
    fn integers_and_normals_match_cpython() {
        // r = random.Random(5); [r.randint(0, 9) for _ in range(5)], r.gauss(0, 1), r.gauss(0, 1)
        let mut r = PyRandom::new(5);
        let ints: Vec<i64> = (0..5).map(|_| r.randint(0, 9)).collect();
        assert_eq!(ints, PY_INTS.to_vec());
        assert_eq!(r.gauss(0.0, 1.0), PY_GAUSS[0]);
        assert_eq!(r.gauss(0.0, 1.0), PY_GAUSS[1]);
    }

    const PY_INTS: [i64; 5] = [9, 4, 5, 8, 0];
    const PY_GAUSS: [f64; 2] = [0.9300096996692219, -1.4583999840147381];

    #[test]
    fn snapshot_replays_the_stream() {
        let mut r = PyRandom::new(7);
        for _ in 0..5 {
            r.poisson(1.0);
        }
        let bytes = crate::snapshot::to_bytes(&r).unwrap();
        let mut back: PyRandom = crate::snapshot::from_bytes(&bytes).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.random(), r.random());
    }
}
