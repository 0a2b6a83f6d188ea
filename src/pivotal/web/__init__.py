"""The local web app: pick or upload a scenario, change parameters, run, compare and download.

An outer layer like the CLI: it calls the service layer, the scenario loader, the run
store and the report, and the model core knows nothing of it.
"""

from pivotal.web.app import create_app

__all__ = ["create_app"]
