// image-pipeline: decode -> resize -> classify, as a Map over the request's images.
// The classifier is a 64-32-10 MLP trained offline on scikit-learn's handwritten digits
// (model/train.py); its weights ship beside the binary as weights.json.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Workflow
import WorkflowServer

struct EncodedImage: Codable { var id: String; var pgm: String }
struct Image: Codable { var id: String; var width: Int; var height: Int; var pixels: [UInt8] }
struct Features: Codable { var id: String; var features: [Double] }
struct Prediction: Codable { var id: String; var label: Int; var confidence: Double }

let app = WorkflowApp(name: "image-pipeline")

/// Base64 PGM (P5, 8-bit) -> grey pixels.
app.register("decode") { (input: EncodedImage, _) -> Image in
    guard let data = Data(base64Encoded: input.pgm) else { throw FunctionError("DecodeError", "\(input.id): not base64") }
    let bytes = [UInt8](data)
    var fields: [Int] = []
    var i = 0
    guard bytes.count > 2, bytes[0] == UInt8(ascii: "P"), bytes[1] == UInt8(ascii: "5") else {
        throw FunctionError("DecodeError", "\(input.id): not a binary PGM (P5)")
    }
    i = 2
    while fields.count < 3 && i < bytes.count {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "#") { while i < bytes.count, bytes[i] != 0x0A { i += 1 }; continue }
        var v = 0, digits = 0
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { v = v * 10 + Int(bytes[i] - 0x30); i += 1; digits += 1 }
        guard digits > 0 else { throw FunctionError("DecodeError", "\(input.id): bad PGM header") }
        fields.append(v)
    }
    i += 1  // single whitespace after maxval
    let (w, h, maxval) = (fields[0], fields[1], fields[2])
    guard maxval > 0, maxval < 256, bytes.count - i >= w * h else { throw FunctionError("DecodeError", "\(input.id): truncated PGM") }
    let pixels = maxval == 255 ? Array(bytes[i..<(i + w * h)]) : bytes[i..<(i + w * h)].map { UInt8(Int($0) * 255 / maxval) }
    return Image(id: input.id, width: w, height: h, pixels: pixels)
}

/// Area-average resize to the model's 8x8 input, scaled to [0, 1].
app.register("resize") { (img: Image, _) -> Features in
    let side = 8
    var out = [Double](repeating: 0, count: side * side)
    for oy in 0..<side {
        for ox in 0..<side {
            let x0 = ox * img.width / side, x1 = max(x0 + 1, (ox + 1) * img.width / side)
            let y0 = oy * img.height / side, y1 = max(y0 + 1, (oy + 1) * img.height / side)
            var sum = 0.0
            for y in y0..<y1 { for x in x0..<x1 { sum += Double(img.pixels[y * img.width + x]) } }
            out[oy * side + ox] = sum / Double((x1 - x0) * (y1 - y0)) / 255.0
        }
    }
    return Features(id: img.id, features: out)
}

struct Layer: Decodable { var weights: [[Double]]; var bias: [Double] }
struct Model: Decodable { var layers: [Layer] }

/// The weights, loaded once per process from beside the binary (or $WARMLANE_MODEL).
let model: Result<Model, Error> = {
    var paths: [String] = []
    if let p = ProcessInfo.processInfo.environment["WARMLANE_MODEL"] { paths.append(p) }
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        paths.append(String(exe[..<(exe.lastIndex(of: "/") ?? exe.startIndex)]) + "/weights.json")
    }
    if let arg0 = CommandLine.arguments.first, let slash = arg0.lastIndex(of: "/") {
        paths.append(String(arg0[..<slash]) + "/weights.json")
    }
    paths.append("bundles/image-pipeline/model/weights.json")
    for p in paths {
        if let d = FileManager.default.contents(atPath: p) {
            return Result { try JSONDecoder().decode(Model.self, from: d) }
        }
    }
    return .failure(FunctionError("ModelMissing", "weights.json not found in \(paths)"))
}()

app.register("classify") { (f: Features, _) -> Prediction in
    var x = f.features
    let layers = try model.get().layers
    for (k, layer) in layers.enumerated() {
        guard layer.weights.first?.count == x.count else { throw FunctionError("ShapeError", "layer \(k) expects \(layer.weights.first?.count ?? 0) inputs, got \(x.count)") }
        var y = layer.bias
        for (o, row) in layer.weights.enumerated() {
            var s = 0.0
            for (i, w) in row.enumerated() { s += w * x[i] }
            y[o] += s
        }
        x = k == layers.count - 1 ? y : y.map { max(0, $0) }
    }
    let m = x.max()!
    let e = x.map { exp($0 - m) }
    let total = e.reduce(0, +)
    let best = x.firstIndex(of: m)!
    return Prediction(id: f.id, label: best, confidence: (e[best] / total * 10000).rounded() / 10000)
}

WorkflowHost.main(app: app)
