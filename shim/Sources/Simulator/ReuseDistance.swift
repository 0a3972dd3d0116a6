import KeepAlive

/// Size-aware reuse (stack) distances and hit-ratio curves.
///
/// The reuse distance of an invocation of f is the memory, in MB, of the
/// distinct functions invoked since f's previous invocation, plus f itself:
/// the smallest LRU memory (one container per function, no concurrency) that
/// would still hold f's container. A first invocation has infinite distance.
/// The hit-ratio curve is HR(M) = fraction of invocations with distance ≤ M.
///
/// Exact: a Fenwick tree over invocation positions holds each function's size
/// at its last position, so a distance is a suffix sum: O(log n) per invocation.
/// SHARDS (Waldspurger et al., FAST'15), fixed rate R: only functions whose id
/// hash falls below R·2^24 are tracked; their distances are scaled by 1/R.
public final class ReuseDistanceAnalyzer: ArrivalConsumer {
    public let sampleRate: Double
    let size: [Double]
    let sampled: [Bool]
    var lastPos: [Int]
    var tree = FenwickTree()
    var position = 0
    /// Finite distances (MB), already scaled by 1/rate.
    public private(set) var distances: [Double] = []
    /// Sampled invocations (all of them when exact).
    public private(set) var references = 0

    /// `sampleRate` 1 = exact.
    public init(functions: [TraceFunction], sampleRate: Double = 1) {
        self.sampleRate = sampleRate
        size = functions.map(\.spec.memoryMB)
        let threshold = UInt64(sampleRate * Double(1 << 24))
        sampled = functions.map { sampleRate >= 1 || (fnv1a($0.hash) & 0xFF_FFFF) < threshold }
        lastPos = Array(repeating: -1, count: functions.count)
    }

    public func add(_ f: Int) {
        guard sampled[f] else { return }
        references += 1
        let p = position
        position += 1
        let last = lastPos[f]
        if last >= 0 {
            // sizes of functions last used after `last`, f itself included after the update
            let between = tree.sum(upTo: p) - tree.sum(upTo: last + 1)
            distances.append((between + size[f]) / sampleRate)
            tree.add(-size[f], at: last)
        }
        tree.add(size[f], at: p)
        lastPos[f] = p
    }

    public func consume(_ batch: ArrivalBatch) { for f in batch.functions { add(Int(f)) } }
    public func finish(traceSeconds: Double) -> [SimulationResult] { [] }

    /// The hit-ratio curve at the given memory sizes.
    public func curve(at memoriesMB: [Double]) -> [HRCPoint] {
        let sorted = distances.sorted()
        let n = Double(max(references, 1))
        return memoriesMB.map { m in
            var lo = 0, hi = sorted.count
            while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] <= m { lo = mid + 1 } else { hi = mid } }
            return HRCPoint(memoryMB: m, hitRatio: Double(lo) / n)
        }
    }

    /// The largest finite distance: beyond it the curve is flat.
    public var maxDistance: Double { distances.max() ?? 0 }
}

public struct HRCPoint: Sendable, Codable, Equatable {
    public var memoryMB: Double
    public var hitRatio: Double
    public init(memoryMB: Double, hitRatio: Double) { self.memoryMB = memoryMB; self.hitRatio = hitRatio }
}

/// Static provisioning from a hit-ratio curve.
public enum StaticProvisioning {
    /// The knee (Kneedle, Satopää et al. 2011): normalise both axes to [0, 1]
    /// and take the point farthest above the diagonal, y − x.
    public static func knee(_ curve: [HRCPoint]) -> HRCPoint? {
        guard let first = curve.first, let last = curve.last, last.memoryMB > first.memoryMB else { return curve.first }
        let y0 = curve.map(\.hitRatio).min()!, y1 = curve.map(\.hitRatio).max()!
        guard y1 > y0 else { return first }
        var best = first, bestD = -Double.infinity
        for p in curve {
            let x = (p.memoryMB - first.memoryMB) / (last.memoryMB - first.memoryMB)
            let y = (p.hitRatio - y0) / (y1 - y0)
            if y - x > bestD { bestD = y - x; best = p }
        }
        return best
    }

    /// The smallest memory on the curve that reaches `target` hit ratio.
    public static func memory(forHitRatio target: Double, _ curve: [HRCPoint]) -> Double? {
        curve.first { $0.hitRatio >= target }?.memoryMB
    }
}

/// A Fenwick (binary indexed) tree of Doubles that grows on demand.
struct FenwickTree {
    var values: [Double] = []
    var tree: [Double] = [0]      // 1-based

    mutating func add(_ v: Double, at i: Int) {
        while i >= values.count { grow() }
        values[i] += v
        var k = i + 1
        while k < tree.count { tree[k] += v; k += k & (-k) }
    }

    /// Σ values[0..<i]
    func sum(upTo i: Int) -> Double {
        var k = min(i, tree.count - 1), s = 0.0
        while k > 0 { s += tree[k]; k -= k & (-k) }
        return s
    }

    mutating func grow() {
        let n = max(1024, values.count * 2)
        values.append(contentsOf: repeatElement(0, count: n - values.count))
        tree = [Double](repeating: 0, count: n + 1)
        for i in 0..<n {                       // O(n) build
            tree[i + 1] += values[i]
            let j = (i + 1) + ((i + 1) & -(i + 1))
            if j <= n { tree[j] += tree[i + 1] }
        }
    }
}

func fnv1a(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 { h ^= UInt64(b); h = h &* 0x100_0000_01b3 }
    // final avalanche so that the low bits are well mixed
    h ^= h >> 33; h = h &* 0xff51_afd7_ed55_8ccd; h ^= h >> 33
    return h
}
