import Testing
@testable import Workflow

@Suite struct ValidationTests {
    func problems(_ def: String, functions: Set<String>? = []) -> [String] {
        do { _ = try StateMachine.load(def, functions: functions); return [] }
        catch let e as DefinitionError { return e.problems }
        catch { return ["\(error)"] }
    }

    @Test func unknownNextState() {
        let p = problems(#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}"#)
        #expect(p.contains { $0.contains("unknown state 'B'") })
    }

    @Test func unknownStartAt() {
        #expect(problems(#"{"StartAt":"X","States":{"A":{"Type":"Pass","End":true}}}"#).contains { $0.contains("unknown state 'X'") })
    }

    @Test func unknownStateType() {
        #expect(problems(#"{"StartAt":"A","States":{"A":{"Type":"Sleep","End":true}}}"#).contains { $0.contains("unknown state type 'Sleep'") })
    }

    @Test func missingNextOrEnd() {
        #expect(problems(#"{"StartAt":"A","States":{"A":{"Type":"Pass"}}}"#).contains { $0.contains("missing Next or End") })
    }

    @Test func unreachableState() {
        let p = problems(#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true},"B":{"Type":"Pass","End":true}}}"#)
        #expect(p == ["state 'B': unreachable from StartAt 'A'"])
    }

    @Test func unknownFunction() {
        let p = problems(#"{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"nope","End":true}}}"#, functions: ["yes"])
        #expect(p.contains { $0.contains("unknown function 'nope'") })
    }

    @Test func problemsInsideBranchesAreLocated() {
        let p = problems(#"{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"x","States":{"x":{"Type":"Pass","Next":"y"}}}]}}}"#)
        #expect(p.contains { $0.contains("Branches[0]") && $0.contains("unknown state 'y'") })
    }

    @Test func catchTargetsCountAsReachable() {
        #expect(problems(#"{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"x","States":{"x":{"Type":"Pass","End":true}}}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"}]},"H":{"Type":"Pass","End":true}}}"#).isEmpty)
    }

    @Test func badFieldsAndOperators() {
        #expect(!problems(#"{"StartAt":"A","States":{"A":{"Type":"Pass","Resource":"x","End":true}}}"#).isEmpty)
        #expect(!problems(#"{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","NumberEquals":1,"Next":"A"}]},"A":{"Type":"Succeed"}}}"#).isEmpty)
        #expect(!problems(#"{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"f","End":true,"Retry":[{"ErrorEquals":["States.ALL","X"]}]}}}"#, functions: ["f"]).isEmpty)
        #expect(!problems(#"{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"a.$":"nopath"},"End":true}}}"#).isEmpty)
        #expect(!problems("not json").isEmpty)
    }

    @Test func collectsAllProblems() {
        let p = problems(#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Z"},"B":{"Type":"Wait"},"C":{"Type":"Task","Resource":"q","End":true}}}"#)
        #expect(p.count >= 4)
    }
}
