# Debian's buildbot 3.7 ships without buildbot-www, and its web server (which also serves the REST
# API the plugin uses) refuses to start without a `base` UI plugin. This stands in for it.
from buildbot.www.plugin import Application

ep = Application(__name__, "stub UI for tests: the REST API only")
