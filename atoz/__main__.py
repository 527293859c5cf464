from atoz.cli import main

main()
