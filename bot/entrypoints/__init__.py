"""Entry points: the command line, the only part of ``bot`` that may import ``adapters``."""
