import SmdrillCLI

SmdrillCommand.main()
