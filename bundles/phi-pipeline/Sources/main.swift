// phi-pipeline: a healthcare record pipeline. Identify PHI (HIPAA identifiers) in clinical
// notes, then anonymize and de-identify in parallel, then run analytics on the
// de-identified records only.
import Workflow
import WorkflowServer

struct Record: Codable { var id: String; var note: String }
struct Batch: Codable { var records: [Record] }
struct Entity: Codable, Hashable { var type: String; var text: String; var start: Int; var end: Int }
struct Tagged: Codable { var id: String; var note: String; var entities: [Entity] }
struct TaggedBatch: Codable { var records: [Tagged] }
struct Anonymized: Codable { var id: String; var note: String }
struct DeIdentified: Codable { var id: String; var note: String; var birthYear: Int?; var ageBand: String?; var zip3: String? }
struct Analytics: Codable {
    var records: Int; var phiFound: [String: Int]; var conditions: [String: Int]
    var ageBands: [String: Int]; var regions: [String: Int]; var meanHbA1c: Double?
}

let app = WorkflowApp(name: "phi-pipeline")

// MARK: PHI detection: a small scanner over the note's characters (no regex engine needed).

extension Character {
    var isDigitASCII: Bool { isASCII && isNumber }
}

func scan(_ note: String) -> [Entity] {
    let c = Array(note)
    var out: [Entity] = []
    func add(_ type: String, _ s: Int, _ e: Int) { out.append(Entity(type: type, text: String(c[s..<e]), start: s, end: e)) }
    func digits(_ i: Int, _ n: Int) -> Bool { i + n <= c.count && (i..<(i + n)).allSatisfy { c[$0].isDigitASCII } }
    func boundary(_ i: Int) -> Bool { i < 0 || i >= c.count || !(c[i].isLetter || c[i].isNumber) }
    var i = 0
    while i < c.count {
        // SSN ddd-dd-dddd
        if boundary(i - 1), digits(i, 3), i + 11 <= c.count, c[i + 3] == "-", digits(i + 4, 2), c[i + 6] == "-", digits(i + 7, 4), boundary(i + 11) {
            add("SSN", i, i + 11); i += 11; continue
        }
        // Phone (ddd) ddd-dddd or ddd-ddd-dddd
        if c[i] == "(", digits(i + 1, 3), i + 14 <= c.count, c[i + 4] == ")", c[i + 5] == " ", digits(i + 6, 3), c[i + 9] == "-", digits(i + 10, 4) {
            add("PHONE", i, i + 14); i += 14; continue
        }
        if boundary(i - 1), digits(i, 3), i + 12 <= c.count, c[i + 3] == "-", digits(i + 4, 3), c[i + 7] == "-", digits(i + 8, 4), boundary(i + 12) {
            add("PHONE", i, i + 12); i += 12; continue
        }
        // Date mm/dd/yyyy
        if boundary(i - 1), digits(i, 2), i + 10 <= c.count, c[i + 2] == "/", digits(i + 3, 2), c[i + 5] == "/", digits(i + 6, 4), boundary(i + 10) {
            add("DATE", i, i + 10); i += 10; continue
        }
        // Email: a word with @ and a dot after it
        if c[i] == "@" {
            var s = i, e = i + 1
            while s > 0, c[s - 1].isLetter || c[s - 1].isNumber || ".-_+".contains(c[s - 1]) { s -= 1 }
            while e < c.count, c[e].isLetter || c[e].isNumber || ".-".contains(c[e]) { e += 1 }
            while e > i + 1, c[e - 1] == "." { e -= 1 }
            if s < i, c[(i + 1)..<e].contains(".") {
                out.removeAll { $0.start >= s }
                add("EMAIL", s, e); i = e; continue
            }
        }
        // Labelled identifiers: MRN, ZIP; names after a title.
        for (label, type) in [("MRN ", "MRN"), ("MRN: ", "MRN"), ("ZIP ", "ZIP"), ("ZIP: ", "ZIP")] {
            let l = Array(label)
            if i + l.count < c.count, Array(c[i..<(i + l.count)]) == l {
                var e = i + l.count
                while e < c.count, c[e].isDigitASCII { e += 1 }
                if e > i + l.count { add(type, i + l.count, e); i = e; break }
            }
        }
        for title in ["Patient ", "Mr. ", "Mrs. ", "Ms. ", "Dr. "] {
            let t = Array(title)
            if boundary(i - 1), i + t.count < c.count, Array(c[i..<(i + t.count)]) == t, c[i + t.count].isUppercase {
                var e = i + t.count
                var words = 0
                while words < 3, e < c.count, c[e].isUppercase {
                    var w = e
                    while w < c.count, c[w].isLetter || c[w] == "'" || c[w] == "-" { w += 1 }
                    e = w; words += 1
                    if e + 1 < c.count, c[e] == " ", c[e + 1].isUppercase { e += 1 } else { break }
                }
                add("NAME", i + t.count, e); i = e; break
            }
        }
        i += 1
    }
    return out.sorted { $0.start < $1.start }
}

