import Testing
@testable import Workflow

/// Every comparison operator (and its Path form), And/Or/Not, Default and no-match.
@Suite struct ChoiceTests {
    static let input = j(#"{"s":"banana","n":5,"f":2.5,"b":true,"t":"2020-06-01T12:00:00Z","z":null,"other":{"s":"apple","n":5,"b":true,"t":"2021-01-01T00:00:00Z"}}"#)

    func chooses(_ rule: String) throws -> Bool {
        let def = """
        {"StartAt":"C","States":{
          "C":{"Type":"Choice","Choices":[\(rule.dropLast()),"Next":"Yes"}],"Default":"No"},
          "Yes":{"Type":"Pass","Result":"yes","End":true},
          "No":{"Type":"Pass","Result":"no","End":true}}}
        """
        return try output(def, Self.input) == .string("yes")
    }

    @Test(arguments: [
        (#"{"Variable":"$.s","StringEquals":"banana"}"#, true),
        (#"{"Variable":"$.s","StringEquals":"apple"}"#, false),
        (#"{"Variable":"$.s","StringLessThan":"cherry"}"#, true),
        (#"{"Variable":"$.s","StringGreaterThan":"cherry"}"#, false),
        (#"{"Variable":"$.s","StringLessThanEquals":"banana"}"#, true),
        (#"{"Variable":"$.s","StringGreaterThanEquals":"banana"}"#, true),
        (#"{"Variable":"$.s","StringMatches":"b*n*a"}"#, true),
        (#"{"Variable":"$.s","StringMatches":"*x*"}"#, false),
        (#"{"Variable":"$.s","StringEqualsPath":"$.other.s"}"#, false),
        (#"{"Variable":"$.s","StringGreaterThanPath":"$.other.s"}"#, true),
        (#"{"Variable":"$.s","StringLessThanPath":"$.other.s"}"#, false),
        (#"{"Variable":"$.s","StringLessThanEqualsPath":"$.s"}"#, true),
        (#"{"Variable":"$.s","StringGreaterThanEqualsPath":"$.other.s"}"#, true),
        (#"{"Variable":"$.n","NumericEquals":5}"#, true),
        (#"{"Variable":"$.n","NumericEquals":5.0}"#, true),
        (#"{"Variable":"$.n","NumericLessThan":5}"#, false),
        (#"{"Variable":"$.f","NumericLessThan":3}"#, true),
        (#"{"Variable":"$.n","NumericGreaterThan":4.5}"#, true),
        (#"{"Variable":"$.n","NumericLessThanEquals":5}"#, true),
        (#"{"Variable":"$.n","NumericGreaterThanEquals":6}"#, false),
        (#"{"Variable":"$.n","NumericEqualsPath":"$.other.n"}"#, true),
        (#"{"Variable":"$.f","NumericLessThanPath":"$.n"}"#, true),
        (#"{"Variable":"$.f","NumericGreaterThanPath":"$.n"}"#, false),
        (#"{"Variable":"$.n","NumericLessThanEqualsPath":"$.other.n"}"#, true),
        (#"{"Variable":"$.n","NumericGreaterThanEqualsPath":"$.f"}"#, true),
        (#"{"Variable":"$.s","NumericEquals":5}"#, false),
        (#"{"Variable":"$.b","BooleanEquals":true}"#, true),
        (#"{"Variable":"$.b","BooleanEquals":false}"#, false),
        (#"{"Variable":"$.b","BooleanEqualsPath":"$.other.b"}"#, true),
        (#"{"Variable":"$.t","TimestampEquals":"2020-06-01T14:00:00+02:00"}"#, true),
        (#"{"Variable":"$.t","TimestampLessThan":"2020-06-01T12:00:01Z"}"#, true),
        (#"{"Variable":"$.t","TimestampGreaterThan":"2020-06-01T12:00:01Z"}"#, false),
        (#"{"Variable":"$.t","TimestampLessThanEquals":"2020-06-01T12:00:00Z"}"#, true),
        (#"{"Variable":"$.t","TimestampGreaterThanEquals":"2021-01-01T00:00:00Z"}"#, false),
        (#"{"Variable":"$.t","TimestampEqualsPath":"$.other.t"}"#, false),
        (#"{"Variable":"$.t","TimestampLessThanPath":"$.other.t"}"#, true),
        (#"{"Variable":"$.t","TimestampGreaterThanPath":"$.other.t"}"#, false),
        (#"{"Variable":"$.t","TimestampLessThanEqualsPath":"$.t"}"#, true),
        (#"{"Variable":"$.t","TimestampGreaterThanEqualsPath":"$.other.t"}"#, false),
        (#"{"Variable":"$.z","IsNull":true}"#, true),
        (#"{"Variable":"$.s","IsNull":true}"#, false),
        (#"{"Variable":"$.missing","IsPresent":false}"#, true),
        (#"{"Variable":"$.s","IsPresent":true}"#, true),
        (#"{"Variable":"$.f","IsNumeric":true}"#, true),
        (#"{"Variable":"$.s","IsNumeric":true}"#, false),
        (#"{"Variable":"$.s","IsString":true}"#, true),
        (#"{"Variable":"$.b","IsBoolean":true}"#, true),
        (#"{"Variable":"$.t","IsTimestamp":true}"#, true),
        (#"{"Variable":"$.s","IsTimestamp":false}"#, true),
        (#"{"And":[{"Variable":"$.n","NumericEquals":5},{"Variable":"$.b","BooleanEquals":true}]}"#, true),
        (#"{"And":[{"Variable":"$.n","NumericEquals":5},{"Variable":"$.b","BooleanEquals":false}]}"#, false),
        (#"{"Or":[{"Variable":"$.n","NumericEquals":1},{"Variable":"$.s","StringEquals":"banana"}]}"#, true),
        (#"{"Or":[{"Variable":"$.n","NumericEquals":1},{"Variable":"$.s","StringEquals":"kiwi"}]}"#, false),
        (#"{"Not":{"Variable":"$.s","StringEquals":"kiwi"}}"#, true),
        (#"{"Not":{"And":[{"Variable":"$.n","NumericEquals":5},{"Not":{"Variable":"$.z","IsNull":false}}]}}"#, false),
    ])
    func comparison(_ rule: String, _ expected: Bool) throws {
        #expect(try chooses(rule) == expected, "\(rule)")
    }

    @Test func stringMatchesEscapes() {
        func m(_ s: String, _ p: String) -> Bool { wildcardMatch(Array(s.unicodeScalars), Array(p.unicodeScalars)) }
        #expect(m("log-2020.txt", "log-*.txt"))
        #expect(m("a*b", #"a\*b"#))
        #expect(!m("axb", #"a\*b"#))
        #expect(m("", "*"))
        #expect(!m("abc", "ab"))
    }

    @Test func firstMatchWinsAndOutputPathApplies() throws {
        let def = #"""
        {"StartAt":"C","States":{
          "C":{"Type":"Choice","InputPath":"$.x","OutputPath":"$.v","Choices":[
            {"Variable":"$.v","NumericGreaterThan":1,"Next":"A"},
            {"Variable":"$.v","NumericGreaterThan":0,"Next":"B"}]},
          "A":{"Type":"Pass","Parameters":{"at":"A","v.$":"$"},"End":true},
          "B":{"Type":"Pass","Parameters":{"at":"B"},"End":true}}}
        """#
        #expect(try output(def, j(#"{"x":{"v":3}}"#)) == j(#"{"at":"A","v":3}"#))
        #expect(try output(def, j(#"{"x":{"v":1}}"#)) == j(#"{"at":"B"}"#))
    }

    @Test func noMatchWithoutDefaultFails() throws {
        let def = #"{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.v","NumericEquals":1,"Next":"A"}]},"A":{"Type":"Succeed"}}}"#
        #expect(try failure(def, j(#"{"v":2}"#))?.name == "States.NoChoiceMatched")
    }

    @Test func missingVariableIsRuntimeError() throws {
        let def = #"{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.nope","NumericEquals":1,"Next":"A"}],"Default":"A"},"A":{"Type":"Succeed"}}}"#
        #expect(try failure(def, j("{}"))?.name == "States.Runtime")
    }
}
