// finra: a financial-regulation audit fan-out (after Faastlane's FINRA workflow).
// Fetch the portfolio and the market data (in parallel), run the audit rules in a
// Parallel state, then compute the margin balance. Data sources are simulated with a
// deterministic generator seeded by the portfolio id, so results are reproducible.
import Workflow
import WorkflowServer

struct Request: Codable { var portfolioId: String; var tradingDay: String; var positions: Int? }
struct Position: Codable { var ticker: String; var quantity: Int; var costBasis: Double; var side: String; var tradesToday: Int }
struct Portfolio: Codable { var portfolioId: String; var tradingDay: String; var accountEquity: Double; var positions: [Position] }
struct Quote: Codable { var ticker: String; var price: Double; var avgDailyVolume: Int; var restricted: Bool }
struct Market: Codable { var tradingDay: String; var quotes: [String: Quote] }
struct AuditInput: Codable { var portfolio: Portfolio; var market: Market }
struct Violation: Codable { var ticker: String; var detail: String }
struct AuditResult: Codable { var rule: String; var passed: Bool; var violations: [Violation] }
struct MarginInput: Codable { var portfolio: Portfolio; var market: Market; var audits: [AuditResult] }
struct Margin: Codable {
    var portfolioId: String; var longMarketValue: Double; var shortMarketValue: Double
    var maintenanceRequirement: Double; var marginBalance: Double; var marginCall: Bool
    var violations: Int; var failedRules: [String]
}

/// SplitMix64: a small deterministic generator for the simulated feeds.
struct Rng {
    var s: UInt64
    init(_ seed: String) { s = 1469598103934665603; for b in seed.utf8 { s = (s ^ UInt64(b)) &* 1099511628211 } }
    mutating func next() -> UInt64 {
        s &+= 0x9E3779B97F4A7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
let universe: [String] = (0..<120).map { i in
    let a = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return String([a[i % 26], a[(i * 7 + 3) % 26], a[(i * 11 + 5) % 26]]) + (i % 3 == 0 ? "X" : "")
}

let app = WorkflowApp(name: "finra")

app.register("fetchPortfolio") { (r: Request, _) -> Portfolio in
    var rng = Rng(r.portfolioId)
    let n = min(max(r.positions ?? 40, 1), universe.count)
    var tickers = universe
    for i in 0..<n { tickers.swapAt(i, i + rng.int(tickers.count - i)) }
    let positions = (0..<n).map { i -> Position in
        let short = rng.unit() < 0.15
        return Position(ticker: tickers[i], quantity: (1 + rng.int(40)) * 25, costBasis: round2(1 + rng.unit() * 300),
                        side: short ? "short" : "long", tradesToday: rng.int(6))
    }
    return Portfolio(portfolioId: r.portfolioId, tradingDay: r.tradingDay, accountEquity: round2(250_000 + rng.unit() * 750_000), positions: positions)
}

app.register("fetchMarketData") { (r: Request, _) -> Market in
    var quotes: [String: Quote] = [:]
    for t in universe {
        var rng = Rng(t + "@" + r.tradingDay)
        let price = rng.unit() < 0.1 ? round2(0.5 + rng.unit() * 4) : round2(5 + rng.unit() * 400)
        quotes[t] = Quote(ticker: t, price: price, avgDailyVolume: 10_000 + rng.int(5_000_000), restricted: rng.unit() < 0.04)
    }
    return Market(tradingDay: r.tradingDay, quotes: quotes)
}

func price(_ m: Market, _ t: String) throws -> Quote {
    guard let q = m.quotes[t] else { throw FunctionError("MissingQuote", "no quote for \(t) on \(m.tradingDay)") }
    return q
}

/// One audit rule: a name and a check per position.
func rule(_ name: String, _ check: @escaping @Sendable (Position, Quote, Portfolio) -> String?) {
    app.register(name) { (a: AuditInput, _) -> AuditResult in
        var v: [Violation] = []
        for p in a.portfolio.positions {
            if let d = check(p, try price(a.market, p.ticker), a.portfolio) { v.append(Violation(ticker: p.ticker, detail: d)) }
        }
        return AuditResult(rule: name, passed: v.isEmpty, violations: v)
    }
}

func marketValue(_ p: Position, _ q: Quote) -> Double { Double(p.quantity) * q.price }

rule("concentration") { p, q, pf in   // FINRA 4210: single position over 25% of equity
    let mv = marketValue(p, q)
    return mv > pf.accountEquity * 0.25 ? "position is \(Int(mv / pf.accountEquity * 100))% of equity" : nil
}
rule("pennyStock") { p, q, _ in        // FINRA 15g: penny stocks need disclosure
    q.price < 5 && p.side == "long" && p.quantity > 1000 ? "\(p.quantity) shares at $\(q.price)" : nil
}
rule("shortLocate") { p, q, _ in       // Reg SHO: shorts in thin names need a locate
    p.side == "short" && q.avgDailyVolume < 200_000 ? "short in a thinly traded name (ADV \(q.avgDailyVolume))" : nil
}
rule("restrictedList") { p, q, _ in    // firm restricted list
    q.restricted ? "on the restricted list" : nil
}
rule("patternDayTrading") { p, _, pf in // FINRA 4210(f)(8)(B)
    p.tradesToday >= 4 && pf.accountEquity < 25_000 * 20 ? "\(p.tradesToday) day trades" : nil
}
rule("liquidity") { p, q, _ in         // position over 10% of average daily volume
    Double(p.quantity) > Double(q.avgDailyVolume) * 0.10 ? "\(p.quantity) shares vs ADV \(q.avgDailyVolume)" : nil
}
rule("unrealizedLoss") { p, q, _ in    // large unrealised loss on a long
    p.side == "long" && q.price < p.costBasis * 0.5 ? "down \(Int((1 - q.price / p.costBasis) * 100))%" : nil
}
rule("shortSqueezeRisk") { p, q, _ in  // short above cost basis by 50%
    p.side == "short" && q.price > p.costBasis * 1.5 ? "up \(Int((q.price / p.costBasis - 1) * 100))% against the short" : nil
}

app.register("computeMargin") { (m: MarginInput, _) -> Margin in
    var long = 0.0, short = 0.0, req = 0.0
    for p in m.portfolio.positions {
        let q = try price(m.market, p.ticker)
        let mv = marketValue(p, q)
        if p.side == "long" { long += mv; req += mv * (q.price < 5 ? 1.0 : 0.25) }
        else { short += mv; req += mv * (q.price < 5 ? 1.5 : 0.30) }
    }
    let balance = m.portfolio.accountEquity + long - short - req
    let failed = m.audits.filter { !$0.passed }.map(\.rule)
    return Margin(portfolioId: m.portfolio.portfolioId, longMarketValue: round2(long), shortMarketValue: round2(short),
                  maintenanceRequirement: round2(req), marginBalance: round2(balance), marginCall: balance < 0,
                  violations: m.audits.reduce(0) { $0 + $1.violations.count }, failedRules: failed)
}

WorkflowHost.main(app: app)
