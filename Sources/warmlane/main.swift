import RuntimeCLI
Warmlane.main()
