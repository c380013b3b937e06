from jiradoctor.cli import main

main()
