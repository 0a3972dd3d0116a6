import Testing
@testable import Workflow

/// Retry (backoff, MaxAttempts, MaxDelaySeconds, ordering) and Catch (matching, ResultPath).
@Suite struct ErrorHandlingTests {
    /// A function that fails `failures` times with `error`, then returns its input.
    func flaky(_ failures: Int, error: String = "Boom") -> (WorkflowApp, Recorder<Int>) {
        let app = WorkflowApp(name: "t")
        let calls = Recorder<Int>()
        app.register("flaky") { p, _ in
            calls.add(1)
            if calls.all.count <= failures { throw FunctionError(error, "attempt \(calls.all.count)") }
            return p
        }
        return (app, calls)
    }

    func runRecordingSleeps(_ def: String, _ app: WorkflowApp, _ input: JSON = j("{}")) throws -> (Result<JSON, ExecutionError>, [Double]) {
        let sleeps = Recorder<Double>()
        let r = try run(def, input, app: app, sleeper: { s, _, _ in sleeps.add(s); return true })
        return (r, sleeps.all)
    }

    @Test func exponentialBackoff() throws {
        let (app, calls) = flaky(3)
        let def = single(#"{"Type":"Task","Resource":"flaky","Retry":[{"ErrorEquals":["Boom"],"IntervalSeconds":2,"MaxAttempts":3,"BackoffRate":1.5}]}"#)
        let (r, sleeps) = try runRecordingSleeps(def, app, j(#"{"k":1}"#))
        #expect(try r.get() == j(#"{"k":1}"#))
        #expect(sleeps == [2, 3, 4.5])
        #expect(calls.all.count == 4)
    }

    @Test func defaultsAreOneSecondThreeAttemptsRateTwo() throws {
        let (app, calls) = flaky(10)
        let def = single(#"{"Type":"Task","Resource":"flaky","Retry":[{"ErrorEquals":["States.ALL"]}]}"#)
        let (r, sleeps) = try runRecordingSleeps(def, app)
        #expect(sleeps == [1, 2, 4])
        #expect(calls.all.count == 4)
        guard case .failure(let e) = r else { Issue.record("expected failure"); return }
        #expect(e.name == "Boom")
        #expect(e.cause == "attempt 4")
    }

    @Test func maxDelayCapsBackoff() throws {
        let (app, _) = flaky(4)
        let def = single(#"{"Type":"Task","Resource":"flaky","Retry":[{"ErrorEquals":["Boom"],"IntervalSeconds":3,"MaxAttempts":5,"MaxDelaySeconds":7}]}"#)
        let (_, sleeps) = try runRecordingSleeps(def, app)
        #expect(sleeps == [3, 6, 7, 7])
    }

    @Test func maxAttemptsZeroNeverRetries() throws {
        let (app, calls) = flaky(1)
        let def = single(#"{"Type":"Task","Resource":"flaky","Retry":[{"ErrorEquals":["Boom"],"MaxAttempts":0}]}"#)
        let (r, sleeps) = try runRecordingSleeps(def, app)
        #expect(sleeps.isEmpty && calls.all.count == 1)
        #expect((try? r.get()) == nil)
    }

    @Test func firstMatchingRetrierAppliesAndCountsSeparately() throws {
        let (app, _) = flaky(2, error: "Other")
        let def = single(#"{"Type":"Task","Resource":"flaky","Retry":[{"ErrorEquals":["Boom"],"IntervalSeconds":5},{"ErrorEquals":["States.TaskFailed"],"IntervalSeconds":1,"BackoffRate":3}]}"#)
        let (r, sleeps) = try runRecordingSleeps(def, app)
        #expect(sleeps == [1, 3])
        #expect((try? r.get()) != nil)
    }

    @Test func catchPutsErrorAtResultPath() throws {
        let (app, _) = flaky(100)
        let def = #"""
        {"StartAt":"T","States":{
          "T":{"Type":"Task","Resource":"flaky","InputPath":"$.in","Catch":[{"ErrorEquals":["Boom"],"ResultPath":"$.error","Next":"H"}],"End":true},
          "H":{"Type":"Pass","End":true}}}
        """#
        let out = try run(def, j(#"{"in":{"a":1},"keep":true}"#), app: app).get()
        #expect(out == j(#"{"in":{"a":1},"keep":true,"error":{"Error":"Boom","Cause":"attempt 1"}}"#))
    }

    @Test func catchDefaultResultPathReplacesInput() throws {
        let (app, _) = flaky(100)
        let def = #"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"flaky","Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"}],"End":true},"H":{"Type":"Pass","End":true}}}"#
        #expect(try run(def, j(#"{"x":1}"#), app: app).get() == j(#"{"Error":"Boom","Cause":"attempt 1"}"#))
    }

    @Test func retryThenCatch() throws {
        let (app, calls) = flaky(100)
        let def = #"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"flaky","Retry":[{"ErrorEquals":["Boom"],"MaxAttempts":2}],"Catch":[{"ErrorEquals":["Boom"],"ResultPath":null,"Next":"H"}],"End":true},"H":{"Type":"Pass","Result":"handled","End":true}}}"#
        let (r, sleeps) = try runRecordingSleeps(def, app)
        #expect(try r.get() == .string("handled"))
        #expect(sleeps == [1, 2] && calls.all.count == 3)
    }

    @Test func errorMatchingRules() {
        #expect(ExecutionError.matches(["States.ALL"], "Anything"))
        #expect(ExecutionError.matches(["States.ALL"], "States.Timeout"))
        #expect(!ExecutionError.matches(["States.ALL"], "States.Runtime"))
        #expect(ExecutionError.matches(["States.TaskFailed"], "Boom"))
        #expect(!ExecutionError.matches(["States.TaskFailed"], "States.Timeout"))
        #expect(ExecutionError.matches(["A", "B"], "B"))
        #expect(!ExecutionError.matches(["A"], "a"))
    }

    @Test func swiftErrorsAreNamedByType() throws {
        struct DiskFull: Error {}
        let app = WorkflowApp(name: "t")
        app.register("f") { _, _ in throw DiskFull() }
        let e = try failure(single(#"{"Type":"Task","Resource":"f"}"#), j("{}"), app: app)
        #expect(e?.name == "DiskFull")
    }

    @Test func catchOnParallelAndMap() throws {
        let def = #"""
        {"StartAt":"P","States":{
          "P":{"Type":"Parallel","Branches":[
             {"StartAt":"ok","States":{"ok":{"Type":"Pass","End":true}}},
             {"StartAt":"bad","States":{"bad":{"Type":"Fail","Error":"E1","Cause":"c1"}}}],
           "Catch":[{"ErrorEquals":["E1"],"ResultPath":"$.err","Next":"M"}],"Next":"M"},
          "M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"c","States":{
               "c":{"Type":"Choice","Choices":[{"Variable":"$","NumericGreaterThan":2,"Next":"f"}],"Default":"p"},
               "f":{"Type":"Fail","Error":"TooBig"},"p":{"Type":"Pass","End":true}}},
           "Catch":[{"ErrorEquals":["TooBig"],"ResultPath":"$.mapErr","Next":"Done"}],"End":true},
          "Done":{"Type":"Succeed"}}}
        """#
        let out = try output(def, j(#"{"items":[1,2,3]}"#))
        #expect(out == j(#"{"items":[1,2,3],"err":{"Error":"E1","Cause":"c1"},"mapErr":{"Error":"TooBig","Cause":""}}"#))
    }
}
