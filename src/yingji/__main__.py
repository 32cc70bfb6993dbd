from yingji.cli import main

main()
