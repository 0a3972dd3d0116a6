import Testing
@testable import RuntimeCLI
@Test func moduleLinks() { #expect(Bool(true)) }