app.register("identifyPHI") { (b: Batch, _) -> TaggedBatch in
    TaggedBatch(records: b.records.map { Tagged(id: $0.id, note: $0.note, entities: scan($0.note)) })
}

func replacing(_ t: Tagged, _ with: (Entity) -> String) -> String {
    let c = Array(t.note)
    var out = ""
    var at = 0
    for e in t.entities where e.start >= at {
        out += String(c[at..<e.start]) + with(e)
        at = e.end
    }
    return out + String(c[at...])
}

/// Anonymize: every identifier becomes its type tag.
app.register("anonymize") { (b: TaggedBatch, _) -> [Anonymized] in
    b.records.map { Anonymized(id: $0.id, note: replacing($0) { "[\($0.type)]" }) }
}

/// Stable pseudonym: the same identifier maps to the same token across records.
func pseudonym(_ e: Entity) -> String {
    var h: UInt64 = 1469598103934665603
    for u in (e.type + ":" + e.text).utf8 { h = (h ^ UInt64(u)) &* 1099511628211 }
    let hex = Array("0123456789abcdef")
    return e.type + "-" + String((0..<6).map { hex[Int((h >> (UInt64($0) * 4)) & 0xF)] })
}

/// De-identify (HIPAA Safe Harbor): pseudonyms for identifiers, dates reduced to the year,
/// ages over 89 grouped, ZIP codes truncated to three digits.
app.register("deidentify") { (b: TaggedBatch, _) -> [DeIdentified] in
    b.records.map { t in
        let dob = t.entities.first { $0.type == "DATE" }.flatMap { Int($0.text.suffix(4)) }
        let zip = t.entities.first { $0.type == "ZIP" }.map { String($0.text.prefix(3)) }
        let note = replacing(t) { e in
            switch e.type {
            case "DATE":
                let year = Int(e.text.suffix(4)) ?? 0
                return 2024 - year > 89 ? "(90+ years ago)" : String(year)
            case "ZIP": return String(e.text.prefix(3)) + "**"
            default: return pseudonym(e)
            }
        }
        var band: String? = nil
        if let y = dob {
            let age = 2024 - y
            band = age > 89 ? "90+" : "\(age / 10 * 10)-\(age / 10 * 10 + 9)"
        }
        return DeIdentified(id: t.id, note: note, birthYear: dob.map { 2024 - $0 > 89 ? 0 : $0 }, ageBand: band, zip3: zip)
    }
}

struct AnalyticsInput: Codable { var tagged: TaggedBatch; var deidentified: [DeIdentified] }

/// Analytics only read de-identified notes; PHI counts come from the tags, not the text.
app.register("analytics") { (a: AnalyticsInput, _) -> Analytics in
    var phi: [String: Int] = [:]
    for r in a.tagged.records { for e in r.entities { phi[e.type, default: 0] += 1 } }
    let terms = ["diabetes": "diabetes", "hypertension": "hypertension", "asthma": "asthma", "copd": "COPD", "depression": "depression"]
    var conditions: [String: Int] = [:], bands: [String: Int] = [:], regions: [String: Int] = [:]
    var a1c: [Double] = []
    for r in a.deidentified {
        let lower = r.note.lowercased()
        for (k, name) in terms where lower.contains(k) { conditions[name, default: 0] += 1 }
        if let b = r.ageBand { bands[b, default: 0] += 1 }
        if let z = r.zip3 { regions[z, default: 0] += 1 }
        let words = r.note.split(whereSeparator: { $0 == " " || $0 == "," || $0 == ";" })
        if let i = words.firstIndex(where: { $0 == "HbA1c" }), i + 1 < words.endIndex, let v = Double(words[i + 1].trimmingCharacters(in: ".%")) {
            a1c.append(v)
        }
    }
    let mean = a1c.isEmpty ? nil : (a1c.reduce(0, +) / Double(a1c.count) * 100).rounded() / 100
    return Analytics(records: a.deidentified.count, phiFound: phi, conditions: conditions, ageBands: bands, regions: regions, meanHbA1c: mean)
}

extension Substring {
    func trimmingCharacters(in set: String) -> Substring {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return s
    }
}

WorkflowHost.main(app: app)
