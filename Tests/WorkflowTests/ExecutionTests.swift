import Testing
@testable import Workflow
#if canImport(Glibc)
import Glibc
#endif

/// Map/Parallel result shapes, concurrency on lanes, Wait, timeouts, zero-copy handoff.
@Suite struct ExecutionTests {
    @Test func parallelOutputIsArrayOfBranchOutputs() throws {
        let def = #"""
        {"StartAt":"P","States":{"P":{"Type":"Parallel","Parameters":{"v.$":"$.v"},"ResultSelector":{"first.$":"$[0]","all.$":"$"},"ResultPath":"$.r","Branches":[
          {"StartAt":"a","States":{"a":{"Type":"Pass","Result":"A","End":true}}},
          {"StartAt":"b","States":{"b":{"Type":"Pass","InputPath":"$.v","End":true}}},
          {"StartAt":"c","States":{"c":{"Type":"Pass","End":true}}}],"End":true}}}
        """#
        #expect(try output(def, j(#"{"v":7}"#)) == j(#"{"v":7,"r":{"first":"A","all":["A",7,{"v":7}]}}"#))
    }

    @Test func mapOutputKeepsItemOrderAndUsesItemSelector() throws {
        let def = #"""
        {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","MaxConcurrency":2,
          "ItemSelector":{"value.$":"$$.Map.Item.Value","index.$":"$$.Map.Item.Index","k.$":"$.k"},
          "ItemProcessor":{"StartAt":"p","States":{"p":{"Type":"Pass","End":true}}},"ResultPath":"$.out","End":true}}}
        """#
        #expect(try output(def, j(#"{"k":"K","xs":[10,20,30]}"#))
                == j(#"{"k":"K","xs":[10,20,30],"out":[{"value":10,"index":0,"k":"K"},{"value":20,"index":1,"k":"K"},{"value":30,"index":2,"k":"K"}]}"#))
        #expect(try output(def, j(#"{"k":"K","xs":[]}"#))["out"] == j("[]"))
    }

    @Test func mapOverNonArrayFails() throws {
        let def = single(#"{"Type":"Map","ItemsPath":"$.x","Iterator":{"StartAt":"p","States":{"p":{"Type":"Pass","End":true}}}}"#)
        #expect(try failure(def, j(#"{"x":1}"#))?.name == "States.Runtime")
    }

    @Test func parallelBranchesRunOnDistinctLanesConcurrently() throws {
        let app = WorkflowApp(name: "t")
        let threads = Recorder<UInt>()
        let counter = PeakCounter()
        app.register("work") { p, _ in
            threads.add(UInt(pthread_self()))
            counter.enter()
            usleep(50_000)
            counter.leave()
            return p
        }
        let branch = #"{"StartAt":"w","States":{"w":{"Type":"Task","Resource":"work","End":true}}}"#
        let def = single(#"{"Type":"Parallel","Branches":[\#(Array(repeating: branch, count: 6).joined(separator: ","))]}"#)
        let t0 = monotonicNanos()
        let out = try output(def, j("1"), app: app)
        let elapsed = Double(monotonicNanos() - t0) / 1e9
        #expect(out == j("[1,1,1,1,1,1]"))
        #expect(Set(threads.all).count == 6)
        #expect(counter.peak == 6)
        #expect(elapsed < 0.25)
    }

    @Test func hostLimitBoundsConcurrency() throws {
        let app = WorkflowApp(name: "t")
        let counter = PeakCounter()
        app.register("work") { p, _ in
            counter.enter()
            usleep(10_000)
            counter.leave()
            return p
        }
        let def = single(#"{"Type":"Map","MaxConcurrency":0,"Iterator":{"StartAt":"w","States":{"w":{"Type":"Task","Resource":"work","End":true}}}}"#)
        let r = try run(def, j("[1,2,3,4,5,6,7,8,9,10,11,12]"), app: app, config: HostConfig(maxLanes: 16, maxFanout: 3))
        #expect(try r.get().array?.count == 12)
        #expect(counter.peak <= 3)
        counter.reset()
        let def2 = single(#"{"Type":"Map","MaxConcurrency":2,"Iterator":{"StartAt":"w","States":{"w":{"Type":"Task","Resource":"work","End":true}}}}"#)
        _ = try run(def2, j("[1,2,3,4,5,6]"), app: app).get()
        #expect(counter.peak <= 2)
    }

    @Test func nestedFanOutWithTinyPoolDoesNotDeadlock() throws {
        let inner = #"{"StartAt":"m","States":{"m":{"Type":"Map","Iterator":{"StartAt":"p","States":{"p":{"Type":"Pass","End":true}}},"End":true}}}"#
        let def = single(#"{"Type":"Parallel","Branches":[\#(inner),\#(inner),\#(inner)]}"#)
        let r = try run(def, j("[1,2,3,4]"), config: HostConfig(maxLanes: 1))
        #expect(try r.get() == j("[[1,2,3,4],[1,2,3,4],[1,2,3,4]]"))
    }

    @Test func failingBranchFailsParallelWithItsError() throws {
        let app = WorkflowApp(name: "t")
        app.register("slow") { p, ctx in
            for _ in 0..<100 where !ctx.isCancelled { usleep(2_000) }
            return p
        }
        let def = single(#"{"Type":"Parallel","Branches":[{"StartAt":"s","States":{"s":{"Type":"Task","Resource":"slow","End":true}}},{"StartAt":"f","States":{"f":{"Type":"Fail","Error":"Bad","Cause":"why"}}}]}"#)
        let e = try failure(def, j("{}"), app: app)
        #expect(e == ExecutionError("Bad", "why"))
    }

    @Test func taskTimeoutIsStatesTimeoutAndCatchable() throws {
        let app = WorkflowApp(name: "t")
        app.register("hang") { p, ctx in
            while !ctx.isCancelled { usleep(1_000) }
            return p
        }
        let def = #"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"hang","TimeoutSeconds":1,"Catch":[{"ErrorEquals":["States.Timeout"],"ResultPath":"$.e","Next":"D"}],"End":true},"D":{"Type":"Pass","OutputPath":"$.e.Error","End":true}}}"#
        let t0 = monotonicNanos()
        let got = try run(def, j("{}"), app: app)
        #expect((try? got.get()) == .string("States.Timeout"), "\(got)")
        let s = Double(monotonicNanos() - t0) / 1e9
        #expect(s >= 0.99 && s < 1.5)
    }

    @Test func parallelTimeoutSeconds() throws {
        let def = single(#"{"Type":"Parallel","TimeoutSeconds":1,"Branches":[{"StartAt":"w","States":{"w":{"Type":"Wait","Seconds":5,"End":true}}}]}"#)
        let t0 = monotonicNanos()
        #expect(try failure(def, j("{}"))?.name == "States.Timeout")
        #expect(Double(monotonicNanos() - t0) / 1e9 < 2)
    }

    @Test func waitSecondsAndSecondsPath() throws {
        let slept = Recorder<Double>()
        let def = #"{"StartAt":"a","States":{"a":{"Type":"Wait","Seconds":2,"Next":"b"},"b":{"Type":"Wait","SecondsPath":"$.s","End":true}}}"#
        let r = try run(def, j(#"{"s":3}"#), sleeper: { s, _, _ in slept.add(s); return true })
        #expect(try r.get() == j(#"{"s":3}"#))
        #expect(slept.all == [2, 3])
    }

    @Test func realWaitSleeps() throws {
        let t0 = monotonicNanos()
        _ = try output(single(#"{"Type":"Wait","Seconds":1}"#), j("{}"))
        #expect(Double(monotonicNanos() - t0) / 1e9 >= 0.99)
    }

    @Test func payloadHandoffIsZeroCopy() throws {
        let app = WorkflowApp(name: "t")
        let seen = Recorder<(Int, UnsafeRawPointer?)>()
        app.register("make") { _, ctx in
            let p = ctx.payload(count: 1 << 20) { buf in
                buf.initializeMemory(as: UInt8.self, repeating: UInt8(ascii: " "))
                buf[0] = UInt8(ascii: "1")
            }
            seen.add((0, p.baseAddress))
            return p
        }
        app.register("use") { p, _ in seen.add((1, p.baseAddress)); return p }
        let def = #"{"StartAt":"a","States":{"a":{"Type":"Task","Resource":"make","Next":"b"},"b":{"Type":"Task","Resource":"use","End":true}}}"#
        let interp = try Interpreter(definition: def, app: app)
        let arena = Arena()
        let r = interp.execute(.json(.null), arena: arena)
        guard case .success(.payload(let out)) = r else { Issue.record("expected a raw payload"); return }
        #expect(seen.all.count == 2)
        #expect(seen.all[0].1 == seen.all[1].1)
        #expect(out.baseAddress == seen.all[0].1)
        #expect(try out.json() == .int(1))
        #expect(arena.bytesAllocated < (1 << 20) + 4096)
    }

    @Test func typedFunctionsUseCodable() throws {
        struct In: Decodable { let name: String }
        struct Out: Encodable { let greeting: String }
        let app = WorkflowApp(name: "t")
        app.register("greet") { (i: In, _) in Out(greeting: "hi \(i.name)") }
        #expect(try output(single(#"{"Type":"Task","Resource":"greet"}"#), j(#"{"name":"x"}"#), app: app) == j(#"{"greeting":"hi x"}"#))
        let e = try failure(single(#"{"Type":"Task","Resource":"greet"}"#), j("1"), app: app)
        #expect(e?.name == "InvalidInput")
    }

    @Test func functionsGetContext() throws {
        let app = WorkflowApp(name: "t")
        app.register("who") { _, ctx in ctx.payload(json: .string("\(ctx.functionName)@\(ctx.stateName)")) }
        #expect(try output(single(#"{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:who"}"#), j("{}"), app: app) == .string("who@S"))
    }

    @Test func concurrentExecutionsShareOneInterpreter() throws {
        let app = WorkflowApp(name: "t")
        app.register("inc") { (n: Int, _) in n + 1 }
        let def = #"{"StartAt":"a","States":{"a":{"Type":"Task","Resource":"inc","Next":"b"},"b":{"Type":"Task","Resource":"inc","End":true}}}"#
        let interp = try Interpreter(definition: def, app: app)
        let results = Recorder<JSON>()
        let done = Monitor(); var left = 40
        for i in 0..<40 {
            interp.lanes.submit {
                if case .success(let v) = interp.execute(json: .int(Int64(i))) { results.add(v) }
                done.withLock { left -= 1; done.broadcast() }
            }
        }
        done.withLock { while left > 0 { done.wait() } }
        #expect(Set(results.all.compactMap { $0.number }) == Set((0..<40).map { Double($0 + 2) }))
    }

    @Test func machineTimeout() throws {
        let def = #"{"StartAt":"w","TimeoutSeconds":1,"States":{"w":{"Type":"Wait","Seconds":10,"End":true}}}"#
        #expect(try failure(def, j("{}"))?.name == "States.Timeout")
    }
}
