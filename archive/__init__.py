"""The archive format side: WARC writing and reading, the CDXJ index, recovery, text.

Knows no database and imports nothing of sourcekeep's other packages; callers pass plain
paths (a pywb collection: ``archive/`` for WARC files, ``indexes/`` for CDXJ).
"""
