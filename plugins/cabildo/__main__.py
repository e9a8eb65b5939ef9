from .pelican.cli import run

run()
