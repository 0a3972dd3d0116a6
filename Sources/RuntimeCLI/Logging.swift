import Glibc
import Logging
import LinuxSystem

/// runc's log formats, which containerd and conmon read back:
/// text: `time="..." level=error msg="..."`; json: one `{"level","msg","time"}` per line.
struct RuntimeLogHandler: LogHandler {
    let fd: Int32
    let format: LogFormat
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let time = Clock.rfc3339Now()
        let level = event.level, message = event.message
        let name = level == .warning ? "warning" : level == .critical ? "fatal" : level.rawValue
        let text: String
        switch format {
        case .json:
            text = "{\"level\":\(JSONText.quote(name)),\"msg\":\(JSONText.quote(message.description)),\"time\":\(JSONText.quote(time))}\n"
        case .text:
            text = "time=\(JSONText.quote(time)) level=\(name) msg=\(JSONText.quote(message.description))\n"
        }
        try? FileSystem.writeAll(fd: fd, Array(text.utf8), path: "log")
    }
}

enum LogSetup {
    /// Opens the log destination and installs the handler. Returns the logger.
    static func bootstrap(_ g: GlobalSettings) -> Logger {
        var fd: Int32 = 2
        if let path = g.log {
            let opened = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            if opened >= 0 { fd = opened }
        }
        let level: Logger.Level = g.debug ? .debug : .info
        let format = g.logFormat
        LoggingSystem.bootstrap { _ in RuntimeLogHandler(fd: fd, format: format, logLevel: level) }
        return Logger(label: "warmlane")
    }
}

enum JSONText {
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

