import CWarmlane

/// Where a command spends its time: with WARMLANE_TIMELINE set, each mark prints
/// `timeline PID MICROSECONDS LABEL` (CLOCK_MONOTONIC) to stderr; otherwise a mark costs
/// one branch. `scripts/bench/timeline.py` runs a command many times and prints medians.
/// Safe in the init between clone and exec: it calls only libc.
public enum Timeline {
    @inline(__always)
    public static func mark(_ label: StaticString) {
        // A string literal's StaticString is NUL-terminated.
        UnsafeRawPointer(label.utf8Start).withMemoryRebound(to: CChar.self, capacity: label.utf8CodeUnitCount + 1) {
            wl_timeline_mark($0)
        }
    }
}
