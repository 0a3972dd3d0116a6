import Testing
@testable import Workflow
@Test func moduleLinks() { #expect(Bool(true)) }
