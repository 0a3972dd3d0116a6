import Testing
@testable import Workflow

/// InputPath -> Parameters -> Result -> ResultSelector -> ResultPath -> OutputPath, with the
/// examples of the AWS "Input and output processing" guide.
@Suite struct PathProcessingTests {
    let input = j(#"{"comment":"Example","title":"Numbers to add","numbers":{"val1":3,"val2":4},"other":[1,2]}"#)

    @Test func inputPathSelects() throws {
        #expect(try output(single(#"{"Type":"Pass","InputPath":"$.numbers"}"#), input) == j(#"{"val1":3,"val2":4}"#))
    }

    @Test func nullInputPathGivesEmptyObject() throws {
        #expect(try output(single(#"{"Type":"Pass","InputPath":null}"#), input) == j("{}"))
    }

    @Test func parametersWithPathsAndContext() throws {
        let def = single(#"{"Type":"Pass","Parameters":{"static":"v","n.$":"$.numbers.val1","list.$":"$.other","nested":{"t.$":"$.title"},"state.$":"$$.State.Name","in.$":"$$.Execution.Input.comment"}}"#)
        #expect(try output(def, input) == j(#"{"static":"v","n":3,"list":[1,2],"nested":{"t":"Numbers to add"},"state":"S","in":"Example"}"#))
    }

    @Test func missingParameterPathIsRuntimeError() throws {
        let e = try failure(single(#"{"Type":"Pass","Parameters":{"x.$":"$.missing"}}"#), input)
        #expect(e?.name == "States.Runtime")
    }

    @Test func resultPathMergesIntoRawInput() throws {
        let def = single(#"{"Type":"Pass","InputPath":"$.numbers","Result":{"sum":7},"ResultPath":"$.numbers.total"}"#)
        let out = try output(def, input)
        #expect(out["numbers"] == j(#"{"val1":3,"val2":4,"total":{"sum":7}}"#))
        #expect(out["comment"] == .string("Example"))
    }

    @Test func resultPathNullKeepsInput() throws {
        #expect(try output(single(#"{"Type":"Pass","Result":1,"ResultPath":null}"#), input) == input)
    }

    @Test func resultPathOnScalarFails() throws {
        let e = try failure(single(#"{"Type":"Pass","Result":1,"ResultPath":"$.comment.x"}"#), input)
        #expect(e?.name == "States.ResultPathMatchFailure")
    }

    @Test func outputPathFilters() throws {
        let def = single(#"{"Type":"Pass","Result":{"a":{"b":5}},"ResultPath":"$.r","OutputPath":"$.r.a"}"#)
        #expect(try output(def, input) == j(#"{"b":5}"#))
    }

    @Test func missingInputPathIsRuntimeError() throws {
        #expect(try failure(single(#"{"Type":"Pass","InputPath":"$.nope"}"#), input)?.name == "States.Runtime")
    }

    @Test func taskResultSelectorAndPaths() throws {
        let app = WorkflowApp(name: "t")
        app.register("add") { (p: [String: Int], _) in ["sum": p.values.reduce(0, +), "extra": 9] }
        let def = single(#"{"Type":"Task","Resource":"add","InputPath":"$.numbers","Parameters":{"a.$":"$.val1","b.$":"$.val2"},"ResultSelector":{"total.$":"$.sum"},"ResultPath":"$.result","OutputPath":"$.result"}"#)
        #expect(try output(def, input, app: app) == j(#"{"total":7}"#))
    }

    @Test func intrinsics() throws {
        let def = single(#"{"Type":"Pass","Parameters":{"f.$":"States.Format('{} has {} numbers', $.title, States.ArrayLength($.other))","s.$":"States.JsonToString($.numbers)","p.$":"States.StringToJson('{\"a\":1}')","a.$":"States.Array(1, 'x', $.numbers.val1)","m.$":"States.MathAdd($.numbers.val1, 10)","r.$":"States.ArrayRange(1, 5, 2)","u.$":"States.ArrayUnique(States.Array(1,1,2))","g.$":"States.ArrayGetItem($.other, 1)","c.$":"States.ArrayContains($.other, 2)","parts.$":"States.ArrayPartition(States.Array(1,2,3), 2)","b.$":"States.Base64Encode('hi')","sp.$":"States.StringSplit('a,b', ',')"}}"#)
        let out = try output(def, input)
        #expect(out == j(#"{"f":"Numbers to add has 2 numbers","s":"{\"val1\":3,\"val2\":4}","p":{"a":1},"a":[1,"x",3],"m":13,"r":[1,3,5],"u":[1,2],"g":2,"c":true,"parts":[[1,2],[3]],"b":"aGk=","sp":["a","b"]}"#))
    }
}
