// swift-tools-version:6.0
// One manifest for the whole project. The folders tell the architecture:
//   Sources/      the OCI runtime (C shim, OCI types, syscall layer, lifecycle, CLI),
//                 the keep-alive policies and the workflow host library;
//   shim/Sources/ the host-side keep-alive daemon, its CLI and the trace simulator;
//   bundles/      example workflow apps, each built into an OCI bundle.
import PackageDescription

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let systemPackage = Target.Dependency.product(name: "SystemPackage", package: "swift-system")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")

// MARK: - Runtime core (owner: runtime)
// Every runtime command starts cold. By default the compiler reaches generic metadata such
// as KeyedDecodingContainer<Spec.CodingKeys> through its mangled name, and resolving that
// checks the generic requirements by scanning all ~4,500 conformance records of the static
// binary (~40 us a type). Direct metadata accessors are passed the witness tables instead:
// 0.5 ms less per create, for some code size.
let coldStart: [SwiftSetting] = [.unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"])]
let runtimeTargets: [Target] = [
    // What Swift's Glibc module lacks: clone, setns, pivot_root, capset, pkey_*, SCM_RIGHTS helpers.
    .target(name: "CWarmlane"),
    // runtime-spec types: plain Codable structs, no syscalls.
    .target(name: "OCI", swiftSettings: coldStart),
    // Typed syscall wrappers: errno + context, EINTR retry in one place.
    .target(name: "LinuxSystem", dependencies: ["CWarmlane", systemPackage], swiftSettings: coldStart),
    // cgroup v1/v2: layout detection, one file per controller, the freezer.
    .target(name: "Cgroups", dependencies: ["OCI", "LinuxSystem", "CWarmlane"], swiftSettings: coldStart),
    // Container lifecycle: one file per verb, the init (child) path, rootfs, hooks, state store.
    .target(name: "Runtime", dependencies: ["OCI", "LinuxSystem", "Cgroups", "Seccomp", "CWarmlane", systemPackage, logging],
            swiftSettings: coldStart),
    // runc-compatible argument types; no lifecycle logic.
    .target(name: "RuntimeCLI", dependencies: ["Runtime", "OCI", "LinuxSystem", "Cgroups", "Seccomp", argumentParser, logging],
            swiftSettings: coldStart),
    .executableTarget(name: "warmlane", dependencies: ["RuntimeCLI"], swiftSettings: coldStart),
    .testTarget(name: "OCITests", dependencies: ["OCI"], exclude: ["Fixtures"]),
    .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "OCI", "LinuxSystem", "Cgroups"]),
    .testTarget(name: "RuntimeCLITests", dependencies: ["RuntimeCLI"]),
    .testTarget(name: "CgroupsTests", dependencies: ["Cgroups", "LinuxSystem"]),
    // linux.seccomp -> kernel filter through libseccomp, linked statically (module map has no `link`).
    .target(name: "CSeccomp"),
    .target(name: "Seccomp", dependencies: ["CSeccomp", "OCI"], swiftSettings: coldStart,
            linkerSettings: [.linkedLibrary(":libseccomp.a")]),
    .testTarget(name: "SeccompTests", dependencies: ["Seccomp", "CSeccomp", "OCI"]),
]

// MARK: - Keep-alive engine (owner: keep-alive)
let keepAliveTargets: [Target] = [
    // Aggressive cross-module optimisation lets the simulator specialise Pool<Policy>; without
    // it the pool runs generic code and spends ~30% of replay time instantiating metadata.
    .target(name: "KeepAlive", swiftSettings: [.unsafeFlags(["-cross-module-optimization"])]),
    .target(name: "Simulator", dependencies: ["KeepAlive"], path: "shim/Sources/Simulator"),
    .executableTarget(name: "warmlane-shim", dependencies: ["Simulator", "KeepAlive", argumentParser],
                      path: "shim/Sources/warmlane-shim"),
    // `make bench`: simulator throughput and the cost of one policy decision.
    .executableTarget(name: "keepalive-bench", dependencies: ["Simulator", "KeepAlive"],
                      path: "shim/Sources/keepalive-bench"),
    .testTarget(name: "KeepAliveTests", dependencies: ["KeepAlive", "Simulator"]),
]

// MARK: - Workflow host (owner: workflow)
let workflowNIO: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
]
let workflowTargets: [Target] = [
    // Function API, shared arena payloads, ASL model + interpreter, host-owned lanes. No networking.
    .target(name: "Workflow"),
    // OpenWhisk action protocol over swift-nio (Unix socket / TCP), --once, --workflow; WorkflowHost.main.
    .target(name: "WorkflowServer", dependencies: ["Workflow"] + workflowNIO),
    // Example workflow apps (bundles/<name>), each built into an OCI bundle by scripts/build-bundles.sh.
    .executableTarget(name: "hello", dependencies: ["WorkflowServer"], path: "bundles/hello/Sources"),
    .executableTarget(name: "finra", dependencies: ["WorkflowServer"], path: "bundles/finra/Sources"),
    .executableTarget(name: "image-pipeline", dependencies: ["WorkflowServer"], path: "bundles/image-pipeline/Sources"),
    .executableTarget(name: "phi-pipeline", dependencies: ["WorkflowServer"], path: "bundles/phi-pipeline/Sources"),
    // Handoff latency: shared arena vs pipe vs loopback HTTP (`make bench`).
    .executableTarget(name: "workflow-bench", dependencies: ["Workflow", "WorkflowServer"]),
    .testTarget(name: "WorkflowTests", dependencies: ["Workflow"]),
    .testTarget(name: "WorkflowServerTests", dependencies: ["WorkflowServer"]),
]

let package = Package(
    name: "warmlane",
    products: [
        .executable(name: "warmlane", targets: ["warmlane"]),
        .executable(name: "warmlane-shim", targets: ["warmlane-shim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.70.0"),
    ],
    targets: runtimeTargets + keepAliveTargets + workflowTargets,
    swiftLanguageModes: [.v5]
)
