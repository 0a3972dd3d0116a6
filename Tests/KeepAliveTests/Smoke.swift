import Testing
@testable import KeepAlive
@Test func moduleLinks() { #expect(Bool(true)) }
