"""Reports of recorded runs: one offline HTML file, or the same charts as PNG or SVG files.

``pivotal.report.charts`` draws the charts (matplotlib), ``pivotal.report.html``
builds the HTML document and ``pivotal.report.files`` writes either to disk.
Importing this package loads neither matplotlib nor Jinja2.
"""
