import Logging
import OCI
import LinuxSystem

/// Entry point of the lifecycle library. One method per verb, each in its own file
/// under Lifecycle/. The CLI only parses arguments and calls these.
public struct Runtime: Sendable {
    public let store: StateStore
    public let logger: Logger

    public init(root: String, logger: Logger = Logger(label: "warmlane")) {
        self.store = StateStore(root: root)
        self.logger = logger
    }

    public func container(_ id: String) throws -> Container {
        try Container.load(id, store: store)
    }
}
