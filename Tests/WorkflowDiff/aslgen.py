"""Random Amazon States Language definitions for differential testing.

Definitions use Pass, Choice, Map, Parallel, Succeed and Fail states with InputPath,
Parameters (paths, nested objects, context object), Result, ResultSelector, ResultPath,
OutputPath, ItemsPath/ItemSelector/MaxConcurrency and every Choice operator family. Paths
mostly name data that exists, sometimes not, so error paths are exercised too.
"""
import random

WORDS = ["alpha", "beta", "gamma", "delta", "x", "y"]


def rand_scalar(rng):
    k = rng.randrange(6)
    if k == 0:
        return rng.randint(-5, 20)
    if k == 1:
        return round(rng.uniform(-3, 30), 2)
    if k == 2:
        return rng.choice(WORDS)
    if k == 3:
        return rng.choice([True, False])
    if k == 4:
        return None
    return "2024-0%d-1%dT10:00:00Z" % (rng.randint(1, 9), rng.randint(0, 9))


def rand_input(rng):
    return {
        "a": rng.randint(0, 10),
        "b": rng.choice(WORDS),
        "n": round(rng.uniform(0, 10), 1),
        "flag": rng.choice([True, False]),
        "t": "2024-05-1%dT12:00:00Z" % rng.randint(0, 9),
        "z": None,
        "l": [rng.randint(0, 9) for _ in range(rng.randint(0, 4))],
        "o": {"a": rng.randint(0, 5), "b": rng.choice(WORDS), "l": [{"v": rng.randint(0, 9), "w": rng.choice(WORDS)} for _ in range(rng.randint(1, 3))]},
    }


READ_PATHS = ["$", "$.a", "$.b", "$.n", "$.flag", "$.t", "$.z", "$.l", "$.o", "$.o.a", "$.o.b", "$.o.l", "$.o.l[0]", "$.o.l[0].v",
              "$.l[0]", "$['o']['a']", "$.r", "$.r.a", "$.missing"]
LIST_PATHS = ["$.l", "$.o.l"] * 6 + ["$.o.a", "$.missing"]
WRITE_PATHS = ["$", "$.r", "$.r", "$.o.r", "$.a", "$.res.deep", "$.r2"] * 3 + ["$.b.x"]


def rand_read(rng, bad=0.03):
    if rng.random() < bad:
        return rng.choice(["$.missing", "$.o.nope", "$.l[9]"])
    return rng.choice(READ_PATHS[:-3] + ["$.r"] * 0)


def rand_template(rng, depth=0, ctx_paths=()):
    out = {}
    for i in range(rng.randint(1, 4)):
        k = rng.choice(["p", "q", "v", "w", "k"]) + str(i)
        r = rng.random()
        if r < 0.45:
            out[k + ".$"] = rand_read(rng)
        elif r < 0.55 and ctx_paths:
            out[k + ".$"] = rng.choice(ctx_paths)
        elif r < 0.7 and depth < 2:
            out[k] = rand_template(rng, depth + 1, ctx_paths)
        elif r < 0.8:
            out[k] = [rand_scalar(rng), rand_scalar(rng)]
        else:
            out[k] = rand_scalar(rng)
    return out


def maybe_io(rng, st, allow_result=True):
    if rng.random() < 0.25:
        st["InputPath"] = rng.choice(["$", "$.o", "$.missing"] if rng.random() < 0.1 else ["$", "$.o"])
    if allow_result and rng.random() < 0.6:
        st["ResultPath"] = rng.choice(WRITE_PATHS[1:] + [None])
    if rng.random() < 0.2:
        st["OutputPath"] = "$.r" if st.get("ResultPath") == "$.r" else rng.choice(["$", "$.o"])


