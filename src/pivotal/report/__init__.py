"""Reports of recorded runs: one offline HTML file, or the same charts as PNG or SVG files.

``pivotal.report.registry`` lists the charts (what each is called, needs, draws and says),
``pivotal.report.charts`` gathers the names to import for them, ``pivotal.report.html`` builds
the HTML document and ``pivotal.report.files`` writes either to disk.
Importing this package loads neither matplotlib nor Jinja2.
"""
