import ArgumentParser
import Runtime
import OCI
import LinuxSystem
import Seccomp

struct SpecCommand: RuntimeVerb {
    static let configuration = CommandConfiguration(commandName: "spec", abstract: "Write a default config.json into the bundle.")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "Bundle directory to write config.json into.") var bundle: String = "."
    @Flag(help: "Write a config for a rootless container.") var rootless = false
    @Flag(help: "Include a seccomp profile equivalent to Docker's default.") var seccomp = false

    func execute(_ runtime: Runtime) throws -> Int32 {
        let path = FileSystem.absolute(bundle) + "/config.json"
        if FileSystem.exists(path) {
            throw RuntimeError.config("File \(path) exists. Remove it first")
        }
        var spec = Spec.default()
        if rootless { spec.makeRootless(uid: getuidValue(), gid: getgidValue()) }
        if seccomp { spec.linux?.seccomp = DefaultSeccompProfile.docker() }
        try FileSystem.writeAtomically(path, Array(try JSON.pretty(spec).utf8), mode: 0o644)
        return 0
    }
}
