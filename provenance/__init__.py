"""The domain of sourcekeep: chronicles, entries, citations, sources, captures, states.

This package imports neither Scrapy nor a web framework; the crawler and the command line
call into it.
"""

__version__ = "0.1.0"