def rand_condition(rng, depth=0):
    r = rng.random()
    if depth < 2 and r < 0.15:
        return {rng.choice(["And", "Or"]): [rand_condition(rng, depth + 1) for _ in range(rng.randint(1, 3))]}
    if depth < 2 and r < 0.22:
        return {"Not": rand_condition(rng, depth + 1)}
    fam = rng.randrange(8)
    if fam == 0:
        op = rng.choice(["Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"])
        var = rng.choice(["$.a", "$.n", "$.o.a", "$.b"])
        if rng.random() < 0.3:
            return {"Variable": var, "Numeric" + op + "Path": rng.choice(["$.a", "$.n", "$.o.a"])}
        return {"Variable": var, "Numeric" + op: rng.choice([rng.randint(0, 10), round(rng.uniform(0, 10), 1)])}
    if fam == 1:
        op = rng.choice(["Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"])
        var = rng.choice(["$.b", "$.o.b", "$.a"])
        if rng.random() < 0.3:
            return {"Variable": var, "String" + op + "Path": rng.choice(["$.b", "$.o.b"])}
        return {"Variable": var, "String" + op: rng.choice(WORDS)}
    if fam == 2:
        return {"Variable": rng.choice(["$.b", "$.o.b"]), "StringMatches": rng.choice(["*a", "a*", "*et*", "x", "*", "g*a"])}
    if fam == 3:
        if rng.random() < 0.3:
            return {"Variable": "$.flag", "BooleanEqualsPath": "$.flag"}
        return {"Variable": rng.choice(["$.flag", "$.a"]), "BooleanEquals": rng.choice([True, False])}
    if fam == 4:
        op = rng.choice(["Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"])
        if rng.random() < 0.3:
            return {"Variable": "$.t", "Timestamp" + op + "Path": "$.t"}
        return {"Variable": rng.choice(["$.t", "$.b"]), "Timestamp" + op: "2024-05-1%dT12:00:00Z" % rng.randint(0, 9)}
    if fam == 5:
        return {"Variable": rng.choice(["$.a", "$.missing", "$.o.a", "$.r"]), "IsPresent": rng.choice([True, False])}
    if fam == 6:
        return {"Variable": rng.choice(["$.a", "$.b", "$.z", "$.flag", "$.t", "$.n"]),
                rng.choice(["IsNull", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"]): rng.choice([True, False])}
    return {"Variable": rng.choice(["$.a", "$.missing"]) if rng.random() < 0.1 else "$.a", "NumericGreaterThanEquals": rng.randint(0, 10)}


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.counter = 0

    def name(self, kind):
        self.counter += 1
        return "%s%d" % (kind, self.counter)

    def machine(self, depth, in_map=False):
        rng = self.rng
        n = rng.randint(1, 4 if depth == 0 else 2)
        names = [self.name(rng.choice(["Pass", "Step"])) for _ in range(n)]
        states = {}
        for i, nm in enumerate(names):
            last = i == n - 1
            nxt = None if last else names[i + 1]
            kind = rng.random()
            if kind < 0.4 or depth >= 2:
                st = self.pass_state(in_map)
            elif kind < 0.6:
                st = self.map_state(depth)
            elif kind < 0.75:
                st = self.parallel_state(depth)
            else:
                st, extra = self.choice_state(nxt)
                states.update(extra)
                states[nm] = st
                continue
            if last:
                st["End"] = True
            else:
                st["Next"] = nxt
            states[nm] = st
        # Occasionally end with Succeed or Fail.
        if rng.random() < 0.15:
            last = names[-1]
            states[last].pop("End", None)
            term = self.name("Done")
            states[last]["Next"] = term
            states[term] = {"Type": "Succeed"} if rng.random() < 0.6 else {"Type": "Fail", "Error": "Custom.E%d" % rng.randint(1, 3), "Cause": "because"}
            if states[term]["Type"] == "Succeed" and rng.random() < 0.3:
                states[term]["OutputPath"] = rng.choice(["$", "$.o"])
        return {"StartAt": names[0], "States": states}

    def pass_state(self, in_map):
        rng = self.rng
        st = {"Type": "Pass"}
        r = rng.random()
        if r < 0.35:
            st["Parameters"] = rand_template(rng, 0, ("$$.Execution.Input.a", "$$.Execution.Input.o"))
        elif r < 0.55:
            st["Result"] = rng.choice([rand_scalar(rng), {"a": rand_scalar(rng), "r": [1, 2]}, [rand_scalar(rng)]])
        maybe_io(rng, st)
        return st

    def map_state(self, depth):
        rng = self.rng
        st = {"Type": "Map", "ItemsPath": rng.choice(LIST_PATHS), "ItemProcessor": self.machine(depth + 1, True)}
        if rng.random() < 0.5:
            sel = {"item.$": "$$.Map.Item.Value", "idx.$": "$$.Map.Item.Index"}
            if rng.random() < 0.5:
                sel["outer.$"] = rng.choice(["$.a", "$.b", "$.o.a"])
            st["ItemSelector"] = sel
        if rng.random() < 0.5:
            st["MaxConcurrency"] = rng.randint(0, 3)
        if rng.random() < 0.2:
            st["ResultSelector"] = {"all.$": "$", "first.$": "$[0]"} if rng.random() < 0.5 else {"n": 1, "all.$": "$"}
        maybe_io(rng, st)
        return st

    def parallel_state(self, depth):
        rng = self.rng
        st = {"Type": "Parallel", "Branches": [self.machine(depth + 1) for _ in range(rng.randint(1, 3))]}
        if rng.random() < 0.3:
            st["Parameters"] = rand_template(rng)
        if rng.random() < 0.2:
            st["ResultSelector"] = {"b0.$": "$[0]", "all.$": "$"}
        if rng.random() < 0.2:
            st["Catch"] = [{"ErrorEquals": [rng.choice(["States.ALL", "Custom.E1", "Custom.E2"])], "ResultPath": rng.choice(["$.err", None, "$"]),
                            "Next": None}]
        maybe_io(rng, st)
        return st

    def choice_state(self, nxt):
        rng = self.rng
        extra = {}
        targets = []
        for _ in range(rng.randint(1, 3)):
            t = self.name("Branch")
            r = rng.random()
            if r < 0.25:
                extra[t] = {"Type": "Fail", "Error": "Custom.E%d" % rng.randint(1, 3), "Cause": "choice %s" % t}
            elif r < 0.45 or nxt is None:
                extra[t] = {"Type": "Pass", "Result": {"took": t}, "ResultPath": "$.took", "End": True} if nxt is None else \
                           {"Type": "Pass", "Result": t, "ResultPath": "$.took", "Next": nxt}
            else:
                extra[t] = {"Type": "Pass", "Parameters": {"took": t, "a.$": "$.a"}, "Next": nxt} if nxt else \
                           {"Type": "Succeed"}
            targets.append(t)
        st = {"Type": "Choice", "Choices": [dict(rand_condition(rng), Next=t) for t in targets]}
        # Without a Default, some rule must lead on, or the following states are unreachable.
        leads_on = any("Next" in extra[t] for t in targets)
        if rng.random() < 0.8 or (nxt and not leads_on):
            d = self.name("Default")
            extra[d] = {"Type": "Pass", "Next": nxt} if nxt else {"Type": "Succeed"}
            st["Default"] = d
        if rng.random() < 0.15:
            st["InputPath"] = "$"
        if rng.random() < 0.15:
            st["OutputPath"] = rng.choice(["$", "$.o"])
        return st, extra


def fix_catch_targets(machine):
    """Catchers need a Next: point them at a fresh Pass that ends (keeps every state reachable)."""
    states = machine["States"]
    for name, st in list(states.items()):
        for c in st.get("Catch", []):
            if c["Next"] is None:
                h = name + "Handler"
                states[h] = {"Type": "Pass", "End": True}
                c["Next"] = h
        for b in st.get("Branches", []):
            fix_catch_targets(b)
        if "ItemProcessor" in st:
            fix_catch_targets(st["ItemProcessor"])
    return machine


def generate(seed):
    g = Gen(seed)
    definition = fix_catch_targets(g.machine(0))
    return definition, rand_input(g.rng)
