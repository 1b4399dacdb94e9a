from cenas.cli import main

main()
