"""Maintainer tools: import, check, eval, bench, report."""
