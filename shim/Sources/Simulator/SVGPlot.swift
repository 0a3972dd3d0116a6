#if canImport(Glibc)
import Glibc
#endif

/// A small line-chart renderer that writes self-contained SVG.
public struct LineChart {
    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public var dashed: Bool
        public var markers: Bool
        public init(name: String, points: [(x: Double, y: Double)], dashed: Bool = false, markers: Bool = true) {
            self.name = name; self.points = points; self.dashed = dashed; self.markers = markers
        }
    }
    public struct Annotation {
        public var x: Double, y: Double, text: String
        public init(x: Double, y: Double, text: String) { self.x = x; self.y = y; self.text = text }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series] = []
    public var annotations: [Annotation] = []
    public var yRange: ClosedRange<Double>? = nil
    public var width = 760.0, height = 480.0

    public init(title: String, xLabel: String, yLabel: String) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
                          "#17becf", "#7f7f7f", "#bcbd22"]

    public func svg() -> String {
        let left = 70.0, right = 170.0, top = 40.0, bottom = 55.0
        let pw = width - left - right, ph = height - top - bottom
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let x0 = 0.0, x1 = niceCeil(xs.max() ?? 1)
        let y0 = yRange?.lowerBound ?? 0, y1 = yRange?.upperBound ?? niceCeil(ys.max() ?? 1)
        func px(_ x: Double) -> Double { left + (x - x0) / max(x1 - x0, 1e-12) * pw }
        func py(_ y: Double) -> Double { top + ph - (min(max(y, y0), y1) - y0) / max(y1 - y0, 1e-12) * ph }
        var o = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
        o += "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n"
        o += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        o += "<text x=\"\(f(left + pw / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(esc(title))</text>\n"
        // grid and ticks
        for i in 0...5 {
            let yv = y0 + (y1 - y0) * Double(i) / 5, yy = py(yv)
            o += "<line x1=\"\(f(left))\" y1=\"\(f(yy))\" x2=\"\(f(left + pw))\" y2=\"\(f(yy))\" stroke=\"#e5e5e5\"/>\n"
            o += "<text x=\"\(f(left - 6))\" y=\"\(f(yy + 4))\" text-anchor=\"end\">\(tick(yv))</text>\n"
            let xv = x0 + (x1 - x0) * Double(i) / 5, xx = px(xv)
            o += "<line x1=\"\(f(xx))\" y1=\"\(f(top))\" x2=\"\(f(xx))\" y2=\"\(f(top + ph))\" stroke=\"#e5e5e5\"/>\n"
            o += "<text x=\"\(f(xx))\" y=\"\(f(top + ph + 18))\" text-anchor=\"middle\">\(tick(xv))</text>\n"
        }
        o += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(pw))\" height=\"\(f(ph))\" fill=\"none\" stroke=\"#333\"/>\n"
        o += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">\(esc(xLabel))</text>\n"
        o += "<text transform=\"translate(18 \(f(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\">\(esc(yLabel))</text>\n"
        for (i, s) in series.enumerated() {
            let color = LineChart.palette[i % LineChart.palette.count]
            let pts = s.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            o += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(s.dashed ? 2.5 : 1.8)\""
            o += s.dashed ? " stroke-dasharray=\"7 4\"" : ""
            o += " points=\"\(pts)\"/>\n"
            if s.markers {
                for p in s.points { o += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"2.6\" fill=\"\(color)\"/>\n" }
            }
            let ly = top + 14 + Double(i) * 18
            o += "<line x1=\"\(f(left + pw + 12))\" y1=\"\(f(ly - 4))\" x2=\"\(f(left + pw + 40))\" y2=\"\(f(ly - 4))\" "
            o += "stroke=\"\(color)\" stroke-width=\"2.5\"\(s.dashed ? " stroke-dasharray=\"7 4\"" : "")/>\n"
            o += "<text x=\"\(f(left + pw + 46))\" y=\"\(f(ly))\">\(esc(s.name))</text>\n"
        }
        for (i, a) in annotations.enumerated() {
            o += "<circle cx=\"\(f(px(a.x)))\" cy=\"\(f(py(a.y)))\" r=\"5\" fill=\"none\" stroke=\"black\" stroke-width=\"1.5\"/>\n"
            o += "<text x=\"\(f(px(a.x) + 10))\" y=\"\(f(py(a.y) + 22 + Double(i) * 16))\">\(esc(a.text))</text>\n"
        }
        o += "</svg>\n"
        return o
    }

    func f(_ v: Double) -> String { Report.fmt(v, 1) }
    func tick(_ v: Double) -> String { abs(v) >= 10 || v == 0 ? Report.fmt(v, 0) : Report.fmt(v, 2) }
    func esc(_ s: String) -> String {
        s.replacingAll("&", "&amp;").replacingAll("<", "&lt;").replacingAll(">", "&gt;")
    }
    func niceCeil(_ v: Double) -> Double {
        guard v > 0 else { return 1 }
        var p = 1.0
        while p * 10 <= v { p *= 10 }
        while p > v { p /= 10 }
        for m in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] where m * p >= v { return m * p }
        return 10 * p
    }
}

extension String {
    func replacingAll(_ a: String, _ b: String) -> String {
        split(separator: Character(a), omittingEmptySubsequences: false).joined(separator: b)
    }
}

/// Writing files and converting SVG to PNG with whatever converter is installed.
public enum PlotFiles {
    public static func write(_ text: String, to path: String) throws {
        guard let fp = fopen(path, "w") else { throw TraceError("cannot write \(path): errno \(errno)") }
        defer { fclose(fp) }
        let bytes = Array(text.utf8)
        if fwrite(bytes, 1, bytes.count, fp) != bytes.count { throw TraceError("short write to \(path)") }
    }

    /// Converts `svg` to `png` with rsvg-convert or ImageMagick's convert;
    /// returns the converter used, or nil if none is installed or it failed.
    public static func convertToPNG(svg: String, png: String) -> String? {
        if let exe = findInPath("rsvg-convert"), run([exe, "-o", png, svg]) == 0 { return "rsvg-convert" }
        if let exe = findInPath("convert"), run([exe, "-density", "110", svg, png]) == 0 { return "convert" }
        return nil
    }

    static func findInPath(_ name: String) -> String? {
        guard let p = getenv("PATH") else { return nil }
        for dir in String(cString: p).split(separator: ":") {
            let full = "\(dir)/\(name)"
            if access(full, X_OK) == 0 { return full }
        }
        return nil
    }

    static func run(_ args: [String]) -> Int32 {
        var pid: pid_t = 0
        var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        let rc = posix_spawn(&pid, args[0], nil, nil, &cargs, environ)
        if rc != 0 { return rc }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 { if errno != EINTR { return -1 } }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}
