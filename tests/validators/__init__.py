"""The field's own tools as test judges: ``warcio check`` and pywb replay."""
