import OCI

/// v1 device access lists. The spec's rules come first, then the devices every container
/// needs (the nodes the runtime creates, ptys), as runc adds them.
enum DevicesController {
    static let defaultAllowed: [Resources.DeviceCgroupRule] = [
        .init(allow: true, type: "c", major: nil, minor: nil, access: "m"),
        .init(allow: true, type: "b", major: nil, minor: nil, access: "m"),
        .init(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),    // null
        .init(allow: true, type: "c", major: 1, minor: 5, access: "rwm"),    // zero
        .init(allow: true, type: "c", major: 1, minor: 7, access: "rwm"),    // full
        .init(allow: true, type: "c", major: 1, minor: 8, access: "rwm"),    // random
        .init(allow: true, type: "c", major: 1, minor: 9, access: "rwm"),    // urandom
        .init(allow: true, type: "c", major: 5, minor: 0, access: "rwm"),    // tty
        .init(allow: true, type: "c", major: 5, minor: 1, access: "rwm"),    // console
        .init(allow: true, type: "c", major: 5, minor: 2, access: "rwm"),    // ptmx
        .init(allow: true, type: "c", major: 136, minor: nil, access: "rwm"), // pts/*
        .init(allow: true, type: "c", major: 10, minor: 200, access: "rwm"), // net/tun
    ]

    static func rule(_ r: Resources.DeviceCgroupRule) -> String {
        let type = r.type ?? "a"
        if type == "a" { return "a" }
        let major = r.major.map { $0 < 0 ? "*" : String($0) } ?? "*"
        let minor = r.minor.map { $0 < 0 ? "*" : String($0) } ?? "*"
        return "\(type) \(major):\(minor) \(r.access ?? "rwm")"
    }

    static func applyV1(_ rules: [Resources.DeviceCgroupRule]?, _ dir: String) throws {
        guard let rules else { return }
        for r in rules + defaultAllowed {
            try CgroupFile.write(dir, r.allow ? "devices.allow" : "devices.deny", rule(r))
        }
    }
}
