#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The simulator's own pseudo-random generator: xoshiro256** seeded through SplitMix64.
///
/// The standard library's generators and `Int.random(in:)` are not promised to give the
/// same numbers from one Swift release to the next, and the simulator promises
/// byte-identical output for the same seed. So every draw goes through this type, and the
/// range reductions below are written out here.
///
/// Each part of the simulation draws from its own stream (`stream:`), so that adding a
/// draw in, say, the normal traffic does not change the outbreak.
struct SimulationRandom {
  private var s0: UInt64
  private var s1: UInt64
  private var s2: UInt64
  private var s3: UInt64

  /// Well-known stream numbers, one per component.
  enum Stream: UInt64 {
    case network = 1
    case world = 2
    case pop = 3
    case outbreak = 4
    case normal = 5
    case redHerrings = 6
    case renderer = 7
    case daemon = 8
    case firewall = 9
  }

  init(seed: UInt64, stream: Stream) {
    self.init(seed: seed, streamNumber: stream.rawValue)
  }

  init(seed: UInt64, streamNumber: UInt64) {
    var state = seed ^ (streamNumber &* 0xD1B5_4A32_D192_ED03)
    func splitMix() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s0 = splitMix()
    s1 = splitMix()
    s2 = splitMix()
    s3 = splitMix()
  }

  @inline(__always)
  private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
  }

  /// The next 64 random bits.
  mutating func next() -> UInt64 {
    let result = Self.rotl(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = Self.rotl(s3, 45)
    return result
  }

  /// A uniform integer below `bound` (multiply-high reduction; the bias is below 2^-40).
  mutating func below(_ bound: Int) -> Int {
    precondition(bound > 0, "empty range")
    return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
  }

  /// A uniform integer in `range`.
  mutating func int(_ range: ClosedRange<Int>) -> Int {
    range.lowerBound + below(range.upperBound - range.lowerBound + 1)
  }

  /// A uniform integer in `range`.
  mutating func int(_ range: Range<Int>) -> Int {
    range.lowerBound + below(range.upperBound - range.lowerBound)
  }

  /// A uniform double in [0, 1).
  mutating func unit() -> Double {
    Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
  }

  /// A uniform double in `range`.
  mutating func double(_ range: ClosedRange<Double>) -> Double {
    range.lowerBound + unit() * (range.upperBound - range.lowerBound)
  }

  /// True with probability `p`.
  mutating func chance(_ p: Double) -> Bool {
    unit() < p
  }

  /// An exponential variate with the given mean.
  mutating func exponential(mean: Double) -> Double {
    -mean * log(1.0 - unit())
  }

  /// A normal variate (Box–Muller).
  mutating func normal(mean: Double, deviation: Double) -> Double {
    let u1 = max(unit(), 1e-12)
    let u2 = unit()
    return mean + deviation * sqrt(-2.0 * log(u1)) * cos(2.0 * Double.pi * u2)
  }

  /// A log-normal variate whose median is `median`.
  mutating func logNormal(median: Double, sigma: Double) -> Double {
    median * exp(normal(mean: 0, deviation: sigma))
  }

  /// A Poisson variate (Knuth's method for small means, normal approximation above 30).
  mutating func poisson(mean: Double) -> Int {
    if mean <= 0 { return 0 }
    if mean > 30 {
      return max(0, Int(normal(mean: mean, deviation: sqrt(mean)).rounded()))
    }
    let limit = exp(-mean)
    var k = 0
    var p = unit()
    while p > limit {
      k += 1
      p *= unit()
    }
    return k
  }

  /// One element of a non-empty array.
  mutating func pick<T>(_ items: [T]) -> T {
    items[below(items.count)]
  }

  /// An index chosen with the given (non-negative, not all zero) weights.
  mutating func weighted(_ weights: [Double]) -> Int {
    var total = 0.0
    for w in weights { total += w }
    var x = unit() * total
    for (i, w) in weights.enumerated() {
      if x < w { return i }
      x -= w
    }
    return weights.count - 1
  }

  /// A fresh generator for a sub-part, derived from this one.
  mutating func fork() -> SimulationRandom {
    SimulationRandom(seed: next(), streamNumber: next())
  }
}
