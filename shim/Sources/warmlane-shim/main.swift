// The shim binary: a command group; each subcommand lives in its own file.
WarmlaneShim.main()
