from itdesk.config.cli import main

main()
