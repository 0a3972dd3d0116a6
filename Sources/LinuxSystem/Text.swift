extension StringProtocol {
    /// Without surrounding whitespace and newlines (kernel files end in "\n").
    public var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

extension Array where Element == String {
    /// `joined(separator:)` for the paths every create takes: the standard library's generic
    /// version costs a scan of all conformance records on its first call in a process.
    public func concatenated(separator: String) -> String {
        var out = ""
        for i in indices {
            if i > startIndex { out += separator }
            out += self[i]
        }
        return out
    }
}
