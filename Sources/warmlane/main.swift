import RuntimeCLI

// Thin on purpose: argument types live in RuntimeCLI, lifecycle logic in Runtime.
Warmlane.main(arguments: Array(CommandLine.arguments.dropFirst()))
