#!/usr/bin/env python3
"""Validates exported SAM templates with AWS's own tools, offline.

For each TEMPLATE: the local CodeUri/DefinitionUri/ContentUri paths are rewritten to s3://
placeholders the way `sam package` would (so the transform sees a deployable template), the
template is transformed to plain CloudFormation by aws-sam-translator (a region is set; no
credentials: managed policies are looked up in a fixed table, not in IAM), and both the SAM
template and the transformed one are written to OUT_DIR for cfn-lint. Exit 1 on the first
template the translator refuses, with its message.

Usage: sam_validate.py OUT_DIR TEMPLATE...
"""

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from samtranslator.model.exceptions import InvalidDocumentException  # noqa: E402
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader  # noqa: E402
from samtranslator.translator.transform import transform  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402

# What `sam package` uploads, by resource type: the property that holds a local path.
PACKAGED = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
    "AWS::Serverless::Api": "DefinitionUri",
    "AWS::Serverless::HttpApi": "DefinitionUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Lambda::Function": "Code",
    "AWS::Serverless::Application": "Location",
}


class OfflinePolicies(ManagedPolicyLoader):
    """Managed policies by name without calling IAM: AWS's own ARN scheme."""

    def __init__(self):
        super().__init__(iam_client=None)

    def load(self):
        names = [
            "AWSLambdaBasicExecutionRole",
            "AWSLambdaSQSQueueExecutionRole",
            "AWSLambdaKinesisExecutionRole",
            "AWSLambdaDynamoDBExecutionRole",
            "AWSXrayWriteOnlyAccess",
            "AWSLambdaVPCAccessExecutionRole",
            "AmazonDynamoDBFullAccess",
            "AmazonDynamoDBReadOnlyAccess",
            "AmazonS3FullAccess",
            "AmazonS3ReadOnlyAccess",
            "AmazonSQSFullAccess",
            "AmazonSNSFullAccess",
            "CloudWatchLogsFullAccess",
        ]
        arns = {name: f"arn:aws:iam::aws:policy/{name}" for name in names}
        for name in ["AWSLambdaBasicExecutionRole", "AWSLambdaSQSQueueExecutionRole",
                     "AWSLambdaKinesisExecutionRole", "AWSLambdaDynamoDBExecutionRole",
                     "AWSLambdaVPCAccessExecutionRole"]:
            arns[name] = f"arn:aws:iam::aws:policy/service-role/{name}"
        return arns


def package(template):
    """Local paths become s3:// placeholders, as `sam package` would upload them."""
    resources = template.get("Resources") or {}
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict):
            continue
        key = PACKAGED.get(resource.get("Type"))
        props = resource.get("Properties")
        if key and isinstance(props, dict) and isinstance(props.get(key), str):
            if not props[key].startswith("s3://"):
                if resource["Type"] == "AWS::Lambda::Function":
                    props[key] = {"S3Bucket": "placeholder-bucket", "S3Key": f"{logical_id}.zip"}
                else:
                    props[key] = f"s3://placeholder-bucket/{logical_id}"
    function_globals = (template.get("Globals") or {}).get("Function") or {}
    uri = function_globals.get("CodeUri")
    if isinstance(uri, str) and not uri.startswith("s3://"):
        function_globals["CodeUri"] = "s3://placeholder-bucket/globals"
    return template


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for path in sys.argv[2:]:
        name = Path(path).stem
        template = package(yaml_parse(Path(path).read_text()))
        (out / f"{name}.packaged.json").write_text(json.dumps(template, indent=1))
        try:
            transformed = transform(template, {}, OfflinePolicies())
        except InvalidDocumentException as error:
            causes = "; ".join(str(cause) for cause in error.causes)
            print(f"{path}: the SAM translator refuses it: {causes}", file=sys.stderr)
            return 1
        (out / f"{name}.cfn.json").write_text(json.dumps(transformed, indent=1))
        print(f"transformed {path}: {len(transformed.get('Resources', {}))} resources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
