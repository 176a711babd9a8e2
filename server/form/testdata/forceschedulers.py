"""Writes forceschedulers.json: the GET api/v2/forceschedulers reply for three schedulers.

Run with a Buildbot 4.x virtualenv: python forceschedulers.py > forceschedulers.json
It builds all_fields the way ForceScheduler.reconfigService does and encodes it the way
buildbot/www/rest.py does (json with default=toJson), without starting a master.
"""

import json
import sys

from buildbot.schedulers import forcesched as fs
from buildbot.util import toJson


def scheduler(name, builders, codebases=None, properties=(), reason=None, label=None):
    username = fs.UserNameParameter()
    reason = reason or fs.StringParameter(name="reason", default="force build", size=20)
    priority = fs.IntParameter(name="priority", default=0)
    codebases = codebases or [fs.CodebaseParameter(codebase="")]
    codebases = [fs.CodebaseParameter(codebase=c) if isinstance(c, str) else c for c in codebases]
    fields = [fs.NestedParameter(name="", fields=[username, reason, priority])]
    fields += codebases + list(properties)
    return {
        "all_fields": [f.getSpec() for f in fields],
        "name": name,
        "button_name": name,
        "label": label or name,
        "builder_names": builders,
        "enabled": True,
    }


schedulers = [
    scheduler("force", ["api-server"]),
    scheduler(
        "deploy",
        ["api-server"],
        reason=fs.ChoiceStringParameter(
            name="reason", choices=["release", "hotfix", "test"], default="test", label="Why?"
        ),
        properties=[
            fs.BooleanParameter(name="deploy", label="Deploy after the build", default=False),
            fs.ChoiceStringParameter(
                name="environment", label="Environment:", choices=["staging", "production"],
                default="staging",
            ),
            fs.ChoiceStringParameter(
                name="region", choices=["eu-west-1", "eu-central-1", "us-east-1", "us-east-2",
                                        "us-west-2", "ap-south-1"],
            ),
            fs.ChoiceStringParameter(
                name="targets", label="Targets", choices=["linux", "mac", "windows"],
                multiple=True, default=["linux"],
            ),
            fs.ChoiceStringParameter(
                name="tag", label="Image tag", choices=["latest", "stable"], strict=False,
                default="latest",
            ),
            fs.IntParameter(name="shards", label="Number of parallel test shards", default=4,
                            required=True, tooltip="How many <b>workers</b> share the tests"),
            fs.StringParameter(name="ticket", label="Ticket", required=True,
                               regex=r"^[A-Z]+-\d+$", maxsize=12),
            fs.TextParameter(name="notes", label="Release notes", maxsize=5000),
            fs.FixedParameter(name="pipeline", default="v2"),
            fs.StringParameter(name="token", default="s3cret", hide=True),
            fs.FileParameter(name="config_file", label="Config file"),
            fs.WorkerChoiceParameter(),
        ],
    ),
    scheduler(
        "multi",
        ["web"],
        codebases=[
            fs.CodebaseParameter(codebase=""),
            "frontend",
            fs.CodebaseParameter(
                codebase="backend",
                branch=fs.ChoiceStringParameter(
                    name="branch", label="Branch:", choices=["main", "release"], default="main"
                ),
                revision=None,
                project="backend",
                patch=fs.PatchParameter(),
            ),
        ],
        properties=[
            fs.NestedParameter(
                name="docker", label="Docker", fields=[
                    fs.StringParameter(name="image", label="Image", default="app"),
                    fs.BooleanParameter(name="push", label="Push", default=True),
                    fs.NestedParameter(name="", fields=[
                        fs.IntParameter(name="retries", label="Retries", default=2),
                    ]),
                ],
            ),
            fs.AnyPropertyParameter(name="extra"),
        ],
    ),
]

json.dump({"forceschedulers": schedulers, "meta": {"total": len(schedulers)}}, sys.stdout,
          default=toJson, sort_keys=True, indent=1)
sys.stdout.write("\n")
