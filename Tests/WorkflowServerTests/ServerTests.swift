import Testing
@testable import WorkflowServer
