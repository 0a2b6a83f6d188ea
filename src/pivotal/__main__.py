from pivotal.cli.app import main

main()
