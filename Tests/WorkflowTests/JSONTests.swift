import Testing
@testable import Workflow

@Suite struct JSONTests {
    @Test func roundTripKeepsOrderAndNumbers() throws {
        let text = #"{"b":1,"a":[true,false,null,1.5,-2,"x\"y\n\u00e9"],"c":{"z":{}}}"#
        let v = try JSON.parse(text)
        #expect(v.serialized() == #"{"b":1,"a":[true,false,null,1.5,-2,"x\"y\né"],"c":{"z":{}}}"#)
        #expect(v["a"]?.array?.count == 6)
        #expect(try JSON.parse("1e3") == .double(1000))
        #expect(try JSON.parse("  12 ") == .int(12))
        #expect(JSON.int(1) == JSON.double(1.0))
    }

    @Test func surrogatePairs() throws {
        #expect(try JSON.parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "tru", "\"abc", "1 2", "{\"a\":1,}"])
    func rejectsInvalid(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSON.parse(text) }
    }

    @Test func paths() throws {
        let doc = j(#"{"a":{"b":[10,20,30],"c d":"x"},"items":[{"id":1},{"id":2}]}"#)
        #expect(try JSONPath("$").evaluate(doc) == doc)
        #expect(try JSONPath("$.a.b[1]").evaluate(doc) == .int(20))
        #expect(try JSONPath("$.a.b[-1]").evaluate(doc) == .int(30))
        #expect(try JSONPath("$['a']['c d']").evaluate(doc) == .string("x"))
        #expect(try JSONPath("$.items[*].id").evaluate(doc) == j("[1,2]"))
        #expect(try JSONPath("$.a.b[0:2]").evaluate(doc) == j("[10,20]"))
        #expect(try JSONPath("$.a.b[0,2]").evaluate(doc) == j("[10,30]"))
        #expect(try JSONPath("$.nope").evaluate(doc) == nil)
        #expect(try JSONPath("$.a.b").isDefinite)
        #expect(try !JSONPath("$.a[*]").isDefinite)
        #expect(throws: PathError.self) { try JSONPath("a.b") }
        #expect(throws: PathError.self) { try JSONPath("$.a[?(@.x)]") }
    }

    @Test func assignCreatesObjects() throws {
        let r = try JSONPath("$.x.y").assign(.int(1), into: j(#"{"a":2}"#))
        #expect(r == j(#"{"a":2,"x":{"y":1}}"#))
        #expect(throws: (any Error).self) { try JSONPath("$.a.b").assign(.int(1), into: j(#"{"a":2}"#)) }
    }

    @Test func timestamps() {
        #expect(parseTimestamp("1970-01-01T00:00:00Z") == 0)
        #expect(parseTimestamp("2016-03-14T01:59:00Z") == 1457920740)
        #expect(parseTimestamp("2016-03-14T03:59:00+02:00") == 1457920740)
        #expect(parseTimestamp("2016-03-14T01:59:00.5Z") == 1457920740.5)
        #expect(parseTimestamp("2016-03-14") == nil)
        #expect(parseTimestamp("2016-13-14T01:59:00Z") == nil)
        #expect(formatTimestamp(1457920740.25) == "2016-03-14T01:59:00.250Z")
    }
}
