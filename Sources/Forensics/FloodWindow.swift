/// A stretch of time in which a server's bounces stood far above its baseline.
///
/// The baseline is the server's usual bounce count per bucket: the mean of
/// its buckets after the busiest tenth is set aside (so a flood does not
/// raise its own bar). A bucket floods when its count reaches
/// `max(5, 4 × baseline, baseline + 5·√baseline)`; flooding buckets less
/// than three buckets apart join one window.
public struct FloodWindow: Equatable, Sendable {
  public var server: String
  /// Start of the first flooding bucket.
  public var start: String
  /// End of the last flooding bucket (its start plus the bucket width).
  public var end: String
  public var peakTime: String
  public var peakCount: Int
  /// Bounces in the window's buckets.
  public var total: Int
  public var baseline: Double
  public var threshold: Double

  /// Smallest count a flooding bucket must reach, whatever the baseline.
  public static let minimumCount = 5

  static func find(in series: BounceSeries) -> [FloodWindow] {
    var windows: [FloodWindow] = []
    let width = Int64(series.bucketSeconds)
    for server in series.servers {
      let filled = series.filled(server: server)
      guard !filled.isEmpty else { continue }
      let sorted = filled.map(\.count).sorted()
      let kept = sorted.prefix(max(1, sorted.count - sorted.count / 10))
      let baseline = Double(kept.reduce(0, +)) / Double(kept.count)
      let threshold = max(
        Double(minimumCount), 4 * baseline, baseline + 5 * baseline.squareRoot())
      var current: (first: Int, last: Int)?
      var runs: [(first: Int, last: Int)] = []
      for (i, bucket) in filled.enumerated() where Double(bucket.count) >= threshold {
        if let c = current, i - c.last <= 3 {
          current = (c.first, i)
        } else {
          if let c = current { runs.append(c) }
          current = (i, i)
        }
      }
      if let c = current { runs.append(c) }
      for run in runs {
        let slice = filled[run.first...run.last]
        var peak = slice[slice.startIndex]
        for bucket in slice where bucket.count > peak.count { peak = bucket }
        windows.append(
          FloodWindow(
            server: server, start: LocalTime.text(filled[run.first].start),
            end: LocalTime.text(filled[run.last].start + width),
            peakTime: LocalTime.text(peak.start), peakCount: peak.count,
            total: slice.reduce(0) { $0 + $1.count }, baseline: (baseline * 100).rounded() / 100,
            threshold: (threshold * 100).rounded() / 100))
      }
    }
    return windows.sorted { ($0.start, $0.server) < ($1.start, $1.server) }
  }
}
