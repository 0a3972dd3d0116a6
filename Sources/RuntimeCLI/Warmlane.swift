import ArgumentParser
import Runtime
public struct Warmlane: ParsableCommand { public init() {} }
