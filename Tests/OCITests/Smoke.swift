import Testing
@testable import OCI
@Test func moduleLinks() { #expect(Bool(true)) }
