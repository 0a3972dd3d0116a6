import Testing
@testable import Runtime
@Test func moduleLinks() { #expect(Bool(true)) }
