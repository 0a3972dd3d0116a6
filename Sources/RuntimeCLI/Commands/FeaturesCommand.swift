import ArgumentParser
import Runtime
import OCI

struct FeaturesCommand: RuntimeVerb {
    static let configuration = CommandConfiguration(commandName: "features", abstract: "Print what this build supports, as JSON.")
    @OptionGroup var global: GlobalOptions

    func execute(_ runtime: Runtime) throws -> Int32 {
        printOut(try JSON.pretty(RuntimeFeatures.current()))
        return 0
    }
}
